import { it, expect, NEXT, update, ids } from '../harness.js';
const id = ids(import.meta.url);
import file from './file.js';

let value = file;

it('should accept a dependencies multiple times', (done) => {
  expect(value).toBe(1);
  import.meta.webpackHot.accept('./file.js', (outdated, [mod]) => {
    const oldValue = value;
    value = mod.default;
    expect(value).toBe(oldValue + 1);
    if (value < 4) NEXT(update(done));
    else done();
  });
  NEXT(update(done));
});
