// The hot context registry of the Node.js runtime, with the browser
// runtime's semantics (internal/runtime/browser/registry.js): the module
// instances that created a hot context, hot.data per module ID, event
// listeners, and import.meta.hot itself.

export const TAG = '[hmrd]';
const EVENT_PREFIXES = ['hmrd:', 'vite:'];
const noop = () => {};

/**
 * @typedef {object} AcceptCallback
 * @property {string[]} deps module IDs; the updated one's slot gets its new module
 * @property {(mods: unknown[]) => unknown} fn
 */

/**
 * One executed instance of a module: what it registered through its hot
 * context. A replaced or pruned instance is retired (live false, emptied).
 * @typedef {object} Instance
 * @property {string} path
 * @property {string} url the URL Node loaded it from
 * @property {boolean} live
 * @property {AcceptCallback[]} callbacks
 * @property {Array<(data: any) => unknown>} dispose
 * @property {Array<(data: any) => unknown>} prune
 */

/**
 * @typedef {object} RegistryDeps
 * @property {(level: 'debug' | 'info' | 'warn' | 'error', ...args: unknown[]) => void} log
 * @property {(id: string) => void} loaded a module created a hot context
 * @property {(req: { module: string, firstInvalidatedBy: string, message?: string }) => void} invalidate
 * @property {(event: string, data: string | undefined) => void} send
 * @property {(id: string) => string} [resolveId] maps the module ID a
 *   relative accept/decline specifier names to the module the daemon
 *   resolves it to (TypeScript's `./x.js` for `./x.ts`); default as is
 */

