import { it, expect, NEXT, update, ids } from '../harness.js';
const id = ids(import.meta.url);
it('should import a changed chunk', (done) => {
  import('./chunk.js')
    .then((chunk) => {
      expect(chunk.value).toBe(1);
      import('./chunk2.js')
        .then((chunk2) => {
          expect(chunk2.value).toBe(1);
          NEXT(update(done));
          import.meta.webpackHot.accept(['./chunk.js', './chunk2.js'], (outdated, [chunk, chunk2]) => {
            expect(chunk.value).toBe(2);
            expect(chunk2.value).toBe(2);
            done();
          });
        })
        .catch(done);
    })
    .catch(done);
});
