import { it, expect, NEXT, update, ids } from '../harness.js';
const id = ids(import.meta.url);
import { value } from './file.js';

it('should compile HMR accept code for a module whose accept references a dependency without a module', function (done) {
  expect(value).toBe(1);
  import.meta.webpackHot.accept('./file.js', function (outdated, [mod]) {
    expect(mod.value).toBe(2);
    done();
  });
  NEXT(update(done));
});
