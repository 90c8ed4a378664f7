// The Node.js HMR runtime: what `node --import @hmrd/client/register` runs
// before the program. It connects to the daemon, finds (or adds) the
// project that holds the program's entry, declares the entry in its
// subscription, installs the module hooks (hooks.js) and applies the
// project's signals (applier.js) to the program's modules.

import fs from 'node:fs';
import module, { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { format } from 'node:util';
import { createHash } from 'node:crypto';
import { MessageChannel } from 'node:worker_threads';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect } from '../client.js';
import { NoDaemonError } from '../errors.js';
import { HOT_GLOBAL, WEBPACK_HOT_GLOBAL, afterLoad, afterResolve, compiledLoad, inProject, moduleId, resolveSync } from './hooks.js';
import { canStripTypes, createCompiler, tsCandidates } from './compile.js';
import { TAG } from './shared/common.js';
import { createRegistry } from './shared/registry.js';
import { createApplier } from './applier.js';
import { createRestarter, parseRestartMode, waitForParent } from './restart.js';

const RUNTIME_KEY = Symbol.for('hmrd.node.runtime');
const LEVELS = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };
const require = createRequire(import.meta.url);
const VERSION = require('../../package.json').version;
/** Outgoing messages kept while the daemon is away. */
const MAX_QUEUED = 1000;
/** How long the daemon holds a subscription's entries after it ends (docs/design.md#liveness-and-pruning). */
const ENTRY_GRACE_MS = 10000;

/**
 * @typedef {'debug' | 'info' | 'warn' | 'error'} Level
 * @typedef {(level: Level, ...args: unknown[]) => void} Log
 */

/**
 * makeLog writes [hmrd] lines to stderr from a level on.
 * @param {string | undefined} level
 * @returns {Log}
 */
function makeLog(level) {
  const min = LEVELS[/** @type {keyof typeof LEVELS} */ (level || 'info')] ?? LEVELS.info;
  return (lvl, ...args) => {
    if (LEVELS[lvl] >= min) process.stderr.write(format(...args) + '\n');
  };
}

/**
 * guessRoot is the directory of the project holding file when no daemon
 * project does: $HMRD_NODE_ROOT, else the nearest directory upwards with a
 * package.json, else file's directory.
 * @param {string} file
 */
export function guessRoot(file) {
  if (process.env.HMRD_NODE_ROOT) return fs.realpathSync(process.env.HMRD_NODE_ROOT);
  for (let dir = path.dirname(file); ; ) {
    if (fs.existsSync(path.join(dir, 'package.json')) && path.basename(dir) !== 'node_modules') return dir;
    const up = path.dirname(dir);
    if (up === dir) return path.dirname(file);
    dir = up;
  }
}

/**
 * start runs the runtime once per process and resolves when the program
 * may start: the hooks are installed and, when a daemon answers, the
 * subscription has its Hello (or the connect timeout passed).
 */
export async function start() {
  const g = /** @type {any} */ (globalThis);
  if (g[RUNTIME_KEY]) return g[RUNTIME_KEY];
  const rt = new Runtime();
  g[RUNTIME_KEY] = rt;
  await rt.start();
  return rt;
}

