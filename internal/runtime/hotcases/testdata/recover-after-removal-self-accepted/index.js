import { it, expect, NEXT, update, ids } from '../harness.js';
const id = ids(import.meta.url);
import first from './module.js';

let ok = first;

it('should abort when module is not accepted', (done) => {
  expect(ok).toBe('ok1-inner');
  NEXT(
    update(done, true, () => {
      expect(ok).toBe('ok2');
      NEXT(
        update(done, true, () => {
          expect(ok).toBe('ok3-inner');
          done();
        }),
      );
    }),
  );
});

if (import.meta.webpackHot) {
  import.meta.webpackHot.accept('./module.js', (outdated, [mod]) => {
    ok = mod.default;
  });
}
