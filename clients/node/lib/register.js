// A bundler's registration with a project (BundlerService.Register), as the
// Go client's hmrdclient.Registration: one bidirectional stream whose life
// is the registration. Reports (facts, changes) are answered by Applied in
// the order sent; a rebuild gate receives GateBatch messages to acknowledge.
// It does not reconnect: when it ends the daemon has withdrawn its facts,
// and the bundler registers again and reports them again.

import { HmrdError, rpcError } from './errors.js';
import { toMillis } from './proto.js';

/** Most gate batches kept for a reader that lags; the oldest go first (an ack covers them). */
const GATE_QUEUE = 1024;

/**
 * open opens a registration and waits for the daemon's Registered.
 * @param {import('./client.js').Client} client
 * @param {import('../index.js').RegisterOptions} o
 * @returns {Promise<Registration>}
 */
export function open(client, o) {
  const call = client.bundler.Register();
  const reg = new Registration(call);
  /** @type {Record<string, unknown>} */
  const req = {
    project: o.project || '',
    client: o.client || client.clientInfo,
    protocolVersions: o.protocolVersions || [],
    gate: !!o.gate,
  };
  if (o.gateTimeout) req.gateTimeout = { seconds: Math.floor(o.gateTimeout / 1000), nanos: Math.round((o.gateTimeout % 1000) * 1e6) };
  call.write({ open: req });
  return reg.opened;
}

/** Registration is an open registration; see index.d.ts. */
export class Registration {
  /** @param {any} call */
  constructor(call) {
    this.call = call;
    /** @type {any} */
    this.registered = null;
    this.nextId = 0;
    /** @type {Map<string, {resolve: (a: any) => void, reject: (e: Error) => void}>} */
    this.waiting = new Map();
    /** @type {any[]} */
    this.batches = [];
    /** @type {((v: IteratorResult<any>) => void) | null} */
    this.wake = null;
    /** @type {Error | null} */
    this.error = null;
    this.ended = false;
    /** @type {(v: Error | null) => void} */
    let done = () => {};
    /** Resolves with why the registration ended (null after close()). @type {Promise<Error | null>} */
    this.done = new Promise((resolve) => (done = resolve));
    /** @type {(r: Registration) => void} */
    let ok = () => {};
    /** @type {(e: Error) => void} */
    let fail = () => {};
    /** @type {Promise<Registration>} */
    this.opened = new Promise((resolve, reject) => {
      ok = resolve;
      fail = reject;
    });
    this.closing = false;
    call.on('data', (/** @type {any} */ res) => {
      switch (res.kind) {
        case 'registered':
          this.registered = { ...res.registered, gateTimeout: toMillis(res.registered.gateTimeout) };
          ok(this);
          break;
        case 'applied': {
          const w = this.waiting.get(String(res.applied.id));
          this.waiting.delete(String(res.applied.id));
          w?.resolve(res.applied);
          break;
        }
        case 'gateBatch':
          if (this.wake) {
            const wake = this.wake;
            this.wake = null;
            wake({ value: res.gateBatch, done: false });
          } else {
            if (this.batches.length >= GATE_QUEUE) this.batches.shift();
            this.batches.push(res.gateBatch);
          }
          break;
      }
    });
    const end = (/** @type {Error | null} */ err) => {
      if (this.ended) return;
      this.ended = true;
      this.error = this.closing ? null : err;
      const why = err || new HmrdError('registration', 1, 'the registration ended');
      fail(why);
      for (const w of this.waiting.values()) w.reject(why);
      this.waiting.clear();
      if (this.wake) this.wake({ value: undefined, done: true });
      this.wake = null;
      done(this.error);
    };
    call.on('error', (/** @type {any} */ err) => end(rpcError('registration', err)));
    call.on('end', () => end(null));
  }

  /**
   * @param {Record<string, unknown>} req
   * @returns {Promise<any>}
   */
  report(req) {
    if (this.ended) return Promise.reject(this.error || new HmrdError('report', 1, 'the registration has ended'));
    const id = String(++this.nextId);
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.call.write({ id, ...req });
    });
  }

  /** @param {import('../index.js').ReportFacts} facts */
  reportFacts(facts) {
    return this.report({ facts });
  }

  /** @param {import('../index.js').ReportChanges} changes */
  reportChanges(changes) {
    return this.report({ changes });
  }

  /** @param {import('../index.js').Int64 | number} batch */
  ack(batch) {
    if (!this.ended) this.call.write({ ack: { batch: String(batch) } });
  }

  /** The gate batches, oldest first, until the registration ends. */
  gateBatches() {
    return {
      [Symbol.asyncIterator]() {
        return this;
      },
      next: () => {
        if (this.batches.length > 0) return Promise.resolve({ value: this.batches.shift(), done: false });
        if (this.ended) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => (this.wake = resolve));
      },
    };
  }

  /** close ends the registration; the daemon withdraws its facts and its gate. */
  async close() {
    this.closing = true;
    if (!this.ended) {
      this.call.end();
      this.call.cancel();
    }
    await this.done;
  }
}
