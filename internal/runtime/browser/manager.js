// @ts-check
// The hot manager: how an Update is applied, and webpack's management API
// (status, check, apply) over hmrd's signals. Shared by the browser runtime
// and the Node.js runtime (the Node package holds a byte-identical copy in
// clients/node/lib/runtime/shared); what differs between them (a page's
// <link> swaps, Node's module versions and restarts) comes in through deps.
//
// An Update is applied as Vite's client does: every boundary's update at
// once (the dispose callbacks of the module it replaces, then the import of
// its new code), then, once every import settled, the accept callbacks in
// payload order. Around it run webpack's statuses: check, prepare, dispose,
// apply, then idle (or fail when an accept callback or a re-import threw).
//
// The daemon decides boundaries, so webpack's outcomes are read from its
// signals: a FullReload whose cause is NO_BOUNDARY is webpack's
// "unaccepted", one whose cause is DECLINED its "declined" or
// "self-declined" (the registry knows which module declined what). Both
// abort the update.
//
// Manual mode (webpack's `hot: 'only'` with check() driven by the
// program): updates, full reloads and prunes are held when they arrive,
// and applied by check(true) or check() then apply(); a dead end aborts
// and is logged, and nothing reloads by itself.
//
// How one Update is applied is apply.js's.

import { TAG, noop, webpackId } from './common.js';
import { createUpdater, viteUpdates, explicitImportRequired } from './apply.js';

export { viteUpdates, explicitImportRequired };

/** @import { ViteUpdate, WebpackApplyOptions, WebpackStatus, WebpackModuleEffect } from './hot.js' */
/** @import { Log } from './common.js' */
/** @import { Registry } from './registry.js' */
/** @import { Job } from './apply.js' */

export const CAUSE_NO_BOUNDARY = 'FULL_RELOAD_CAUSE_NO_BOUNDARY';
export const CAUSE_DECLINED = 'FULL_RELOAD_CAUSE_DECLINED';

/**
 * A signal held in manual mode.
 * @typedef {object} Held
 * @property {'update' | 'fullReload' | 'prune'} kind
 * @property {any} ev the decoded event
 */

/**
 * @typedef {object} ManagerDeps
 * @property {Registry} registry
 * @property {Log} log
 * @property {(acceptedPath: string, version: string) => Promise<unknown>} importModule
 * @property {(path: string, version: string) => Promise<void>} [swapStyle] a css-update (pages only)
 * @property {(update: any, ev: any, updates: ViteUpdate[], jobs: Job[]) => Promise<boolean>} [prepare]
 *   runs before the update is applied; false stops it (the runtime restarts or reloads instead)
 * @property {(job: Job, err: unknown) => Promise<void>} [importFailed] a re-import threw
 * @property {any} [updatedLevel] the log level of "hot updated" lines (default debug; Node's runtime says them at info)
 * @property {() => boolean} stopped the runtime is reloading or restarting: apply nothing more
 * @property {() => boolean} manual whether signals are held for check()
 * @property {(task: () => unknown) => Promise<unknown>} enqueue runs a task in the runtime's signal order
 * @property {(held: Held[], options: WebpackApplyOptions) => Promise<string[]>} applyHeld applies held signals
 */

/**
 * createHotManager builds the update core of one runtime and sets it on
 * the registry (webpackHot's status, check and apply).
 * @param {ManagerDeps} deps
 */
