// @ts-check
// The hot context registry: the module instances that created a hot
// context, hot.data per module ID, event listeners, import.meta.hot itself
// (accept, dispose, prune, data, on, off, send, invalidate) and
// import.meta.webpackHot (webpack's module.hot API over the same
// instances). It also reports each module that created a context, once.
//
// This file is shared by the browser runtime and the Node.js runtime: the
// Node package holds a byte-identical copy (clients/node/lib/runtime/shared),
// so it must not touch anything only one of them has.

import { TAG, EVENT_PREFIXES, noop, webpackId } from './common.js';
import { createWebpackHot } from './webpackhot.js';
import { createViteHot } from './vitehot.js';

export { webpackId };

/** @import { HotContext, WebpackHotContext, WebpackHotManager } from './hot.js' */
/** @import { Log } from './common.js' */

/**
 * An accept callback. Vite's get the new modules; webpack's (webpack true)
 * get the outdated dependencies' IDs and may have an error handler, called
 * when the callback, or the re-import it waits for, throws.
 * @typedef {object} AcceptCallback
 * @property {string[]} deps module IDs; the updated one's slot gets its new module
 * @property {(mods: unknown[], outdated?: string[]) => unknown} fn webpack's get the outdated deps' modules and IDs
 * @property {boolean} [webpack]
 * @property {boolean} [self] a webpack self-accept
 * @property {(err: unknown, ctx: any) => unknown} [errorHandler]
 */

/** @typedef {(data: any) => unknown} DataCallback */

/** @typedef {(payload: any) => unknown} Listener */

/**
 * One executed instance of a module: what it registered through its hot
 * context. A replaced or pruned instance is retired (live false, emptied).
 * @typedef {object} Instance
 * @property {string} path
 * @property {string} url where the runtime loaded it from ('' when it does not say)
 * @property {boolean} live
 * @property {AcceptCallback[]} callbacks
 * @property {DataCallback[]} dispose
 * @property {DataCallback[]} prune
 * @property {DataCallback[]} wpDispose webpack's dispose handlers: they fill a fresh data object
 * @property {any} wpData webpackHot.data: what the previous instance's handlers left, undefined at first
 * @property {boolean} declined decline() without arguments
 * @property {Set<string>} declinedDeps decline(deps), as module IDs
 */

/**
 * @typedef {object} InvalidateRequest
 * @property {string} module
 * @property {string} firstInvalidatedBy
 * @property {string} [message]
 */

/**
 * @typedef {object} RegistryDeps
 * @property {Log} log
 * @property {(path: string) => void} loaded a module created its first hot context (again after a prune)
 * @property {(req: InvalidateRequest) => void} invalidate hot.invalidate(): the daemon re-propagates
 * @property {(event: string, data: string | undefined) => void} send hot.send(): a custom event, data as JSON text
 * @property {(id: string) => string} [resolveId] maps the module ID a relative accept/decline specifier
 *   names to the module the daemon resolves it to (Node's TypeScript: `./x.js` for `./x.ts`); default as is
 */

/**
 * createRegistry builds the registry of one runtime.
 * @param {RegistryDeps} deps
 */
