// @ts-check
// The error overlay: <hmrd-error-overlay>, a shadow-DOM panel with each
// broken module's error: code, file:line:column, message and code frame.
//
// Errors are state: a module's error stands until the daemon clears it
// (ErrorCleared), and the Hello of every connection says which modules are
// broken, so the overlay shows what stands, not the last event. An applied
// update clears only an error that names no module (such errors are events,
// not state). Esc or a click outside the panels hides the overlay until the
// next error arrives.

import { TAG, errorLocation } from './common.js';

/** @import { Log } from './common.js' */

export const OVERLAY_TAG = 'hmrd-error-overlay';

/**
 * The fields of an hmrd.v1.Error the overlay shows.
 * @typedef {object} OverlayError
 * @property {string} [code]
 * @property {string} [message]
 * @property {string} [module]
 * @property {string} [file]
 * @property {number} [line]
 * @property {number} [column]
 * @property {string} [frame]
 */

/**
 * The modules a page has fetched, as far as the page can tell.
 * @typedef {object} FetchedModules
 * @property {(module: string) => boolean} has
 * @property {(changed: () => void) => void} onChange called when more are fetched
 */

/**
 * createOverlay builds the overlay of one runtime. With fetched, it shows
 * the errors of the modules the page fetched (and of pages, which it
 * cannot tell apart from its own), as Vite's pages show the errors of what
 * they asked for: a project's other broken modules stay off this page, and
 * an error appears when its module is fetched. Without fetched, every
 * error shows.
 * @param {{ document: Document | null, log: Log, fetched?: FetchedModules | null }} deps
 */
