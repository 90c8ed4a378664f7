// The socket: URL, resume, backoff, full reloads, hello/heartbeat, bad frames.
import test from 'node:test';
import assert from 'node:assert/strict';
import { harness, fakeLocation, jsUpdate, settle, EPOCH, FakeDocument } from '../testing/fakes.js';

test('the first URL carries token and project, with the hmrd.v1 subprotocol', () => {
  const h = harness({ location: fakeLocation('https://dev.localhost:8443/about') });
  h.rt.start();
  assert.equal(h.ws.url, 'wss://dev.localhost:8443/@hmrd/ws?token=tok&project=app');
  assert.equal(h.ws.protocol, 'hmrd.v1');
  const plain = harness();
  plain.rt.start();
  assert.equal(plain.ws.url, 'ws://localhost:5173/@hmrd/ws?token=tok&project=app');
});

test('reconnect resumes from the last epoch and seq; the resumed Hello does not reload', async () => {
  const h = harness();
  h.rt.createHotContext('/src/a.js').accept();
  const first = h.connect({ headSeq: '2' });
  h.timers.run(0); // the loaded report
  assert.equal(h.rt.state.lastSeq, '2');
  h.update([jsUpdate('/src/a.js')]); // seq 3
  h.signal('custom', { event: 'x:y' }); // seq 4
  first.push({ project: 'app', epoch: EPOCH, heartbeat: { headSeq: '4' } });
  await h.idle();
  assert.equal(h.rt.state.lastSeq, '4');
  let disconnects = 0;
  h.rt.on('vite:ws:disconnect', () => disconnects++);
  first.drop(1013, 'slow consumer');
  await h.idle();
  assert.equal(disconnects, 1);
  assert.ok(h.logs('log').some((l) => l.includes('connection lost (1013 slow consumer)')));
  assert.deepEqual(h.timers.delays(), [100]);
  h.timers.run(100);
  const second = h.ws;
  assert.notEqual(second, first);
  assert.equal(second.url, `ws://localhost:5173/@hmrd/ws?token=tok&project=app&epoch=${EPOCH}&seq=4`);
  second.accept();
  second.push({ project: 'app', seq: '6', epoch: EPOCH, hello: { epoch: EPOCH, headSeq: '6', resumed: true } });
  // the resumed Hello keeps the resume point: the replay follows it
  assert.equal(h.rt.state.lastSeq, '4');
  second.push({ project: 'app', seq: '5', epoch: EPOCH, custom: { event: 'x:y' } });
  second.push({ project: 'app', seq: '6', epoch: EPOCH, custom: { event: 'x:y' } });
  await h.idle();
  assert.equal(h.rt.state.lastSeq, '6');
  assert.equal(h.reloads, 0);
});

test('after a daemon restart: new epoch in Hello, then RESYNC reloads', async () => {
  const h = harness();
  const first = h.connect({ headSeq: '9' });
  first.drop(1006);
  h.timers.runAll();
  const second = h.ws;
  assert.match(second.url, /&epoch=e1&seq=9$/);
  second.accept();
  second.push({ project: 'app', epoch: 'e2', hello: { epoch: 'e2', headSeq: '1' } });
  await h.idle();
  assert.equal(h.reloads, 0, 'a Hello alone never reloads');
  second.push({
    project: 'app',
    seq: '1',
    epoch: 'e2',
    fullReload: { reason: 'resume point e1/9 is gone', path: '*', cause: 'FULL_RELOAD_CAUSE_RESYNC' },
  });
  await h.idle();
  assert.equal(h.reloads, 1);
  assert.equal(h.rt.state.epoch, 'e2');
});

test('RESYNC reloads even when its path names another page', async () => {
  const h = harness({ location: fakeLocation('http://localhost:5173/about') });
  h.connect();
  h.signal('fullReload', { reason: 'resync', path: '/index.html', cause: 'FULL_RELOAD_CAUSE_RESYNC' });
  await h.idle();
  assert.equal(h.reloads, 1);
});

test('without jitter (random at the top), backoff doubles from 100ms to 5s and resets after a Hello', () => {
  const h = harness();
  h.rt.start();
  const delays = [];
  for (let i = 0; i < 8; i++) {
    h.ws.drop(1006);
    delays.push(...h.timers.delays());
    h.timers.runAll();
  }
  assert.deepEqual(delays, [100, 200, 400, 800, 1600, 3200, 5000, 5000]);
  assert.equal(h.logs('log').filter((l) => l.includes('cannot connect')).length, 1, 'one line per failure streak');
  h.ws.accept();
  h.ws.push({ epoch: EPOCH, hello: { epoch: EPOCH } });
  h.ws.drop(1013);
  assert.deepEqual(h.timers.delays(), [100]);
});

test('stop closes the socket and cancels the reconnect', () => {
  const h = harness();
  const ws = h.connect();
  h.rt.stop();
  assert.equal(ws.closedWith, 1000);
  ws.drop(1000);
  assert.deepEqual(h.timers.delays(), []);
  assert.equal(h.sockets.length, 1);
});

test('a failed connection asks fetchConfig for a new token before retrying', async () => {
  let token = 'tok';
  const h = harness({ fetchConfig: async () => ({ token, wsPath: '/@hmrd/ws', project: 'app' }) });
  const first = h.connect({ headSeq: '3' });
  first.drop(1006);
  h.timers.runAll(); // the first retry follows a lost session: no fetch needed yet
  assert.match(h.ws.url, /token=tok&/);
  token = 'fresh';
  h.ws.drop(1006); // rejected: the restarted daemon has another token
  h.timers.runAll();
  await settle();
  assert.match(h.ws.url, /\?token=fresh&project=app&epoch=e1&seq=3$/);
  assert.ok(h.logs('log').some((l) => l.includes('new token')));
});

