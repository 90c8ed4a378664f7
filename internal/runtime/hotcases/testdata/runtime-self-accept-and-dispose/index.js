import { it, expect, NEXT, update, ids } from '../harness.js';
const id = ids(import.meta.url);
import file from './file.js';

it('should accept itself and pass data', (done) => {
  file(done);
  NEXT(update(done));
});
