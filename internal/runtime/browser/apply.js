// @ts-check
// Applying one Update, for the hot manager (manager.js): as Vite's client
// does, every boundary's update at once (the dispose callbacks of the
// module it replaces, then the import of its new code), then, once every
// import settled, the accept callbacks in payload order; with webpack's
// dispose and apply statuses, its accept error handlers and its events.
// Shared by both runtimes, like manager.js.

import { TAG, noop, webpackId } from './common.js';

/** @import { ModuleUpdate, ViteUpdate, WebpackApplyOptions, WebpackStatus, WebpackModuleEffect, WebpackErrorEvent } from './hot.js' */
/** @import { AcceptCallback } from './registry.js' */
/** @import { ManagerDeps } from './manager.js' */

/** What the dev server and Node serve as JavaScript modules as they are. */
const JS_FILE = /\.(?:js|mjs|cjs|jsx|ts|mts|cts|tsx)$/i;

/**
 * @typedef {ViteUpdate & { callbacks: AcceptCallback[] }} Job
 */

/**
 * createUpdater builds runUpdate over the manager's deps and its setStatus.
 * @param {ManagerDeps & { setStatus: (s: WebpackStatus) => Promise<void> }} deps
 */
export function createUpdater(deps) {
  const { registry, log, setStatus } = deps;
  const { instances, emit } = registry;

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

  return { runUpdate };
}

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