export class Runtime {
  constructor() {
    const env = process.env;
    this.log = makeLog(env.HMRD_NODE_LOG);
    this.mode = parseRestartMode(env.HMRD_NODE_RESTART);
    this.connectTimeout = Number(env.HMRD_NODE_CONNECT_TIMEOUT || 5000);
    /** The entry file (a real path), '' when the program has none. */
    this.entry = '';
    /** The project root (a real path). */
    this.root = '';
    /** The project's name in the daemon, '' until known. */
    this.project = '';
    /** @type {import('../client.js').Client | null} */
    this.client = null;
    /** @type {import('../subscribe.js').Subscription | null} */
    this.sub = null;
    this.subscriberId = '';
    this.connected = false;
    /** Resume point kept across subscriptions. */
    this.position = { epoch: '', seq: '0' };
    /** Whether the program ran for a while without a subscription: check for edits missed. */
    this.missedSome = false;
    /** module ID → what this program loaded. @type {Map<string, { file: string, format: string, hash: string }>} */
    this.loaded = new Map();
    /** Modules reported (or to be) as loaded. @type {Set<string>} */
    this.reported = new Set();
    /** Modules to report as loaded. @type {Set<string>} */
    this.pendingLoaded = new Set();
    this.loadedScheduled = false;
    /** Messages for the daemon while it is away. @type {Array<() => Promise<unknown>>} */
    this.outbox = [];
    /** Hook state (in-thread hooks share it; off-thread ones get copies). @type {import('./hooks.js').HookState} */
    this.hookState = {
      root: '',
      versions: new Map(),
      report: (m) => this.onModuleLoaded(m),
      compile: createCompiler(() => this.project).compileSync,
      canStrip: canStripTypes(),
    };
    /** @type {import('node:worker_threads').MessagePort | null} */
    this.port = null;
    this.acks = new Map();
    this.ackId = 0;
    /** @type {(() => void) | null} */
    this.helloWaiter = null;
    this.stopped = false;
    /** When the subscription last lost its connection (ms), 0 while connected. */
    this.disconnectedAt = 0;
    /** After a long absence: the seq whose arrival ends the replay, then a check. @type {bigint | null} */
    this.checkAtSeq = null;
    this.checkReason = '';

    this.registry = createRegistry({
      log: this.log,
      resolveId: (id) => this.resolveId(id),
      loaded: (id) => this.noteLoaded(id),
      invalidate: (req) => this.toDaemon('invalidate', (c) => c.invalidate({ project: this.project, ...req })),
      send: (event, data) =>
        this.toDaemon(`send ${event}`, (c) => c.sendCustom({ project: this.project, event, data: data ?? '', from: this.subscriberId })),
    });
    this.applier = createApplier({
      registry: this.registry,
      importModule: (id, version) => this.importModule(id, version),
      setVersions: (versions) => this.setVersions(versions),
      isLoaded: (id) => this.loaded.has(id) || this.registry.instances.has(id),
      isCommonJS: (id) => this.isCommonJS(id),
      changedSinceLoaded: () => this.changedSinceLoaded(),
      restart: createRestarter({ mode: this.mode, log: this.log, beforeExit: () => this.close() }),
      log: this.log,
    });
  }

  async start() {
    await waitForParent();
    const main = process.argv[1];
    if (!main) {
      this.log('debug', `${TAG} no entry module: hot updates off`);
      return;
    }
    try {
      this.entry = fs.realpathSync(path.resolve(main));
    } catch {
      this.entry = path.resolve(main);
    }
    // The hot contexts the injected statement asks for.
    /** @type {any} */ (globalThis)[Symbol.for(HOT_GLOBAL)] = (/** @type {string} */ url) => this.createHotContext(url);
    /** @type {any} */ (globalThis)[Symbol.for(WEBPACK_HOT_GLOBAL)] = (/** @type {string} */ url) => {
      const id = this.idOf(url);
      return id ? this.registry.webpackHot(id) : undefined;
    };

    let hello = Promise.resolve();
    try {
      this.client = await connect(undefined, { clientInfo: { name: '@hmrd/client/register', version: VERSION, kind: 'node' } });
      await this.findProject();
      hello = new Promise((resolve) => (this.helloWaiter = () => resolve(undefined)));
    } catch (err) {
      this.root = guessRoot(this.entry);
      this.missedSome = true;
      if (err instanceof NoDaemonError) {
        this.log('warn', `${TAG} ${err.message}: running without hot updates until one starts`);
      } else {
        this.log('warn', `${TAG} cannot reach the daemon: ${/** @type {Error} */ (err).message}; running without hot updates until it can`);
      }
    }
    this.installHooks();
    this.run().catch((err) => this.log('error', `${TAG} the runtime stopped:`, err));
    // Let the program start once the subscription is up, so that an edit
    // right after the start is not missed; but never wait for long.
    const ac = new AbortController();
    await Promise.race([hello, sleep(this.connectTimeout, undefined, { signal: ac.signal, ref: false }).catch(() => {})]);
    ac.abort();
    this.helloWaiter = null;
    // Started before the subscription was up: an edit made meanwhile is in
    // no signal the program will get; the first Hello checks for one.
    if (!this.connected) this.missedSome = true;
  }

