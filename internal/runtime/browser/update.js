// @ts-check
// Applying signals in a page through one serial queue: an event is applied
// completely before the next starts, however slow its imports. An Update
// goes to the hot manager (manager.js, shared with the Node.js runtime),
// which applies it Vite's way with webpack's statuses; this module adds
// what only a page has: <link> swaps, full reloads (which page, once),
// the overlay for errors, and prunes and custom events. In manual mode the
// manager holds updates, full reloads and prunes until check().

import { TAG, errorLocation } from './common.js';
import { createHotManager, explicitImportRequired } from './manager.js';

/** @import { RuntimeDeps, WebpackApplyOptions } from './hot.js' */
/** @import { Log } from './common.js' */
/** @import { Registry } from './registry.js' */
/** @import { Held } from './manager.js' */
/** @import { Styles } from './styles.js' */
/** @import { Overlay, OverlayError } from './overlay.js' */
/** @import { WireEvent } from './connection.js' */

export const RESYNC = 'FULL_RELOAD_CAUSE_RESYNC';
export { explicitImportRequired };

/**
 * @typedef {object} ApplierDeps
 * @property {Registry} registry
 * @property {Styles} styles
 * @property {Overlay} overlay
 * @property {RuntimeDeps['importModule']} importModule
 * @property {RuntimeDeps['reload']} reload
 * @property {RuntimeDeps['location']} location
 * @property {Document | null} [document] the page, for the page it says it is
 * @property {Log} log
 * @property {() => boolean} [manual] whether manual mode holds signals for check() (default: globalThis.__HMRD_MANUAL__)
 */

/**
 * createApplier builds the signal queue of one runtime.
 * @param {ApplierDeps} deps
 */
