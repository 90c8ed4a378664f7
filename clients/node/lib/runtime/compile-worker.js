// @ts-check
// The worker of compile.js: one client of the daemon, answering compile
// requests (the hook waits for each, so one is in flight at a time, but
// a late answer to one given up on may come after). Each answer is posted,
// then the shared flag set and the waiting hook woken.

import { workerData } from 'node:worker_threads';
import { connect } from '../client.js';

/** @type {import('node:worker_threads').MessagePort} */
const port = workerData.port;
const flag = new Int32Array(workerData.flag);
/** @type {Promise<import('../client.js').Client> | null} */
let client = null;

port.on('message', async (/** @type {{ id: number, project: string, file: string, source: string }} */ req) => {
  /** @type {Record<string, unknown>} */
  let answer;
  try {
    client ??= connect(undefined, { clientInfo: { name: '@hmrd/client/register compiler', version: '', kind: 'node' } });
    const c = await client;
    const resp = await c.compile({ project: req.project, file: req.file, source: Buffer.from(req.source) });
    answer = resp.error ? { id: req.id, error: resp.error } : { id: req.id, code: Buffer.from(resp.code).toString('utf8') };
  } catch (err) {
    client = null; // connect again next time
    answer = { id: req.id, fail: /** @type {Error} */ (err).message };
  }
  port.postMessage(answer);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
});
