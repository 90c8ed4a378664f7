// The client against a real daemon: HMRD_SOCKET names the daemon the Go
// test started (TestNodeUnits); tests that restart a daemon start their own
// from HMRD_BIN.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { connect, defaultSocket, parseTarget, HmrdError, NoDaemonError, RESYNC } from '../index.js';
import { parseFingerprint } from '../lib/pin.js';
import { tree, writeFiles, nextEvent, startDaemon, tempDir, HMRD_BIN } from '../testing/helpers.js';

const SOCKET = process.env.HMRD_SOCKET;

const app = {
  'main.mjs': "import { n } from './dep.mjs'\nexport const x = n\nimport.meta.hot?.accept()\n",
  'dep.mjs': 'export const n = 1\n',
};

test('defaultSocket follows the daemon rule: HMRD_SOCKET, XDG_RUNTIME_DIR, TMPDIR, /tmp', () => {
  const uid = process.getuid?.() ?? -1;
  assert.equal(defaultSocket({ HMRD_SOCKET: '/x/s.sock', XDG_RUNTIME_DIR: '/run/user/1' }), '/x/s.sock');
  assert.equal(defaultSocket({ XDG_RUNTIME_DIR: '/run/user/1', TMPDIR: '/t' }), '/run/user/1/hmrd/hmrd.sock');
  assert.equal(defaultSocket({ TMPDIR: '/var/tmp/' }), `/var/tmp/hmrd-${uid}/hmrd.sock`);
  assert.equal(defaultSocket({}), `/tmp/hmrd-${uid}/hmrd.sock`);
  assert.equal(defaultSocket({ HMRD_SOCKET: '', XDG_RUNTIME_DIR: '', TMPDIR: '' }), `/tmp/hmrd-${uid}/hmrd.sock`);
});

test('parseTarget takes what the Go client takes', () => {
  assert.deepEqual(parseTarget('unix:///run/h.sock'), { network: 'unix', address: '/run/h.sock' });
  assert.deepEqual(parseTarget('unix:/run/h.sock'), { network: 'unix', address: '/run/h.sock' });
  assert.deepEqual(parseTarget('/run/h.sock'), { network: 'unix', address: '/run/h.sock' });
  assert.deepEqual(parseTarget('h.sock'), { network: 'unix', address: path.resolve('h.sock') });
  assert.deepEqual(parseTarget('tcp://127.0.0.1:7070'), { network: 'tcp', address: '127.0.0.1:7070' });
  assert.deepEqual(parseTarget('localhost:7070'), { network: 'tcp', address: 'localhost:7070' });
  assert.deepEqual(parseTarget('[::1]:7070'), { network: 'tcp', address: '[::1]:7070' });
  assert.deepEqual(parseTarget('', { HMRD_SOCKET: '/e/s' }), { network: 'unix', address: '/e/s' });
});

test('connect fails fast without a daemon; a remote TCP address wants TLS', async () => {
  const missing = path.join(tempDir(), 'none.sock');
  await assert.rejects(connect(missing), (err) => err instanceof NoDaemonError && err.address === missing);
  await assert.rejects(connect('devbox.example:7070'), /TLS only/);
  await assert.rejects(connect('127.0.0.1:7070', { token: 'x' }), /only sent over TLS/);
});