export function createOverlay({ document: doc, log, fetched = null }) {
  /** @type {{ host: Element, onKey: (ev: KeyboardEvent) => void } | null} */
  let overlay = null;
  /** The standing errors by module, in the order they arrived. @type {Map<string, OverlayError>} */
  const standing = new Map();
  /** Errors that name no module, until the next applied update. @type {OverlayError[]} */
  let loose = [];
  let hidden = false;

  function unmount() {
    if (!overlay || !doc) return;
    const { host, onKey } = overlay;
    overlay = null;
    try {
      doc.removeEventListener('keydown', onKey);
      host.remove();
    } catch {
      // the page removed it already
    }
  }

  /** The errors already written to the console, by module. @type {WeakSet<OverlayError>} */
  const logged = new WeakSet();

  /**
   * relevant: whether this page shows the error of module.
   * @param {string} module
   */
  function relevant(module) {
    const q = module.indexOf('?');
    const path = q < 0 ? module : module.slice(0, q);
    return !fetched || path.endsWith('.html') || fetched.has(path);
  }

  /** The errors to show, the latest first. */
  function errors() {
    return [...loose, ...[...standing.values()].filter((e) => relevant(String(e.module)))].reverse();
  }

  /** logNew writes the standing errors shown for the first time to the console. */
  function logNew() {
    for (const e of errors()) {
      if (logged.has(e)) continue;
      logged.add(e);
      const where = errorLocation(e);
      log('error', `${TAG} ${e.code || 'error'}${where ? ' in ' + where : ''}: ${e.message || ''}`);
    }
  }

  // More modules fetched: errors of theirs that stand now show.
  let shownCount = 0;
  fetched?.onChange(() => {
    if (standing.size === 0 || hidden) return;
    const n = errors().length;
    if (n === shownCount) return;
    logNew();
    render();
  });

  /** render puts what stands on the page, or takes the overlay away. */
  function render() {
    unmount();
    const list = errors();
    shownCount = hidden ? 0 : list.length;
    if (!doc || hidden || list.length === 0) return;
    const d = doc;
    try {
      const host = d.createElement(OVERLAY_TAG);
      const root = host.attachShadow({ mode: 'open' });
      /**
       * @param {string} tag
       * @param {string} [cls]
       * @param {string} [text]
       */
      const el = (tag, cls, text) => {
        const node = d.createElement(tag);
        if (cls) node.setAttribute('class', cls);
        if (text) node.textContent = text;
        return node;
      };
      root.appendChild(el('style', '', OVERLAY_CSS));
      const box = el('div', 'box');
      if (list.length > 1) box.appendChild(el('div', 'count', `${list.length} errors`));
      for (const e of list) {
        const panel = el('div', 'panel');
        panel.appendChild(el('div', 'code', e.code || 'ERROR'));
        const loc = errorLocation(e);
        if (loc) panel.appendChild(el('div', 'file', loc));
        panel.appendChild(el('div', 'message', e.message || ''));
        if (e.frame) panel.appendChild(el('pre', 'frame', e.frame));
        box.appendChild(panel);
      }
      box.appendChild(el('div', 'tip', 'Fix the file and save: its error goes once it is fixed. Click outside or press Esc to close.'));
      box.addEventListener('click', (ev) => ev.stopPropagation());
      root.appendChild(box);
      /** @param {KeyboardEvent} ev */
      const onKey = (ev) => {
        if (ev && ev.key === 'Escape') hide();
      };
      host.addEventListener('click', () => hide());
      d.addEventListener('keydown', onKey);
      (d.body || d.documentElement).appendChild(host);
      overlay = { host, onKey };
    } catch (err) {
      log('error', `${TAG} cannot show the error overlay:`, err);
    }
  }

  function hide() {
    hidden = true;
    unmount();
  }

  /**
   * show adds an Error: it replaces the module's earlier error.
   * @param {OverlayError} e
   */
  function show(e) {
    logged.add(e); // the update queue wrote it to the console
    if (typeof e.module === 'string' && e.module) {
      standing.delete(e.module); // the latest goes on top
      standing.set(e.module, e);
    } else {
      loose.push(e);
    }
    hidden = false;
    render();
  }

  /** clear is what an applied update calls: errors without a module go. */
  function clear() {
    if (loose.length === 0) return;
    loose = [];
    render();
  }

  /**
   * resolve removes the errors of modules (an ErrorCleared).
   * @param {unknown} modules
   */
  function resolve(modules) {
    if (!Array.isArray(modules)) return;
    let changed = false;
    for (const m of modules) changed = standing.delete(String(m)) || changed;
    if (changed) render();
  }

  /**
   * reset replaces every error with those of a Hello: what stands now.
   * @param {unknown} list
   */
  function reset(list) {
    const before = JSON.stringify(errors());
    standing.clear();
    loose = [];
    if (Array.isArray(list)) {
      for (const e of list) {
        if (e && typeof e === 'object' && typeof e.module === 'string' && e.module) standing.set(e.module, e);
      }
    }
    if (JSON.stringify(errors()) !== before) {
      hidden = false;
      logNew();
    }
    render();
  }

  return {
    show,
    clear,
    resolve,
    reset,
    /** Whether the overlay is on the page. */
    get shown() {
      return overlay !== null;
    },
    /** The modules whose errors stand. */
    get modules() {
      return [...standing.keys()];
    },
  };
}

/** @typedef {ReturnType<typeof createOverlay>} Overlay */

const OVERLAY_CSS = `
:host { position: fixed; inset: 0; z-index: 2147483647; display: flex; align-items: flex-start;
  justify-content: center; padding: 8vh 16px; background: rgba(0, 0, 0, 0.66); overflow: auto;
  font: 14px/1.5 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.box { box-sizing: border-box; width: 100%; max-width: 960px; }
.count { color: #ff5555; font-weight: 600; margin-bottom: 8px; }
.panel { box-sizing: border-box; width: 100%; padding: 20px 24px; margin-bottom: 12px; border-radius: 6px;
  border-top: 6px solid #ff5555; background: #181818; color: #d8d8d8; box-shadow: 0 8px 32px rgba(0, 0, 0, 0.4); }
.code { color: #ff5555; font-weight: 600; margin-bottom: 4px; }
.file { color: #2dd9da; margin-bottom: 8px; word-break: break-all; }
.message { color: #ffb86c; white-space: pre-wrap; font-weight: 600; }
.frame { margin: 12px 0 0; padding: 12px; background: #101010; color: #e6e6e6; overflow-x: auto; border-radius: 4px; }
.tip { font-size: 12px; color: #888; }
`;
