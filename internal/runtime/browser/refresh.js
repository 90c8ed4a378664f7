// @ts-check
// Fast Refresh glue: what the dev server's refresh transform calls. A
// component module registers its components ($RefreshReg$), signs the
// functions that call hooks ($RefreshSig$) and, when every export is a
// component, accepts itself through accept() below: the new module's
// components replace the old ones in place and keep their state, unless a
// signature changed (they remount).
//
// The framework's runtime comes from the project's own node_modules and is
// handed over by the page's preamble, an inline module the dev server puts
// before every other script (React's must be in place before react-dom
// loads):
//
//   React:  install('react', <the namespace of the react-refresh runtime>)
//   Preact: install('preact', <the namespace of @prefresh/utils>), after
//           loading @prefresh/core, which hooks into preact itself.
//
// Until install() runs (a module loaded by a page without the preamble),
// registering and signing do nothing and accept() refreshes nothing: the
// accept callback invalidates, so the edit propagates as without refresh.

import { TAG } from './common.js';

/** @import { HotContext } from './hot.js' */

/**
 * The functions of react-refresh's runtime this module uses. The copy
 * @vitejs/plugin-react ships has no performReactRefresh export; it
 * refreshes through validateRefreshBoundaryAndEnqueueUpdate instead.
 * @typedef {object} ReactRuntime
 * @property {(global: object) => void} injectIntoGlobalHook
 * @property {(type: unknown, id: string) => void} register
 * @property {() => Signer} createSignatureFunctionForTransform
 * @property {() => unknown} [performReactRefresh]
 * @property {(id: string, prev: object, next: object) => string | undefined} [validateRefreshBoundaryAndEnqueueUpdate]
 */

/**
 * What prefresh puts on self.__PREFRESH__ (the part used here).
 * @typedef {object} Prefresh
 * @property {(type: unknown, id: string) => void} register
 * @property {(type: unknown, key: string, forceReset: boolean | undefined, getCustomHooks: (() => unknown[]) | undefined, status: string) => string} sign
 */

/** @typedef {{ flush: () => void }} PrefreshUtils */

/** @typedef {(type?: unknown, key?: string, forceReset?: boolean, getCustomHooks?: () => unknown[]) => unknown} Signer */

/** @type {{ kind: 'react', rt: ReactRuntime } | { kind: 'preact', utils: PrefreshUtils } | null} */
let installed = null;

/** Enough time for every module of one update to re-run before refreshing. */
const REFRESH_DELAY_MS = 30;

/** @type {ReturnType<typeof setTimeout> | undefined} */
let pending;

/**
 * Installs the framework's runtime; the page's preamble calls it once.
 * @param {'react' | 'preact'} kind
 * @param {unknown} runtime react-refresh's runtime, or @prefresh/utils
 */
export function install(kind, runtime) {
  if (installed) return;
  if (kind === 'react') {
    const rt = /** @type {ReactRuntime} */ (runtime);
    rt.injectIntoGlobalHook(window);
    installed = { kind, rt };
  } else {
    installed = { kind, utils: /** @type {PrefreshUtils} */ (runtime) };
  }
}

/** @returns {Prefresh | undefined} */
function prefresh() {
  return /** @type {{ __PREFRESH__?: Prefresh }} */ (/** @type {unknown} */ (self)).__PREFRESH__;
}

/**
 * Registers a component under its module and name.
 * @param {unknown} type
 * @param {string} id "<module ID> <name>"
 */
export function register(type, id) {
  if (installed?.kind === 'react') installed.rt.register(type, id);
  else if (installed?.kind === 'preact') prefresh()?.register(type, id);
}

/**
 * A new signature function for one function that calls hooks: called once
 * with no arguments when it first runs, and once with the function, its
 * hook key and custom hooks when the module runs.
 * @returns {Signer}
 */
export function signature() {
  if (installed?.kind === 'react') return installed.rt.createSignatureFunctionForTransform();
  const p = installed?.kind === 'preact' ? prefresh() : undefined;
  if (!p) return (type) => type;
  let status = 'begin';
  /** @type {unknown} */
  let saved;
  return (type, key, forceReset, getCustomHooks) => {
    if (!saved) saved = type;
    status = p.sign(type || saved, key ?? '', forceReset, getCustomHooks, status);
    return type;
  };
}

/**
 * Makes a component module accept itself. On an update the new module's
 * exports must still all be components (or values that did not change),
 * under the same names: then the components are refreshed; otherwise the
 * update is handed to the importers with import.meta.hot.invalidate().
 * @param {HotContext} hot
 * @param {string} id the module ID
 * @param {string} url the module's URL (import.meta.url), to read its exports
 */
export function accept(hot, id, url) {
  const current = import(url);
  hot.accept(async (/** @type {Record<string, unknown> | undefined} */ next) => {
    if (!next) return;
    const prev = /** @type {Record<string, unknown>} */ (await current);
    const why = installed ? incompatible(prev, next) : 'no Fast Refresh runtime on this page';
    if (why) {
      hot.invalidate(`Could not Fast Refresh (${why})`);
      return;
    }
    if (installed?.kind === 'react' && !installed.rt.performReactRefresh) {
      const msg = installed.rt.validateRefreshBoundaryAndEnqueueUpdate?.(id, prev, next);
      if (msg) hot.invalidate(msg);
      return;
    }
    schedule();
  });
}

/**
 * Why the new exports cannot be refreshed in place, or '' when they can.
 * @param {Record<string, unknown>} prev
 * @param {Record<string, unknown>} next
 * @returns {string}
 */
export function incompatible(prev, next) {
  for (const key of Object.keys(prev)) {
    if (!(key in next)) return `export "${key}" removed`;
  }
  const keys = Object.keys(next);
  if (keys.length === 0) return 'no exports';
  for (const key of keys) {
    if (!(key in prev)) return `export "${key}" added`;
    if (!componentLike(next[key]) && prev[key] !== next[key]) return `"${key}" export is not a component`;
  }
  return '';
}

const MEMO = Symbol.for('react.memo');
const FORWARD_REF = Symbol.for('react.forward_ref');

/**
 * Whether a value looks like a component: a function with a capitalised
 * name that is not a plain class (a React class component is), or a React
 * memo or forwardRef object.
 * @param {unknown} value
 * @returns {boolean}
 */
export function componentLike(value) {
  if (typeof value === 'function') {
    const proto = value.prototype;
    if (proto != null && !proto.isReactComponent) {
      const own = Object.getOwnPropertyNames(proto);
      if (own.length > 1 || (own.length === 1 && own[0] !== 'constructor')) return false;
      if (Object.getPrototypeOf(proto) !== Object.prototype) return false;
    }
    const name = /** @type {{ displayName?: unknown }} */ (value).displayName ?? value.name;
    return typeof name === 'string' && /^[A-Z]/.test(name);
  }
  if (typeof value === 'object' && value !== null) {
    const t = /** @type {{ $$typeof?: unknown }} */ (value).$$typeof;
    return t === MEMO || t === FORWARD_REF;
  }
  return false;
}

/** Refreshes once the modules of the current update have all run. */
function schedule() {
  clearTimeout(pending);
  pending = setTimeout(() => {
    pending = undefined;
    try {
      if (installed?.kind === 'react') installed.rt.performReactRefresh?.();
      else if (installed?.kind === 'preact') installed.utils.flush();
    } catch (err) {
      console.error(`${TAG} Fast Refresh failed; reloading`, err);
      location.reload();
    }
  }, REFRESH_DELAY_MS);
}