  /**
   * findProject picks the daemon's project that holds the entry (the
   * deepest root), or adds one.
   */
  async findProject() {
    const c = /** @type {import('../client.js').Client} */ (this.client);
    const pick = (/** @type {any[]} */ ps) =>
      ps.filter((p) => inProject(p.root, this.entry)).sort((a, b) => b.root.length - a.root.length)[0];
    let p = pick(await c.listProjects());
    if (!p) {
      const root = guessRoot(this.entry);
      try {
        p = await c.addProject({ root });
        this.log('info', `${TAG} watching ${root} as project ${p.name}`);
      } catch (err) {
        // Another process may have added it meanwhile.
        p = pick(await c.listProjects());
        if (!p) throw err;
      }
    }
    this.project = p.name;
    if (this.port) this.postState({ project: p.name });
    this.setRoot(p.root);
  }

  /** @param {string} root */
  setRoot(root) {
    if (root === this.root) return;
    this.root = root;
    this.hookState.root = root;
    if (this.port) this.postState({ root });
  }

  installHooks() {
    this.hookState.root = this.root;
    const m = /** @type {any} */ (module);
    if (typeof m.registerHooks === 'function' && process.env.HMRD_NODE_HOOKS !== 'register') {
      const st = this.hookState;
      m.registerHooks({
        resolve: (/** @type {string} */ spec, /** @type {any} */ ctx, /** @type {any} */ next) => {
          const r = resolveSync(st, spec, ctx, next);
          // require() keeps Node's own cache: only imports are versioned.
          return ctx.conditions?.includes?.('require') ? r : afterResolve(st, r);
        },
        load: (/** @type {string} */ url, /** @type {any} */ ctx, /** @type {any} */ next) => compiledLoad(st, url) ?? afterLoad(st, url, next(url, ctx)),
      });
      this.log('debug', `${TAG} module hooks: module.registerHooks`);
      return;
    }
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    port1.on('message', (/** @type {any} */ msg) => {
      if (msg.type === 'loaded') this.onModuleLoaded(msg);
      else if (msg.type === 'ack') {
        this.acks.get(msg.id)?.();
        this.acks.delete(msg.id);
        if (!this.acks.size) port1.unref();
      }
    });
    port1.unref();
    module.register(new URL('./loader.js', import.meta.url), {
      data: { port: port2, root: this.root, project: this.project },
      transferList: [port2],
    });
    this.log('debug', `${TAG} module hooks: module.register`);
  }

  /**
   * postState sends the loader thread state and resolves once it has it.
   * @param {{ root?: string, project?: string, versions?: Array<[string, string]> }} state
   * @returns {Promise<void>}
   */
  postState(state) {
    const port = this.port;
    if (!port) return Promise.resolve();
    const id = ++this.ackId;
    return new Promise((resolve) => {
      this.acks.set(id, resolve);
      port.ref();
      port.postMessage({ type: 'state', id, ...state });
    });
  }

  /**
   * setVersions makes the hooks resolve these module versions.
   * @param {Array<[string, string]>} versions
   */
  async setVersions(versions) {
    if (!versions.length) return;
    for (const [id, v] of versions) this.hookState.versions.set(id, v);
    await this.postState({ versions });
  }

  /**
   * createHotContext is import.meta.hot of a module instance loaded from
   * url; undefined outside the project.
   * @param {string} url
   */
  createHotContext(url) {
    const id = this.idOf(url);
    if (!id) return undefined;
    return this.registry.createHotContext(id, url);
  }

  /** @param {string} url */
  idOf(url) {
    if (!this.root || !url.startsWith('file:')) return '';
    const file = fileURLToPath(url);
    return inProject(this.root, file) ? moduleId(this.root, file) : '';
  }

