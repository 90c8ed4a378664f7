// A project's signal stream that survives disconnects, as the Go client's
// Subscription: it remembers the (epoch, seq) of the last signal handed out
// and, when the stream breaks, redials with backoff and resumes from there.
// The daemon replays what was missed, or sends one FullReload with cause
// RESYNC when it cannot (it restarted, or its history no longer reaches
// back); the subscription hands that on like any other event.

import { setTimeout as sleep } from 'node:timers/promises';
import { permanent, rpcError } from './errors.js';
import { event as toEvent } from './proto.js';

export const RESYNC = 'FULL_RELOAD_CAUSE_RESYNC';

/** @param {any} ev */
const isResync = (ev) => ev.kind === 'fullReload' && ev.fullReload.cause === RESYNC;

/** @param {string | number | bigint | undefined} s */
const big = (s) => BigInt(s || 0);

/** Closed is the error a subscription ends with when its owner closed it. */
export class ClosedError extends Error {
  constructor() {
    super('hmrd subscription closed');
    this.name = 'ClosedError';
    this.code = 'CLOSED';
  }
}

/**
 * Subscription is an async iterator of events: every Hello (one per
 * connection), then the signals in seq order, heartbeats included. A signal
 * is never handed out twice, even if a daemon replays it. The stream is
 * read only as fast as the iterator is consumed.
 */
export class Subscription {
  /**
   * @param {import('./client.js').Client} client
   * @param {import('../index.js').SubscribeOptions} opts
   */
  constructor(client, opts) {
    this.client = client;
    this.opts = opts;
    /** @type {import('../index.js').SubscriptionState} */
    this.state = 'connecting';
    this.epoch = opts.epoch || '';
    this.seq = String(opts.fromSeq ?? '0');
    /** The Hello of the current connection, or null. @type {any} */
    this.hello = null;
    /** @type {Error | null} */
    this.error = null;
    this.closed = false;
    this.abort = new AbortController();
    /** @type {any} */
    this.call = null;
    if (opts.signal) {
      if (opts.signal.aborted) this.close();
      else opts.signal.addEventListener('abort', () => this.close(), { once: true });
    }
    client.subscriptions.add(this);
    this.gen = this.run();
  }

  [Symbol.asyncIterator]() {
    return this;
  }

  /** @returns {Promise<IteratorResult<any>>} */
  next() {
    return this.gen.next();
  }

  /** @returns {Promise<IteratorResult<any>>} */
  async return() {
    this.close();
    return this.gen.return(undefined);
  }

  /**
   * position is the resume point: the epoch and seq of the last signal
   * handed out (or the starting point before any). Save it to resume in
   * another process.
   */
  position() {
    return { epoch: this.epoch, seq: this.seq };
  }

  /** close ends the subscription: the iterator finishes. */
  close() {
    if (this.closed) return;
    this.closed = true;
    this.abort.abort();
    this.call?.cancel();
    this.client.subscriptions.delete(this);
  }

  /**
   * @param {import('../index.js').SubscriptionState} st
   * @param {Error | null} err
   */
  setState(st, err) {
    if (this.state === st) return;
    this.state = st;
    try {
      this.opts.onState?.(st, err);
    } catch {
      // a callback's own trouble does not end the subscription
    }
  }

  async *run() {
    let attempt = 0;
    try {
      for (;;) {
        if (this.closed) return;
        /** @type {{ connected: boolean, err: any }} */
        const r = { connected: false, err: null };
        yield* this.stream(r);
        if (this.closed) return;
        if (permanent(r.err)) {
          this.error = rpcError('subscribe', r.err);
          throw this.error;
        }
        if (r.connected) attempt = 0;
        this.setState('reconnecting', r.err ? rpcError('subscribe', r.err) : null);
        try {
          await sleep(this.backoff(attempt), undefined, { signal: this.abort.signal });
        } catch {
          return; // closed while waiting
        }
        attempt++;
      }
    } finally {
      this.closed = true;
      this.client.subscriptions.delete(this);
      this.setState('closed', this.error);
    }
  }

  /**
   * backoff is first·2^attempt capped at limit, with jitter in [d/2, d], so
   * the subscribers of a restarted daemon do not redial in lockstep.
   * @param {number} attempt
   */
  backoff(attempt) {
    let d = this.client.minBackoff;
    for (let i = 0; i < attempt && d < this.client.maxBackoff; i++) d *= 2;
    d = Math.min(d, this.client.maxBackoff);
    return d / 2 + Math.random() * (d / 2);
  }

  /**
   * stream runs one Subscribe call to its end, yielding its events; r says
   * whether a Hello came (which resets the backoff) and how it ended.
   * @param {{ connected: boolean, err: any }} r
   */
  async *stream(r) {
    const o = this.opts;
    const req = {
      project: o.project || '',
      fromSeq: this.seq,
      epoch: this.epoch,
      client: { ...this.client.clientInfo, ...o.client },
      protocolVersions: o.protocolVersions || [1],
      entries: o.entries || [],
    };
    const call = this.client.hot.Subscribe(req);
    this.call = call;
    // An error the stream ends with is taken here; the iterator below only
    // stops. (The for-await would otherwise throw it.)
    call.on('error', (/** @type {any} */ err) => {
      r.err = err;
    });
    this.hello = null;
    try {
      for await (const resp of call) {
        const ev = toEvent(resp.event);
        if (!ev) continue;
        if (ev.kind === 'hello') {
          this.hello = ev.hello;
          if (!r.connected) {
            r.connected = true;
            this.setState('connected', null);
          }
        } else if (this.duplicate(ev)) continue;
        // Advance before the hand-off, so position() covers an event as
        // soon as the iterator returns it.
        this.advance(ev);
        yield ev;
        if (this.closed) return;
      }
    } catch (err) {
      r.err ??= err;
    } finally {
      call.cancel();
      if (this.call === call) this.call = null;
    }
  }

  /**
   * duplicate reports a signal already handed out: same epoch, seq not past
   * the resume point. A resync is never one: it says the resume point
   * itself is void.
   * @param {any} ev
   */
  duplicate(ev) {
    if (ev.kind === 'heartbeat' || isResync(ev)) return false;
    return this.epoch !== '' && ev.epoch === this.epoch && big(ev.seq) <= big(this.seq);
  }

  /**
   * advance moves the resume point past a delivered event, as the Go
   * client: a Hello only for a subscription that had none (it started
   * live); a resync to the head of the new stream; other signals to their
   * own (epoch, seq); heartbeats never. A Hello that does not resume leaves
   * the old point until the resync that follows is delivered, so a stream
   * that breaks in between asks again and gets the resync again.
   * @param {any} ev
   */
  advance(ev) {
    const hello = this.hello;
    if (ev.kind === 'hello') {
      if (this.epoch === '') {
        this.epoch = ev.hello.epoch;
        this.seq = String(ev.hello.headSeq);
      }
    } else if (ev.kind === 'heartbeat') {
      // no move
    } else if (isResync(ev)) {
      let epoch = ev.epoch;
      let seq = big(ev.seq);
      if (!epoch) epoch = hello?.epoch || '';
      if (hello && hello.epoch === epoch && big(hello.headSeq) > seq) seq = big(hello.headSeq);
      this.epoch = epoch;
      this.seq = String(seq);
    } else if (ev.epoch) {
      this.epoch = ev.epoch;
      this.seq = String(ev.seq);
    }
  }
}
