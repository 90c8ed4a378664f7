import { it, expect, NEXT, update, ids } from '../harness.js';
const id = ids(import.meta.url);
import a from './a.js';
import b from './b.js';

it('should abort when module is not accepted', (done) => {
  expect(a).toBe(2);
  expect(b).toBe(1);
  NEXT(
    update((err) => {
      try {
        expect(err.message).toMatch(`Aborted because ${id('c.js')} is not accepted`);
        expect(err.message).toMatch(`Update propagation: ${id('c.js')} -> ${id('b.js')} -> ${id('index.js')}`);
        done();
      } catch (e) {
        done(e);
      }
    }),
  );
});
