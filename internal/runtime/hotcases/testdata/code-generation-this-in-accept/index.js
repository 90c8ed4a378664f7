import { it, expect, NEXT, update, ids } from '../harness.js';
const id = ids(import.meta.url);
import x from './module.js';

it('should have correct this context in accept handler', (done) => {
  expect(x).toEqual('ok1');

  (function () {
    import.meta.webpackHot.accept('./module.js', (outdated, [mod]) => {
      expect(mod.default).toEqual('ok2');
      expect(this).toEqual({ ok: true });
      done();
    });
  }).call({ ok: true });

  NEXT(update(done));
});
