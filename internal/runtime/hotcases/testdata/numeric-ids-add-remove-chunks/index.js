import { it, expect, NEXT, update, ids } from '../harness.js';
const id = ids(import.meta.url);
import first from './module.js';

let m = first;

it('should add and remove chunks', (done) => {
  m()
    .then((chunk) => {
      expect(chunk.value).toBe(1);
      let step = 0;
      import.meta.webpackHot.accept('./module.js', (outdated, [mod]) => {
        m = mod.default;
        m()
          .then((chunk) => {
            switch (step) {
              case 0:
                expect(chunk.value).toBe(2);
                break;
              case 1:
                expect(chunk.value).toBe(3);
                done();
                return;
            }
            step++;
            NEXT(update(done));
          })
          .catch(done);
      });
      NEXT(update(done));
    })
    .catch(done);
});