export function createApplier({ registry, styles, overlay, importModule, reload, location, document = null, log, manual }) {
  const { emit } = registry;

  /** @type {Promise<unknown>} */
  let tail = Promise.resolve();
  let reloading = false;

  /**
   * enqueue runs task after everything queued before it.
   * @param {() => unknown} task
   */
  function enqueue(task) {
    tail = tail.then(task).catch((err) => log('error', `${TAG} error while applying a signal:`, err));
    return tail;
  }

  /** idle resolves once every task queued so far, and those they queued, ran. */
  async function idle() {
    let seen;
    do {
      seen = tail;
      await seen;
    } while (seen !== tail);
  }

  function doReload() {
    if (reloading) return;
    reloading = true;
    try {
      reload();
    } catch (err) {
      log('error', `${TAG} reload failed:`, err);
    }
  }

  const manager = createHotManager({
    registry,
    log,
    importModule: (id, version) => importModule(importURL(id, version)),
    swapStyle: (path, version) => styles.swapStylesheets(path, version),
    importFailed: async (job) => {
      if (job.isWithinCircularImport) {
        log('log', `${TAG} ${job.acceptedPath} is within a circular import: reloading the page to reset the execution order`);
        doReload();
      }
    },
    stopped: () => reloading,
    manual: manual || (() => /** @type {any} */ (globalThis).__HMRD_MANUAL__ === true),
    enqueue,
    applyHeld,
  });

  /**
   * applyHeld applies what manual mode held, in order, with the apply
   * options: a dead end aborts unless the options ignore it; a full reload
   * webpack would not have (a page, a configuration change) is logged and
   * aborts too, since nothing reloads by itself in manual mode.
   * @param {Held[]} held
   * @param {WebpackApplyOptions} options
   * @returns {Promise<string[]>}
   */
  async function applyHeld(held, options) {
    /** @type {string[]} */
    const ids = [];
    for (const { kind, ev } of held) {
      if (kind === 'update') {
        for (const id of (await manager.runUpdate(ev, options, false)) || []) if (!ids.includes(id)) ids.push(id);
        overlay.clear();
      } else if (kind === 'prune') {
        manager.reportDisposed(ev.prune?.paths || [], options);
        await applyPrune(ev.prune);
      } else {
        const fr = ev.fullReload || {};
        const d = manager.deadEnd(fr);
        if (d) {
          for (const id of await manager.applyDeadEnd(d, options, ev)) if (!ids.includes(id)) ids.push(id);
          continue;
        }
        log('log', `${TAG} full reload held back (manual mode): ${fr.reason || 'no reason given'}`);
        await manager.setStatus('abort');
        throw new Error(`Aborted because the page must reload: ${fr.reason || 'no reason given'}`);
      }
    }
    return ids;
  }

  /**
   * signal queues the application of one decoded event.
   * @param {string} kind
   * @param {WireEvent} ev
   */
  function signal(kind, ev) {
    if (manager.hold(kind, ev)) return;
    switch (kind) {
      case 'update':
        enqueue(() => applyUpdate(ev));
        break;
      case 'fullReload':
        enqueue(() => applyFullReload(ev.fullReload));
        break;
      case 'prune':
        enqueue(() => applyPrune(ev.prune));
        break;
      case 'error':
        enqueue(() => applyError(ev.error));
        break;
      case 'custom':
        enqueue(() => applyCustom(ev.custom));
        break;
      default:
        log('debug', `${TAG} ignoring an event of unknown kind`);
    }
  }

  /**
   * applyUpdate applies one Update as it arrives (the hot manager's
   * order, webpack's statuses around it), and clears the overlay.
   * @param {WireEvent} ev
   */
  async function applyUpdate(ev) {
    if (reloading) return;
    await manager.autoUpdate(ev);
    overlay.clear();
  }

  /**
   * servedPage is the page this document is when it is not at its own URL
   * (the dev server's fallback for a client-side route names it on the
   * runtime's <script data-hmrd-page>), else ''.
   * @returns {string}
   */
  function servedPage() {
    try {
      const el = document ? document.querySelectorAll('script[data-hmrd-page]')[0] : null;
      return (el && el.getAttribute('data-hmrd-page')) || '';
    } catch {
      return '';
    }
  }

  /**
   * pageMatches: whether a page full reload names this page.
   * @param {unknown} path
   */
  function pageMatches(path) {
    if (!path || path === '*') return true;
    if (typeof path === 'string' && path === servedPage()) return true;
    if (!location || typeof path !== 'string') return false;
    let page = location.pathname || '/';
    try {
      page = decodeURI(page);
    } catch {
      // keep it encoded
    }
    const aliases = [path];
    if (path.endsWith('/index.html')) {
      const dir = path.slice(0, -'index.html'.length);
      aliases.push(dir);
      if (dir.length > 1) aliases.push(dir.slice(0, -1));
    } else if (path.endsWith('.html')) {
      aliases.push(path.slice(0, -'.html'.length));
    }
    return aliases.includes(page);
  }

  /** @param {Record<string, any>} fr an hmrd.v1.FullReload */
  async function applyFullReload(fr) {
    if (reloading) return;
    /** @type {unknown[]} */
    const chain = Array.isArray(fr.chain) ? fr.chain : [];
    const resync = fr.cause === RESYNC;
    const reason = fr.reason || (resync ? 'the resume point is gone' : 'no reason given');
    log('log', `${TAG} full reload: ${reason}${chain.length ? '\n' + chain.join(' → ') : ''}`);
    await manager.autoDeadEnd(fr);
    await emit('beforeFullReload', { type: 'full-reload', ...fr });
    if (resync || pageMatches(fr.path)) doReload();
  }

  /** @param {Record<string, any>} p an hmrd.v1.Prune */
  async function applyPrune(p) {
    if (reloading) return;
    /** @type {string[]} */
    const paths = Array.isArray(p.paths) ? p.paths.filter((/** @type {unknown} */ x) => typeof x === 'string') : [];
    await emit('beforePrune', { type: 'prune', paths });
    await registry.prunePaths(paths);
  }

  /** @param {OverlayError} e an hmrd.v1.Error */
  async function applyError(e) {
    if (reloading) return;
    const where = errorLocation(e);
    log('error', `${TAG} ${e.code || 'error'}${where ? ' in ' + where : ''}: ${e.message || ''}`);
    const payload = {
      type: 'error',
      ...e,
      // Vite's shape, for vite:error listeners.
      err: {
        message: e.message || '',
        stack: '',
        id: e.module,
        frame: e.frame,
        plugin: e.code,
        loc: e.file ? { file: e.file, line: e.line || 0, column: e.column || 0 } : undefined,
      },
    };
    await emit('error', payload);
    overlay.show(e);
  }

  /** @param {Record<string, any>} c an hmrd.v1.Custom */
  async function applyCustom(c) {
    if (reloading || typeof c.event !== 'string' || !c.event) return;
    /** @type {unknown} */
    let data = null;
    if (typeof c.data === 'string' && c.data !== '') {
      try {
        data = JSON.parse(c.data);
      } catch (err) {
        log('warn', `${TAG} ignoring custom event ${c.event}: data is not JSON (${err instanceof Error ? err.message : err})`);
        return;
      }
    }
    await registry.dispatch(c.event, data);
  }

  return { enqueue, idle, signal, manager };
}

/** @typedef {ReturnType<typeof createApplier>} Applier */

/**
 * importURL is the URL that re-imports module id at version.
 * @param {string} id
 * @param {string} version
 */
export function importURL(id, version) {
  const q = id.indexOf('?');
  const url = explicitImportRequired(id) ? `${id}${q < 0 ? '?' : '&'}import` : id;
  return `${url}${url.includes('?') ? '&' : '?'}t=${version}`;
}
