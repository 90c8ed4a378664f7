import { it, expect, NEXT, update, ids } from '../harness.js';
const id = ids(import.meta.url);
import first from './a.js';

let value = first;

it('should run import.meta.webpackHot?.accept?.(…)', function (done) {
  expect(value).toBe(1);
  import.meta.webpackHot?.accept?.('./a.js', function (outdated, [mod]) {
    value = mod.default;
  });
  NEXT(
    update(done, true, () => {
      expect(value).toBe(2);
      done();
    }),
  );
});
