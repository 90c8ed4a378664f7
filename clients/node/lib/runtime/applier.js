// Applying signals in a Node.js program, through one serial queue as the
// browser runtime (internal/runtime/browser/update.js): an event is applied
// completely before the next starts. An Update goes to the hot manager
// (shared/manager.js, the browser runtime's own file), which applies it
// Vite's way with webpack's statuses; in manual mode it holds updates,
// full reloads and prunes until webpackHot.check().
//
// What differs from a page: a full reload is a restart of the program
// (restart.js), and only for reloads that concern it; a resync restarts it
// only when a file it loaded changed meanwhile; a CommonJS module cannot be
// loaded again, so an update that reaches one restarts too; errors are
// logged (there is no overlay).

import { TAG } from './shared/common.js';
import { createHotManager, viteUpdates } from './shared/manager.js';

export { viteUpdates };
export const RESYNC = 'FULL_RELOAD_CAUSE_RESYNC';

/**
 * @typedef {object} ApplierDeps
 * @property {import('./shared/registry.js').Registry} registry
 * @property {(id: string, version: string) => Promise<unknown>} importModule
 * @property {(versions: Array<[string, string]>) => Promise<void>} setVersions makes the hooks resolve these versions
 * @property {(id: string) => boolean} isLoaded whether this program loaded the module
 * @property {(id: string) => boolean} isCommonJS whether this program loaded the module as CommonJS
 * @property {() => string[]} changedSinceLoaded modules whose file changed since this program loaded them
 * @property {(why: { reason: string, chain?: string[], cause?: string }) => void} restart
 * @property {(level: any, ...args: unknown[]) => void} log
 * @property {() => boolean} [manual] whether manual mode holds signals for check()
 */

/** @param {ApplierDeps} deps */
export function createApplier(deps) {
  const { registry, importModule, setVersions, isLoaded, isCommonJS, changedSinceLoaded, restart, log } = deps;
  const { emit } = registry;

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

  const manager = createHotManager({
    registry,
    log,
    importModule,
    prepare: async (update, ev, updates, jobs) => {
      /** @type {Array<[string, string]>} */
      const versions = Object.entries(update.versions || {})
        .filter(([, v]) => v && v !== '0')
        .map(([id, v]) => [id, String(v)]);
      const cjs = versions.map(([id]) => id).filter(isCommonJS);
      if (cjs.length) {
        doRestart({
          reason: `${cjs.join(', ')} ${cjs.length > 1 ? 'are' : 'is'} CommonJS, which Node cannot load again in place`,
          chain: update.updates?.[0]?.chain,
          cause: 'COMMONJS',
        });
        return false;
      }
      for (const j of jobs) versions.push([j.acceptedPath, String(j.timestamp)]);
      // Every version, applied here or not: a module imported later (a lazy
      // import) must get its latest code.
      await setVersions(versions);
      return true;
    },
    importFailed: async (job, err) => {
      log('error', `${TAG} the running instance of ${job.acceptedPath} stays until the next edit`);
      await emit('error', errorPayload(job.acceptedPath, err));
      if (job.isWithinCircularImport) {
        doRestart({ reason: `${job.acceptedPath} is within a circular import and failed to load again: restarting to reset the execution order`, chain: job.chain });
      }
    },
    stopped: () => stopped,
    updatedLevel: 'info',
    manual: deps.manual || (() => /** @type {any} */ (globalThis).__HMRD_MANUAL__ === true || process.env.HMRD_NODE_MANUAL === '1'),
    enqueue,
    applyHeld,
  });

  /**
   * applyHeld applies what manual mode held, in order, with the apply
   * options: a dead end aborts unless the options ignore it; any other
   * full reload that concerns the program is logged and aborts, since
   * nothing restarts by itself in manual mode.
   * @param {import('./shared/manager.js').Held[]} held
   * @param {any} options
   */
  async function applyHeld(held, options) {
    /** @type {string[]} */
    const ids = [];
    for (const { kind, ev } of held) {
      if (kind === 'update') {
        for (const id of (await manager.runUpdate(ev, options, false)) || []) if (!ids.includes(id)) ids.push(id);
      } else if (kind === 'prune') {
        manager.reportDisposed(ev.prune?.paths || [], options);
        await applyPrune(ev.prune);
      } else {
        const fr = ev.fullReload || {};
        if (fr.cause === RESYNC || !concerns(fr)) continue;
        const d = manager.deadEnd(fr);
        if (d) {
          for (const id of await manager.applyDeadEnd(d, options, ev)) if (!ids.includes(id)) ids.push(id);
          continue;
        }
        log('info', `${TAG} restart held back (manual mode): ${fr.reason || 'no reason given'}`);
        await manager.setStatus('abort');
        throw new Error(`Aborted because the program must restart: ${fr.reason || 'no reason given'}`);
      }
    }
    return ids;
  }

  /**
   * signal queues one event of the subscription.
   * @param {any} ev
   */
  function signal(ev) {
    if (manager.hold(ev.kind, ev)) return undefined;
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
    await manager.autoUpdate(ev);
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
    await manager.autoDeadEnd(fr);
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
    manager,
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
