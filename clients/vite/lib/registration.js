// @ts-check
// The plugin's bundler registration (hmrd.v1 BundlerService.Register): one
// bidirectional stream whose life is the registration. Over it the plugin
// reports the facts of the modules Vite transformed and, as the project's
// rebuild gate, acknowledges each batch once Vite's module graph is
// invalidated for it. The stream shares the @hmrd/client connection's
// channel; when it breaks, the registration opens again with backoff and
// reports every module it knows afresh (the daemon withdrew the old
// registration's facts when its stream ended).

import grpc from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';
import { PROTO_FILE } from '@hmrd/client';

/** @type {any} */
let bundlerService;

/** The BundlerService constructor, from the proto @hmrd/client ships. */
function service() {
  if (!bundlerService) {
    const def = protoLoader.loadSync(PROTO_FILE, {
      keepCase: false,
      longs: String,
      enums: String,
      defaults: true,
      arrays: true,
      objects: true,
      oneofs: true,
    });
    bundlerService = /** @type {any} */ (grpc.loadPackageDefinition(def)).hmrd.v1.BundlerService;
  }
  return bundlerService;
}

/**
 * @typedef {import('../index.js').ModuleFacts} ModuleFacts
 * @typedef {{batch: string, version: string, changes: {file: string, module: string, kind: string}[], versions: Record<string, string>, signals: string[]}} GateBatch
 * @typedef {{
 *   project: string,
 *   gate: boolean,
 *   gateTimeout?: number,
 *   clientInfo: {name: string, version: string, kind: string},
 *   onGateBatch: (b: GateBatch) => Promise<void>,
 *   onRegistered?: (r: {registrationId: string, root: string}) => void,
 *   onError?: (err: Error) => void,
 *   backoff?: {first: number, limit: number},
 * }} RegistrationOptions
 */

/** Registration keeps a registration open and the daemon's copy of the facts current. */
export class Registration {
  /**
   * @param {import('@hmrd/client').Client} client
   * @param {RegistrationOptions} o
   */
  constructor(client, o) {
    this.client = client;
    this.o = o;
    /** Every module's latest facts, by ID: reported again on each new stream. @type {Map<string, ModuleFacts>} */
    this.facts = new Map();
    /** Facts not yet sent on the current stream. @type {Map<string, ModuleFacts>} */
    this.unsent = new Map();
    /** @type {any} */
    this.call = null;
    this.open = false;
    this.closed = false;
    /** The daemon has no BundlerService. */
    this.unsupported = false;
    this.nextId = 1;
    this.failures = 0;
    /** @type {NodeJS.Timeout | null} */
    this.retry = null;
    /** Waiters for Applied answers, by request id. @type {Map<string, () => void>} */
    this.applied = new Map();
    /** Gate batches run one at a time, in order. */
    this.gateChain = Promise.resolve();
    this.connect();
  }

  connect() {
    if (this.closed) return;
    const Service = service();
    /** @type {any} */
    const c = /** @type {any} */ (this.client);
    const stub = new Service('unused', grpc.credentials.createInsecure(), { channelOverride: c.hot.getChannel() });
    const call = stub.Register();
    this.call = call;
    /** @type {any} */
    const open = { project: this.o.project, client: this.o.clientInfo, protocolVersions: [1], gate: this.o.gate };
    if (this.o.gate && this.o.gateTimeout) {
      open.gateTimeout = { seconds: Math.floor(this.o.gateTimeout / 1000), nanos: (this.o.gateTimeout % 1000) * 1e6 };
    }
    call.write({ id: String(this.nextId++), open });
    call.on('data', (/** @type {any} */ resp) => this.receive(call, resp));
    call.on('error', (/** @type {Error} */ err) => this.broken(call, err));
    call.on('end', () => this.broken(call, null));
  }