/** @param {RegistryDeps} deps */
export function createRegistry({ log, loaded, invalidate, send, resolveId = (id) => id }) {
  /** path → the current Instance. @type {Map<string, Instance>} */
  const instances = new Map();
  /** path → hot.data, shared by every instance of the module. @type {Map<string, any>} */
  const dataMap = new Map();
  /** @type {Map<string, { fn: (payload: any) => unknown, owner: Instance | null }[]>} */
  const listeners = new Map();
  /** The firstInvalidatedBy of the update being applied. @type {string | undefined} */
  let currentFirstInvalidatedBy;

  /** @param {string} path */
  function dataOf(path) {
    let data = dataMap.get(path);
    if (!data) dataMap.set(path, (data = {}));
    return data;
  }

  /**
   * @param {string} event
   * @param {(payload: any) => unknown} fn
   * @param {Instance | null} owner
   */
  function addListener(event, fn, owner) {
    let list = listeners.get(event);
    if (!list) listeners.set(event, (list = []));
    list.push({ fn, owner });
  }

  /**
   * @param {string} event
   * @param {(payload: any) => unknown} fn
   */
  function removeListener(event, fn) {
    const list = listeners.get(event);
    if (!list) return;
    const kept = list.filter((l) => l.fn !== fn);
    if (kept.length) listeners.set(event, kept);
    else listeners.delete(event);
  }

  /** @param {Instance} inst */
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
   * dispatch runs the listeners of one event in order, awaiting each; one
   * that throws is logged.
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
   * @param {string} name
   * @param {unknown} payload
   */
  async function emit(name, payload) {
    for (const prefix of EVENT_PREFIXES) await dispatch(prefix + name, payload);
  }

  /** @param {Instance} inst */
  async function runDisposers(inst) {
    for (const fn of inst.dispose.splice(0)) {
      try {
        await fn(dataOf(inst.path));
      } catch (err) {
        log('error', `${TAG} error in a dispose callback of ${inst.path}:`, err);
      }
    }
  }

  /**
   * prunePaths, as Vite's: the dispose callbacks of every pruned module,
   * then their prune callbacks; then their instances and hot.data go.
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
      });
    }
  }

  /**
   * createHotContext is import.meta.hot for a new instance of the module
   * path (a module ID) loaded from url; it retires the previous instance.
   * @param {string} path
   * @param {string} url
   * @returns {import('../../hot.js').HotContext}
   */
  function createHotContext(path, url) {
    /** @type {Instance} */
    const inst = { path, url, live: true, callbacks: [], dispose: [], prune: [] };
    const old = instances.get(path);
    if (old) retire(old);
    instances.set(path, inst);
    dataOf(path);
    loaded(path);

    /**
     * @param {string[]} depList
     * @param {AcceptCallback['fn']} fn
     */
    const acceptDeps = (depList, fn) => {
      if (inst.live) inst.callbacks.push({ deps: depList, fn });
    };
    /** A specifier relative to this module becomes a module ID. @param {unknown} dep */
    const resolveDep = (dep) => {
      const s = String(dep);
      if (!s.startsWith('./') && !s.startsWith('../')) return s;
      try {
        return resolveId(new URL(s, 'http://hmrd.invalid' + path).pathname);
      } catch {
        return s;
      }
    };

    return {
      get data() {
        return dataOf(path);
      },
      accept(/** @type {unknown} */ deps, /** @type {((mod: any) => void) | undefined} */ callback) {
        if (typeof deps === 'function' || deps == null) {
          const cb = /** @type {((mod: unknown) => void) | undefined} */ (deps);
          acceptDeps([path], ([mod]) => cb?.(mod));
        } else if (typeof deps === 'string') {
          acceptDeps([resolveDep(deps)], ([mod]) => callback?.(mod));
        } else if (Array.isArray(deps)) {
          acceptDeps(deps.map(resolveDep), /** @type {any} */ (callback) || noop);
        } else {
          throw new Error('invalid hot.accept() usage.');
        }
      },
      acceptExports(/** @type {unknown} */ _names, /** @type {((mod: any) => void) | undefined} */ callback) {
        // The names matter to the daemon only; here it is a self-accept.
        acceptDeps([path], ([mod]) => callback?.(mod));
      },
      dispose(/** @type {(data: any) => void} */ cb) {
        if (inst.live && typeof cb === 'function') inst.dispose.push(cb);
      },
      prune(/** @type {(data: any) => void} */ cb) {
        if (inst.live && typeof cb === 'function') inst.prune.push(cb);
      },
      decline() {
        // The daemon reads decline() from the source and restarts instead.
      },
      invalidate(/** @type {string | undefined} */ message) {
        const firstInvalidatedBy = currentFirstInvalidatedBy || path;
        emit('invalidate', { path, message, firstInvalidatedBy }).catch(noop);
        /** @type {{ module: string, firstInvalidatedBy: string, message?: string }} */
        const req = { module: path, firstInvalidatedBy };
        if (message !== undefined && message !== null && message !== '') req.message = String(message);
        invalidate(req);
        log('debug', `${TAG} invalidate ${path}${req.message ? ': ' + req.message : ''}`);
      },
      on(/** @type {string} */ event, /** @type {(payload: any) => void} */ cb) {
        if (inst.live && typeof cb === 'function') addListener(String(event), cb, inst);
      },
      off(/** @type {string} */ event, /** @type {(payload: any) => void} */ cb) {
        removeListener(String(event), cb);
      },
      send(/** @type {string} */ event, /** @type {unknown} */ data) {
        let text;
        try {
          text = JSON.stringify(data);
        } catch (err) {
          log('error', `${TAG} hot.send(${event}): data is not JSON:`, err);
          return;
        }
        send(String(event), text);
      },
    };
  }

  return {
    instances,
    dataOf,
    dispatch,
    emit,
    runDisposers,
    prunePaths,
    createHotContext,
    get firstInvalidatedBy() {
      return currentFirstInvalidatedBy;
    },
    set firstInvalidatedBy(v) {
      currentFirstInvalidatedBy = v;
    },
  };
}

/** @typedef {ReturnType<typeof createRegistry>} Registry */