export function createRegistry({ log, loaded, invalidate, send, resolveId = (id) => id }) {
  /** path → the current Instance (the module instance that registered last). @type {Map<string, Instance>} */
  const instances = new Map();
  /** path → hot.data, shared by every instance of the module. @type {Map<string, any>} */
  const dataMap = new Map();
  /** event → listeners in registration order; owner is an Instance or null. @type {Map<string, { fn: Listener, owner: Instance | null }[]>} */
  const listeners = new Map();
  /** The firstInvalidatedBy of the update being applied, if any. @type {string | undefined} */
  let currentFirstInvalidatedBy;
  /** path → the data object webpack's dispose handlers of the last instance filled. @type {Map<string, any>} */
  const wpDataMap = new Map();
  /** status, check and apply of webpackHot; set by the hot manager. @type {WebpackHotManager | null} */
  let manager = null;

  /** @param {string} path */
  function dataOf(path) {
    let data = dataMap.get(path);
    if (!data) {
      data = {};
      dataMap.set(path, data);
    }
    return data;
  }

  /**
   * @param {string} event
   * @param {Listener} fn
   * @param {Instance | null} owner
   */
  function addListener(event, fn, owner) {
    let list = listeners.get(event);
    if (!list) listeners.set(event, (list = []));
    list.push({ fn, owner });
  }

  /**
   * @param {string} event
   * @param {Listener} fn
   */
  function removeListener(event, fn) {
    const list = listeners.get(event);
    if (!list) return;
    const kept = list.filter((l) => l.fn !== fn);
    if (kept.length) listeners.set(event, kept);
    else listeners.delete(event);
  }

  /**
   * retire drops what a module instance registered: it is replaced or pruned.
   * @param {Instance} inst
   */
  function retire(inst) {
    inst.live = false;
    inst.callbacks = [];
    inst.dispose = [];
    inst.prune = [];
    inst.wpDispose = [];
    for (const [event, list] of listeners) {
      const kept = list.filter((l) => l.owner !== inst);
      if (kept.length) listeners.set(event, kept);
      else listeners.delete(event);
    }
  }

  /**
   * dispatch runs the listeners of one event name in order, awaiting each;
   * one that throws is logged.
   * @param {string} event
   * @param {unknown} payload
   */
  async function dispatch(event, payload) {
    const list = listeners.get(event);
    if (!list) return;
    for (const { fn } of list.slice()) {
      try {
        await fn(payload);
      } catch (err) {
        log('error', `${TAG} error in a ${event} listener:`, err);
      }
    }
  }

  /**
   * emit dispatches a runtime event under each prefix.
   * @param {string} name without prefix: beforeUpdate, ws:connect, …
   * @param {unknown} payload
   */
  async function emit(name, payload) {
    for (const prefix of EVENT_PREFIXES) await dispatch(prefix + name, payload);
  }

  /**
   * runDisposers runs and drops the dispose callbacks of an instance: Vite's
   * with hot.data, then webpack's with a fresh object that becomes the next
   * instance's webpackHot.data.
   * @param {Instance} inst
   */
  async function runDisposers(inst) {
    const fns = inst.dispose.splice(0);
    for (const fn of fns) {
      try {
        await fn(dataOf(inst.path));
      } catch (err) {
        log('error', `${TAG} error in a dispose callback of ${inst.path}:`, err);
      }
    }
    /** @type {Record<string, unknown>} */
    const data = {};
    for (const fn of inst.wpDispose.splice(0)) {
      try {
        fn(data);
      } catch (err) {
        log('error', `${TAG} error in a dispose handler of ${inst.path}:`, err);
      }
    }
    wpDataMap.set(inst.path, data);
  }

  /**
   * prunePaths forgets modules no live module imports any more, as Vite's
   * prunePaths: the dispose callbacks of every one of them, then their prune
   * callbacks, then their instances and hot.data go (a module imported
   * again starts afresh).
   * @param {string[]} paths
   */
  async function prunePaths(paths) {
    const pruned = paths.map((path) => instances.get(path));
    try {
      await Promise.all(pruned.map((inst) => inst && runDisposers(inst)));
      await Promise.all(
        pruned.map(async (inst) => {
          if (!inst) return;
          for (const fn of inst.prune.splice(0)) {
            try {
              await fn(dataOf(inst.path));
            } catch (err) {
              log('error', `${TAG} error in a prune callback of ${inst.path}:`, err);
            }
          }
        }),
      );
    } finally {
      paths.forEach((path, i) => {
        const inst = pruned[i];
        if (inst) {
          retire(inst);
          if (instances.get(path) === inst) instances.delete(path);
        }
        dataMap.delete(path);
        wpDataMap.delete(path);
        reported.delete(path); // imported again, it is reported again
      });
    }
  }

  // Modules that created a hot context are reported once (the runtime
  // batches them): a lazily imported module counts as loaded for the
  // daemon only when it knows.
  const reported = new Set();

  /** @param {string} path */
  function noteLoaded(path) {
    if (reported.has(path)) return;
    reported.add(path);
    loaded(path);
  }

  /** A specifier relative to module path becomes a module ID. @param {string} path @param {unknown} dep */
  function resolveDep(path, dep) {
    const s = String(dep);
    if (!s.startsWith('./') && !s.startsWith('../')) return s;
    try {
      return resolveId(new URL(s, 'http://hmrd.invalid' + path).pathname);
    } catch {
      return s;
    }
  }

  /**
   * sendInvalidate is invalidate() of both APIs: the daemon propagates from
   * the module's importers.
   * @param {string} path
   * @param {unknown} message
   */
  function sendInvalidate(path, message) {
    const firstInvalidatedBy = currentFirstInvalidatedBy || path;
    const payload = { path, message, firstInvalidatedBy };
    /** @type {InvalidateRequest} */
    const req = { module: path, firstInvalidatedBy };
    if (message !== undefined && message !== null && message !== '') req.message = String(message);
    // Every prefix's listeners start now, as Vite's client calls them
    // all before it logs: what an invalidate listener prints comes
    // before the runtime's line, and both before the accept callback
    // that invalidated returns.
    Promise.all(EVENT_PREFIXES.map((prefix) => dispatch(prefix + 'invalidate', payload))).catch(noop);
    invalidate(req);
    log('debug', `${TAG} invalidate ${path}${req.message ? ': ' + req.message : ''}`);
  }

  /**
   * createHotContext is import.meta.hot for a new instance of the module
   * ownerPath (a module ID) loaded from url; it retires the previous
   * instance.
   * @param {string} ownerPath
   * @param {string} [url]
   * @returns {HotContext}
   */
  function createHotContext(ownerPath, url = '') {
    const path = String(ownerPath);
    /** @type {Instance} */
    const inst = {
      path,
      url,
      live: true,
      callbacks: [],
      dispose: [],
      prune: [],
      wpDispose: [],
      wpData: wpDataMap.get(path),
      declined: false,
      declinedDeps: new Set(),
    };
    wpDataMap.delete(path);
    const old = instances.get(path);
    if (old) retire(old);
    instances.set(path, inst);
    dataOf(path);
    noteLoaded(path);

    return createViteHot({
      inst,
      data: () => dataOf(path),
      resolve: (dep) => resolveDep(path, dep),
      invalidate: (message) => sendInvalidate(path, message),
      on: (event, fn) => addListener(event, fn, inst),
      off: removeListener,
      send,
      log,
    });
  }

  /**
   * webpackHot is import.meta.webpackHot for the instance of module path
   * that createHotContext made last (the statement the dev server or the
   * Node hooks inject calls both, in that order).
   * @param {string} ownerPath
   * @returns {WebpackHotContext}
   */
  function webpackHot(ownerPath) {
    const path = String(ownerPath);
    const inst = instances.get(path) || (createHotContext(path), /** @type {Instance} */ (instances.get(path)));
    return createWebpackHot({
      inst,
      resolve: (dep) => resolveDep(path, dep),
      invalidate: () => sendInvalidate(path, undefined),
      manager: () => manager,
    });
  }

  return {
    instances,
    dataOf,
    addListener,
    removeListener,
    dispatch,
    emit,
    runDisposers,
    prunePaths,
    createHotContext,
    webpackHot,
    /** The status, check and apply behind webpackHot. */
    get manager() {
      return manager;
    },
    set manager(m) {
      manager = m;
    },
    /** The firstInvalidatedBy of the update being applied: hot.invalidate() passes it on. */
    get firstInvalidatedBy() {
      return currentFirstInvalidatedBy;
    },
    set firstInvalidatedBy(v) {
      currentFirstInvalidatedBy = v;
    },
  };
}

/** @typedef {ReturnType<typeof createRegistry>} Registry */
