import { it, expect, NEXT, update, ids } from '../harness.js';
const id = ids(import.meta.url);
import a from './module.js';

it('should await an async dependency when callback is provided', (done) => {
  expect(a).toEqual('a 1');

  import.meta.webpackHot.accept('./module.js', (outdated, [mod]) => {
    expect(mod.default).toEqual('a 2');
    done();
  });

  NEXT(update(done));
});
