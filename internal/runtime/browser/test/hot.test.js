// The import.meta.hot API: contexts, data, listeners, invalidate, send.
import test from 'node:test';
import assert from 'node:assert/strict';
import { harness, jsUpdate } from '../testing/fakes.js';

test('hot.data persists into the new instance, filled by dispose', async () => {
  const h = harness();
  const seen = [];
  h.define('/src/counter.js', (hot) => {
    seen.push({ fromDispose: hot.data.fromDispose, runs: hot.data.runs });
    hot.data.runs = (hot.data.runs || 0) + 1;
    hot.dispose((data) => {
      data.fromDispose = `disposed after run ${data.runs}`;
    });
    hot.accept();
  });
  h.load('/src/counter.js');
  h.connect();
  h.update([jsUpdate('/src/counter.js')], { version: '1' });
  h.update([jsUpdate('/src/counter.js')], { version: '2' });
  await h.idle();
  assert.deepEqual(seen, [
    { fromDispose: undefined, runs: undefined },
    { fromDispose: 'disposed after run 1', runs: 1 },
    { fromDispose: 'disposed after run 2', runs: 2 },
  ]);
});

test('a new instance clears the stale instance callbacks and listeners', async () => {
  const h = harness();
  const calls = [];
  const old = h.rt.createHotContext('/src/app.js');
  old.accept('/src/dep.js', () => calls.push('old accept'));
  old.on('my:evt', () => calls.push('old listener'));
  old.dispose(() => calls.push('old dispose'));
  const fresh = h.rt.createHotContext('/src/app.js');
  fresh.accept('/src/dep.js', () => calls.push('new accept'));
  fresh.on('my:evt', () => calls.push('new listener'));
  // a stale context registering late is ignored too
  old.on('my:evt', () => calls.push('old late listener'));
  h.rt.createHotContext('/src/dep.js');
  h.connect();
  h.update([jsUpdate('/src/app.js', '/src/dep.js')]);
  h.signal('custom', { event: 'my:evt', data: '{}' });
  await h.idle();
  assert.deepEqual(calls, ['new accept', 'new listener']);
});

test('accept(dep) with a relative specifier resolves against the owner', async () => {
  const h = harness();
  const got = [];
  h.rt.createHotContext('/src/app/main.js').accept('../lib/dep.js', (m) => got.push(m.default));
  h.connect();
  h.update([jsUpdate('/src/app/main.js', '/src/lib/dep.js')], { version: '4' });
  await h.idle();
  assert.deepEqual(got, ['/src/lib/dep.js?t=4']);
});

test('accept(non-function, non-string, non-array) throws like Vite', () => {
  const h = harness();
  assert.throws(() => h.rt.createHotContext('/src/a.js').accept({}), /invalid hot.accept\(\) usage/);
});

test('invalidate sends module, message and firstInvalidatedBy = the owner outside an update', async () => {
  const h = harness();
  const events = [];
  h.rt.on('hmrd:invalidate', (p) => events.push(['hmrd', p]));
  h.rt.on('vite:invalidate', (p) => events.push(['vite', p]));
  const hot = h.rt.createHotContext('/src/a.js');
  const ws = h.connect();
  hot.invalidate('cannot apply');
  await h.idle();
  assert.deepEqual(
    ws.messages().filter((f) => f.invalidate),
    [{ invalidate: { module: '/src/a.js', firstInvalidatedBy: '/src/a.js', message: 'cannot apply' } }],
  );
  const payload = { path: '/src/a.js', message: 'cannot apply', firstInvalidatedBy: '/src/a.js' };
  assert.deepEqual(events, [
    ['hmrd', payload],
    ['vite', payload],
  ]);
  assert.ok(h.logs('debug').includes('[hmrd] invalidate /src/a.js: cannot apply'));
});

test('invalidate in an accept callback: listeners, then its log line, then the hot updated line, as Vite logs them', async () => {
  const h = harness();
  h.rt.on('hmrd:invalidate', (p) => h.console.log(`hmrd listener ${p.path}`));
  h.rt.on('vite:invalidate', (p) => h.console.log(`vite listener ${p.path}`));
  h.define('/src/child.js', (hot) => {
    hot.accept(() => hot.invalidate());
  });
  h.load('/src/child.js');
  h.connect();
  h.update([jsUpdate('/src/child.js')]);
  await h.idle();
  assert.deepEqual(
    h.logs().filter((l) => l.includes('/src/child.js')),
    [
      'hmrd listener /src/child.js',
      'vite listener /src/child.js',
      '[hmrd] invalidate /src/child.js',
      '[hmrd] hot updated: /src/child.js',
    ],
  );
});

