// @ts-check
// import.meta.webpackHot: webpack 5's module.hot API over one module
// instance of the registry (registry.js), whose accept callbacks, declines
// and dispose handlers it records; status, check and apply are the hot
// manager's (manager.js). Shared by both runtimes, like registry.js.

import { noop, webpackId } from './common.js';

/** @import { WebpackHotContext, WebpackHotManager, WebpackStatus } from './hot.js' */
/** @import { Instance } from './registry.js' */

/**
 * @typedef {object} WebpackHotDeps
 * @property {Instance} inst the module instance
 * @property {(dep: unknown) => string} resolve a specifier of the module → module ID
 * @property {() => void} invalidate
 * @property {() => WebpackHotManager | null} manager
 */

/**
 * createWebpackHot builds import.meta.webpackHot for one instance.
 * @param {WebpackHotDeps} deps
 * @returns {WebpackHotContext}
 */
export function createWebpackHot({ inst, resolve, invalidate, manager }) {
  const path = inst.path;
  const mgr = () => {
    const m = manager();
    if (!m) throw new Error('webpackHot: this runtime applies no updates');
    return m;
  };
  /** @type {WebpackHotContext} */
  const hot = {
    get data() {
      return inst.wpData;
    },
    get active() {
      return inst.live;
    },
    /**
     * @param {unknown} [dep]
     * @param {unknown} [callback]
     * @param {unknown} [errorHandler]
     */
    accept(dep, callback, errorHandler) {
      if (!inst.live) return;
      if (dep === undefined || typeof dep === 'function') {
        // Self-accept: the module runs again; dep is the error handler.
        const handler = typeof dep === 'function' ? /** @type {(err: unknown, ctx: any) => unknown} */ (dep) : undefined;
        inst.callbacks.push({ deps: [path], fn: noop, webpack: true, self: true, errorHandler: handler });
        return;
      }
      const ids = (Array.isArray(dep) ? dep : [dep]).map(resolve);
      const cb = typeof callback === 'function' ? /** @type {(outdated: string[], mods: unknown[]) => unknown} */ (callback) : noop;
      inst.callbacks.push({
        deps: ids,
        // webpack's callback gets the outdated dependencies' IDs, once per
        // update; hmrd adds their new module namespaces, since an ES
        // module's imported bindings cannot be swapped under it.
        fn: (mods, outdated = []) => cb(outdated.map(webpackId), mods),
        webpack: true,
        errorHandler: typeof errorHandler === 'function' ? /** @type {(err: unknown, ctx: any) => unknown} */ (errorHandler) : undefined,
      });
    },
    decline(dep) {
      if (!inst.live) return;
      if (dep === undefined) inst.declined = true;
      else for (const d of Array.isArray(dep) ? dep : [dep]) inst.declinedDeps.add(resolve(d));
    },
    dispose(cb) {
      if (inst.live && typeof cb === 'function') inst.wpDispose.push(cb);
    },
    addDisposeHandler(cb) {
      if (inst.live && typeof cb === 'function') inst.wpDispose.push(cb);
    },
    removeDisposeHandler(cb) {
      const i = inst.wpDispose.indexOf(cb);
      if (i >= 0) inst.wpDispose.splice(i, 1);
    },
    invalidate() {
      invalidate();
    },
    check(autoApply) {
      return mgr().check(autoApply);
    },
    apply(options) {
      return mgr().apply(options);
    },
    /** @param {(status: WebpackStatus) => unknown} [handler] */
    status(handler) {
      if (typeof handler === 'function') {
        mgr().addStatusHandler(handler);
        return undefined;
      }
      const m = manager();
      return /** @type {any} */ (m ? m.status : 'idle');
    },
    addStatusHandler(handler) {
      mgr().addStatusHandler(handler);
    },
    removeStatusHandler(handler) {
      mgr().removeStatusHandler(handler);
    },
  };
  return hot;
}
