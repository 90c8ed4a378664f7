// The client: connect to a daemon (unix socket or TCP), call its RPCs, and
// subscribe to a project's signals (subscribe.js).

import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import grpc from '@grpc/grpc-js';
import { parseTarget, grpcTarget, loopbackHost } from './target.js';
import { HmrdError, NoDaemonError, rpcError } from './errors.js';
import { services, event, statusResponse } from './proto.js';
import { Subscription } from './subscribe.js';
import { parseFingerprint, pinnedCertificate, pinCheck } from './pin.js';
import { open as openRegistration } from './register.js';

/** The hmrd protocol version this client speaks. */
export const PROTOCOL_VERSION = 1;

/** Default reconnect backoff of subscriptions, in milliseconds (as the Go client). */
export const DEFAULT_MIN_BACKOFF = 50;
export const DEFAULT_MAX_BACKOFF = 2000;

/** Environment variables read for a TCP target (docs/operations.md#remote-access). */
export const ENV_TOKEN = 'HMRD_TOKEN';
export const ENV_TLS_CA = 'HMRD_TLS_CA';
export const ENV_TLS_FINGERPRINT = 'HMRD_TLS_FINGERPRINT';

/**
 * connect dials the daemon at target (see parseTarget; undefined or "" is
 * the default socket). It fails fast with a NoDaemonError when nothing
 * listens there. After that the connection heals itself: RPCs made while
 * the daemon is away fail with UNAVAILABLE, and subscriptions resume.
 * @param {string} [target]
 * @param {import('../index.js').ConnectOptions} [options]
 * @returns {Promise<Client>}
 */
export async function connect(target, options = {}) {
  const env = options.env || process.env;
  const ep = parseTarget(target, env);
  const timeout = options.timeout ?? 2000;
  const sec = security(ep, options, env);
  await probe(ep, timeout);
  const { creds, channelOptions } = sec.pin ? await pinned(ep, sec, timeout) : sec;
  return new Client(ep, creds, channelOptions, options);
}

/**
 * @typedef {object} Security
 * @property {grpc.ChannelCredentials} creds
 * @property {Record<string, unknown>} channelOptions
 * @property {string} [pin] a fingerprint to pin: creds are then decided
 *   once the certificate is fetched (pinned)
 * @property {string} [token]
 */

/**
 * security decides the channel credentials: plaintext on a unix socket and
 * on loopback TCP; TLS (trusting options.tls.ca or $HMRD_TLS_CA, or pinning
 * options.tls.fingerprint or $HMRD_TLS_FINGERPRINT) with the daemon's
 * token on any other address. The token is never sent without TLS.
 * @param {import('./target.js').Endpoint} ep
 * @param {import('../index.js').ConnectOptions} o
 * @param {NodeJS.ProcessEnv} env
 * @returns {Security}
 */
function security(ep, o, env) {
  /** @type {Record<string, unknown>} */
  const channelOptions = {};
  let tls = o.tls;
  if (tls && ep.network !== 'tcp') throw new TypeError(`hmrd connect ${ep.address}: TLS is for TCP targets, and this is a unix socket`);
  if (!tls && ep.network === 'tcp' && (env[ENV_TLS_CA] || env[ENV_TLS_FINGERPRINT])) {
    tls = env[ENV_TLS_FINGERPRINT] ? { fingerprint: env[ENV_TLS_FINGERPRINT] } : { ca: /** @type {string} */ (env[ENV_TLS_CA]) };
  }
  let token = o.token || '';
  if (!token && o.tokenFile) token = fs.readFileSync(o.tokenFile, 'utf8').trim();
  const give = `tls.ca or ${ENV_TLS_CA}, or tls.fingerprint or ${ENV_TLS_FINGERPRINT}`;
  if (!tls) {
    if (token) throw new TypeError(`hmrd connect ${ep.address}: a token is only sent over TLS: give the daemon's certificate or fingerprint too (${give})`);
    if (ep.network === 'tcp' && !loopbackHost(ep.address)) {
      throw new TypeError(`hmrd connect ${ep.address}: a daemon on an address other machines can reach serves TLS only: give its certificate or fingerprint (${give}) and token`);
    }
    return { creds: grpc.credentials.createInsecure(), channelOptions };
  }
  if (!token) token = (env[ENV_TOKEN] || '').trim();
  if (tls.serverName) channelOptions['grpc.ssl_target_name_override'] = tls.serverName;
  if (tls.fingerprint) {
    if (tls.ca) throw new TypeError(`hmrd connect ${ep.address}: give tls.ca or tls.fingerprint, not both`);
    return { creds: grpc.credentials.createInsecure(), channelOptions, pin: parseFingerprint(tls.fingerprint), token };
  }
  if (!tls.ca) throw new TypeError(`hmrd connect ${ep.address}: TLS needs the daemon's certificate (tls.ca: a PEM file or its text) or its fingerprint (tls.fingerprint)`);
  const ca = Buffer.isBuffer(tls.ca) ? tls.ca : tls.ca.includes('-----BEGIN') ? Buffer.from(tls.ca) : fs.readFileSync(tls.ca);
  return { creds: withToken(grpc.credentials.createSsl(ca), token), channelOptions };
}

