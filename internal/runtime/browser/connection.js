// @ts-check
// The connection to the daemon: one WebSocket (subprotocol hmrd.v1) at a
// time, the resume point (epoch and last seq) it reconnects from, reconnect
// backoff with jitter, the queue of messages sent while disconnected, and
// the decoding of frames. Signals go to onSignal in arrival order; applying
// them is the runtime's business.

import { TAG, isSeq, noop } from './common.js';

/** @import { HmrdConfig, RuntimeDeps } from './hot.js' */
/** @import { Log, Timers } from './common.js' */

export const SUBPROTOCOL = 'hmrd.v1';
export const DEFAULT_WS_PATH = '/@hmrd/ws';
/** The ceiling of the first retry's delay; it doubles with each retry in a row. */
export const BACKOFF_MIN_MS = 100;
/** The cap of the ceiling. */
export const BACKOFF_MAX_MS = 5000;
/** No retry comes sooner than this, whatever the jitter. */
export const BACKOFF_FLOOR_MS = 10;
/** Messages kept while disconnected; beyond it the oldest goes. */
export const OUTBOX_LIMIT = 1000;

/** The kinds of hmrd.v1.Event, as protojson names its oneof fields. */
const EVENT_KINDS = ['hello', 'update', 'fullReload', 'prune', 'error', 'custom', 'heartbeat', 'refused'];

/**
 * A decoded hmrd.v1.Event frame. It comes off the wire: every field is
 * checked where it is used.
 * @typedef {{ project?: unknown, seq?: unknown, epoch?: unknown, version?: unknown, [kind: string]: any }} WireEvent
 */

/** @typedef {'update' | 'fullReload' | 'prune' | 'error' | 'custom'} SignalKind */

/**
 * @typedef {object} ConnectionDeps
 * @property {RuntimeDeps['WebSocket']} WebSocket
 * @property {RuntimeDeps['location']} location
 * @property {HmrdConfig} config
 * @property {RuntimeDeps['fetchConfig']} fetchConfig
 * @property {() => number} random uniform in [0, 1): the jitter of the backoff
 * @property {Timers['setTimeout']} setTimeout
 * @property {Timers['clearTimeout']} clearTimeout
 * @property {Log} log
 * @property {(sock: WebSocket) => void} onOpen a socket opened
 * @property {(sock: WebSocket) => void} onLost an open socket closed
 * @property {(kind: string, ev: WireEvent) => void} onSignal a signal (kind is one of SignalKind, or another the runtime ignores)
 */

/**
 * reconnectDelay is the wait before the attempt-th retry in a row (from
 * 0): full jitter, uniform up to a ceiling that doubles from
 * BACKOFF_MIN_MS to BACKOFF_MAX_MS, and never under BACKOFF_FLOOR_MS. Pages
 * that lost the same daemon so do not all come back at the same moment.
 * @param {number} attempt
 * @param {() => number} random
 * @returns {number} milliseconds
 */
export function reconnectDelay(attempt, random) {
  const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** Math.min(Math.max(attempt, 0), 30));
  let r = random();
  if (!(r >= 0 && r <= 1)) r = 1; // a broken source: no jitter
  return Math.max(BACKOFF_FLOOR_MS, Math.round(r * ceiling));
}

/**
 * createConnection builds the connection of one runtime; start() opens it.
 * @param {ConnectionDeps} deps
 */