  /**
   * resolveId is the module a relative accept or decline specifier of a
   * project module names, by TypeScript's rules when the file named does
   * not exist (`./x.js` for `./x.ts`), as the daemon resolves it.
   * @param {string} id
   */
  resolveId(id) {
    if (!this.root || fs.existsSync(this.fileOf(id))) return id;
    for (const c of tsCandidates('.' + id)) {
      const cid = c.slice(1);
      if (fs.existsSync(this.fileOf(cid))) return cid;
    }
    return id;
  }

  /** @param {string} id */
  fileOf(id) {
    return id.startsWith('/@fs/') ? id.slice('/@fs'.length) : path.join(this.root, ...id.slice(1).split('/'));
  }

  /**
   * importModule imports module id at version: a new instance of it, and
   * of every module between it and the edited one (the hooks give their
   * URLs the versions of the update).
   * @param {string} id
   * @param {string} version
   */
  importModule(id, version) {
    const url = pathToFileURL(this.fileOf(id));
    url.searchParams.set('t', version);
    if (id.endsWith('.json')) return import(url.href, { with: { type: 'json' } });
    return import(url.href);
  }

  /** @param {{ id: string, url: string, format: string, hash: string }} m */
  onModuleLoaded(m) {
    if (!m.id) return;
    let file = '';
    try {
      file = fileURLToPath(m.url);
    } catch {
      return;
    }
    this.loaded.set(m.id, { file, format: m.format, hash: m.hash });
    this.noteLoaded(m.id);
  }

  /** @param {string} id */
  isCommonJS(id) {
    const l = this.loaded.get(id);
    if (l && l.format === 'commonjs') return true;
    return Boolean(require.cache[this.fileOf(id)]);
  }

  /** The modules whose file differs from what this program loaded. */
  changedSinceLoaded() {
    /** @type {string[]} */
    const changed = [];
    for (const [id, l] of this.loaded) {
      if (!l.hash) continue;
      let now = '';
      try {
        now = createHash('sha1').update(fs.readFileSync(l.file)).digest('hex');
      } catch {
        // gone
      }
      if (now !== l.hash) changed.push(id);
    }
    return changed;
  }

  /**
   * noteLoaded queues a module for ReportLoaded: a lazily imported module
   * takes part in propagation once the daemon knows it runs.
   * @param {string} id
   */
  noteLoaded(id) {
    if (this.reported.has(id)) return;
    this.reported.add(id);
    this.pendingLoaded.add(id);
    this.flushLoaded();
  }

  flushLoaded() {
    if (this.loadedScheduled || !this.connected || !this.pendingLoaded.size) return;
    this.loadedScheduled = true;
    setImmediate(async () => {
      this.loadedScheduled = false;
      const c = this.client;
      if (!c || !this.connected) return;
      const modules = [...this.pendingLoaded];
      this.pendingLoaded.clear();
      try {
        const r = await c.reportLoaded({ project: this.project, modules });
        if (r.unknown.length) this.log('debug', `${TAG} loaded modules the daemon does not know: ${r.unknown.join(', ')}`);
        await this.registry.dispatch('hmrd:loaded', { modules });
      } catch (err) {
        for (const m of modules) this.pendingLoaded.add(m);
        this.log('debug', `${TAG} report loaded: ${/** @type {Error} */ (err).message}`);
      }
      this.flushLoaded();
    });
  }

  /**
   * toDaemon sends a message now, or once the daemon is back.
   * @param {string} what
   * @param {(c: import('../client.js').Client) => Promise<unknown>} fn
   */
  toDaemon(what, fn) {
    const send = async () => {
      try {
        await fn(/** @type {import('../client.js').Client} */ (this.client));
      } catch (err) {
        this.log('warn', `${TAG} ${what} refused: ${/** @type {Error} */ (err).message}`);
      }
    };
    if (this.connected) send();
    else if (this.outbox.length < MAX_QUEUED) this.outbox.push(send);
    else this.log('warn', `${TAG} ${what} dropped: ${MAX_QUEUED} messages wait for the daemon already`);
  }

