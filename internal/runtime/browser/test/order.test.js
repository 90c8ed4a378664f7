// The order of one Update's updates (Vite's queueUpdate): fetched at once,
// each disposing before its import; accept callbacks in payload order once
// every import settled.
import test from 'node:test';
import assert from 'node:assert/strict';
import { harness, jsUpdate, deferred, settle } from '../testing/fakes.js';

// gatedImports: an importModule whose imports wait for their gate (a, b, …
// by file name) and are recorded in h.trace.
function gated(names) {
  const gates = Object.fromEntries(names.map((n) => [n, deferred()]));
  const calls = [];
  let h;
  const importModule = async (url) => {
    const key = url.slice(url.lastIndexOf('/') + 1, url.indexOf('.js'));
    calls.push(url);
    h.trace.push(`import ${key}`);
    await gates[key].promise;
    h.trace.push(`imported ${key}`);
    return { key };
  };
  return { gates, calls, importModule, bind: (x) => (h = x) };
}

function boundary(h, name) {
  const hot = h.rt.createHotContext(`/src/${name}.js`);
  hot.dispose(() => h.trace.push(`dispose ${name}`));
  hot.accept((m) => h.trace.push(`accept ${name} got ${m && m.key}`));
}

test('the updates of one event are imported at once, each after its dispose; callbacks wait for every import, in payload order', async () => {
  const g = gated(['a', 'b']);
  const h = g.bind(harness({ importModule: g.importModule }));
  boundary(h, 'a');
  boundary(h, 'b');
  h.rt.on('vite:afterUpdate', () => h.trace.push('afterUpdate'));
  h.connect();
  h.update([jsUpdate('/src/a.js'), jsUpdate('/src/b.js')]);
  await settle();
  assert.deepEqual(h.trace, ['dispose a', 'dispose b', 'import a', 'import b']);
  g.gates.b.resolve();
  await settle();
  assert.deepEqual(h.trace.slice(4), ['imported b'], 'b imported: no callback runs before a is imported');
  g.gates.a.resolve();
  await h.idle();
  assert.deepEqual(h.trace.slice(5), ['imported a', 'accept a got a', 'accept b got b', 'afterUpdate']);
});

test('a slow async dispose of one update does not hold back the import of another', async () => {
  const g = gated(['a', 'b']);
  const h = g.bind(harness({ importModule: g.importModule }));
  const slow = deferred();
  const hot = h.rt.createHotContext('/src/a.js');
  hot.dispose(async () => {
    h.trace.push('dispose a begins');
    await slow.promise;
    h.trace.push('dispose a ends');
  });
  hot.accept(() => h.trace.push('accept a'));
  boundary(h, 'b');
  h.connect();
  h.update([jsUpdate('/src/a.js'), jsUpdate('/src/b.js')]);
  g.gates.a.resolve();
  g.gates.b.resolve();
  await settle();
  assert.deepEqual(h.trace, ['dispose a begins', 'dispose b', 'import b', 'imported b']);
  slow.resolve();
  await h.idle();
  assert.deepEqual(h.trace.slice(4), ['dispose a ends', 'import a', 'imported a', 'accept a', 'accept b got b']);
});

test('two boundaries accepting one module dispose it once and share one import', async () => {
  const h = harness();
  let runs = 0;
  h.define('/src/dep.js', (hot, url) => {
    runs++;
    hot.dispose(() => h.trace.push('dispose dep'));
    return { url };
  });
  h.load('/src/dep.js');
  const got = [];
  h.rt.createHotContext('/src/one.js').accept('/src/dep.js', (m) => got.push(`one ${m.url}`));
  h.rt.createHotContext('/src/two.js').accept('/src/dep.js', (m) => got.push(`two ${m.url}`));
  h.connect();
  h.update([jsUpdate('/src/one.js', '/src/dep.js'), jsUpdate('/src/two.js', '/src/dep.js')], { version: '5' });
  await h.idle();
  assert.deepEqual(h.imports, ['/src/dep.js?t=5']);
  assert.equal(runs, 2, 'loaded once, then re-imported once');
  assert.deepEqual(h.trace, ['dispose dep', 'import /src/dep.js?t=5']);
  assert.deepEqual(got, ['one /src/dep.js?t=5', 'two /src/dep.js?t=5']);
});

test('a failed import inside a circular import reloads before any accept callback of the event runs', async () => {
  const h = harness();
  const calls = [];
  h.rt.createHotContext('/src/ok.js').accept(() => calls.push('ok'));
  h.rt.createHotContext('/src/cyc.js').accept(() => calls.push('cyc'));
  h.failImports((url) => (url.startsWith('/src/cyc.js') ? new ReferenceError("Cannot access 'x' before initialization") : undefined));
  let after = 0;
  h.rt.on('vite:afterUpdate', () => after++);
  h.connect();
  h.update([jsUpdate('/src/ok.js'), jsUpdate('/src/cyc.js', '/src/cyc.js', { isWithinCircularImport: true })]);
  await h.idle();
  assert.equal(h.reloads, 1);
  assert.deepEqual(calls, []);
  assert.equal(after, 0);
});
