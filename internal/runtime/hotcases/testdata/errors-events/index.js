import { it, expect, NEXT, update, ids } from '../harness.js';
const id = ids(import.meta.url);
import b from './b.js';
import h from './h.js';
import j from './j.js';
import k from './k.js';
import l from './l.js';

it('should import modules correctly', () => {
  expect(b).toBe(1);
  expect(h).toBe(1);
  expect(j).toBe(1);
  expect(k).toBe(1);
  expect(l).toBe(1);
});

it('should fire the correct events', (done) => {
  const events = [];
  const options = {
    ignoreUnaccepted: true,
    ignoreDeclined: true,
    ignoreErrored: true,
    onDeclined(data) {
      events.push(data);
    },
    onUnaccepted(data) {
      events.push(data);
    },
    onAccepted(data) {
      events.push(data);
    },
    onErrored(data) {
      events.push(data);
    },
  };

  NEXT(
    update(done, options, () => {
      try {
        const error = (msg) => expect.objectContaining({ message: msg });
        const accepted = events.filter((e) => e.type === 'accepted').sort((x, y) => (x.moduleId < y.moduleId ? -1 : 1));
        expect(accepted).toEqual([
          { type: 'accepted', moduleId: id('c.js'), outdatedDependencies: { [id('b.js')]: [id('c.js')] }, outdatedModules: [id('c.js')] },
          { type: 'accepted', moduleId: id('i.js'), outdatedDependencies: { [id('h.js')]: [id('i.js')], [id('k.js')]: [id('i.js')] }, outdatedModules: [id('i.js')] },
          { type: 'accepted', moduleId: id('j.js'), outdatedDependencies: {}, outdatedModules: [id('j.js')] },
          { type: 'accepted', moduleId: id('l.js'), outdatedDependencies: {}, outdatedModules: [id('l.js')] },
        ]);
        const errored = events.filter((e) => e.type !== 'accepted').sort((x, y) => (x.moduleId < y.moduleId ? -1 : 1));
        expect(errored).toEqual([
          { type: 'accept-errored', moduleId: id('h.js'), dependencyId: id('i.js'), error: error('Error while loading module i') },
          { type: 'self-accept-errored', moduleId: id('j.js'), error: error('Error while loading module j') },
          {
            type: 'accept-error-handler-errored',
            moduleId: id('k.js'),
            dependencyId: id('i.js'),
            error: error(`Error in accept error handler: ${id('k.js')} -> ${id('i.js')}`),
            originalError: error('Error while loading module i'),
          },
          {
            type: 'self-accept-error-handler-errored',
            moduleId: id('l.js'),
            error: error(`Error in accept error handler: ${id('l.js')}`),
            originalError: error('Error while loading module l'),
          },
        ]);
        done();
      } catch (e) {
        done(e);
      }
    }),
  );
});