  /**
   * @param {any} call
   * @param {any} resp a RegisterResponse
   */
  receive(call, resp) {
    if (call !== this.call) return;
    switch (resp.kind) {
      case 'registered':
        this.open = true;
        this.o.onRegistered?.({ registrationId: resp.registered.registrationId, root: resp.registered.root });
        // A new stream starts with no facts: send them all, replacing
        // whatever an earlier registration of this plugin left.
        this.unsent = new Map(this.facts);
        this.flush(true);
        break;
      case 'applied': {
        // The daemon took a report: the registration is healthy again.
        this.failures = 0;
        const done = this.applied.get(resp.applied.id);
        this.applied.delete(resp.applied.id);
        done?.();
        break;
      }
      case 'gateBatch': {
        const b = resp.gateBatch;
        this.gateChain = this.gateChain
          .then(() => this.o.onGateBatch(b))
          .catch((err) => this.o.onError?.(err))
          .then(() => {
            // Acknowledge even when invalidating failed: holding the
            // project's signals until the timeout helps nobody.
            if (call === this.call && this.open) call.write({ id: String(this.nextId++), ack: { batch: b.batch } });
          });
        break;
      }
    }
  }

  /**
   * @param {any} call
   * @param {Error | null} err
   */
  broken(call, err) {
    if (call !== this.call) return;
    this.call = null;
    this.open = false;
    for (const done of this.applied.values()) done();
    this.applied.clear();
    if (this.closed) return;
    const code = /** @type {any} */ (err)?.code;
    if (code === grpc.status.UNIMPLEMENTED) {
      // A daemon older than bundler registrations: asking again will not help.
      this.unsupported = true;
      this.o.onError?.(new Error('the daemon takes no bundler registrations (upgrade hmrd): it propagates over its own scan of the sources, and no gate holds its signals'));
      return;
    }
    if (code === grpc.status.INVALID_ARGUMENT) {
      // The daemon refused a report: sending the same facts again would be
      // refused again. This is a bug of the plugin's; say so and stop.
      this.unsupported = true;
      this.o.onError?.(new Error(`the daemon refused the plugin's report, so it propagates over its own scan of the sources: ${/** @type {any} */ (err).details || err?.message}`));
      return;
    }
    if (err && code !== grpc.status.UNAVAILABLE) this.o.onError?.(err);
    const first = this.o.backoff?.first ?? 50;
    const limit = this.o.backoff?.limit ?? 2000;
    const delay = Math.min(limit, first * 2 ** this.failures++) * (0.5 + Math.random() / 2);
    this.retry = setTimeout(() => {
      this.retry = null;
      this.connect();
    }, delay);
  }

  /**
   * report records facts and sends them with the next flush.
   * @param {ModuleFacts[]} modules
   */
  report(modules) {
    for (const m of modules) {
      this.facts.set(m.id, m);
      this.unsent.set(m.id, m);
    }
  }

  /**
   * withdraw gives modules back (Vite dropped them from its graph).
   * @param {string[]} ids
   */
  withdraw(ids) {
    const gone = ids.filter((id) => this.facts.delete(id));
    for (const id of gone) this.unsent.delete(id);
    if (gone.length && this.open) this.send({ facts: { modules: [], withdraw: gone, replace: false } });
  }

  /**
   * flush sends the facts not yet sent; it resolves once the daemon has
   * applied them (or the stream broke, when they go again with the next).
   * @param {boolean} [replace] withdraw every module not listed (a new stream)
   * @returns {Promise<void>}
   */
  flush(replace = false) {
    if (!this.open || (!replace && this.unsent.size === 0)) return Promise.resolve();
    const modules = [...this.unsent.values()];
    this.unsent.clear();
    return this.send({ facts: { modules, withdraw: [], replace } });
  }

  /**
   * @param {object} body the kind of a RegisterRequest
   * @returns {Promise<void>}
   */
  send(body) {
    const id = String(this.nextId++);
    return new Promise((resolve) => {
      this.applied.set(id, resolve);
      this.call.write({ id, ...body });
    });
  }

  close() {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    const call = this.call;
    this.call = null;
    this.open = false;
    if (call) {
      call.end();
      call.cancel();
    }
  }
}
