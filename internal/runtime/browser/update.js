// @ts-check
// Applying signals, Vite's way, through one serial queue: an event is
// applied completely before the next starts, however slow its imports.
// Within one Update, as Vite's queueUpdate: every update is fetched at once
// (the dispose callbacks of the module it replaces, then
// import(path?t=version)), and the accept callbacks run in payload order
// once every import settled. Also full reloads (which page, once), prunes,
// errors (the overlay) and custom events.

import { TAG, isSeq, errorLocation } from './common.js';

/** @import { RuntimeDeps, ModuleUpdate, ViteUpdate } from './hot.js' */
/** @import { Log } from './common.js' */
/** @import { Registry, AcceptCallback } from './registry.js' */
/** @import { Styles } from './styles.js' */
/** @import { Overlay, OverlayError } from './overlay.js' */
/** @import { WireEvent } from './connection.js' */

export const RESYNC = 'FULL_RELOAD_CAUSE_RESYNC';
/** What the dev server serves as JavaScript modules as they are. */
const JS_FILE = /\.(?:js|mjs|cjs|jsx|ts|mts|cts|tsx)$/i;

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
 */

/**
 * createApplier builds the signal queue of one runtime.
 * @param {ApplierDeps} deps
 */
export function createApplier({ registry, styles, overlay, importModule, reload, location, document = null, log }) {
  const { instances, emit } = registry;

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

  /**
   * signal queues the application of one decoded event.
   * @param {string} kind
   * @param {WireEvent} ev
   */
  function signal(kind, ev) {
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
   * applyUpdate applies one Update as Vite's client does: beforeUpdate; then
   * every boundary's update at once, each disposing the module it replaces
   * before importing its new code (and <link> swaps alongside); once every
   * import settled, the accept callbacks in payload order; then
   * afterUpdate.
   * @param {WireEvent} ev
   */
  async function applyUpdate(ev) {
    if (reloading) return;
    const update = ev.update;
    const updates = viteUpdates(update, ev);
    const payload = { type: 'update', ...update, updates, version: ev.version, seq: ev.seq, epoch: ev.epoch };
    /** @type {Array<ViteUpdate & { callbacks?: AcceptCallback[] }>} */
    const jobs = [];
    for (const u of updates) {
      if (u.type === 'css-update') {
        jobs.push(u);
        continue;
      }
      const boundary = instances.get(u.path);
      if (!boundary) continue; // never executed in this page
      // The accept callbacks of the instance running now (a self-accepting
      // module's new instance replaces them while it is imported).
      const callbacks = boundary.callbacks.filter((cb) => cb.deps.includes(u.acceptedPath));
      if (u.acceptedPath !== u.path && callbacks.length === 0) continue;
      jobs.push({ ...u, callbacks });
    }
    if (jobs.length) {
      await emit('beforeUpdate', payload);
      if (reloading) return;
      /** One import per URL: two boundaries accepting one module share it. @type {Map<string, Promise<unknown>>} */
      const fetches = new Map();
      const fetched = await Promise.all(jobs.map((job) => fetchUpdate(job, fetches)));
      if (reloading) return;
      for (const apply of fetched) if (apply) await apply();
      await emit('afterUpdate', payload);
    }
    overlay.clear();
  }

  /**
   * fetchUpdate starts one update: a <link> swap, or the dispose callbacks
   * of the module it replaces and then the import of its new code. It
   * resolves to what runs the accept callbacks, or undefined.
   * @param {ViteUpdate & { callbacks?: AcceptCallback[] }} job
   * @param {Map<string, Promise<unknown>>} fetches
   * @returns {Promise<(() => Promise<void>) | undefined>}
   */
  async function fetchUpdate(job, fetches) {
    const { path, acceptedPath, callbacks = [] } = job;
    const version = String(job.timestamp);
    if (job.type === 'css-update') {
      await styles.swapStylesheets(path, version);
      return undefined;
    }
    const target = instances.get(acceptedPath);
    if (target && target.dispose.length) await registry.runDisposers(target);
    const url = importURL(acceptedPath, version);
    let load = fetches.get(url);
    if (!load) fetches.set(url, (load = importModule(url)));
    /** @type {unknown} */
    let mod;
    try {
      mod = await load;
    } catch (err) {
      log('error', `${TAG} failed to reload ${acceptedPath}`, err);
      if (job.isWithinCircularImport) {
        log('log', `${TAG} ${acceptedPath} is within a circular import: reloading the page to reset the execution order`);
        doReload();
        return undefined;
      }
    }
    return async () => {
      if (reloading) return;
      registry.firstInvalidatedBy = job.firstInvalidatedBy;
      try {
        for (const cb of callbacks) {
          try {
            await cb.fn(cb.deps.map((dep) => (dep === acceptedPath ? mod : undefined)));
          } catch (err) {
            log('error', `${TAG} error in an accept callback of ${path}:`, err);
          }
        }
      } finally {
        registry.firstInvalidatedBy = undefined;
      }
      log('debug', `${TAG} hot updated: ${acceptedPath === path ? path : acceptedPath + ' via ' + path}`);
    };
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

  return { enqueue, idle, signal };
}

/** @typedef {ReturnType<typeof createApplier>} Applier */

/**
 * versionOf is the ?t= of a re-import: the module's version, else the
 * batch's, else now.
 * @param {Record<string, any>} update
 * @param {WireEvent} ev
 * @param {string} id
 */
function versionOf(update, ev, id) {
  const v = update.versions && update.versions[id];
  if (isSeq(v) && String(v) !== '0') return String(v);
  if (isSeq(ev.version) && String(ev.version) !== '0') return String(ev.version);
  return String(Date.now());
}

/**
 * @param {string} id
 * @param {string} version
 */
const withVersion = (id, version) => `${id}${id.includes('?') ? '&' : '?'}t=${version}`;

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
 * importURL is the URL that re-imports module id at version.
 * @param {string} id
 * @param {string} version
 */
export function importURL(id, version) {
  const q = id.indexOf('?');
  return withVersion(explicitImportRequired(id) ? `${id}${q < 0 ? '?' : '&'}import` : id, version);
}

/**
 * viteUpdates turns an hmrd.v1.Update's items into Vite's Update objects
 * (the items of vite:beforeUpdate's payload, and what the runtime applies),
 * dropping malformed items and types it does not know. hmrd's chain rides
 * along.
 * @param {Record<string, any>} update
 * @param {WireEvent} ev
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
