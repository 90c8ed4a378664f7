// The plugin in a real Vite dev server against a real daemon (HMRD_SOCKET,
// started by vite_test.go): facts come from Vite's graph, hmrd's batches
// wait at the plugin's gate until Vite's graph is invalidated, and the
// signals reach Vite's client as Vite's payloads.

import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { createServer } from 'vite';
import { connect } from '@hmrd/client';
import hmrd from '../index.js';

const socket = process.env.HMRD_SOCKET;

/** wait polls fn until it returns a truthy value, for at most ms. */
async function wait(what, fn, ms = 20000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** save writes a file whole and renames it into place, as editors do. */
function save(file, text) {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.tmp~`);
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

/**
 * project writes a fixture: a page, its entry, and /src/a.js without an
 * accept call, which a plugin adds as framework plugins do. Only Vite's
 * graph knows it, so an update's boundary comes from the facts the
 * plugin reports.
 */
function project() {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'hmrd-vite-')));
  fs.mkdirSync(path.join(root, 'src'));
  fs.writeFileSync(path.join(root, 'index.html'), '<script type="module" src="/src/main.js"></script>\n');
  fs.writeFileSync(path.join(root, 'src/main.js'), "import { a } from './a.js'\nconsole.log(a)\n");
  fs.writeFileSync(path.join(root, 'src/a.js'), 'export const a = 1\n');
  return root;
}

/**
 * viteServer starts Vite with the plugin on root, transforms the page's
 * modules as a page load would, and records every payload sent to pages
 * with the state of /src/a.js in Vite's graph when it was sent.
 * @param {string} root
 * @param {string} socket
 */
async function viteServer(root, socket) {
  const injectAccept = {
    name: 'inject-accept',
    transform(/** @type {string} */ code, /** @type {string} */ id) {
      if (id.endsWith('/src/a.js')) return code + 'import.meta.hot.accept()\n';
    },
  };
  const server = await createServer({
    root,
    configFile: false,
    logLevel: 'silent',
    plugins: [injectAccept, hmrd({ socket, required: true })],
    server: { host: '127.0.0.1', port: 0 },
    optimizeDeps: { noDiscovery: true },
  });
  await server.listen();
  const env = server.environments.client;
  /** @type {{p: any, aHMR: number | undefined, aTransformed: boolean}[]} */
  const sent = [];
  const send = env.hot.send.bind(env.hot);
  env.hot.send = (/** @type {any} */ p, ...rest) => {
    const a = env.moduleGraph.urlToModuleMap.get('/src/a.js');
    sent.push({ p, aHMR: a?.lastHMRTimestamp, aTransformed: a?.transformResult != null });
    return send(p, ...rest);
  };
  await env.transformRequest('/src/main.js');
  await env.transformRequest('/src/a.js');
  return { server, sent };
}

/**
 * hasFacts waits until the daemon at client has the plugin's facts of
 * /src/a.js (its registration, and the accept only Vite's graph knows).
 * @param {import('@hmrd/client').Client} client
 * @param {string} root
 */
function hasFacts(client, root) {
  return wait('the daemon has the facts of /src/a.js', async () => {
    try {
      const g = await client.getGraph({ project: root });
      const a = g.modules.find((m) => m.id === '/src/a.js');
      return a && a.registration !== '' && a.selfAccepting;
    } catch {
      return false; // no such project yet
    }
  });
}

test('gate, facts and payloads in a Vite dev server', { skip: !socket && 'HMRD_SOCKET is not set (run from vite_test.go)' }, async () => {
  const root = project();
  const client = await connect(socket);
  const { server, sent } = await viteServer(root, socket);
  try {
    await hasFacts(client, root);

    save(path.join(root, 'src/a.js'), 'export const a = 2\n');
    const upd = await wait('an update payload', () => sent.find((s) => s.p.type === 'update'));
    assert.equal(upd.p.updates.length, 1);
    const u = upd.p.updates[0];
    assert.deepEqual(
      { type: u.type, path: u.path, acceptedPath: u.acceptedPath, explicitImportRequired: u.explicitImportRequired },
      { type: 'js-update', path: '/src/a.js', acceptedPath: '/src/a.js', explicitImportRequired: false },
    );
    assert.ok(u.timestamp > 0);
    // Invalidated in Vite's graph at hmrd's version before the page heard of it.
    assert.equal(upd.aHMR, u.timestamp, "Vite's lastHMRTimestamp of /src/a.js when the update was sent");
    assert.equal(upd.aTransformed, false, 'the old transform of /src/a.js was dropped before the update was sent');

    const status = await client.status();
    const reg = status.registrations.find((r) => r.client?.name === '@hmrd/vite');
    assert.ok(reg && reg.gate, `the plugin's registration is a gate: ${JSON.stringify(status.registrations)}`);
    assert.equal(Number(reg.timeouts), 0, 'the gate acknowledged every batch in time');

    // An edit of the entry: the reason, then Vite's full-reload.
    const from = sent.length;
    save(path.join(root, 'src/main.js'), "import { a } from './a.js'\nconsole.log('main', a)\n");
    await wait('a full-reload payload', () => sent.slice(from).find((s) => s.p.type === 'full-reload'));
    const kinds = sent.slice(from).map((s) => (s.p.type === 'custom' ? s.p.event : s.p.type));
    assert.deepEqual(kinds, ['hmrd:full-reload', 'full-reload']);
    assert.match(sent[from].p.data.reason, /\/src\/main\.js/);
    assert.equal(sent[from + 1].p.path, '*');
  } finally {
    client.close();
    await server.close();
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('after the daemon restarts without the project, the plugin adds it again, reports its facts again, and the pages reload', { skip: !process.env.HMRD_BIN && 'HMRD_BIN is not set (run from vite_test.go)' }, async () => {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'hv-')));
  const sock = path.join(dir, 's');
  let daemon = await startDaemon(sock, dir);
  const root = project();
  const { server, sent } = await viteServer(root, sock);
  let client = await connect(sock);
  try {
    await hasFacts(client, root);
    client.close();
    daemon.kill('SIGKILL');
    await new Promise((r) => daemon.once('exit', r));
    const from = sent.length;
    daemon = await startDaemon(sock, dir);
    client = await connect(sock);
    await wait('a reload after the project was added again', () => sent.slice(from).find((s) => s.p.type === 'full-reload'));
    // The subscription finds the project gone, or (when the registration
    // had it added again first) resumes into the new daemon's resync.
    const reason = sent.slice(from).find((s) => s.p.type === 'custom' && s.p.event === 'hmrd:full-reload');
    assert.match(reason?.p.data.reason ?? '', /added it again|daemon restarted/);
    await hasFacts(client, root);

    const at = sent.length;
    save(path.join(root, 'src/a.js'), 'export const a = 3\n');
    const upd = await wait('an update payload', () => sent.slice(at).find((s) => s.p.type === 'update'));
    assert.deepEqual(upd.p.updates.map((/** @type {any} */ u) => u.path), ['/src/a.js']);
    assert.equal(upd.aHMR, upd.p.updates[0].timestamp);
  } finally {
    client.close();
    await server.close();
    daemon.kill('SIGINT');
    await new Promise((r) => daemon.once('exit', r));
    fs.rmSync(root, { recursive: true, force: true });
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/**
 * startDaemon runs `$HMRD_BIN serve --http off` on dir and waits for its
 * "hmrd ready" line.
 * @param {string} socket
 * @param {string} dir
 */
async function startDaemon(socket, dir) {
  const proc = spawn(/** @type {string} */ (process.env.HMRD_BIN), ['serve', '--http', 'off', '--socket', socket, dir], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  proc.stderr.on('data', (/** @type {Buffer} */ b) => (log += b));
  await wait('hmrd ready', () => {
    if (proc.exitCode !== null) throw new Error(`hmrd serve exited: ${log}`);
    return log.includes('hmrd ready');
  });
  return proc;
}
