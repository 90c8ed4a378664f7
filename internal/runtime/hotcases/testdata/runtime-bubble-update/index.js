import { it, expect, NEXT, update, ids } from '../harness.js';
const id = ids(import.meta.url);
import parent from './parent-file.js';

let value = parent;

it('should bubble update from a nested dependency', (done) => {
  expect(value).toBe(1);
  import.meta.webpackHot.accept('./parent-file.js', (outdated, [mod]) => {
    value = mod.default;
    expect(value).toBe(2);
    done();
  });
  NEXT(update(done));
});
