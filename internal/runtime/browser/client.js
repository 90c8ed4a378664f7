// hmrd browser runtime: import.meta.hot for pages served by `hmrd serve`.
//
// The dev server serves this file at /@hmrd/client.js with one line
// prepended, `const __HMRD_CONFIG__ = {"token":…,"wsPath":…,"project":…};`,
// and injects into every module that mentions import.meta.hot:
//
//   import { createHotContext as __hmrd_hot } from '/@hmrd/client.js';
//   import.meta.hot = __hmrd_hot('/src/app.js');
//
// The runtime subscribes to the daemon over a WebSocket (subprotocol
// hmrd.v1, protojson frames of hmrd.v1.Event) and applies its signals with
// Vite's import.meta.hot semantics. Ordering: every signal is handled through
// one queue, so an update (dispose → import(path?t=version) → accept
// callbacks) finishes before the next signal starts, however slow its import.
// After a lost connection it reconnects with backoff and resumes from the
// last epoch/seq it saw; only a FullReload (including cause RESYNC, sent when
// the resume point is gone) reloads the page.
//
// Everything that touches the environment goes through createRuntime(deps),
// so the tests drive the runtime with fakes; the DOM code is a handful of
// calls (querySelectorAll, createElement, setAttribute, after, remove,
// addEventListener, attachShadow) kept in the functions at the end.

const TAG = '[hmrd]';
const SUBPROTOCOL = 'hmrd.v1';
const DEFAULT_WS_PATH = '/@hmrd/ws';
const BACKOFF_MIN_MS = 100;
const BACKOFF_MAX_MS = 5000;
const CSS_LOAD_WAIT_MS = 5000;
const OUTBOX_LIMIT = 1000;
const OVERLAY_TAG = 'hmrd-error-overlay';
const STYLE_ID_ATTR = 'data-hmrd-dev-id';
// Every runtime event is emitted under both prefixes (Vite compatibility).
const EVENT_PREFIXES = ['hmrd:', 'vite:'];
const EVENT_KINDS = ['hello', 'update', 'fullReload', 'prune', 'error', 'custom', 'heartbeat'];
const RESYNC = 'FULL_RELOAD_CAUSE_RESYNC';
// What the dev server serves as JavaScript modules as they are.
const JS_FILE = /\.(?:js|mjs|cjs|jsx|ts|mts|cts|tsx)$/i;

const noop = () => {};

/**
 * createRuntime builds one HMR runtime. deps carries the whole environment:
 *   WebSocket     constructor (url, protocol)
 *   location      { protocol, host, href, pathname }
 *   document      a DOM Document, or null (no CSS swaps, styles or overlay)
 *   importModule  (url) => Promise<module namespace>
 *   reload        () => void
 *   console       { log, debug, warn, error }
 *   setTimeout    (fn, ms) => handle; clearTimeout optional
 *   config        { token, wsPath, project }
 *   fetchConfig   optional () => Promise<config|null>: the current config of
 *                 the dev server, asked before retrying a connection that
 *                 failed (a restarted daemon has a new token)
 */
