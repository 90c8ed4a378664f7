import { it, expect, NEXT, update, ids } from '../harness.js';
const id = ids(import.meta.url);
import first from './a.js';

let a = first;

// hmrd: a module that does not parse is an error, not an update (the
// running instance stays), so the first check finds nothing to apply.
it('should recover after a parsing error', (done) => {
  expect(a).toBe(1);
  NEXT((err, stats) => {
    if (err) return done(err);
    expect(stats.errors.length).toBe(1);
    import.meta.webpackHot
      .check(true)
      .then((updated) => {
        expect(updated).toBe(null);
        expect(a).toBe(1);
        NEXT(
          update(done, { ignoreErrored: true }, () => {
            expect(a).toBe(3);
            done();
          }),
        );
      })
      .catch(done);
  });
});

if (import.meta.webpackHot) {
  import.meta.webpackHot.accept('./a.js', (outdated, [mod]) => {
    a = mod.default;
  });
}
