// Applying signals in a Node.js program, through one serial queue as the
// browser runtime (internal/runtime/browser/update.js): an event is applied
// completely before the next starts. Within one Update, as Vite's
// queueUpdate: every boundary's update is fetched at once (the dispose
// callbacks of the module it replaces, then import(url?t=version)), and the
// accept callbacks run in payload order once every import settled.
//
// What differs from a page: a full reload is a restart of the program
// (restart.js), and only for reloads that concern it; a resync restarts it
// only when a file it loaded changed meanwhile; a CommonJS module cannot be
// loaded again, so an update that reaches one restarts too; errors are
// logged (there is no overlay).

import { TAG } from './registry.js';

export const RESYNC = 'FULL_RELOAD_CAUSE_RESYNC';

/**
 * @typedef {object} ApplierDeps
 * @property {import('./registry.js').Registry} registry
 * @property {(id: string, version: string) => Promise<unknown>} importModule
 * @property {(versions: Array<[string, string]>) => Promise<void>} setVersions makes the hooks resolve these versions
 * @property {(id: string) => boolean} isLoaded whether this program loaded the module
 * @property {(id: string) => boolean} isCommonJS whether this program loaded the module as CommonJS
 * @property {() => string[]} changedSinceLoaded modules whose file changed since this program loaded them
 * @property {(why: { reason: string, chain?: string[], cause?: string }) => void} restart
 * @property {(level: 'debug' | 'info' | 'warn' | 'error', ...args: unknown[]) => void} log
 */