test('every RPC', async (t) => {
  const root = tree(app);
  const c = await connect(SOCKET);
  t.after(() => c.close());
  const p = await c.addProject({ root, name: 'rpc-' + path.basename(path.dirname(root)) });
  assert.equal(p.root, root);
  assert.ok((await c.listProjects()).some((x) => x.name === p.name));

  const sub = c.subscribe({ project: p.name, entries: ['/main.mjs'] });
  t.after(() => sub.close());
  const hello = await nextEvent(sub, (ev) => ev.kind === 'hello', { strict: true, what: 'Hello' });
  assert.equal(hello.hello.root, root);
  assert.equal(hello.hello.resumed, false);

  const ex = await c.explain({ project: p.name, module: '/dep.mjs' });
  assert.equal(ex.found, true);
  assert.deepEqual(ex.importers, ['/main.mjs']);
  assert.equal(ex.updates[0].path, '/main.mjs');

  const g = await c.getGraph({ project: p.name });
  assert.equal(g.root, root);
  assert.deepEqual(g.modules.map((m) => m.id).sort(), ['/dep.mjs', '/main.mjs']);
  assert.equal(g.modules.find((m) => m.id === '/main.mjs').selfAccepting, true);

  const st = await c.status();
  assert.ok(st.projects.some((x) => x.project.name === p.name));
  const me = st.subscribers.find((s) => s.id === hello.hello.subscriberId);
  assert.equal(me?.client.kind, 'node');
  assert.ok(st.started instanceof Date);

  assert.deepEqual((await c.reportLoaded({ project: p.name, modules: ['/main.mjs', '/nope.mjs'] })).unknown, ['/nope.mjs']);

  await assert.rejects(c.invalidate({ project: p.name, module: '/nope.mjs' }), (err) => err instanceof HmrdError && err.code === 'NOT_FOUND');
  await assert.rejects(c.explain({ module: '/dep.mjs' }), (err) => err instanceof HmrdError && err.code === 'INVALID_ARGUMENT');

  const sent = await c.sendCustom({ project: p.name, event: 'my:evt', data: '{"n":1}', from: hello.hello.subscriberId });
  const custom = await nextEvent(sub, (ev) => ev.kind === 'custom', { strict: true, what: 'the custom event' });
  assert.equal(custom.seq, sent.seq);
  assert.deepEqual(custom.custom, { event: 'my:evt', data: '{"n":1}', from: hello.hello.subscriberId });

  writeFiles(root, { 'dep.mjs': 'export const n = 2\n' });
  const up = await nextEvent(sub, (ev) => ev.kind === 'update', { strict: true, what: 'the update' });
  assert.deepEqual(up.update.updates.map((u) => [u.path, u.acceptedPath, u.chain]), [['/main.mjs', '/main.mjs', ['/dep.mjs', '/main.mjs']]]);
  assert.equal(up.update.versions['/dep.mjs'], up.version);
  assert.deepEqual(sub.position(), { epoch: hello.epoch, seq: up.seq });

  // Invalidate of the boundary that just updated: it has no importers
  // that accept, so the entry reloads.
  const inv = await c.invalidate({ project: p.name, module: '/main.mjs', firstInvalidatedBy: '/main.mjs', message: 'cannot' });
  const fr = await nextEvent(sub, (ev) => ev.kind === 'fullReload', { strict: true, what: 'the full reload' });
  assert.equal(fr.seq, inv.seq);
  assert.equal(fr.fullReload.cause, 'FULL_RELOAD_CAUSE_INVALIDATE_ENTRY');

  // Removing the project ends the stream with an error no retry fixes.
  await c.removeProject({ project: p.name });
  await assert.rejects(
    nextEvent(sub, () => false, { what: 'the end of the stream' }),
    (err) => err instanceof HmrdError && err.code === 'NOT_FOUND',
  );
  assert.equal(sub.state, 'closed');
});

test('resume from a position replays exactly what was missed', async (t) => {
  const root = tree(app);
  const c = await connect(SOCKET);
  t.after(() => c.close());
  const p = await c.addProject({ root, name: 'resume-' + path.basename(path.dirname(root)) });
  const sub = c.subscribe({ project: p.name, entries: ['/main.mjs'] });
  await nextEvent(sub, (ev) => ev.kind === 'hello', { strict: true });
  await c.sendCustom({ project: p.name, event: 'a', data: '1' });
  await nextEvent(sub, (ev) => ev.kind === 'custom', { strict: true });
  const pos = sub.position();
  sub.close();
  assert.equal((await sub.next()).done, true);

  await c.sendCustom({ project: p.name, event: 'b', data: '2' });
  await c.sendCustom({ project: p.name, event: 'c', data: '3' });
  const again = c.subscribe({ project: p.name, epoch: pos.epoch, fromSeq: pos.seq });
  t.after(() => again.close());
  const h = await nextEvent(again, () => true, { strict: true });
  assert.equal(h.kind, 'hello');
  assert.equal(h.hello.resumed, true);
  const b = await nextEvent(again, () => true, { strict: true });
  const cc = await nextEvent(again, () => true, { strict: true });
  assert.deepEqual([b.custom.event, cc.custom.event], ['b', 'c']);
  assert.equal(BigInt(b.seq), BigInt(pos.seq) + 1n);
});

