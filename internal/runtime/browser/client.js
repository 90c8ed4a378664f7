// @ts-check
// hmrd browser runtime: import.meta.hot for pages served by `hmrd serve`.
//
// This is the entry module. The dev server serves it at /@hmrd/client.js
// with one line prepended, `const __HMRD_CONFIG__ = {"token":…,"wsPath":…,"project":…};`,
// and the modules it imports next to it (/@hmrd/runtime.js, …) as they
// are. Into every module that mentions import.meta.hot it injects:
//
//   import { createHotContext as __hmrd_hot } from '/@hmrd/client.js';
//   import.meta.hot = __hmrd_hot('/src/app.js');
//
// and into one that mentions import.meta.webpackHot, also webpackHot, and
//   import.meta.webpackHot = __hmrd_whot('/src/app.js');
//
// The runtime subscribes to the daemon over a WebSocket (connection.js),
// keeps the hot contexts (registry.js), applies signals in order with
// Vite's import.meta.hot semantics (update.js), and touches the DOM for
// stylesheets (styles.js) and the error overlay (overlay.js); runtime.js
// puts them together. This module holds the page's one runtime.

import { createRuntime } from './runtime.js';

export { createRuntime };

/** @import { HmrdConfig, Runtime, RuntimeDeps } from './hot.js' */

/**
 * The page's runtime lives on globalThis under this key, not in this
 * module: a second copy of the runtime's modules (another URL for
 * client.js) finds it there, so a page has one registry and one
 * connection however its modules were loaded.
 */
const PAGE_RUNTIME = Symbol.for('hmrd.pageRuntime');

/**
 * @typedef {object} PageRuntime
 * @property {Runtime} runtime
 * @property {boolean} configured made with the dev server's config (and started)
 */

const holder = /** @type {Record<symbol, PageRuntime | undefined>} */ (/** @type {unknown} */ (globalThis));

/**
 * @param {HmrdConfig | null} config
 * @returns {RuntimeDeps}
 */
function browserDeps(config) {
  const g = globalThis;
  return {
    WebSocket: g.WebSocket,
    location: g.location || null,
    document: g.document || null,
    importModule: (url) => import(url),
    reload: () => g.location.reload(),
    console: g.console,
    setTimeout: (fn, ms) => g.setTimeout(fn, ms),
    clearTimeout: (t) => g.clearTimeout(/** @type {number | undefined} */ (t)),
    random: Math.random,
    config: config || { token: '' },
    fetchConfig: typeof g.fetch === 'function' ? fetchPageConfig : null,
    fetchedModules: pageFetches(),
  };
}

/**
 * pageFetches is the set of paths this page fetched from its own origin,
 * from the browser's resource timing (kept in a set of our own: the
 * browser's buffer holds only the first few hundred entries). Module IDs
 * are those paths: the dev server serves a module at its ID.
 * @returns {RuntimeDeps['fetchedModules']}
 */
function pageFetches() {
  const g = globalThis;
  if (typeof g.PerformanceObserver !== 'function' || !g.location) return null;
  /** @type {Set<string>} */
  const paths = new Set();
  /** @type {Array<() => void>} */
  const listeners = [];
  const origin = g.location.origin;
  /** @param {PerformanceEntryList} entries */
  const add = (entries) => {
    let more = false;
    for (const e of entries) {
      try {
        const u = new URL(e.name);
        if (u.origin !== origin) continue;
        const p = decodeURIComponent(u.pathname);
        if (!paths.has(p)) {
          paths.add(p);
          more = true;
        }
      } catch {
        // not a URL this page can name a module by
      }
    }
    if (more) for (const l of listeners) l();
  };
  try {
    new g.PerformanceObserver((list) => add(list.getEntries())).observe({ type: 'resource', buffered: true });
  } catch {
    return null;
  }
  return {
    has: (module) => paths.has(module),
    onChange: (changed) => {
      listeners.push(changed);
    },
  };
}

/**
 * fetchPageConfig reads the config line the dev server prepends to this
 * file: a restarted daemon has a new token.
 * @returns {Promise<HmrdConfig | null>}
 */
async function fetchPageConfig() {
  const res = await fetch(import.meta.url, { cache: 'no-store' });
  if (!res.ok) return null;
  const text = await res.text();
  const eol = text.indexOf('\n');
  const line = eol < 0 ? text : text.slice(0, eol);
  const start = line.indexOf('{');
  const end = line.lastIndexOf('}');
  return start >= 0 && end > start ? JSON.parse(line.slice(start, end + 1)) : null;
}

/**
 * runtime is the page's runtime; without one configured yet (no config
 * line, or no window), one that never connects.
 * @returns {Runtime}
 */
function runtime() {
  let page = holder[PAGE_RUNTIME];
  if (!page) holder[PAGE_RUNTIME] = page = { runtime: createRuntime(browserDeps(null)), configured: false };
  return page.runtime;
}

/**
 * createHotContext returns import.meta.hot for the module ownerPath (a module ID).
 * @param {string} ownerPath
 */
export function createHotContext(ownerPath) {
  return runtime().createHotContext(ownerPath);
}

/**
 * webpackHot returns import.meta.webpackHot for the module ownerPath: the
 * instance createHotContext made last for it.
 * @param {string} ownerPath
 */
export function webpackHot(ownerPath) {
  return runtime().webpackHot(ownerPath);
}

/**
 * updateStyle sets the CSS of the style module id (one <style> per id).
 * @param {string} id
 * @param {string} css
 */
export function updateStyle(id, css) {
  runtime().updateStyle(id, css);
}

/**
 * removeStyle removes the <style> of the style module id.
 * @param {string} id
 */
export function removeStyle(id) {
  runtime().removeStyle(id);
}

// __HMRD_CONFIG__ is the line the dev server prepends (see globals.d.ts).
if (typeof __HMRD_CONFIG__ !== 'undefined' && typeof window !== 'undefined' && !holder[PAGE_RUNTIME]?.configured) {
  const rt = createRuntime(browserDeps(__HMRD_CONFIG__));
  holder[PAGE_RUNTIME] = { runtime: rt, configured: true };
  rt.start();
  // Leaving the page closes the socket quietly; a page restored from the
  // back/forward cache resumes from where it stopped.
  window.addEventListener('pagehide', () => rt.stop());
  window.addEventListener('pageshow', (ev) => {
    if (ev.persisted) rt.start();
  });
}
