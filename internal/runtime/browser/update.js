// @ts-check
// Applying signals, Vite's way, through one serial queue: an update (its
// dispose callbacks, import(path?t=version), then the accept callbacks)
// finishes before the next signal starts, however slow its import. Also
// full reloads (which page, once), prunes, errors (the overlay) and custom
// events.

import { TAG, isSeq, errorLocation } from './common.js';

/** @import { RuntimeDeps, ModuleUpdate } from './hot.js' */
/** @import { Log } from './common.js' */
/** @import { Registry } from './registry.js' */
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
 * @property {Log} log
 */

/**
 * createApplier builds the signal queue of one runtime.
 * @param {ApplierDeps} deps
 */
export function createApplier({ registry, styles, overlay, importModule, reload, location, log }) {
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

  /** @param {WireEvent} ev */
  async function applyUpdate(ev) {
    if (reloading) return;
    const update = ev.update;
    /** @type {unknown[]} */
    const list = Array.isArray(update.updates) ? update.updates : [];
    const payload = { type: 'update', ...update, updates: list, version: ev.version, seq: ev.seq, epoch: ev.epoch };
    let began = false;
    const begin = async () => {
      if (began) return;
      began = true;
      await emit('beforeUpdate', payload);
    };

    for (const item of list) {
      if (reloading) return;
      if (!item || typeof item !== 'object' || typeof (/** @type {ModuleUpdate} */ (item).path) !== 'string') continue;
      const mu = /** @type {ModuleUpdate} */ (item);
      const type = updateType(mu.type);
      const accepted = typeof mu.acceptedPath === 'string' && mu.acceptedPath ? mu.acceptedPath : mu.path;
      const version = versionOf(update, ev, accepted);
      if (type === 'css') {
        await begin();
        await styles.swapStylesheets(mu.path, version);
        continue;
      }
      if (type !== 'js') {
        log('debug', `${TAG} ignoring an update of type ${mu.type} for ${mu.path}`);
        continue;
      }
      const boundary = instances.get(mu.path);
      if (!boundary) continue; // never executed in this page
      const isSelf = accepted === mu.path;
      // The accept callbacks of the instance running now (a self-accepting
      // module's new instance replaces them while it is imported).
      const callbacks = boundary.callbacks.filter((cb) => cb.deps.includes(accepted));
      if (!isSelf && callbacks.length === 0) continue;
      await begin();
      registry.firstInvalidatedBy = mu.firstInvalidatedBy || update.firstInvalidatedBy || undefined;
      try {
        const target = instances.get(accepted);
        if (target) await registry.runDisposers(target);
        /** @type {unknown} */
        let mod;
        try {
          mod = await importModule(importURL(accepted, version));
        } catch (err) {
          log('error', `${TAG} failed to reload ${accepted}`, err);
          if (mu.isWithinCircularImport) {
            log('log', `${TAG} ${accepted} is within a circular import: reloading the page to reset the execution order`);
            doReload();
            return;
          }
        }
        for (const cb of callbacks) {
          try {
            await cb.fn(cb.deps.map((dep) => (dep === accepted ? mod : undefined)));
          } catch (err) {
            log('error', `${TAG} error in an accept callback of ${mu.path}:`, err);
          }
        }
        log('debug', `${TAG} hot updated: ${isSelf ? mu.path : accepted + ' via ' + mu.path}`);
      } finally {
        registry.firstInvalidatedBy = undefined;
      }
    }
    if (began) await emit('afterUpdate', payload);
    overlay.clear();
  }

  /**
   * pageMatches: whether a page full reload names this page.
   * @param {unknown} path
   */
  function pageMatches(path) {
    if (!path || path === '*') return true;
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
    for (const path of paths) await registry.prune(path);
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
 * importURL is the URL that re-imports module id. A module that is not
 * JavaScript (a stylesheet, JSON, an asset imported from JS) is a JS module
 * only with ?import, as the dev server rewrites its import specifiers;
 * without it the file itself comes back (Vite's isExplicitImportRequired).
 * @param {string} id
 * @param {string} version
 */
export function importURL(id, version) {
  const q = id.indexOf('?');
  const path = q < 0 ? id : id.slice(0, q);
  const query = q < 0 ? '' : id.slice(q + 1);
  const name = path.slice(path.lastIndexOf('/') + 1);
  const explicit =
    name.includes('.') && !JS_FILE.test(name) && !query.split('&').some((p) => p === 'import' || p.startsWith('import='));
  return withVersion(explicit ? `${id}${query ? '&' : '?'}import` : id, version);
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
