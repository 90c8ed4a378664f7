// Prune, as Vite's prunePaths: every dispose, then every prune, then the
// pruned modules' hot.data is gone.
import test from 'node:test';
import assert from 'node:assert/strict';
import { harness, deferred, settle } from '../testing/fakes.js';

function pruneable(h, name) {
  h.define(`/src/${name}.js`, (hot) => {
    hot.data.runs = (hot.data.runs || 0) + 1;
    h.trace.push(`run ${name} ${hot.data.runs}`);
    hot.dispose((data) => {
      h.trace.push(`dispose ${name}`);
      data.disposed = name;
    });
    hot.prune((data) => h.trace.push(`prune ${name} sees ${data.disposed}`));
  });
  h.load(`/src/${name}.js`);
}

test('every pruned module is disposed before any prune callback runs', async () => {
  const h = harness();
  pruneable(h, 'a');
  pruneable(h, 'b');
  h.connect();
  h.signal('prune', { paths: ['/src/a.js', '/src/b.js'] });
  await h.idle();
  assert.deepEqual(h.trace, ['run a 1', 'run b 1', 'dispose a', 'dispose b', 'prune a sees a', 'prune b sees b']);
});

test('a slow dispose of one module holds back every prune callback, not the other disposes', async () => {
  const h = harness();
  const slow = deferred();
  const a = h.rt.createHotContext('/src/a.js');
  a.dispose(async () => {
    h.trace.push('dispose a begins');
    await slow.promise;
    h.trace.push('dispose a ends');
  });
  a.prune(() => h.trace.push('prune a'));
  const b = h.rt.createHotContext('/src/b.js');
  b.dispose(() => h.trace.push('dispose b'));
  b.prune(() => h.trace.push('prune b'));
  h.connect();
  h.signal('prune', { paths: ['/src/a.js', '/src/b.js'] });
  await settle();
  assert.deepEqual(h.trace, ['dispose a begins', 'dispose b']);
  slow.resolve();
  await h.idle();
  assert.deepEqual(h.trace.slice(2), ['dispose a ends', 'prune a', 'prune b']);
});

test('a pruned module loses its hot.data: imported again, it starts with empty data', async () => {
  const h = harness();
  pruneable(h, 'chart');
  h.connect();
  h.signal('prune', { paths: ['/src/chart.js'] });
  await h.idle();
  h.load('/src/chart.js');
  assert.deepEqual(h.trace, ['run chart 1', 'dispose chart', 'prune chart sees chart', 'run chart 1']);
  assert.deepEqual(h.rt.createHotContext('/src/chart.js').data, { runs: 1 });
});

test('a pruned module imported again is reported loaded again', async () => {
  const h = harness();
  h.rt.createHotContext('/src/chart.js');
  const ws = h.connect();
  h.timers.runAll();
  h.signal('prune', { paths: ['/src/chart.js'] });
  await h.idle();
  h.rt.createHotContext('/src/chart.js');
  h.timers.runAll();
  const loaded = ws.frames().filter((f) => f.loaded).map((f) => f.loaded.modules);
  assert.deepEqual(loaded, [['/src/chart.js'], ['/src/chart.js']]);
});