  /** run keeps a subscription going for the life of the program. */
  async run() {
    let attempt = 0;
    while (!this.stopped) {
      try {
        if (!this.client) this.client = await connect(undefined, { clientInfo: { name: '@hmrd/client/register', version: VERSION, kind: 'node' } });
        if (!this.project) await this.findProject();
        await this.subscribe();
        attempt = 0;
      } catch (err) {
        if (this.stopped) return;
        const e = /** @type {any} */ (err);
        if (e && e.code === 'NOT_FOUND' && this.project) {
          // The daemon restarted without the project, or it was removed:
          // add it again and resume, which gives the resync.
          this.log('info', `${TAG} project ${this.project} is gone from the daemon: adding it again`);
          this.project = '';
          continue;
        }
        if (!(err instanceof NoDaemonError)) this.log('debug', `${TAG} subscription: ${e?.message}`);
        this.connected = false;
        this.missedSome = this.missedSome || this.position.epoch === '';
      }
      const d = Math.min(50 * 2 ** attempt, 2000);
      attempt++;
      await sleep(d / 2 + Math.random() * (d / 2), undefined, { ref: false });
    }
  }

  /** subscribe runs one Subscription (which resumes by itself) to its end. */
  async subscribe() {
    const c = /** @type {import('../client.js').Client} */ (this.client);
    const sub = c.subscribe({
      project: this.project,
      epoch: this.position.epoch,
      fromSeq: this.position.seq,
      entries: [moduleId(this.root, this.entry)],
      onState: (st) => {
        if (st !== 'connected') {
          if (this.connected) this.disconnectedAt = Date.now();
          this.connected = false;
        }
      },
    });
    this.sub = sub;
    try {
      for await (const ev of sub) {
        this.position = sub.position();
        if (ev.kind === 'hello') this.onHello(ev.hello);
        else if (ev.kind !== 'heartbeat') {
          this.applier.signal(ev);
          if (this.checkAtSeq !== null && ev.seq && BigInt(ev.seq) >= this.checkAtSeq) this.checkMissed();
        }
      }
    } finally {
      this.position = sub.position();
      this.connected = false;
      if (this.sub === sub) this.sub = null;
    }
  }

  /** @param {any} hello */
  onHello(hello) {
    const first = !this.subscriberId;
    this.subscriberId = hello.subscriberId;
    this.connected = true;
    if (hello.root && hello.root !== this.root) this.setRoot(hello.root);
    if (first) this.log('info', `${TAG} connected to hmrd ${hello.daemonVersion} (project ${this.project}, ${this.client?.address})`);
    else this.log('debug', `${TAG} connected again (${hello.resumed ? 'resumed' : 'new epoch'})`);
    for (const send of this.outbox.splice(0)) send();
    this.flushLoaded();
    if (this.missedSome) {
      this.missedSome = false;
      // The program ran before it could subscribe: an edit made meanwhile
      // is in no signal it will get.
      this.checkMissed('the program started before it could reach the daemon');
    } else if (!first && hello.resumed && this.disconnectedAt && Date.now() - this.disconnectedAt > ENTRY_GRACE_MS) {
      // Away longer than the daemon holds a subscription's entries: edits
      // of modules only this program ran went unsignalled. Once the replay
      // is applied, whatever still differs from what the program loaded
      // was missed.
      this.checkReason = `the program was away from the daemon for over ${ENTRY_GRACE_MS / 1000} s`;
      this.checkAtSeq = BigInt(hello.headSeq);
      if (BigInt(this.position.seq) >= this.checkAtSeq) this.checkMissed();
    }
    this.disconnectedAt = 0;
    this.helloWaiter?.();
  }

  /**
   * checkMissed queues a check for edits this program missed: a file it
   * loaded that now differs restarts it (as a resync does).
   * @param {string} [reason]
   */
  checkMissed(reason = this.checkReason) {
    this.checkAtSeq = null;
    this.applier.signal({
      kind: 'fullReload',
      fullReload: { cause: 'FULL_RELOAD_CAUSE_RESYNC', reason, chain: [], path: '*', triggeredBy: '' },
    });
  }

  /** idle resolves once every signal received so far was applied. */
  idle() {
    return this.applier.idle();
  }

  close() {
    this.stopped = true;
    this.sub?.close();
    this.client?.close();
  }
}
