// @ts-check
// The hot context registry: the module instances that created a hot
// context, hot.data per module ID, event listeners, and import.meta.hot
// itself (accept, dispose, prune, data, on, off, send, invalidate). It also
// reports each module that created a context to the daemon, once.

import { TAG, EVENT_PREFIXES, noop } from './common.js';

/** @import { HotContext } from './hot.js' */
/** @import { Log, Timers } from './common.js' */

/**
 * @typedef {object} AcceptCallback
 * @property {string[]} deps module IDs; the updated one's slot gets its new module
 * @property {(mods: unknown[]) => unknown} fn
 */

/** @typedef {(data: any) => unknown} DataCallback */

/** @typedef {(payload: any) => unknown} Listener */

/**
 * One executed instance of a module: what it registered through its hot
 * context. A replaced or pruned instance is retired (live false, emptied).
 * @typedef {object} Instance
 * @property {string} path
 * @property {boolean} live
 * @property {AcceptCallback[]} callbacks
 * @property {DataCallback[]} dispose
 * @property {DataCallback[]} prune
 */

/**
 * @typedef {object} RegistryDeps
 * @property {Log} log
 * @property {(msg: object) => void} send sends a hmrd.v1.ClientMessage (queued while offline)
 * @property {Timers['setTimeout']} setTimeout
 */

/**
 * createRegistry builds the registry of one runtime.
 * @param {RegistryDeps} deps
 */
export function createRegistry({ log, send, setTimeout }) {
  /** path → the current Instance (the module instance that registered last). @type {Map<string, Instance>} */
  const instances = new Map();
  /** path → hot.data, shared by every instance of the module. @type {Map<string, any>} */
  const dataMap = new Map();
  /** event → listeners in registration order; owner is an Instance or null. @type {Map<string, { fn: Listener, owner: Instance | null }[]>} */
  const listeners = new Map();
  /** The firstInvalidatedBy of the update being applied, if any. @type {string | undefined} */
  let currentFirstInvalidatedBy;

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
   * runDisposers runs and drops the dispose callbacks of an instance.
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
        reported.delete(path); // imported again, it is reported again
      });
    }
  }

  // Modules that created a hot context are reported once, batched: a lazily
  // imported module counts as loaded for the daemon only when it knows.
  const reported = new Set();
  /** @type {string[]} */
  let pendingLoaded = [];
  let loadedTimer = false;

  /** @param {string} path */
  function noteLoaded(path) {
    if (reported.has(path)) return;
    reported.add(path);
    pendingLoaded.push(path);
    if (loadedTimer) return;
    loadedTimer = true;
    setTimeout(() => {
      loadedTimer = false;
      const modules = pendingLoaded;
      pendingLoaded = [];
      if (modules.length) send({ loaded: { modules } });
    }, 0);
  }

  /**
   * createHotContext is import.meta.hot for a new instance of the module
   * ownerPath (a module ID); it retires the previous instance.
   * @param {string} ownerPath
   * @returns {HotContext}
   */
  function createHotContext(ownerPath) {
    const path = String(ownerPath);
    /** @type {Instance} */
    const inst = { path, live: true, callbacks: [], dispose: [], prune: [] };
    const old = instances.get(path);
    if (old) retire(old);
    instances.set(path, inst);
    dataOf(path);
    noteLoaded(path);

    /**
     * @param {string[]} depList
     * @param {AcceptCallback['fn']} fn
     */
    const acceptDeps = (depList, fn) => {
      if (inst.live) inst.callbacks.push({ deps: depList, fn });
    };
    /** @param {unknown} dep */
    const resolveDep = (dep) => {
      const s = String(dep);
      if (!s.startsWith('./') && !s.startsWith('../')) return s;
      try {
        return new URL(s, 'http://hmrd.invalid' + path).pathname;
      } catch {
        return s;
      }
    };

    return {
      get data() {
        return dataOf(path);
      },
      /**
       * @param {unknown} [deps]
       * @param {(mod: any) => void} [callback]
       */
      accept(deps, callback) {
        if (typeof deps === 'function' || deps == null) {
          const cb = /** @type {((mod: unknown) => void) | undefined} */ (deps);
          acceptDeps([path], ([mod]) => cb?.(mod));
        } else if (typeof deps === 'string') {
          acceptDeps([resolveDep(deps)], ([mod]) => callback?.(mod));
        } else if (Array.isArray(deps)) {
          acceptDeps(deps.map(resolveDep), callback || noop);
        } else {
          throw new Error('invalid hot.accept() usage.');
        }
      },
      /**
       * @param {unknown} _exportNames
       * @param {(mod: any) => void} [callback]
       */
      acceptExports(_exportNames, callback) {
        // The names matter to the daemon only; here it is a self-accept.
        acceptDeps([path], ([mod]) => callback?.(mod));
      },
      /** @param {DataCallback} cb */
      dispose(cb) {
        if (inst.live && typeof cb === 'function') inst.dispose.push(cb);
      },
      /** @param {DataCallback} cb */
      prune(cb) {
        if (inst.live && typeof cb === 'function') inst.prune.push(cb);
      },
      decline() {
        // The daemon reads decline() from the source and reloads instead.
      },
      /** @param {string} [message] */
      invalidate(message) {
        const firstInvalidatedBy = currentFirstInvalidatedBy || path;
        const payload = { path, message, firstInvalidatedBy };
        /** @type {{ module: string, firstInvalidatedBy: string, message?: string }} */
        const req = { module: path, firstInvalidatedBy };
        if (message !== undefined && message !== null && message !== '') req.message = String(message);
        // Every prefix's listeners start now, as Vite's client calls them
        // all before it logs: what an invalidate listener prints comes
        // before the runtime's line, and both before the accept callback
        // that invalidated returns.
        Promise.all(EVENT_PREFIXES.map((prefix) => dispatch(prefix + 'invalidate', payload))).catch(noop);
        send({ invalidate: req });
        log('debug', `${TAG} invalidate ${path}${req.message ? ': ' + req.message : ''}`);
      },
      /**
       * @param {string} event
       * @param {Listener} cb
       */
      on(event, cb) {
        if (inst.live && typeof cb === 'function') addListener(String(event), cb, inst);
      },
      /**
       * @param {string} event
       * @param {Listener} cb
       */
      off(event, cb) {
        removeListener(String(event), cb);
      },
      /**
       * @param {string} event
       * @param {unknown} [data]
       */
      send(event, data) {
        let text;
        try {
          text = JSON.stringify(data);
        } catch (err) {
          log('error', `${TAG} hot.send(${event}): data is not JSON:`, err);
          return;
        }
        /** @type {{ event: string, data?: string }} */
        const custom = { event: String(event) };
        if (text !== undefined) custom.data = text;
        send({ custom });
      },
    };
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
