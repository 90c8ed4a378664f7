import { it, expect, NEXT, update, ids } from '../harness.js';
const id = ids(import.meta.url);
import a from './a.js';

it('should abort when module is declined by itself', (done) => {
  expect(a).toBe(1);
  NEXT(
    update((err) => {
      try {
        expect(err.message).toMatch(`Aborted because of self decline: ${id('a.js')}`);
        expect(err.message).toMatch(`Update propagation: ${id('c.js')} -> ${id('b.js')} -> ${id('a.js')}`);
        done();
      } catch (e) {
        done(e);
      }
    }),
  );
});
