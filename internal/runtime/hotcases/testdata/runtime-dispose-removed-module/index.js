import { it, expect, NEXT, update, ids } from '../harness.js';
const id = ids(import.meta.url);
import * as m from './module.js';

let current = m;
import.meta.webpackHot.accept('./module.js', (outdated, [mod]) => {
  current = mod;
});

it('should dispose a module which is removed from bundle', (done) => {
  const disposed = [];
  const removed = [];
  current.setHandler((what) => {
    disposed.push(what);
  });
  const options = { onDisposed: (e) => removed.push(e) };
  NEXT(
    update(done, options, () => {
      expect(removed).toEqual([{ type: 'disposed', moduleId: id('a.js') }]);
      NEXT(
        update(done, true, () => {
          expect(disposed).toEqual([current.default]);
          done();
        }),
      );
    }),
  );
});