/** @param {ApplierDeps} deps */
export function createApplier(deps) {
  const { registry, importModule, setVersions, isLoaded, isCommonJS, changedSinceLoaded, restart, log } = deps;
  const { instances, emit } = registry;

  /** @type {Promise<unknown>} */
  let tail = Promise.resolve();
  let stopped = false;

  /** @param {() => unknown} task */
  function enqueue(task) {
    tail = tail.then(task).catch((err) => log('error', `${TAG} error while applying a signal:`, err));
    return tail;
  }

  /** idle resolves once every task queued so far, and those they queued, ran. */
  async function idle() {
    let seen;
    do {
      seen = tail;
      await seen;
    } while (seen !== tail);
  }

  /** @param {{ reason: string, chain?: string[], cause?: string }} why */
  function doRestart(why) {
    if (stopped) return;
    const r = restart(why);
    // Log-only mode keeps the program, and applying signals, going.
    if (r !== 'continue') stopped = true;
  }

  /**
   * signal queues one event of the subscription.
   * @param {any} ev
   */
  function signal(ev) {
    switch (ev.kind) {
      case 'update':
        return enqueue(() => applyUpdate(ev));
      case 'fullReload':
        return enqueue(() => applyFullReload(ev.fullReload));
      case 'prune':
        return enqueue(() => applyPrune(ev.prune));
      case 'error':
        return enqueue(() => applyError(ev.error));
      case 'custom':
        return enqueue(() => applyCustom(ev.custom));
    }
    return undefined;
  }

  /** @param {any} ev */
  async function applyUpdate(ev) {
    if (stopped) return;
    const update = ev.update;
    /** @type {Array<[string, string]>} */
    const versions = Object.entries(update.versions || {}).filter(([, v]) => v && v !== '0').map(([id, v]) => [id, String(v)]);
    const cjs = versions.map(([id]) => id).filter(isCommonJS);
    if (cjs.length) {
      const first = update.updates[0];
      doRestart({
        reason: `${cjs.join(', ')} ${cjs.length > 1 ? 'are' : 'is'} CommonJS, which Node cannot load again in place`,
        chain: first?.chain,
        cause: 'COMMONJS',
      });
      return;
    }
    const updates = viteUpdates(update, ev);
    const payload = { type: 'update', ...update, updates, version: ev.version, seq: ev.seq, epoch: ev.epoch };
    /** @type {Array<ReturnType<typeof viteUpdates>[number] & { callbacks: import('./registry.js').AcceptCallback[] }>} */
    const jobs = [];
    for (const u of updates) {
      if (u.type === 'css-update') continue; // a page's <link>
      const boundary = instances.get(u.path);
      if (!boundary) continue; // never executed in this program
      const callbacks = boundary.callbacks.filter((cb) => cb.deps.includes(u.acceptedPath));
      if (u.acceptedPath !== u.path && callbacks.length === 0) continue;
      jobs.push({ ...u, callbacks });
      versions.push([u.acceptedPath, String(u.timestamp)]);
    }
    // Every version, applied here or not: a module imported later (a lazy
    // import) must get its latest code.
    await setVersions(versions);
    if (!jobs.length) return;
    await emit('beforeUpdate', payload);
    if (stopped) return;
    /** One import per module and version: two boundaries accepting one module share it. @type {Map<string, Promise<unknown>>} */
    const fetches = new Map();
    const fetched = await Promise.all(jobs.map((job) => fetchUpdate(job, fetches)));
    if (stopped) return;
    for (const apply of fetched) if (apply) await apply();
    await emit('afterUpdate', payload);
  }

  /**
   * @param {ReturnType<typeof viteUpdates>[number] & { callbacks: import('./registry.js').AcceptCallback[] }} job
   * @param {Map<string, Promise<unknown>>} fetches
   * @returns {Promise<(() => Promise<void>) | undefined>}
   */
  async function fetchUpdate(job, fetches) {
    const { path, acceptedPath, callbacks } = job;
    const version = String(job.timestamp);
    const target = instances.get(acceptedPath);
    if (target && target.dispose.length) await registry.runDisposers(target);
    const key = `${acceptedPath}?t=${version}`;
    let load = fetches.get(key);
    if (!load) fetches.set(key, (load = importModule(acceptedPath, version)));
    /** @type {unknown} */
    let mod;
    try {
      mod = await load;
    } catch (err) {
      log('error', `${TAG} failed to reload ${acceptedPath}: the running instance stays until the next edit`, err);
      await emit('error', errorPayload(acceptedPath, err));
      if (job.isWithinCircularImport) {
        doRestart({ reason: `${acceptedPath} is within a circular import and failed to load again: restarting to reset the execution order`, chain: job.chain });
        return undefined;
      }
    }
    return async () => {
      if (stopped) return;
      registry.firstInvalidatedBy = job.firstInvalidatedBy;
      try {
        for (const cb of callbacks) {
          try {
            await cb.fn(cb.deps.map((dep) => (dep === acceptedPath ? mod : undefined)));
          } catch (err) {
            log('error', `${TAG} error in an accept callback of ${path}:`, err);
          }
        }
      } finally {
        registry.firstInvalidatedBy = undefined;
      }
      log('info', `${TAG} hot updated: ${acceptedPath === path ? path : acceptedPath + ' via ' + path}`);
    };
  }

  /**
   * concerns: whether a full reload is about this program: a page's own
   * reload is not; a reload found by propagation is when its chain (or the
   * module that caused it) is a module this program loaded; a rescan or a
   * configuration change may concern anything.
   * @param {any} fr
   */
  function concerns(fr) {
    if (fr.path && fr.path !== '*') return false; // one page's reload
    switch (fr.cause) {
      case 'FULL_RELOAD_CAUSE_PAGE':
        return false;
      case 'FULL_RELOAD_CAUSE_NO_BOUNDARY':
      case 'FULL_RELOAD_CAUSE_DECLINED':
      case 'FULL_RELOAD_CAUSE_INVALIDATE_LOOP':
      case 'FULL_RELOAD_CAUSE_INVALIDATE_ENTRY':
        return (fr.chain || []).some(isLoaded) || (fr.triggeredBy ? isLoaded(fr.triggeredBy) : false);
    }
    return true;
  }

  /** @param {any} fr */
  async function applyFullReload(fr) {
    if (stopped) return;
    const resync = fr.cause === RESYNC;
    await emit('beforeFullReload', { type: 'full-reload', ...fr });
    if (resync) {
      const changed = changedSinceLoaded();
      if (!changed.length) {
        log('info', `${TAG} resync (${fr.reason || 'the resume point is gone'}): no file this program loaded changed meanwhile; carrying on`);
        return;
      }
      doRestart({ reason: `${fr.reason || 'the resume point is gone'}, and ${changed.join(', ')} changed meanwhile`, cause: fr.cause });
      return;
    }
    if (!concerns(fr)) {
      log('debug', `${TAG} full reload of another program or page ignored: ${fr.reason}`);
      return;
    }
    doRestart({ reason: fr.reason || 'no reason given', chain: fr.chain, cause: fr.cause });
  }

  /** @param {any} p */
  async function applyPrune(p) {
    if (stopped) return;
    /** @type {string[]} */
    const paths = (p.paths || []).filter((/** @type {unknown} */ x) => typeof x === 'string');
    await emit('beforePrune', { type: 'prune', paths });
    await registry.prunePaths(paths);
  }

  /** @param {any} e */
  async function applyError(e) {
    if (stopped) return;
    const where = e.file ? `${e.file}${e.line ? ':' + e.line + (e.column ? ':' + e.column : '') : ''}` : e.module;
    log('error', `${TAG} ${e.code || 'error'}${where ? ' in ' + where : ''}: ${e.message || ''}${e.frame ? '\n' + e.frame : ''}`);
    await emit('error', {
      type: 'error',
      ...e,
      err: {
        message: e.message || '',
        stack: '',
        id: e.module,
        frame: e.frame,
        plugin: e.code,
        loc: e.file ? { file: e.file, line: e.line || 0, column: e.column || 0 } : undefined,
      },
    });
  }

  /** @param {any} c */
  async function applyCustom(c) {
    if (stopped || typeof c.event !== 'string' || !c.event) return;
    /** @type {unknown} */
    let data = null;
    if (c.data) {
      try {
        data = JSON.parse(c.data);
      } catch (err) {
        log('warn', `${TAG} ignoring custom event ${c.event}: data is not JSON`);
        return;
      }
    }
    await registry.dispatch(c.event, data);
  }

  return {
    signal,
    idle,
    enqueue,
    get stopped() {
      return stopped;
    },
  };
}