test('full reload logs the reason and the chain, emits beforeFullReload, reloads', async () => {
  const h = harness();
  const seen = [];
  h.rt.on('hmrd:beforeFullReload', (p) => seen.push(['hmrd', p.triggeredBy]));
  h.rt.on('vite:beforeFullReload', async (p) => {
    await new Promise((r) => setTimeout(r, 5));
    seen.push(['vite', p.path, h.reloads]);
  });
  h.connect();
  h.signal('fullReload', {
    reason: 'no accept boundary: /src/u.js → /src/main.js (entry, does not accept)',
    chain: ['/src/u.js', '/src/main.js'],
    triggeredBy: '/src/u.js',
    path: '*',
    cause: 'FULL_RELOAD_CAUSE_NO_BOUNDARY',
  });
  await h.idle();
  assert.deepEqual(h.logs('log'), [
    '[hmrd] full reload: no accept boundary: /src/u.js → /src/main.js (entry, does not accept)\n/src/u.js → /src/main.js',
  ]);
  assert.deepEqual(seen, [
    ['hmrd', '/src/u.js'],
    ['vite', '*', 0],
  ]);
  assert.equal(h.reloads, 1);
});

test('a page full reload reloads only the matching page', async () => {
  const cases = [
    ['/', '/index.html', true],
    ['/index.html', '/index.html', true],
    ['/about', '/about.html', true],
    ['/about.html', '/about.html', true],
    ['/docs/', '/docs/index.html', true],
    ['/docs', '/docs/index.html', true],
    ['/about', '/index.html', false],
    ['/', '/about.html', false],
    ['/docs/', '/index.html', false],
    ['/anything', '*', true],
  ];
  for (const [page, path, reloads] of cases) {
    const h = harness({ location: fakeLocation('http://localhost:5173' + page) });
    h.connect();
    h.signal('fullReload', { reason: `${path} changed`, path, cause: 'FULL_RELOAD_CAUSE_PAGE' });
    await h.idle();
    assert.equal(h.reloads, reloads ? 1 : 0, `page ${page}, path ${path}`);
    assert.ok(h.logs('log').includes(`[hmrd] full reload: ${path} changed`));
  }
});

test('ws:connect and ws:disconnect are emitted under both names', async () => {
  const h = harness();
  const seen = [];
  for (const n of ['hmrd:ws:connect', 'vite:ws:connect', 'hmrd:ws:disconnect', 'vite:ws:disconnect']) {
    h.rt.on(n, (p) => seen.push([n, p.webSocket === first]));
  }
  const first = h.connect();
  first.drop(1001);
  await h.idle();
  assert.deepEqual(seen, [
    ['hmrd:ws:connect', true],
    ['vite:ws:connect', true],
    ['hmrd:ws:disconnect', true],
    ['vite:ws:disconnect', true],
  ]);
});

test('malformed and unknown frames are logged and ignored; the stream goes on', async () => {
  const h = harness();
  const got = [];
  h.rt.createHotContext('/src/a.js').accept((m) => got.push(m.default));
  const ws = h.connect({ headSeq: '1' });
  ws.push('not json');
  ws.push('[1,2]');
  ws.push('null');
  ws.push('"text"');
  ws.push({ project: 'app', seq: '2', epoch: EPOCH, somethingNew: { x: 1 } });
  ws.push({ project: 'app', seq: '3', epoch: EPOCH, update: 'not an object' });
  ws.onmessage({ data: new ArrayBuffer(4) });
  ws.push({ project: 'app', seq: '4', epoch: EPOCH, update: { updates: [null, 7, { type: 'UPDATE_TYPE_WASM', path: '/x' }] } });
  ws.push({ project: 'app', seq: '5', epoch: EPOCH, version: '12', update: { updates: [jsUpdate('/src/a.js')] } });
  await h.idle();
  assert.deepEqual(got, ['/src/a.js?t=12']);
  assert.ok(h.logs('warn').length >= 4);
  assert.equal(h.rt.state.lastSeq, '5');
  assert.equal(h.reloads, 0);
});

test('events of another epoch do not move the resume point', async () => {
  const h = harness();
  h.connect({ headSeq: '5' });
  h.ws.push({ project: 'app', seq: '99', epoch: 'old', custom: { event: 'x' } });
  h.ws.push({ project: 'app', epoch: 'old', heartbeat: { headSeq: '98' } });
  h.ws.push({ project: 'app', seq: '6', epoch: EPOCH, custom: { event: 'x' } });
  await h.idle();
  assert.equal(h.rt.state.lastSeq, '6');
});

test('64-bit seqs beyond 2^53 are kept exactly', async () => {
  const h = harness();
  h.connect({ headSeq: '9007199254740993' });
  h.ws.push({ project: 'app', seq: '9007199254740995', epoch: EPOCH, custom: { event: 'x' } });
  h.ws.drop(1006);
  h.timers.runAll();
  assert.match(h.ws.url, /&seq=9007199254740995$/);
});

test('a page served at another URL (a client-side route) reloads for the page it says it is', async () => {
  for (const [path, reloads] of [
    ['/index.html', 1],
    ['/about.html', 0],
  ]) {
    const doc = new FakeDocument();
    const tag = doc.createElement('script');
    tag.setAttribute('src', '/@hmrd/client.js');
    tag.setAttribute('data-hmrd-page', '/index.html');
    doc.head.appendChild(tag);
    const h = harness({ location: fakeLocation('http://localhost:5173/app/route'), document: doc });
    h.connect();
    h.signal('fullReload', { reason: `${path} changed`, path, cause: 'FULL_RELOAD_CAUSE_PAGE' });
    await h.idle();
    assert.equal(h.reloads, reloads, path);
  }
});
