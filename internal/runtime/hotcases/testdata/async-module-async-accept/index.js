import { it, expect, NEXT, update, ids } from '../harness.js';
const id = ids(import.meta.url);
import first from './module-a.js';

let a = first;

it('should support async accept', (done) => {
  let test = 0;
  expect(a).toEqual(1);

  import.meta.webpackHot.accept(['./module-a.js'], (outdated, [mod]) => {
    return new Promise((resolve) => {
      setTimeout(() => {
        a = mod.default;
        test = 1;
        resolve();
      }, 300);
    });
  });

  NEXT(update(done));

  import.meta.webpackHot.addStatusHandler((status) => {
    if (status === 'idle') {
      try {
        expect(test).toEqual(1);
        expect(a).toEqual(2);
        done();
      } catch (e) {
        done(e);
      }
    }
  });
});