/**
 * pinned fetches the daemon's certificate, checks it against the pin, and
 * makes it the channel's only trusted root, with the pin checked again on
 * every handshake instead of the name (a pin names a certificate, not a host).
 * @param {import('./target.js').Endpoint} ep
 * @param {Security} sec
 * @param {number} timeout ms
 * @returns {Promise<Security>}
 */
async function pinned(ep, sec, timeout) {
  const pin = /** @type {string} */ (sec.pin);
  const i = ep.address.lastIndexOf(':');
  const host = ep.address.slice(0, i).replace(/^\[|\]$/g, '');
  const pem = await pinnedCertificate(host, Number(ep.address.slice(i + 1)), pin, timeout);
  const creds = grpc.credentials.createSsl(Buffer.from(pem), null, null, { checkServerIdentity: pinCheck(pin) });
  return { creds: withToken(creds, sec.token || ''), channelOptions: sec.channelOptions };
}

/**
 * withToken adds the bearer token to every call made over creds, if there is one.
 * @param {grpc.ChannelCredentials} creds
 * @param {string} token
 */
function withToken(creds, token) {
  if (!token) return creds;
  const bearer = `Bearer ${token}`;
  return grpc.credentials.combineChannelCredentials(
    creds,
    grpc.credentials.createFromMetadataGenerator((_params, cb) => {
      const md = new grpc.Metadata();
      md.set('authorization', bearer);
      cb(null, md);
    }),
  );
}

/**
 * probe checks that something accepts connections at ep, so connect can
 * say "no daemon" at once.
 * @param {import('./target.js').Endpoint} ep
 * @param {number} timeout ms
 */
async function probe(ep, timeout) {
  if (ep.network === 'unix') {
    let st;
    try {
      st = fs.statSync(ep.address);
    } catch (err) {
      if (/** @type {any} */ (err).code === 'ENOENT') throw new NoDaemonError(ep.address, err);
      throw new Error(`hmrd socket ${ep.address}: ${/** @type {Error} */ (err).message}`, { cause: err });
    }
    if (!st.isSocket()) throw new Error(`hmrd socket ${ep.address}: not a socket`);
  }
  await new Promise((resolve, reject) => {
    /** @type {net.Socket} */
    let sock;
    if (ep.network === 'unix') sock = net.connect({ path: ep.address });
    else {
      const i = ep.address.lastIndexOf(':');
      const host = ep.address.slice(0, i).replace(/^\[|\]$/g, '');
      sock = net.connect({ host, port: Number(ep.address.slice(i + 1)) });
    }
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new NoDaemonError(ep.address, new Error('connection timed out')));
    }, timeout);
    sock.once('connect', () => {
      clearTimeout(timer);
      sock.destroy();
      resolve(undefined);
    });
    sock.once('error', (err) => {
      clearTimeout(timer);
      const code = /** @type {any} */ (err).code;
      if (code === 'ECONNREFUSED' || code === 'ENOENT' || code === 'ETIMEDOUT' || code === 'EHOSTUNREACH') {
        reject(new NoDaemonError(ep.address, err));
      } else reject(new Error(`hmrd connect ${ep.address}: ${err.message}`, { cause: err }));
    });
  });
}