export function createConnection(deps) {
  const { WebSocket: WebSocketCtor, location, fetchConfig, random, setTimeout, clearTimeout, log } = deps;
  const config = { ...deps.config, wsPath: deps.config.wsPath || DEFAULT_WS_PATH };

  /** @type {WebSocket | null} */
  let ws = null;
  let open = false;
  let running = false;
  /** @type {unknown} */
  let timer = null;
  let attempt = 0; // retries in a row since the last Hello
  let failures = 0; // connection attempts in a row that never opened
  let epoch = '';
  let lastSeq = '0';
  /** @type {string[]} */
  const outbox = [];
  /** The id of the last ClientMessage sent: each gets the next. */
  let lastId = 0;

  function socketURL() {
    const proto = location && location.protocol === 'https:' ? 'wss:' : 'ws:';
    const host = location ? location.host : '';
    let url =
      `${proto}//${host}${config.wsPath}` +
      `?token=${encodeURIComponent(config.token || '')}&project=${encodeURIComponent(config.project || '')}`;
    if (epoch) url += `&epoch=${encodeURIComponent(epoch)}&seq=${lastSeq}`;
    return url;
  }

  /**
   * send sends a hmrd.v1.ClientMessage now, or queues it until connected.
   * Each message gets an id, which a Refused answer names.
   * @param {object} msg
   */
  function send(msg) {
    let text;
    try {
      text = JSON.stringify({ ...msg, id: String(++lastId) });
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
      try {
        ws.send(outbox[0]);
      } catch (err) {
        log('warn', `${TAG} send failed:`, err);
        return;
      }
      outbox.shift();
    }
  }

  /** @param {{ code?: number, reason?: string } | undefined} ev */
  function describeClose(ev) {
    const code = ev && ev.code;
    const reason = ev && ev.reason;
    if (!code) return '';
    return ` (${code}${reason ? ' ' + reason : ''})`;
  }

  function connect() {
    timer = null;
    if (!running) return;
    /** @type {WebSocket} */
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
      deps.onOpen(sock);
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
      if (!opened) failures++;
      const delay = scheduleReconnect();
      if (opened) {
        log('log', `${TAG} connection lost${describeClose(ev)}; reconnecting in ${delay}ms`);
        deps.onLost(sock);
      } else if (failures === 1) {
        log('log', `${TAG} cannot connect${describeClose(ev)}; retrying`);
      }
    };
  }

  /** @returns {number | null} the delay of the retry scheduled, or null */
  function scheduleReconnect() {
    if (!running || timer !== null) return null;
    const delay = reconnectDelay(attempt, random);
    attempt = Math.min(attempt + 1, 30);
    timer = setTimeout(reconnect, delay);
    return delay;
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
      clearTimeout(timer);
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

  /** @param {unknown} seq */
  function noteSeq(seq) {
    if (isSeq(seq) && BigInt(seq) > BigInt(lastSeq)) lastSeq = String(seq);
  }

  /** @param {unknown} data a frame's data */
  function receive(data) {
    if (typeof data !== 'string') {
      log('warn', `${TAG} ignoring a non-text frame`);
      return;
    }
    /** @type {unknown} */
    let parsed;
    try {
      parsed = JSON.parse(data);
    } catch (err) {
      log('warn', `${TAG} ignoring a malformed frame: ${err instanceof Error ? err.message : err}`);
      return;
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
      log('warn', `${TAG} ignoring a malformed frame: not an object`);
      return;
    }
    const ev = /** @type {WireEvent} */ (parsed);
    const kind = EVENT_KINDS.find((k) => ev[k] && typeof ev[k] === 'object' && !Array.isArray(ev[k]));

    if (kind === 'hello') {
      const h = ev.hello;
      const helloEpoch = String(h.epoch || ev.epoch || '');
      const resumed = h.resumed === true && epoch !== '' && helloEpoch === epoch;
      epoch = helloEpoch;
      if (!resumed) lastSeq = isSeq(h.headSeq) ? String(h.headSeq) : isSeq(ev.seq) ? String(ev.seq) : '0';
      attempt = 0;
      log('debug', `${TAG} subscribed to ${ev.project || config.project || 'project'}${resumed ? ' (resumed)' : ''}`);
      return;
    }
    if (kind === 'refused') {
      // An answer to a message of this connection, outside the sequence:
      // it never moves the resume point.
      refused(ev.refused);
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
    if (kind) deps.onSignal(kind, ev);
    else log('debug', `${TAG} ignoring an event of unknown kind`);
  }

  /**
   * refused reports a client message the daemon did not act on.
   * @param {Record<string, unknown>} r an hmrd.v1.Refused
   */
  function refused(r) {
    const request = typeof r.request === 'string' && r.request ? r.request : 'request';
    const code = typeof r.code === 'string' && r.code ? r.code : 'UNKNOWN';
    const id = typeof r.id === 'string' && r.id ? ` (message ${r.id})` : '';
    log('warn', `${TAG} ${request} refused: ${code} ${typeof r.message === 'string' ? r.message : ''}${id}`);
  }

  return {
    start,
    stop,
    send,
    /** The resume point and whether a socket is open. */
    get state() {
      return { epoch, lastSeq, connected: open };
    },
  };
}

/** @typedef {ReturnType<typeof createConnection>} Connection */