export function createRuntime(deps) {
  const {
    WebSocket: WebSocketCtor,
    location = null,
    document: doc = null,
    importModule,
    reload,
    console: con = globalThis.console,
    setTimeout: setTimer = globalThis.setTimeout,
    clearTimeout: clearTimer = globalThis.clearTimeout,
    fetchConfig = null,
  } = deps;
  const config = { wsPath: DEFAULT_WS_PATH, ...(deps.config || {}) };

  const log = (level, ...args) => {
    try {
      (con[level] || con.log).apply(con, args);
    } catch {
      // a broken console must not break HMR
    }
  };

  // ---- module instances, data, listeners ----

  // path → the current Instance (the module instance that registered last).
  const instances = new Map();
  // path → hot.data, shared by every instance of the module.
  const dataMap = new Map();
  // event → [{ fn, owner }] in registration order; owner is an Instance or null.
  const listeners = new Map();
  // The firstInvalidatedBy of the update being applied, if any.
  let currentFirstInvalidatedBy;

  function dataOf(path) {
    let data = dataMap.get(path);
    if (!data) {
      data = {};
      dataMap.set(path, data);
    }
    return data;
  }

  function addListener(event, fn, owner) {
    let list = listeners.get(event);
    if (!list) listeners.set(event, (list = []));
    list.push({ fn, owner });
  }

  function removeListener(event, fn) {
    const list = listeners.get(event);
    if (!list) return;
    const kept = list.filter((l) => l.fn !== fn);
    if (kept.length) listeners.set(event, kept);
    else listeners.delete(event);
  }

  // retire drops what a module instance registered: it is replaced or pruned.
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

  async function emit(name, payload) {
    for (const prefix of EVENT_PREFIXES) await dispatch(prefix + name, payload);
  }

  function createHotContext(ownerPath) {
    const path = String(ownerPath);
    const inst = { path, live: true, callbacks: [], dispose: [], prune: [] };
    const old = instances.get(path);
    if (old) retire(old);
    instances.set(path, inst);
    dataOf(path);
    noteLoaded(path);

    const acceptDeps = (depList, fn) => {
      if (inst.live) inst.callbacks.push({ deps: depList, fn });
    };
    const resolveDep = (dep) => {
      const s = String(dep);
      if (!s.startsWith('./') && !s.startsWith('../')) return s;
      try {
        return new URL(s, 'http://hmrd.invalid' + path).pathname;
      } catch {
        return s;
      }
    };

    return {
      get data() {
        return dataOf(path);
      },
      accept(deps, callback) {
        if (typeof deps === 'function' || deps == null) {
          const cb = deps;
          acceptDeps([path], ([mod]) => cb?.(mod));
        } else if (typeof deps === 'string') {
          acceptDeps([resolveDep(deps)], ([mod]) => callback?.(mod));
        } else if (Array.isArray(deps)) {
          acceptDeps(deps.map(resolveDep), callback || noop);
        } else {
          throw new Error('invalid hot.accept() usage.');
        }
      },
      acceptExports(_exportNames, callback) {
        // The names matter to the daemon only; here it is a self-accept.
        acceptDeps([path], ([mod]) => callback?.(mod));
      },
      dispose(cb) {
        if (inst.live && typeof cb === 'function') inst.dispose.push(cb);
      },
      prune(cb) {
        if (inst.live && typeof cb === 'function') inst.prune.push(cb);
      },
      decline() {
        // The daemon reads decline() from the source and reloads instead.
      },
      invalidate(message) {
        const firstInvalidatedBy = currentFirstInvalidatedBy || path;
        const payload = { path, message, firstInvalidatedBy };
        emit('invalidate', payload).catch(noop);
        const req = { module: path, firstInvalidatedBy };
        if (message !== undefined && message !== null && message !== '') req.message = String(message);
        sendFrame({ invalidate: req });
        log('debug', `${TAG} invalidate ${path}${req.message ? ': ' + req.message : ''}`);
      },
      on(event, cb) {
        if (inst.live && typeof cb === 'function') addListener(String(event), cb, inst);
      },
      off(event, cb) {
        removeListener(String(event), cb);
      },
      send(event, data) {
        let text;
        try {
          text = JSON.stringify(data);
        } catch (err) {
          log('error', `${TAG} hot.send(${event}): data is not JSON:`, err);
          return;
        }
        const custom = { event: String(event) };
        if (text !== undefined) custom.data = text;
        sendFrame({ custom });
      },
    };
  }

  // ---- the serial queue of signals ----

  let tail = Promise.resolve();
  let reloading = false;

  function enqueue(task) {
    tail = tail.then(task).catch((err) => log('error', `${TAG} error while applying a signal:`, err));
    return tail;
  }

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

  // ---- connection ----

  let ws = null;
  let open = false;
  let running = false;
  let timer = null;
  let backoff = BACKOFF_MIN_MS;
  let failures = 0; // connection attempts in a row that never opened
  let epoch = '';
  let lastSeq = '0';
  const outbox = [];

  function socketURL() {
    const proto = location && location.protocol === 'https:' ? 'wss:' : 'ws:';
    const host = location ? location.host : '';
    let url =
      `${proto}//${host}${config.wsPath || DEFAULT_WS_PATH}` +
      `?token=${encodeURIComponent(config.token || '')}&project=${encodeURIComponent(config.project || '')}`;
    if (epoch) url += `&epoch=${encodeURIComponent(epoch)}&seq=${lastSeq}`;
    return url;
  }

  function sendFrame(msg) {
    let text;
    try {
      text = JSON.stringify(msg);
    } catch (err) {
      log('error', `${TAG} cannot encode a message:`, err);
      return;
    }
    if (open && ws) {
      try {
        ws.send(text);
        return;
      } catch (err) {
        log('warn', `${TAG} send failed, queued:`, err);
      }
    }
    outbox.push(text);
    if (outbox.length > OUTBOX_LIMIT) {
      outbox.shift();
      log('warn', `${TAG} outgoing queue full: dropped the oldest message`);
    }
  }

  function flushOutbox() {
    while (open && ws && outbox.length) {
      const text = outbox[0];
      try {
        ws.send(text);
      } catch (err) {
        log('warn', `${TAG} send failed:`, err);
        return;
      }
      outbox.shift();
    }
  }

  function describeClose(ev) {
    const code = ev && ev.code;
    const reason = ev && ev.reason;
    if (!code) return '';
    return ` (${code}${reason ? ' ' + reason : ''})`;
  }

  function connect() {
    timer = null;
    if (!running) return;
    let sock;
    try {
      sock = new WebSocketCtor(socketURL(), SUBPROTOCOL);
    } catch (err) {
      log('error', `${TAG} cannot open a WebSocket:`, err);
      failures++;
      scheduleReconnect();
      return;
    }
    ws = sock;
    let opened = false;
    sock.onopen = () => {
      if (ws !== sock) return;
      opened = true;
      open = true;
      failures = 0;
      log('debug', `${TAG} connected.`);
      flushOutbox();
      enqueue(() => emit('ws:connect', { webSocket: sock }));
    };
    sock.onmessage = (ev) => {
      if (ws !== sock) return;
      receive(ev && ev.data);
    };
    sock.onerror = noop; // a close event follows
    sock.onclose = (ev) => {
      if (ws !== sock) return;
      ws = null;
      open = false;
      if (!running) return;
      const delay = backoff;
      if (opened) {
        log('log', `${TAG} connection lost${describeClose(ev)}; reconnecting in ${delay}ms`);
        enqueue(() => emit('ws:disconnect', { webSocket: sock }));
      } else {
        failures++;
        if (failures === 1) log('log', `${TAG} cannot connect${describeClose(ev)}; retrying`);
      }
      scheduleReconnect();
    };
  }

  function scheduleReconnect() {
    if (!running || timer !== null) return;
    const delay = backoff;
    backoff = Math.min(backoff * 2, BACKOFF_MAX_MS);
    timer = setTimer(reconnect, delay);
  }

  async function reconnect() {
    const mine = timer;
    if (fetchConfig && failures > 0) {
      // A restarted daemon has a new token: ask the dev server for it. The
      // resume that follows gets a new epoch and a RESYNC reload.
      try {
        const fresh = await fetchConfig();
        if (fresh && fresh.token && fresh.token !== config.token) {
          config.token = fresh.token;
          log('log', `${TAG} the dev server has a new token; reconnecting with it`);
        }
      } catch {
        // the dev server is down too: try again later
      }
      if (timer !== mine) return; // stopped (and maybe started) meanwhile
    }
    connect();
  }

  function start() {
    if (running) return;
    running = true;
    connect();
  }

  function stop() {
    running = false;
    if (timer !== null) {
      clearTimer(timer);
      timer = null;
    }
    const sock = ws;
    ws = null;
    open = false;
    if (sock) {
      try {
        sock.close(1000);
      } catch {
        // already closed
      }
    }
  }

  // ---- incoming frames ----

  const isSeq = (v) => (typeof v === 'string' && /^\d+$/.test(v)) || (Number.isInteger(v) && v >= 0);

  function noteSeq(seq) {
    if (isSeq(seq) && BigInt(seq) > BigInt(lastSeq)) lastSeq = String(seq);
  }

  function receive(data) {
    if (typeof data !== 'string') {
      log('warn', `${TAG} ignoring a non-text frame`);
      return;
    }
    let ev;
    try {
      ev = JSON.parse(data);
    } catch (err) {
      log('warn', `${TAG} ignoring a malformed frame: ${err.message}`);
      return;
    }
    if (!ev || typeof ev !== 'object' || Array.isArray(ev)) {
      log('warn', `${TAG} ignoring a malformed frame: not an object`);
      return;
    }
    const kind = EVENT_KINDS.find((k) => ev[k] && typeof ev[k] === 'object' && !Array.isArray(ev[k]));

    if (kind === 'hello') {
      const h = ev.hello;
      const helloEpoch = String(h.epoch || ev.epoch || '');
      const resumed = h.resumed === true && epoch !== '' && helloEpoch === epoch;
      epoch = helloEpoch;
      if (!resumed) lastSeq = isSeq(h.headSeq) ? String(h.headSeq) : isSeq(ev.seq) ? String(ev.seq) : '0';
      backoff = BACKOFF_MIN_MS;
      log('debug', `${TAG} subscribed to ${ev.project || config.project || 'project'}${resumed ? ' (resumed)' : ''}`);
      return;
    }
    const sameEpoch = ev.epoch === undefined || ev.epoch === '' || ev.epoch === epoch;
    if (kind === 'heartbeat') {
      // The daemon sends a heartbeat after every event up to its head seq.
      if (sameEpoch) noteSeq(ev.heartbeat.headSeq);
      return;
    }
    // Received is seen, even a kind this runtime does not know.
    if (sameEpoch) noteSeq(ev.seq);

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

  // ---- signals ----

  function versionOf(update, ev, id) {
    const v = update.versions && update.versions[id];
    if (isSeq(v) && String(v) !== '0') return String(v);
    if (isSeq(ev.version) && String(ev.version) !== '0') return String(ev.version);
    return String(Date.now());
  }

  const withVersion = (id, version) => `${id}${id.includes('?') ? '&' : '?'}t=${version}`;

  // The URL that re-imports module id. A module that is not JavaScript (a
  // stylesheet, JSON, an asset imported from JS) is a JS module only with
  // ?import, as the dev server rewrites its import specifiers; without it
  // the file itself comes back (Vite's isExplicitImportRequired).
  function importURL(id, version) {
    const q = id.indexOf('?');
    const path = q < 0 ? id : id.slice(0, q);
    const query = q < 0 ? '' : id.slice(q + 1);
    const name = path.slice(path.lastIndexOf('/') + 1);
    const explicit =
      name.includes('.') && !JS_FILE.test(name) && !query.split('&').some((p) => p === 'import' || p.startsWith('import='));
    return withVersion(explicit ? `${id}${query ? '&' : '?'}import` : id, version);
  }

  function updateType(t) {
    if (t === 'UPDATE_TYPE_CSS' || t === 2) return 'css';
    if (t === undefined || t === 'UPDATE_TYPE_JS' || t === 1 || t === 'UPDATE_TYPE_UNSPECIFIED' || t === 0) return 'js';
    return '';
  }

  async function applyUpdate(ev) {
    if (reloading) return;
    const update = ev.update;
    const list = Array.isArray(update.updates) ? update.updates : [];
    const payload = { type: 'update', ...update, updates: list, version: ev.version, seq: ev.seq, epoch: ev.epoch };
    let began = false;
    const begin = async () => {
      if (began) return;
      began = true;
      await emit('beforeUpdate', payload);
    };

    for (const mu of list) {
      if (reloading) return;
      if (!mu || typeof mu !== 'object' || typeof mu.path !== 'string') continue;
      const type = updateType(mu.type);
      const accepted = typeof mu.acceptedPath === 'string' && mu.acceptedPath ? mu.acceptedPath : mu.path;
      const version = versionOf(update, ev, accepted);
      if (type === 'css') {
        await begin();
        await swapStylesheets(mu.path, version);
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
      currentFirstInvalidatedBy = mu.firstInvalidatedBy || update.firstInvalidatedBy || undefined;
      try {
        const target = instances.get(accepted);
        if (target) await runDisposers(target);
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
        currentFirstInvalidatedBy = undefined;
      }
    }
    if (began) await emit('afterUpdate', payload);
    clearOverlay();
  }

  async function runDisposers(inst) {
    const fns = inst.dispose.splice(0);
    for (const fn of fns) {
      try {
        await fn(dataOf(inst.path));
      } catch (err) {
        log('error', `${TAG} error in a dispose callback of ${inst.path}:`, err);
      }
    }
  }

  function pageMatches(path) {
    if (!path || path === '*') return true;
    if (!location) return false;
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

  async function applyFullReload(fr) {
    if (reloading) return;
    const chain = Array.isArray(fr.chain) ? fr.chain : [];
    const resync = fr.cause === RESYNC;
    const reason = fr.reason || (resync ? 'the resume point is gone' : 'no reason given');
    log('log', `${TAG} full reload: ${reason}${chain.length ? '\n' + chain.join(' → ') : ''}`);
    await emit('beforeFullReload', { type: 'full-reload', ...fr });
    if (resync || pageMatches(fr.path)) doReload();
  }

  async function applyPrune(p) {
    if (reloading) return;
    const paths = Array.isArray(p.paths) ? p.paths.filter((x) => typeof x === 'string') : [];
    await emit('beforePrune', { type: 'prune', paths });
    for (const path of paths) {
      const inst = instances.get(path);
      if (!inst) continue;
      await runDisposers(inst);
      for (const fn of inst.prune.splice(0)) {
        try {
          await fn(dataOf(path));
        } catch (err) {
          log('error', `${TAG} error in a prune callback of ${path}:`, err);
        }
      }
      retire(inst);
      instances.delete(path);
    }
  }

  async function applyError(e) {
    if (reloading) return;
    const where = e.file ? `${e.file}${e.line ? ':' + e.line + (e.column ? ':' + e.column : '') : ''}` : e.module || '';
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
    showOverlay(e);
  }

  async function applyCustom(c) {
    if (reloading || typeof c.event !== 'string' || !c.event) return;
    let data = null;
    if (typeof c.data === 'string' && c.data !== '') {
      try {
        data = JSON.parse(c.data);
      } catch (err) {
        log('warn', `${TAG} ignoring custom event ${c.event}: data is not JSON (${err.message})`);
        return;
      }
    }
    await dispatch(c.event, data);
  }

  // ---- loaded modules ----

  // Modules that created a hot context are reported once, batched: a lazily
  // imported module counts as loaded for the daemon only when it knows.
  const reported = new Set();
  let pendingLoaded = [];
  let loadedTimer = null;

  function noteLoaded(path) {
    if (reported.has(path)) return;
    reported.add(path);
    pendingLoaded.push(path);
    if (loadedTimer !== null) return;
    loadedTimer = setTimer(() => {
      loadedTimer = null;
      const modules = pendingLoaded;
      pendingLoaded = [];
      if (modules.length) sendFrame({ loaded: { modules } });
    }, 0);
  }

  // ---- DOM: stylesheet links, style modules, overlay ----

  // <link> elements being replaced: never picked again.
  const outdatedLinks = new WeakSet();

  function pageURL() {
    try {
      return new URL(location && location.href ? location.href : 'http://localhost/');
    } catch {
      return new URL('http://localhost/');
    }
  }

  async function swapStylesheets(path, version) {
    if (!doc) return;
    const want = path.split('?')[0];
    const base = pageURL();
    let links;
    try {
      links = Array.from(doc.querySelectorAll('link')).filter((link) => {
        if (outdatedLinks.has(link)) return false;
        const rel = String(link.getAttribute('rel') || '').toLowerCase().split(/\s+/);
        if (!rel.includes('stylesheet')) return false;
        const url = linkURL(link, base);
        return url !== null && url.origin === base.origin && samePath(url.pathname, want);
      });
    } catch (err) {
      log('error', `${TAG} css update of ${path} failed:`, err);
      return;
    }
    if (!links.length) {
      log('debug', `${TAG} css update of ${path}: no <link> to update`);
      return;
    }
    await Promise.all(links.map((link) => swapLink(link, base, version)));
    log('debug', `${TAG} css hot updated: ${path}`);
  }

  function swapLink(link, base, version) {
    return new Promise((resolve) => {
      try {
        const url = linkURL(link, base);
        url.searchParams.set('t', version);
        const clone = link.cloneNode(false);
        clone.setAttribute('href', url.pathname + url.search + url.hash);
        outdatedLinks.add(link);
        let done = false;
        let wait = null;
        const finish = () => {
          if (done) return;
          done = true;
          if (wait !== null) clearTimer(wait);
          try {
            link.remove();
          } catch {
            // already gone
          }
          resolve();
        };
        clone.addEventListener('load', finish);
        clone.addEventListener('error', finish);
        link.after(clone);
        // Do not hold the queue on a sheet that never loads; the old one
        // still goes once the new one loads.
        if (!done) wait = setTimer(resolve, CSS_LOAD_WAIT_MS);
      } catch (err) {
        log('error', `${TAG} css update failed:`, err);
        resolve();
      }
    });
  }

  const styles = new Map();

  function findStyle(id) {
    if (styles.has(id)) return styles.get(id);
    for (const el of Array.from(doc.querySelectorAll(`style[${STYLE_ID_ATTR}]`))) {
      if (el.getAttribute(STYLE_ID_ATTR) === id) return el;
    }
    return null;
  }

  function updateStyle(id, css) {
    if (!doc) return;
    try {
      let el = findStyle(id);
      if (!el) {
        el = doc.createElement('style');
        el.setAttribute('type', 'text/css');
        el.setAttribute(STYLE_ID_ATTR, id);
        (doc.head || doc.documentElement).appendChild(el);
      }
      styles.set(id, el);
      el.textContent = css;
    } catch (err) {
      log('error', `${TAG} cannot update style ${id}:`, err);
    }
  }

  function removeStyle(id) {
    if (!doc) return;
    try {
      const el = findStyle(id);
      styles.delete(id);
      if (el) el.remove();
    } catch (err) {
      log('error', `${TAG} cannot remove style ${id}:`, err);
    }
  }

  let overlay = null; // { host, onKey }

  function clearOverlay() {
    if (!overlay) return;
    const { host, onKey } = overlay;
    overlay = null;
    try {
      doc.removeEventListener('keydown', onKey);
      host.remove();
    } catch {
      // the page removed it already
    }
  }

  function showOverlay(e) {
    if (!doc) return;
    try {
      clearOverlay();
      const host = doc.createElement(OVERLAY_TAG);
      const root = host.attachShadow({ mode: 'open' });
      const el = (tag, cls, text) => {
        const node = doc.createElement(tag);
        if (cls) node.setAttribute('class', cls);
        if (text) node.textContent = text;
        return node;
      };
      const style = el('style', '', OVERLAY_CSS);
      const panel = el('div', 'panel');
      panel.appendChild(el('div', 'code', e.code || 'ERROR'));
      const loc = e.file
        ? `${e.file}${e.line ? ':' + e.line + (e.column ? ':' + e.column : '') : ''}`
        : e.module || '';
      if (loc) panel.appendChild(el('div', 'file', loc));
      panel.appendChild(el('div', 'message', e.message || ''));
      if (e.frame) panel.appendChild(el('pre', 'frame', e.frame));
      panel.appendChild(el('div', 'tip', 'Fix the file and save: the next update clears this. Click outside or press Esc to close.'));
      panel.addEventListener('click', (ev) => ev.stopPropagation());
      root.appendChild(style);
      root.appendChild(panel);
      const onKey = (ev) => {
        if (ev && ev.key === 'Escape') clearOverlay();
      };
      host.addEventListener('click', () => clearOverlay());
      doc.addEventListener('keydown', onKey);
      (doc.body || doc.documentElement).appendChild(host);
      overlay = { host, onKey };
    } catch (err) {
      log('error', `${TAG} cannot show the error overlay:`, err);
    }
  }

  return {
    start,
    stop,
    createHotContext,
    updateStyle,
    removeStyle,
    /** Resolves once every signal received so far has been applied. */
    idle,
    /** Listens to a runtime or custom event outside any module. */
    on(event, fn) {
      addListener(String(event), fn, null);
    },
    off(event, fn) {
      removeListener(String(event), fn);
    },
    /** The resume point and connection state. */
    get state() {
      return { epoch, lastSeq, connected: open, overlay: overlay !== null };
    },
  };
}

function linkURL(link, base) {
  try {
    return new URL(link.getAttribute('href') || '', base);
  } catch {
    return null;
  }
}

function samePath(pathname, want) {
  if (pathname === want) return true;
  try {
    return decodeURI(pathname) === decodeURI(want);
  } catch {
    return false;
  }
}

const OVERLAY_CSS = `
:host { position: fixed; inset: 0; z-index: 2147483647; display: flex; align-items: flex-start;
  justify-content: center; padding: 8vh 16px; background: rgba(0, 0, 0, 0.66); overflow: auto;
  font: 14px/1.5 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.panel { box-sizing: border-box; width: 100%; max-width: 960px; padding: 20px 24px; border-radius: 6px;
  border-top: 6px solid #ff5555; background: #181818; color: #d8d8d8; box-shadow: 0 8px 32px rgba(0, 0, 0, 0.4); }
.code { color: #ff5555; font-weight: 600; margin-bottom: 4px; }
.file { color: #2dd9da; margin-bottom: 8px; word-break: break-all; }
.message { color: #ffb86c; white-space: pre-wrap; font-weight: 600; }
.frame { margin: 12px 0 0; padding: 12px; background: #101010; color: #e6e6e6; overflow-x: auto; border-radius: 4px; }
.tip { margin-top: 16px; font-size: 12px; color: #888; }
`;

// ---- the page's runtime ----

let pageRuntime = null;

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
    clearTimeout: (t) => g.clearTimeout(t),
    config: config || {},
    fetchConfig: typeof g.fetch === 'function' ? fetchPageConfig : null,
  };
}

// fetchPageConfig reads the config line the dev server prepends to this file.
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

function runtime() {
  if (!pageRuntime) pageRuntime = createRuntime(browserDeps(null));
  return pageRuntime;
}

/** createHotContext returns import.meta.hot for the module ownerPath (a module ID). */
export function createHotContext(ownerPath) {
  return runtime().createHotContext(ownerPath);
}

/** updateStyle sets the CSS of the style module id (one <style> per id). */
export function updateStyle(id, css) {
  runtime().updateStyle(id, css);
}

/** removeStyle removes the <style> of the style module id. */
export function removeStyle(id) {
  runtime().removeStyle(id);
}

/* global __HMRD_CONFIG__ -- the line the dev server prepends */
if (typeof __HMRD_CONFIG__ !== 'undefined' && typeof window !== 'undefined') {
  pageRuntime = createRuntime(browserDeps(__HMRD_CONFIG__));
  pageRuntime.start();
  // Leaving the page closes the socket quietly; a page restored from the
  // back/forward cache resumes from where it stopped.
  window.addEventListener('pagehide', () => pageRuntime.stop());
  window.addEventListener('pageshow', (ev) => {
    if (ev.persisted) pageRuntime.start();
  });
}