export function createHotManager(deps) {
  const { registry, log } = deps;
  const { instances } = registry;

  /** @type {WebpackStatus} */
  let status = 'idle';
  /** @type {Array<(status: WebpackStatus) => unknown>} */
  const statusHandlers = [];
  /** @type {Held[]} */
  let held = [];
  let announcing = false;
  const { runUpdate } = createUpdater({ ...deps, setStatus: (s) => setStatus(s) });

  /**
   * setStatus is webpack's: every handler is called at once, and the
   * returned promise waits for what they return.
   * @param {WebpackStatus} next
   */
  function setStatus(next) {
    status = next;
    const results = statusHandlers.slice().map((fn) => {
      try {
        return fn(next);
      } catch (err) {
        log('error', `${TAG} error in a status handler:`, err);
        return undefined;
      }
    });
    return Promise.all(results).then(noop, (err) => log('error', `${TAG} error in a status handler:`, err));
  }

  /**
   * hold keeps a signal for check() in manual mode and says whether it did.
   * @param {string} kind
   * @param {any} ev
   */
  function hold(kind, ev) {
    if (!deps.manual() || (kind !== 'update' && kind !== 'fullReload' && kind !== 'prune')) return false;
    held.push({ kind, ev });
    log('debug', `${TAG} manual mode: ${kind} held until check()`);
    // One announcement per burst: a batch's signals (an update and its
    // prune) arrive back to back, and check() should find them all.
    if (!announcing) {
      announcing = true;
      setTimeout(() => {
        announcing = false;
        if (held.length) registry.dispatch('hmrd:updateAvailable', { pending: held.length }).catch(noop);
      }, 0);
    }
    return true;
  }

  /** updatedModules is what check() resolves to: the changed modules of the held signals. */
  function updatedModules() {
    /** @type {Set<string>} */
    const ids = new Set();
    for (const { kind, ev } of held) {
      if (kind === 'update') {
        const u = ev.update || {};
        const triggers = Array.isArray(u.triggers) && u.triggers.length ? u.triggers : (u.updates || []).map((/** @type {any} */ m) => m.chain?.[0] || m.acceptedPath || m.path);
        for (const t of triggers) if (typeof t === 'string') ids.add(webpackId(t));
      } else if (kind === 'fullReload') {
        const fr = ev.fullReload || {};
        const t = fr.chain?.[0] || fr.triggeredBy;
        if (typeof t === 'string' && t) ids.add(webpackId(t));
      } else {
        for (const p of ev.prune?.paths || []) ids.add(webpackId(p));
      }
    }
    return [...ids];
  }

  /**
   * check is webpackHot.check(autoApply): the held signals, if any, become
   * the update; autoApply (true or apply options) applies it at once.
   * @param {boolean | WebpackApplyOptions} [autoApply]
   * @returns {Promise<string[] | null>}
   */
  async function check(autoApply) {
    if (status !== 'idle') throw new Error('check() is only allowed in idle status');
    await setStatus('check');
    if (!held.length) {
      await setStatus('idle');
      return null;
    }
    await setStatus('prepare');
    const ids = updatedModules();
    if (autoApply) return internalApply(autoApply === true ? {} : autoApply);
    await setStatus('ready');
    return ids;
  }

  /**
   * apply is webpackHot.apply(options): only after check() found an update.
   * @param {WebpackApplyOptions} [options]
   * @returns {Promise<string[]>}
   */
  async function apply(options) {
    if (status !== 'ready') throw new Error(`apply() is only allowed in ready status (state: ${status})`);
    return internalApply(options || {});
  }

  /**
   * internalApply applies the held signals in the runtime's order, then
   * sets idle (or keeps the abort or fail status the signals set).
   * @param {WebpackApplyOptions} options
   * @returns {Promise<string[]>}
   */
  function internalApply(options) {
    let list = held;
    held = [];
    return /** @type {Promise<string[]>} */ (
      new Promise((resolve, reject) => {
        deps.enqueue(async () => {
          try {
            /** @type {string[]} */
            const ids = [];
            // A batch's signals share its version: what of an applied batch
            // arrived while it was applied (its prune) belongs to this update.
            while (list.length) {
              const versions = new Set(list.map((h) => String(h.ev.version || '')).filter((v) => v && v !== '0'));
              for (const id of await deps.applyHeld(list, options)) if (!ids.includes(id)) ids.push(id);
              list = held.filter((h) => versions.has(String(h.ev.version || '')));
              held = held.filter((h) => !list.includes(h));
            }
            await setStatus('idle');
            resolve(ids);
          } catch (err) {
            reject(err);
          }
        });
      })
    );
  }

  /**
   * deadEnd is webpack's reading of a FullReload: the effect (unaccepted,
   * declined, self-declined) and the error that aborts the update, or
   * null when the reload is not one webpack would have (a page, a
   * configuration change, a resync).
   * @param {any} fr an hmrd.v1.FullReload
   * @returns {{ effect: WebpackModuleEffect, error: Error } | null}
   */
  function deadEnd(fr) {
    /** @type {string[]} */
    const chain = Array.isArray(fr.chain) ? fr.chain.filter((/** @type {unknown} */ x) => typeof x === 'string') : [];
    if (!chain.length) return null;
    const wchain = chain.map(webpackId);
    const chainInfo = '\nUpdate propagation: ' + wchain.join(' -> ');
    const last = chain[chain.length - 1];
    if (fr.cause === CAUSE_NO_BOUNDARY) {
      return {
        effect: { type: 'unaccepted', moduleId: webpackId(last), chain: wchain },
        error: new Error(`Aborted because ${wchain[0]} is not accepted${chainInfo}`),
      };
    }
    if (fr.cause !== CAUSE_DECLINED) return null;
    const prev = chain.length > 1 ? chain[chain.length - 2] : '';
    const decliner = instances.get(last);
    const declinesDep = prev !== '' && (decliner ? decliner.declinedDeps.has(prev) || !decliner.declined : true);
    if (declinesDep) {
      return {
        effect: { type: 'declined', moduleId: webpackId(prev), parentId: webpackId(last), chain: wchain },
        error: new Error(`Aborted because of declined dependency: ${webpackId(prev)} in ${webpackId(last)}${chainInfo}`),
      };
    }
    return {
      effect: { type: 'self-declined', moduleId: webpackId(last), chain: wchain },
      error: new Error(`Aborted because of self decline: ${webpackId(last)}${chainInfo}`),
    };
  }

  /**
   * applyDeadEnd reports a dead end to the apply options' callbacks and
   * throws its error (status abort) unless the options ignore it; ignored,
   * what the batch's other changes update (FullReload.partial) applies,
   * as webpack applies the accepted modules of an update it goes on with.
   * @param {{ effect: WebpackModuleEffect, error: Error }} d
   * @param {WebpackApplyOptions} options
   * @param {any} [ev] the FullReload's event
   * @returns {Promise<string[]>} the modules that ran again
   */
  async function applyDeadEnd(d, options, ev) {
    const declined = d.effect.type !== 'unaccepted';
    if (declined) options.onDeclined?.(d.effect);
    else options.onUnaccepted?.(d.effect);
    if (declined ? options.ignoreDeclined : options.ignoreUnaccepted) {
      log('warn', `${TAG} ignored: ${d.error.message}`);
      const partial = ev && ev.fullReload && ev.fullReload.partial;
      if (!partial) return [];
      return (await runUpdate({ ...ev, fullReload: undefined, update: partial }, options, false)) || [];
    }
    await setStatus('abort');
    throw d.error;
  }

  /**
   * autoDeadEnd runs webpack's statuses for a dead end arriving outside
   * manual mode (check, prepare, abort): the runtime reloads after it.
   * @param {any} fr
   */
  async function autoDeadEnd(fr) {
    const d = deadEnd(fr);
    if (!d) return;
    await setStatus('check');
    await setStatus('prepare');
    await applyDeadEnd(d, {}).catch((err) => log('debug', `${TAG} ${err.message}`));
  }

  /**
   * autoUpdate applies an Update as it arrives (outside manual mode): a
   * failure is logged, and the status stays fail until the next one.
   * @param {any} ev
   */
  async function autoUpdate(ev) {
    try {
      if ((await runUpdate(ev, {}, true)) !== null) await setStatus('idle');
    } catch (err) {
      log('error', `${TAG} update failed:`, err);
    }
  }

  /**
   * reportDisposed tells onDisposed of pruned modules.
   * @param {string[]} paths
   * @param {WebpackApplyOptions} options
   */
  function reportDisposed(paths, options) {
    for (const p of paths) if (typeof p === 'string') options.onDisposed?.({ type: 'disposed', moduleId: webpackId(p) });
  }

  const manager = {
    get status() {
      return status;
    },
    /** @param {(status: WebpackStatus) => unknown} fn */
    addStatusHandler(fn) {
      if (typeof fn === 'function') statusHandlers.push(fn);
    },
    /** @param {(status: WebpackStatus) => unknown} fn */
    removeStatusHandler(fn) {
      const i = statusHandlers.indexOf(fn);
      if (i >= 0) statusHandlers.splice(i, 1);
    },
    check,
    apply,
    hold,
    deadEnd,
    applyDeadEnd,
    autoDeadEnd,
    runUpdate,
    autoUpdate,
    setStatus,
    reportDisposed,
    /** How many signals manual mode holds. */
    get held() {
      return held.length;
    },
  };
  registry.manager = manager;
  return manager;
}

/** @typedef {ReturnType<typeof createHotManager>} HotManager */