/** Client is a connection to one daemon. */
export class Client {
  /**
   * @param {import('./target.js').Endpoint} ep
   * @param {grpc.ChannelCredentials} creds
   * @param {Record<string, unknown>} extra
   * @param {import('../index.js').ConnectOptions} o
   */
  constructor(ep, creds, extra, o) {
    this.endpoint = ep;
    this.minBackoff = o.backoff?.first ?? DEFAULT_MIN_BACKOFF;
    this.maxBackoff = Math.max(o.backoff?.limit ?? DEFAULT_MAX_BACKOFF, this.minBackoff);
    this.clientInfo = { name: '@hmrd/client', version: '', kind: 'node', ...o.clientInfo };
    const { HotService, ProjectService, AdminService, BundlerService } = services();
    const channelOptions = {
      // gRPC's own reconnect backoff (1 s to 120 s) would hide a restarted
      // daemon for minutes; keep it within the subscriptions' own.
      'grpc.initial_reconnect_backoff_ms': this.minBackoff,
      'grpc.max_reconnect_backoff_ms': this.maxBackoff,
      // Notice a dead peer on an idle stream; the daemon permits pings
      // every 10 s or more.
      'grpc.keepalive_time_ms': 30000,
      'grpc.keepalive_timeout_ms': 10000,
      ...(ep.network === 'unix' ? { 'grpc.default_authority': 'localhost' } : {}),
      ...extra,
      ...o.channelOptions,
    };
    /** @type {any} */
    this.hot = new HotService(grpcTarget(ep), creds, channelOptions);
    const channelOverride = this.hot.getChannel();
    /** @type {any} */
    this.projects = new ProjectService(grpcTarget(ep), creds, { ...channelOptions, channelOverride });
    /** @type {any} */
    this.admin = new AdminService(grpcTarget(ep), creds, { ...channelOptions, channelOverride });
    /** @type {any} */
    this.bundler = new BundlerService(grpcTarget(ep), creds, { ...channelOptions, channelOverride });
    this.closed = false;
    /** Open subscriptions, ended by close(). @type {Set<import('./subscribe.js').Subscription>} */
    this.subscriptions = new Set();
  }

  /** The daemon's address: the socket path or host:port. */
  get address() {
    return this.endpoint.address;
  }

  /** "unix" or "tcp". */
  get network() {
    return this.endpoint.network;
  }

  /**
   * unary calls one RPC and converts its error.
   * @param {any} svc
   * @param {string} method
   * @param {object} req
   * @param {string} op
   * @param {import('../index.js').CallOptions} [co]
   * @returns {Promise<any>}
   */
  unary(svc, method, req, op, co = {}) {
    return new Promise((resolve, reject) => {
      const opts = co.deadline !== undefined ? { deadline: co.deadline } : {};
      const call = svc[method](req, opts, (/** @type {any} */ err, /** @type {any} */ resp) => {
        co.signal?.removeEventListener('abort', onAbort);
        if (err) reject(rpcError(op, err));
        else resolve(resp);
      });
      const onAbort = () => call.cancel();
      if (co.signal) {
        if (co.signal.aborted) call.cancel();
        else co.signal.addEventListener('abort', onAbort, { once: true });
      }
    });
  }

  /**
   * subscribe opens a project's signal stream with automatic resume.
   * @param {import('../index.js').SubscribeOptions} [opts]
   */
  subscribe(opts = {}) {
    return new Subscription(this, opts);
  }

  /**
   * register opens a bundler's registration with a project: facts, changes
   * and, with gate, a rebuild gate (docs/bundlers.md).
   * @param {import('../index.js').RegisterOptions} [opts]
   */
  register(opts = {}) {
    return openRegistration(this, opts);
  }

  /** @param {import('../index.js').InvalidateRequest} req @param {import('../index.js').CallOptions} [co] */
  invalidate(req, co) {
    return this.unary(this.hot, 'Invalidate', req, `invalidate ${req.module}`, co);
  }