test('a subscription survives a daemon restart: one Hello, one RESYNC, then live', { skip: !HMRD_BIN && 'HMRD_BIN not set' }, async (t) => {
  const root = tree(app);
  const d1 = await startDaemon([root]);
  const c = await connect(d1.socket);
  t.after(() => c.close());
  /** @type {string[]} */
  const states = [];
  const sub = c.subscribe({ entries: ['/main.mjs'], onState: (s) => states.push(s) });
  t.after(() => sub.close());
  const h1 = await nextEvent(sub, (ev) => ev.kind === 'hello', { strict: true });
  writeFiles(root, { 'dep.mjs': 'export const n = 2\n' });
  await nextEvent(sub, (ev) => ev.kind === 'update', { strict: true });

  await d1.kill();
  const d2 = await startDaemon([root], { socket: d1.socket });
  t.after(() => d2.stop());
  const h2 = await nextEvent(sub, () => true, { strict: true, what: 'the new Hello' });
  assert.equal(h2.kind, 'hello');
  assert.notEqual(h2.hello.epoch, h1.hello.epoch);
  assert.equal(h2.hello.resumed, false);
  const rs = await nextEvent(sub, () => true, { strict: true, what: 'the resync' });
  assert.equal(rs.kind, 'fullReload');
  assert.equal(rs.fullReload.cause, RESYNC);
  assert.deepEqual(sub.position(), { epoch: h2.hello.epoch, seq: '0' });

  writeFiles(root, { 'dep.mjs': 'export const n = 3\n' });
  const up = await nextEvent(sub, () => true, { strict: true, what: 'a live update' });
  assert.equal(up.kind, 'update');
  assert.equal(up.epoch, h2.hello.epoch);
  assert.equal(up.seq, '1');
  assert.deepEqual(states.slice(0, 3), ['connected', 'reconnecting', 'connected']);
  await d2.stop();
});

test('the packaged hmrd.proto is the repository one', { skip: !fs.existsSync(new URL('../../../proto/hmrd/v1/hmrd.proto', import.meta.url)) }, () => {
  const mine = fs.readFileSync(new URL('../proto/hmrd/v1/hmrd.proto', import.meta.url), 'utf8');
  const repo = fs.readFileSync(new URL('../../../proto/hmrd/v1/hmrd.proto', import.meta.url), 'utf8');
  assert.equal(mine, repo, 'run npm run sync-proto in clients/node');
});

/**
 * secureDaemon starts a daemon whose gRPC listener on loopback TCP is
 * secured as a remote one is (TLS and the token), in its own state directory.
 * @param {import('node:test').TestContext} t
 */
async function secureDaemon(t) {
  const root = tree(app);
  const state = tempDir('st');
  fs.chmodSync(state, 0o700);
  const d = await startDaemon([root], { args: ['--grpc', '127.0.0.1:0', '--grpc-secure', '--state-dir', state] });
  t.after(() => d.stop());
  const port = /tcp\+tls:127\.0\.0\.1:(\d+)/.exec(d.ready)?.[1];
  assert.ok(port, d.ready);
  return { root, state, target: `127.0.0.1:${port}` };
}

test('TCP with TLS and the token, as a remote daemon wants', { skip: !HMRD_BIN && 'HMRD_BIN not set' }, async (t) => {
  const { root, state, target } = await secureDaemon(t);
  const ca = path.join(state, 'grpc-cert.pem');
  const c = await connect(target, { tls: { ca }, tokenFile: path.join(state, 'grpc-token'), env: {} });
  t.after(() => c.close());
  assert.deepEqual((await c.listProjects()).map((p) => p.root), [root]);
  const anon = await connect(target, { tls: { ca }, env: {} });
  t.after(() => anon.close());
  await assert.rejects(anon.listProjects(), (err) => err instanceof HmrdError && err.code === 'UNAUTHENTICATED');
});

test('TCP with TLS pinned by the fingerprint the daemon prints, and the token', { skip: !HMRD_BIN && 'HMRD_BIN not set' }, async (t) => {
  const { root, state, target } = await secureDaemon(t);
  // As openssl prints it: upper case with colons.
  const fp = new crypto.X509Certificate(fs.readFileSync(path.join(state, 'grpc-cert.pem'))).fingerprint256;
  const tokenFile = path.join(state, 'grpc-token');
  const c = await connect(target, { tls: { fingerprint: `sha256 Fingerprint=${fp}` }, tokenFile, env: {} });
  t.after(() => c.close());
  assert.deepEqual((await c.listProjects()).map((p) => p.root), [root]);
  // The variable, as hmrd prints the pin.
  const pin = 'sha256:' + fp.replaceAll(':', '').toLowerCase();
  const e = await connect(target, { env: { HMRD_TLS_FINGERPRINT: pin, HMRD_TOKEN: fs.readFileSync(tokenFile, 'utf8') } });
  t.after(() => e.close());
  assert.deepEqual((await e.listProjects()).map((p) => p.root), [root]);
  // Another certificate's pin: refused before any call, naming what it saw.
  const wrong = 'sha256:' + '0'.repeat(64);
  await assert.rejects(connect(target, { tls: { fingerprint: wrong }, tokenFile, env: {} }), (err) => {
    assert.match(/** @type {Error} */ (err).message, new RegExp(`fingerprint sha256:${pin.slice(7)}, not the pinned one`));
    return true;
  });
  assert.throws(() => parseFingerprint('sha256:abc'), /want a SHA-256 fingerprint/);
});
