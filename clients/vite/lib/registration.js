// @ts-check
// The plugin's bundler registration (@hmrd/client's register(): hmrd.v1
// BundlerService.Register), kept open for as long as Vite runs. Over it the
// plugin reports the facts of the modules Vite transformed and, as the
// project's rebuild gate, acknowledges each batch once Vite's module graph
// is invalidated for it. A registration does not outlive its stream; when
// it ends this one opens a new one with backoff and reports every module
// it knows afresh (the daemon withdrew the old registration's facts).

/**
 * @typedef {import('../index.js').ModuleFacts} ModuleFacts
 * @typedef {import('@hmrd/client').GateBatch} GateBatch
 * @typedef {{
 *   project: string,
 *   gate: boolean,
 *   gateTimeout?: number,
 *   clientInfo: {name: string, version: string, kind: string},
 *   onGateBatch: (b: GateBatch) => Promise<void>,
 *   onError?: (err: Error) => void,
 *   onNotFound?: () => Promise<boolean>,
 *   backoff?: {first: number, limit: number},
 * }} RegistrationOptions
 */

/** Registration keeps a registration open and the daemon's copy of the facts current. */
export class Registration {
  /**
   * @param {import('@hmrd/client').Client} client
   * @param {RegistrationOptions} o
   */
  constructor(client, o) {
    this.client = client;
    this.o = o;
    /** Every module's latest facts, by ID: reported again on each new registration. @type {Map<string, ModuleFacts>} */
    this.facts = new Map();
    /** Facts not yet sent to the current registration. @type {Map<string, ModuleFacts>} */
    this.unsent = new Map();
    /** @type {import('@hmrd/client').Registration | null} */
    this.reg = null;
    this.closed = false;
    /** The daemon has no BundlerService, or refused a report: no more tries. */
    this.unsupported = false;
    this.failures = 0;
    /** @type {NodeJS.Timeout | null} */
    this.retry = null;
    this.connect();
  }

  /** open says whether a registration is open now. */
  get open() {
    return this.reg !== null;
  }

  async connect() {
    if (this.closed) return;
    /** @type {import('@hmrd/client').Registration} */
    let reg;
    try {
      reg = await this.client.register({
        project: this.o.project,
        client: this.o.clientInfo,
        gate: this.o.gate,
        gateTimeout: this.o.gateTimeout,
      });
    } catch (err) {
      this.ended(/** @type {Error} */ (err));
      return;
    }
    if (this.closed) {
      reg.close();
      return;
    }
    this.reg = reg;
    reg.done.then((err) => {
      if (this.reg !== reg) return;
      this.reg = null;
      this.ended(err);
    });
    this.pumpGate(reg);
    // A new registration starts with no facts: send them all, replacing
    // whatever an earlier registration of this plugin left.
    this.unsent = new Map(this.facts);
    this.flush(true);
  }

  /**
   * pumpGate runs the gate batches one at a time, in order, and
   * acknowledges each.
   * @param {import('@hmrd/client').Registration} reg
   */
  async pumpGate(reg) {
    for await (const b of reg.gateBatches()) {
      try {
        await this.o.onGateBatch(b);
      } catch (err) {
        this.o.onError?.(/** @type {Error} */ (err));
      }
      // Acknowledged even when invalidating failed: holding the project's
      // signals until the timeout helps nobody.
      reg.ack(b.batch);
    }
  }

  /**
   * ended handles the end of a registration (or a failure to open one):
   * it opens a new one after a backoff, unless asking again cannot help.
   * @param {Error | null} err
   */
  ended(err) {
    if (this.closed) return;
    const code = /** @type {any} */ (err)?.code;
    if (code === 'UNIMPLEMENTED') {
      // A daemon older than bundler registrations.
      this.unsupported = true;
      this.o.onError?.(new Error('the daemon takes no bundler registrations (upgrade hmrd): it propagates over its own scan of the sources, and no gate holds its signals'));
      return;
    }
    if (code === 'INVALID_ARGUMENT') {
      // The daemon refused a report: the same facts would be refused
      // again. This is a bug of the plugin's; say so and stop.
      this.unsupported = true;
      this.o.onError?.(new Error(`the daemon refused the plugin's report, so it propagates over its own scan of the sources: ${err?.message}`));
      return;
    }
    if (code === 'NOT_FOUND' && this.o.onNotFound) {
      // A daemon restarted without the project: have it added again, then
      // register afresh.
      this.o.onNotFound().then((ok) => {
        if (ok) this.connect();
      });
      return;
    }
    if (err && code !== 'UNAVAILABLE' && code !== 'NO_DAEMON') this.o.onError?.(err);
    const first = this.o.backoff?.first ?? 50;
    const limit = this.o.backoff?.limit ?? 2000;
    const delay = Math.min(limit, first * 2 ** this.failures++) * (0.5 + Math.random() / 2);
    this.retry = setTimeout(() => {
      this.retry = null;
      this.connect();
    }, delay);
  }

  /**
   * report records facts and sends them with the next flush.
   * @param {ModuleFacts[]} modules
   */
  report(modules) {
    for (const m of modules) {
      this.facts.set(m.id, m);
      this.unsent.set(m.id, m);
    }
  }

  /**
   * flush sends the facts not yet sent; it resolves once the daemon has
   * applied them, or the registration ended (they go to the next one).
   * @param {boolean} [replace] withdraw every module not listed (a new registration)
   * @returns {Promise<void>}
   */
  async flush(replace = false) {
    const reg = this.reg;
    if (!reg || (!replace && this.unsent.size === 0)) return;
    const modules = [...this.unsent.values()];
    this.unsent.clear();
    try {
      await reg.reportFacts({ modules, withdraw: [], replace });
      // The daemon took a report: the registration is healthy again.
      this.failures = 0;
    } catch {
      // The registration ended; done says why, and the next one reports all.
    }
  }

  /**
   * changed reports modules Vite saw change that hmrd's watcher does not
   * know changed.
   * @param {string[]} ids
   */
  async changed(ids) {
    const reg = this.reg;
    if (!reg || ids.length === 0) return;
    try {
      await reg.reportChanges({ changes: ids.map((module) => ({ file: '', module, kind: 'CHANGE_KIND_UPDATE' })) });
    } catch {
      // The registration ended: done says why.
    }
  }

  close() {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    const reg = this.reg;
    this.reg = null;
    reg?.close();
  }
}