  /** @param {import('../index.js').ReportLoadedRequest} req @param {import('../index.js').CallOptions} [co] */
  reportLoaded(req, co) {
    return this.unary(this.hot, 'ReportLoaded', req, 'report loaded', co);
  }

  /** @param {import('../index.js').SendCustomRequest} req @param {import('../index.js').CallOptions} [co] */
  sendCustom(req, co) {
    return this.unary(this.hot, 'SendCustom', req, `send custom ${req.event}`, co);
  }

  /** @param {import('../index.js').AddProjectRequest} req @param {import('../index.js').CallOptions} [co] */
  async addProject(req, co) {
    // A relative root is taken from this process's working directory (the
    // daemon's would be a surprise).
    const root = req.root ? path.resolve(req.root) : '';
    const resp = await this.unary(this.projects, 'AddProject', { ...req, root }, `add project ${root}`, co);
    return resp.project;
  }

  /** @param {import('../index.js').ProjectRequest} req @param {import('../index.js').CallOptions} [co] */
  async removeProject(req, co) {
    await this.unary(this.projects, 'RemoveProject', req, `remove project ${req.project}`, co);
  }

  /** @param {import('../index.js').CallOptions} [co] */
  async listProjects(co) {
    const resp = await this.unary(this.projects, 'ListProjects', {}, 'list projects', co);
    return resp.projects;
  }

  /** @param {import('../index.js').ExplainRequest} req @param {import('../index.js').CallOptions} [co] */
  explain(req, co) {
    return this.unary(this.projects, 'Explain', req, `explain ${req.module}`, co);
  }

  /**
   * compile compiles one TypeScript or JSX source of the project to a
   * JavaScript module, with the settings the daemon scans it with; a syntax
   * error is resp.error, not a rejection.
   * @param {import('../index.js').CompileRequest} req
   * @param {import('../index.js').CallOptions} [co]
   * @returns {Promise<import('../index.js').CompileResponse>}
   */
  async compile(req, co) {
    const resp = await this.unary(this.projects, 'Compile', req, `compile ${req.file}`, co);
    return { code: resp.code || Buffer.alloc(0), error: resp.error || null };
  }

  /**
   * getGraph returns a snapshot of the module graph, read in parts
   * (StreamGraph) so any size arrives within the default message limit; a
   * daemon without StreamGraph is asked with GetGraph.
   * @param {import('../index.js').ProjectRequest} [req]
   * @param {import('../index.js').CallOptions} [co]
   */
  async getGraph(req = {}, co = {}) {
    try {
      return await this.streamGraph(req, co);
    } catch (err) {
      if (err instanceof HmrdError && err.code === 'UNIMPLEMENTED') {
        return this.unary(this.projects, 'GetGraph', req, 'graph', co);
      }
      throw err;
    }
  }

  /**
   * @param {import('../index.js').ProjectRequest} req
   * @param {import('../index.js').CallOptions} co
   */
  async streamGraph(req, co) {
    const opts = co.deadline !== undefined ? { deadline: co.deadline } : {};
    const call = this.projects.StreamGraph(req, opts);
    const onAbort = () => call.cancel();
    co.signal?.addEventListener('abort', onAbort, { once: true });
    /** @type {any} */
    let out = null;
    try {
      for await (const part of call) {
        if (!out) out = { root: part.root, headSeq: part.headSeq, modules: [] };
        for (const m of part.modules) out.modules.push(m);
      }
    } catch (err) {
      throw rpcError('graph', err);
    } finally {
      co.signal?.removeEventListener('abort', onAbort);
    }
    if (!out) throw new HmrdError('graph', grpc.status.DATA_LOSS, 'graph stream ended before its first part');
    return out;
  }

  /** @param {import('../index.js').CallOptions} [co] */
  async status(co) {
    return statusResponse(await this.unary(this.admin, 'Status', {}, 'status', co));
  }

  /** close closes the connection; its subscriptions end. */
  close() {
    if (this.closed) return;
    this.closed = true;
    for (const sub of [.../** @type {Set<import('./subscribe.js').Subscription>} */ (this.subscriptions || [])]) sub.close();
    this.hot.close();
  }
}

export { event as toEvent };