test('invalidate inside an accept callback carries the update firstInvalidatedBy', async () => {
  const h = harness();
  h.define('/src/child.js', (hot) => {
    hot.accept(() => hot.invalidate());
  });
  h.load('/src/child.js');
  const ws = h.connect();
  h.update([jsUpdate('/src/child.js', '/src/child.js', { firstInvalidatedBy: '/src/origin.js' })]);
  await h.idle();
  // outside an update again: the owner itself
  h.rt.createHotContext('/src/other.js').invalidate();
  const sent = ws.messages().filter((f) => f.invalidate);
  assert.deepEqual(sent, [
    { invalidate: { module: '/src/child.js', firstInvalidatedBy: '/src/origin.js' } },
    { invalidate: { module: '/src/other.js', firstInvalidatedBy: '/src/other.js' } },
  ]);
});

test('send before the socket opens is queued and flushed on open', async () => {
  const h = harness();
  const hot = h.rt.createHotContext('/src/a.js');
  hot.send('my:evt', { x: 1 });
  hot.send('my:none');
  h.rt.start();
  const ws = h.ws;
  assert.deepEqual(ws.sent, []);
  ws.accept();
  assert.deepEqual(ws.messages(), [{ custom: { event: 'my:evt', data: '{"x":1}' } }, { custom: { event: 'my:none' } }]);
  hot.send('my:evt', [2]);
  assert.deepEqual(ws.messages().at(-1), { custom: { event: 'my:evt', data: '[2]' } });
});

test('messages sent while reconnecting are queued for the next socket', async () => {
  const h = harness();
  const hot = h.rt.createHotContext('/src/a.js');
  const first = h.connect();
  first.drop(1013, 'slow consumer');
  hot.send('my:evt', 'later');
  h.timers.runAll();
  const second = h.ws;
  assert.notEqual(second, first);
  second.accept();
  assert.deepEqual(second.messages().filter((f) => f.custom), [{ custom: { event: 'my:evt', data: '"later"' } }]);
});

test('custom events reach every live listener in registration order, async ones awaited', async () => {
  const h = harness();
  const got = [];
  h.rt.createHotContext('/src/a.js').on('my:evt', async (d) => {
    await new Promise((r) => setTimeout(r, 5));
    got.push(['a', d]);
  });
  h.rt.createHotContext('/src/b.js').on('my:evt', (d) => got.push(['b', d]));
  h.rt.createHotContext('/src/c.js').on('other:evt', () => got.push(['c']));
  h.connect();
  h.signal('custom', { event: 'my:evt', data: '{"x":1}', from: 's2' });
  h.signal('custom', { event: 'my:evt' });
  await h.idle();
  assert.deepEqual(got, [
    ['a', { x: 1 }],
    ['b', { x: 1 }],
    ['a', null],
    ['b', null],
  ]);
});

test('off removes a listener', async () => {
  const h = harness();
  const got = [];
  const hot = h.rt.createHotContext('/src/a.js');
  const fn = (d) => got.push(d);
  hot.on('my:evt', fn);
  h.connect();
  h.signal('custom', { event: 'my:evt', data: '1' });
  await h.idle();
  hot.off('my:evt', fn);
  h.signal('custom', { event: 'my:evt', data: '2' });
  await h.idle();
  assert.deepEqual(got, [1]);
});

test('custom event data that is not JSON is logged and dropped', async () => {
  const h = harness();
  h.rt.createHotContext('/src/a.js').on('my:evt', () => assert.fail('no call'));
  h.connect();
  h.signal('custom', { event: 'my:evt', data: '{oops' });
  await h.idle();
  assert.ok(h.logs('warn').some((l) => l.includes('my:evt')));
});

test('decline is a no-op', () => {
  const h = harness();
  assert.doesNotThrow(() => h.rt.createHotContext('/src/a.js').decline());
});

test('modules with a hot context are reported as loaded, once each, batched', () => {
  const h = harness();
  const ws = h.connect();
  h.rt.createHotContext('/src/lazy.js');
  h.rt.createHotContext('/src/lazy2.js');
  h.rt.createHotContext('/src/lazy.js');
  h.timers.runAll();
  h.rt.createHotContext('/src/lazy.js');
  h.timers.runAll();
  assert.deepEqual(ws.messages().filter((f) => f.loaded), [{ loaded: { modules: ['/src/lazy.js', '/src/lazy2.js'] } }]);
});
