import { it, expect, NEXT, update, ids } from '../harness.js';
const id = ids(import.meta.url);
import a from './module-a.js';
import b from './module-b.js';

it('should await multiple async dependencies when callback is provided', (done) => {
  expect(a).toEqual('a 1');
  expect(b).toEqual('b 1');

  let calls = 0;
  import.meta.webpackHot.accept(['./module-a.js', './module-b.js'], (outdated, [newA, newB]) => {
    calls++;
    expect(calls).toBe(1);
    expect(outdated).toEqual([id('module-a.js'), id('module-b.js')]);
    expect(newA.default).toEqual('a 2');
    expect(newB.default).toEqual('b 2');
    done();
  });

  NEXT(update(done));
});