/**
 * errorPayload is an error event's payload for a module that failed to load.
 * @param {string} id
 * @param {unknown} err
 */
function errorPayload(id, err) {
  const e = /** @type {any} */ (err);
  const message = e && e.message ? String(e.message) : String(err);
  return { type: 'error', message, module: id, code: 'LOAD_ERROR', err: { message, stack: e?.stack || '', id } };
}

/**
 * viteUpdates turns an hmrd Update's items into Vite's Update objects.
 * @param {any} update
 * @param {any} ev
 */
export function viteUpdates(update, ev) {
  /** @type {Array<{ type: 'js-update' | 'css-update', path: string, acceptedPath: string, timestamp: number, explicitImportRequired: boolean, isWithinCircularImport: boolean, firstInvalidatedBy?: string, chain?: string[] }>} */
  const out = [];
  for (const mu of update.updates || []) {
    if (!mu || typeof mu.path !== 'string') continue;
    const type = mu.type === 'UPDATE_TYPE_CSS' ? 'css-update' : 'js-update';
    const acceptedPath = mu.acceptedPath || mu.path;
    const v = update.versions?.[acceptedPath];
    const version = v && v !== '0' ? v : ev.version && ev.version !== '0' ? ev.version : String(Date.now());
    /** @type {(typeof out)[number]} */
    const u = {
      type,
      path: mu.path,
      acceptedPath,
      timestamp: Number(version),
      explicitImportRequired: false,
      isWithinCircularImport: mu.isWithinCircularImport === true,
      chain: mu.chain,
    };
    const first = mu.firstInvalidatedBy || update.firstInvalidatedBy;
    if (first) u.firstInvalidatedBy = first;
    out.push(u);
  }
  return out;
}
