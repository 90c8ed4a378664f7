import { it, expect, NEXT, update } from '../harness.js';
import a from './a.js';
import get from './b.js';

const options = { ignoreUnaccepted: true };

it('should ignore unaccepted module updates', (done) => {
  function waitForUpdate(fn) {
    NEXT(update(done, options, fn));
  }

  expect(a).toBe(2);
  expect(get()).toBe(1);
  waitForUpdate(() => {
    expect(a).toBe(2);
    expect(get()).toBe(1);
    waitForUpdate(() => {
      expect(a).toBe(2);
      expect(get()).toBe(2);
      waitForUpdate(() => {
        expect(a).toBe(2);
        expect(get()).toBe(3);
        done();
      });
    });
  });
});
