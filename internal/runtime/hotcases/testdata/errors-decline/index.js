import { it, expect, NEXT, update, ids } from '../harness.js';
const id = ids(import.meta.url);
import a from './a.js';

it('should abort when module is declined by parent', (done) => {
  expect(a).toBe(1);
  NEXT(
    update((err) => {
      try {
        expect(err.message).toMatch(`Aborted because of declined dependency: ${id('b.js')} in ${id('a.js')}`);
        expect(err.message).toMatch(`Update propagation: ${id('c.js')} -> ${id('b.js')} -> ${id('a.js')}`);
        expect(import.meta.webpackHot.status()).toBe('abort');
        done();
      } catch (e) {
        done(e);
      }
    }),
  );
});
