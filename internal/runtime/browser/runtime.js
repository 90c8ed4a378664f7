// @ts-check
// createRuntime puts one HMR runtime together: the connection feeds signals
// to the serial queue, which applies them to the hot context registry and
// the DOM. Everything that touches the environment comes in through deps,
// so the tests drive a runtime with fakes.

import { createLog } from './common.js';
import { createConnection } from './connection.js';
import { createRegistry } from './registry.js';
import { createApplier } from './update.js';
import { createStyles } from './styles.js';
import { createOverlay } from './overlay.js';

/** @import { Runtime, RuntimeDeps } from './hot.js' */
/** @import { Connection } from './connection.js' */

/**
 * createRuntime builds one HMR runtime. deps carries the whole environment:
 *   WebSocket     constructor (url, protocol)
 *   location      { protocol, host, href, pathname }
 *   document      a DOM Document, or null (no CSS swaps, styles or overlay)
 *   importModule  (url) => Promise<module namespace>
 *   reload        () => void
 *   console       { log, debug, warn, error }
 *   setTimeout    (fn, ms) => handle; clearTimeout optional
 *   random        optional () => number in [0, 1): the reconnect jitter
 *   config        { token, wsPath, project }
 *   fetchConfig   optional () => Promise<config|null>: the current config of
 *                 the dev server, asked before retrying a connection that
 *                 failed (a restarted daemon has a new token)
 *   fetchedModules optional: the modules the page fetched; the overlay then
 *                 shows only their errors (overlay.js)
 * @param {RuntimeDeps} deps
 * @returns {Runtime}
 */
export function createRuntime(deps) {
  const {
    WebSocket,
    location = null,
    document = null,
    importModule,
    reload,
    console: con = globalThis.console,
    setTimeout = globalThis.setTimeout,
    clearTimeout = globalThis.clearTimeout,
    random = Math.random,
    fetchConfig = null,
  } = deps;
  const log = createLog(con);
  const timers = {
    setTimeout,
    /** @param {unknown} handle */
    clearTimeout: (handle) => clearTimeout(/** @type {any} */ (handle)),
  };

  // The registry sends through the connection, which is built last: it
  // hands signals to the queue, which applies them to the registry.
  /** @type {Connection} */
  let connection;
  // Modules that created a hot context are reported in one message per
  // turn of the event loop.
  /** @type {string[]} */
  let pendingLoaded = [];
  const registry = createRegistry({
    log,
    loaded: (path) => {
      pendingLoaded.push(path);
      if (pendingLoaded.length > 1) return;
      timers.setTimeout(() => {
        const modules = pendingLoaded;
        pendingLoaded = [];
        if (modules.length) connection.send({ loaded: { modules } });
      }, 0);
    },
    invalidate: (req) => connection.send({ invalidate: req }),
    send: (event, data) => connection.send({ custom: data === undefined ? { event } : { event, data } }),
  });
  const styles = createStyles({ document, location, log, ...timers });
  const overlay = createOverlay({ document, log, fetched: deps.fetchedModules || null });
  const applier = createApplier({ registry, styles, overlay, importModule, reload, location, document, log });
  connection = createConnection({
    WebSocket,
    location,
    config: deps.config || { token: '' },
    fetchConfig,
    random,
    ...timers,
    log,
    onOpen: (webSocket) => applier.enqueue(() => registry.emit('ws:connect', { webSocket })),
    onLost: (webSocket) => applier.enqueue(() => registry.emit('ws:disconnect', { webSocket })),
    // Errors are state: a Hello says which modules are broken now (the
    // replay or live events that follow change it), an ErrorCleared which
    // are fixed. Both go through the queue, in order with the signals.
    onHello: (ev) => applier.enqueue(() => overlay.reset(ev.hello.errors)),
    onSignal: (kind, ev) =>
      kind === 'errorCleared' ? applier.enqueue(() => overlay.resolve(ev.errorCleared.modules)) : applier.signal(kind, ev),
  });

  return {
    start: connection.start,
    stop: connection.stop,
    createHotContext: (ownerPath) => registry.createHotContext(ownerPath),
    webpackHot: registry.webpackHot,
    check: (autoApply) => applier.manager.check(autoApply),
    apply: (options) => applier.manager.apply(options),
    get status() {
      return applier.manager.status;
    },
    updateStyle: styles.updateStyle,
    removeStyle: styles.removeStyle,
    idle: applier.idle,
    on(event, fn) {
      registry.addListener(String(event), fn, null);
    },
    off(event, fn) {
      registry.removeListener(String(event), fn);
    },
    get state() {
      return { ...connection.state, overlay: overlay.shown };
    },
  };
}
