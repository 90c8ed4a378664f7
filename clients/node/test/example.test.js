// docs/examples/node-server under the runtime: requests keep succeeding
// across 20 edits of the handler, the pid never changes, and each edit
// shows in the responses soon after the save.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { startApp, tree, withDeadline } from '../testing/helpers.js';

const EXAMPLE = fileURLToPath(new URL('../../../docs/examples/node-server/', import.meta.url));
const handler = (i) => fs.readFileSync(path.join(EXAMPLE, 'handler.mjs'), 'utf8').replace("EDIT = 'edit 0'", `EDIT = 'edit ${i}'`);

/** @param {string} url @returns {Promise<any>} */
function get(url, agent) {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (body += c));
        res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(body)) : reject(new Error(`HTTP ${res.statusCode}: ${body}`))));
      })
      .on('error', reject);
  });
}

test('node-server: 20 edits of the handler, no failed request, one pid', { skip: !fs.existsSync(EXAMPLE) && 'no example' }, async (t) => {
  const files = Object.fromEntries(
    fs.readdirSync(EXAMPLE).filter((f) => f.endsWith('.mjs') || f === 'package.json').map((f) => [f, fs.readFileSync(path.join(EXAMPLE, f), 'utf8')]),
  );
  const root = tree(files);
  const app = startApp(root, 'server.mjs', { socket: process.env.HMRD_SOCKET || '', env: { PORT: '0' } });
  t.after(() => app.stop());
  const ready = await app.expect(/^ready: (http:\S+) \(pid (\d+)\)/);
  const url = ready.match[1];
  const pid = Number(ready.match[2]);

  // Requests, one after another, for as long as the edits go on; a keep-alive
  // agent so the same connections serve across swaps.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 2 });
  t.after(() => agent.destroy());
  let running = true;
  let requests = 0;
  /** @type {Error[]} */
  const failures = [];
  const pids = new Set();
  const conns = new Set();
  /** @type {{ edit: string, resolve: () => void } | null} */
  let waiter = null;
  const loop = (async () => {
    while (running) {
      try {
        const r = await get(url, agent);
        requests++;
        pids.add(r.pid);
        conns.add(r.conn);
        if (waiter && r.edit === waiter.edit) waiter.resolve();
      } catch (err) {
        failures.push(/** @type {Error} */ (err));
      }
    }
  })();

  /** @type {number[]} */
  const latencies = [];
  for (let i = 1; i <= 20; i++) {
    const seen = new Promise((resolve) => (waiter = { edit: `edit ${i}`, resolve: () => resolve(undefined) }));
    const t0 = performance.now();
    fs.writeFileSync(path.join(root, '.handler.tmp'), handler(i));
    fs.renameSync(path.join(root, '.handler.tmp'), path.join(root, 'handler.mjs'));
    await withDeadline(seen, `a response with edit ${i}\n${app.logs()}`);
    latencies.push(performance.now() - t0);
  }
  running = false;
  await loop;

  assert.deepEqual(failures, []);
  assert.deepEqual([...pids], [pid], 'one process served every request');
  assert.equal(conns.size, 1, 'db.mjs kept its connection');
  assert.equal(app.proc.exitCode, null);
  assert.ok(!app.err.text().includes('full reload'), app.err.text());
  latencies.sort((a, b) => a - b);
  const ms = (x) => `${Math.round(x)} ms`;
  t.diagnostic(`${requests} requests; save → response with the edit: median ${ms(latencies[10])}, max ${ms(latencies[19])}`);
});
