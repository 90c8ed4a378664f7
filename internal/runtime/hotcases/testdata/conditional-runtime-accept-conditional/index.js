import { it, expect, NEXT, update, ids } from '../harness.js';
const id = ids(import.meta.url);
it('should create a conditional import when accepted', (done) => {
  import('./module.js')
    .then((module) =>
      module.test((callback) => {
        NEXT(update(done, undefined, callback));
      }, done),
    )
    .catch(done);
});
