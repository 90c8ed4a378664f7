import { it, expect, NEXT, update, ids } from '../harness.js';
const id = ids(import.meta.url);
import file from './file.js';

let value = file;

it('should accept a dependencies and require a new value', (done) => {
  expect(value).toBe(1);
  import.meta.webpackHot.accept('./file.js', (outdated, [mod]) => {
    expect(outdated).toEqual([id('file.js')]);
    value = mod.default;
    expect(value).toBe(2);
    outside();
    done();
  });
  NEXT(update(done));
});

function outside() {
  expect(value).toBe(2);
}
