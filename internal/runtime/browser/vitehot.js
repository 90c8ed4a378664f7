// @ts-check
// import.meta.hot: Vite's API over one module instance of the registry
// (registry.js), whose accept, dispose and prune callbacks and listeners
// it records. Shared by both runtimes, like registry.js.

import { TAG, noop } from './common.js';

/** @import { HotContext } from './hot.js' */
/** @import { Log } from './common.js' */
/** @import { Instance, AcceptCallback, DataCallback, Listener } from './registry.js' */

/**
 * @typedef {object} ViteHotDeps
 * @property {Instance} inst the module instance
 * @property {() => any} data hot.data of the module
 * @property {(dep: unknown) => string} resolve a specifier of the module → module ID
 * @property {(message: unknown) => void} invalidate
 * @property {(event: string, fn: Listener) => void} on adds a listener the instance owns
 * @property {(event: string, fn: Listener) => void} off
 * @property {(event: string, data: string | undefined) => void} send a custom event, data as JSON text
 * @property {Log} log
 */

/**
 * createViteHot builds import.meta.hot for one instance.
 * @param {ViteHotDeps} deps
 * @returns {HotContext}
 */
export function createViteHot({ inst, data, resolve, invalidate, on, off, send: sendCustom, log }) {
  const path = inst.path;
  /**
   * @param {string[]} depList
   * @param {AcceptCallback['fn']} fn
   */
  const acceptDeps = (depList, fn) => {
    if (inst.live) inst.callbacks.push({ deps: depList, fn });
  };

  return {
    get data() {
      return data();
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
        acceptDeps([resolve(deps)], ([mod]) => callback?.(mod));
      } else if (Array.isArray(deps)) {
        acceptDeps(deps.map(resolve), callback || noop);
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
      // The daemon reads decline() from the source and reloads instead;
      // the runtime remembers it to name the decline as webpack does.
      if (inst.live) inst.declined = true;
    },
    /** @param {string} [message] */
    invalidate(message) {
      invalidate(message);
    },
    /**
     * @param {string} event
     * @param {Listener} cb
     */
    on(event, cb) {
      if (inst.live && typeof cb === 'function') on(String(event), cb);
    },
    /**
     * @param {string} event
     * @param {Listener} cb
     */
    off(event, cb) {
      off(String(event), cb);
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
      sendCustom(String(event), text);
    },
  };
}
