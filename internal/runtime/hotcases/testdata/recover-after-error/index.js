import { it, expect, NEXT, update, ids } from '../harness.js';
const id = ids(import.meta.url);
import first from './a.js';

let a = first;

it('should abort when module is not accepted', (done) => {
  expect(a).toBe(1);
  NEXT(
    update(done, { ignoreErrored: true }, () => {
      expect(a).toBe(1);
      expect(import.meta.webpackHot.status()).toBe('idle');
      NEXT(
        update(done, { ignoreErrored: true }, () => {
          expect(a).toBe(3);
          done();
        }),
      );
    }),
  );
});

if (import.meta.webpackHot) {
  import.meta.webpackHot.accept('./a.js', (outdated, [mod]) => {
    a = mod.default;
  });
}
