import { it, expect, NEXT, update, ids } from '../harness.js';
const id = ids(import.meta.url);
import a from './a.js';

it('should not throw on circular dependencies', (done) => {
  expect(a).toBe(1);
  import.meta.webpackHot.accept('./a.js', (outdated, [mod]) => {
    expect(mod.default).toBe(2);
    expect(mod.fromB).toBe(2);
    done();
  });
  NEXT(update(done));
});
