import { it, expect, NEXT, update, ids } from '../harness.js';
const id = ids(import.meta.url);
import { load } from './parent-file.js';

it('should bubble update from a nested dependency', () => {
  return load().then((value) => {
    expect(value).toBe(1);
    return new Promise((resolve, reject) => {
      // The new parent-file.js imports the new file.js.
      import.meta.webpackHot.accept('./parent-file.js', (outdated, [parent]) => {
        resolve(
          parent.load().then((value) => {
            expect(value).toBe(2);
          }),
        );
      });
      NEXT(update(reject));
    });
  });
});
