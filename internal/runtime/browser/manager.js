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

import { TAG, noop } from './common.js';
import { webpackId } from './registry.js';

/** @import { ModuleUpdate, ViteUpdate, WebpackApplyOptions, WebpackStatus, WebpackModuleEffect, WebpackErrorEvent } from './hot.js' */
/** @import { Log } from './common.js' */
/** @import { Registry, AcceptCallback } from './registry.js' */

/** What the dev server and Node serve as JavaScript modules as they are. */
const JS_FILE = /\.(?:js|mjs|cjs|jsx|ts|mts|cts|tsx)$/i;

export const CAUSE_NO_BOUNDARY = 'FULL_RELOAD_CAUSE_NO_BOUNDARY';
export const CAUSE_DECLINED = 'FULL_RELOAD_CAUSE_DECLINED';

/**
 * A signal held in manual mode.
 * @typedef {object} Held
 * @property {'update' | 'fullReload' | 'prune'} kind
 * @property {any} ev the decoded event
 */

/**
 * @typedef {ViteUpdate & { callbacks: AcceptCallback[] }} Job
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
  const { instances, emit } = registry;

  /** @type {WebpackStatus} */
  let status = 'idle';
  /** @type {Array<(status: WebpackStatus) => unknown>} */
  const statusHandlers = [];
  /** @type {Held[]} */
  let held = [];
  let announcing = false;

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
   * jobsOf is what an Update asks of this runtime: the boundaries it has an
   * instance of, with the accept callbacks of that instance.
   * @param {ViteUpdate[]} updates
   * @returns {Job[]}
   */
  function jobsOf(updates) {
    /** @type {Job[]} */
    const jobs = [];
    for (const u of updates) {
      if (u.type === 'css-update') {
        if (deps.swapStyle) jobs.push({ ...u, callbacks: [] });
        continue;
      }
      const boundary = instances.get(u.path);
      if (!boundary) continue; // never executed here
      // The accept callbacks of the instance running now (a self-accepting
      // module's new instance replaces them while it is imported).
      const callbacks = boundary.callbacks.filter((cb) => cb.deps.includes(u.acceptedPath));
      if (u.acceptedPath !== u.path && callbacks.length === 0) continue;
      jobs.push({ ...u, callbacks });
    }
    return jobs;
  }

  /**
   * effects are webpack's "accepted" effects of the jobs, one per changed
   * module: the modules that run again and the dependencies accepted.
   * @param {Job[]} jobs
   * @returns {WebpackModuleEffect[]}
   */
  function effects(jobs) {
    /** @type {Map<string, WebpackModuleEffect & { outdatedModules: string[], outdatedDependencies: Record<string, string[]> }>} */
    const byTrigger = new Map();
    for (const job of jobs) {
      const chain = job.chain && job.chain.length ? job.chain : [job.acceptedPath];
      const trigger = webpackId(chain[0]);
      let e = byTrigger.get(trigger);
      if (!e) byTrigger.set(trigger, (e = { type: 'accepted', moduleId: trigger, outdatedModules: [], outdatedDependencies: {} }));
      const self = job.acceptedPath === job.path;
      for (const id of self ? chain : chain.slice(0, -1)) if (!e.outdatedModules.includes(webpackId(id))) e.outdatedModules.push(webpackId(id));
      if (!self) {
        const deps = (e.outdatedDependencies[webpackId(job.path)] ||= []);
        if (!deps.includes(webpackId(job.acceptedPath))) deps.push(webpackId(job.acceptedPath));
      }
    }
    return [...byTrigger.values()];
  }

  /**
   * runUpdate applies one Update with webpack's apply options; it resolves
   * to the modules that ran again (webpack's outdatedModules) or throws the
   * first error when an accept callback or re-import failed and the
   * options do not ignore it (status fail). auto: run check and prepare
   * first (outside manual mode: nobody called check()).
   * @param {any} ev the decoded event
   * @param {WebpackApplyOptions} options
   * @param {boolean} auto
   * @returns {Promise<string[] | null>} null when nothing here took the update
   */
  async function runUpdate(ev, options, auto) {
    if (deps.stopped()) return null;
    const update = ev.update || {};
    const updates = viteUpdates(update, ev);
    const jobs = jobsOf(updates);
    if (deps.prepare && !(await deps.prepare(update, ev, updates, jobs))) return null;
    if (!jobs.length) return null;
    const payload = { type: 'update', ...update, updates, version: ev.version, seq: ev.seq, epoch: ev.epoch };
    if (auto) {
      await setStatus('check');
      await setStatus('prepare');
    }
    const accepted = effects(jobs.filter((j) => j.type === 'js-update'));
    for (const e of accepted) options.onAccepted?.(e);
    await emit('beforeUpdate', payload);
    if (deps.stopped()) return [];
    /** @type {unknown} */
    let firstError;
    /** @param {WebpackErrorEvent} e @param {unknown} err */
    const report = (e, err) => {
      options.onErrored?.(e);
      if (!options.ignoreErrored && firstError === undefined) firstError = err;
    };
    const disposing = setStatus('dispose');
    /** @type {Round} */
    const round = { fetches: new Map(), loaded: new Map(), called: new Set(), report };
    const fetching = Promise.all(jobs.map((job) => fetchUpdate(job, round)));
    // As webpack: apply follows dispose without waiting for its handlers.
    const applying = setStatus('apply');
    const fetched = await fetching;
    if (deps.stopped()) return [];
    for (const run of fetched) if (run) await run();
    await Promise.all([disposing, applying]);
    await emit('afterUpdate', payload);
    if (firstError !== undefined) {
      await setStatus('fail');
      throw firstError;
    }
    return accepted.flatMap((e) => e.outdatedModules || []);
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
   * What the updates of one Update share.
   * @typedef {object} Round
   * @property {Map<string, Promise<unknown>>} fetches one import per URL: two boundaries accepting one module share it
   * @property {Map<string, { mod: unknown, failed: boolean, err: unknown }>} loaded accepted path → what its import gave
   * @property {Set<AcceptCallback>} called webpack's callbacks run once per update, for every dep it updates
   * @property {(e: WebpackErrorEvent, err: unknown) => void} report
   */

  /**
   * fetchUpdate starts one update: a <link> swap, or the dispose callbacks
   * of the module it replaces and then the import of its new code. It
   * resolves to what runs the accept callbacks, or undefined.
   * @param {Job} job
   * @param {Round} round
   * @returns {Promise<(() => Promise<void>) | undefined>}
   */
  async function fetchUpdate(job, round) {
    const { fetches } = round;
    const { path, acceptedPath, callbacks } = job;
    const version = String(job.timestamp);
    if (job.type === 'css-update') {
      if (deps.swapStyle) await deps.swapStyle(path, version);
      return undefined;
    }
    const target = instances.get(acceptedPath);
    // Awaited only when there is something to wait for: an extra turn would
    // reorder the imports of the boundaries (Vite awaits only a disposer).
    if (target && (target.dispose.length || target.wpDispose.length)) await registry.runDisposers(target);
    else if (target) registry.runDisposers(target).catch(noop); // runs to the end at once: webpackHot.data of the next instance
    const key = `${acceptedPath}?t=${version}`;
    let load = fetches.get(key);
    if (!load) fetches.set(key, (load = deps.importModule(acceptedPath, version)));
    /** @type {unknown} */
    let mod;
    let failed = false;
    /** @type {unknown} */
    let loadError;
    try {
      mod = await load;
    } catch (err) {
      failed = true;
      loadError = err;
      log('error', `${TAG} failed to reload ${acceptedPath}`, err);
      if (deps.importFailed) await deps.importFailed(job, err);
    }
    round.loaded.set(acceptedPath, { mod, failed, err: loadError });
    return async () => {
      if (deps.stopped()) return;
      registry.firstInvalidatedBy = job.firstInvalidatedBy;
      try {
        for (const cb of callbacks) await runCallback(cb, job, mod, failed, loadError, round);
      } finally {
        registry.firstInvalidatedBy = undefined;
      }
      log(deps.updatedLevel || 'debug', `${TAG} hot updated: ${acceptedPath === path ? path : acceptedPath + ' via ' + path}`);
    };
  }

  /**
   * runCallback runs one accept callback. Vite's get the new module (or
   * undefined when its import failed) and a throw is logged. webpack's run
   * once per update with every dependency it updated, and are skipped when
   * one failed to import; a throw (or the failed import) goes to their
   * error handler, else becomes the update's error.
   * @param {AcceptCallback} cb
   * @param {Job} job
   * @param {unknown} mod
   * @param {boolean} failed
   * @param {unknown} loadError
   * @param {Round} round
   */
  async function runCallback(cb, job, mod, failed, loadError, round) {
    const { report } = round;
    const { path, acceptedPath } = job;
    if (!cb.webpack) {
      try {
        await cb.fn(cb.deps.map((dep) => (dep === acceptedPath ? mod : undefined)));
      } catch (err) {
        log('error', `${TAG} error in an accept callback of ${path}:`, err);
      }
      return;
    }
    if (round.called.has(cb)) return;
    round.called.add(cb);
    let err = loadError;
    let dependencyId = acceptedPath;
    if (!cb.self) {
      const outdated = cb.deps.filter((d) => round.loaded.has(d));
      const broken = outdated.find((d) => round.loaded.get(d)?.failed);
      if (broken !== undefined) {
        failed = true;
        dependencyId = broken;
        err = round.loaded.get(broken)?.err;
      } else {
        try {
          await cb.fn(
            outdated.map((d) => round.loaded.get(d)?.mod),
            outdated,
          );
          return;
        } catch (e) {
          err = e;
        }
      }
    } else if (!failed) {
      return;
    }
    const moduleId = webpackId(path);
    /** @type {Record<string, unknown>} */
    const ctx = cb.self ? { moduleId, module: { id: moduleId, hot: registry.webpackHot(path) } } : { moduleId, dependencyId: webpackId(dependencyId) };
    const kind = cb.self ? 'self-accept' : 'accept';
    // The event names the modules; the handler also gets a self-accepting
    // module itself, to accept again.
    const about = cb.self ? { moduleId } : { moduleId, dependencyId: webpackId(dependencyId) };
    if (cb.errorHandler) {
      try {
        await cb.errorHandler(err, ctx);
      } catch (err2) {
        log('error', `${TAG} error in the accept error handler of ${path}:`, err2);
        report({ type: `${kind}-error-handler-errored`, ...about, error: err2, originalError: err }, err2);
      }
      return;
    }
    log('error', `${TAG} error in an accept callback of ${path}:`, err);
    report({ type: `${kind}-errored`, ...about, error: err }, err);
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

/**
 * versionOf is the ?t= of a re-import: the module's version, else the
 * batch's, else now.
 * @param {Record<string, any>} update
 * @param {any} ev
 * @param {string} id
 */
function versionOf(update, ev, id) {
  const v = update.versions && update.versions[id];
  if (isToken(v)) return String(v);
  if (isToken(ev.version)) return String(ev.version);
  return String(Date.now());
}

/** @param {unknown} v a version token, as a decimal string or a number, not 0 */
const isToken = (v) => ((typeof v === 'string' && /^\d+$/.test(v)) || (typeof v === 'number' && Number.isInteger(v) && v >= 0)) && String(v) !== '0';

/**
 * explicitImportRequired: whether module id is JavaScript only with
 * ?import (Vite's isExplicitImportRequired): a stylesheet, JSON or an asset
 * imported from JS, as the dev server rewrites its import specifiers;
 * without it the file itself comes back.
 * @param {string} id
 */
export function explicitImportRequired(id) {
  const q = id.indexOf('?');
  const path = q < 0 ? id : id.slice(0, q);
  const query = q < 0 ? '' : id.slice(q + 1);
  const name = path.slice(path.lastIndexOf('/') + 1);
  return name.includes('.') && !JS_FILE.test(name) && !query.split('&').some((p) => p === 'import' || p.startsWith('import='));
}

/**
 * viteUpdates turns an hmrd.v1.Update's items into Vite's Update objects
 * (the items of vite:beforeUpdate's payload, and what the runtime applies),
 * dropping malformed items and types it does not know. hmrd's chain rides
 * along.
 * @param {Record<string, any>} update
 * @param {any} ev
 * @returns {ViteUpdate[]}
 */
export function viteUpdates(update, ev) {
  /** @type {unknown[]} */
  const list = Array.isArray(update.updates) ? update.updates : [];
  /** @type {ViteUpdate[]} */
  const out = [];
  for (const item of list) {
    if (!item || typeof item !== 'object' || typeof (/** @type {ModuleUpdate} */ (item).path) !== 'string') continue;
    const mu = /** @type {ModuleUpdate} */ (item);
    const type = updateType(mu.type);
    if (!type) continue;
    const acceptedPath = typeof mu.acceptedPath === 'string' && mu.acceptedPath ? mu.acceptedPath : mu.path;
    /** @type {ViteUpdate} */
    const u = {
      type: type === 'css' ? 'css-update' : 'js-update',
      path: mu.path,
      acceptedPath,
      timestamp: Number(versionOf(update, ev, acceptedPath)),
      explicitImportRequired: type === 'js' && explicitImportRequired(acceptedPath),
      isWithinCircularImport: mu.isWithinCircularImport === true,
    };
    const first = mu.firstInvalidatedBy || update.firstInvalidatedBy;
    if (typeof first === 'string' && first) u.firstInvalidatedBy = first;
    if (Array.isArray(mu.chain)) u.chain = mu.chain;
    out.push(u);
  }
  return out;
}

/**
 * @param {unknown} t a ModuleUpdate's type, as a name or a number
 * @returns {'js' | 'css' | ''}
 */
function updateType(t) {
  if (t === 'UPDATE_TYPE_CSS' || t === 2) return 'css';
  if (t === undefined || t === 'UPDATE_TYPE_JS' || t === 1 || t === 'UPDATE_TYPE_UNSPECIFIED' || t === 0) return 'js';
  return '';
}
