// The harness of the ported webpack HMR cases: webpack's test vocabulary
// (it, expect, NEXT, update) over hmrd's runtimes, the same module in a
// page and in a Node.js program.
//
// It puts the runtime in manual mode, so updates wait for check() as in
// webpack's tests. NEXT(callback) asks the runner for the next version of
// the case's files; the callback runs once the runtime holds the update
// that version makes (hmrd:updateAvailable) or reports the error it makes
// (hmrd:error), with webpack's (err, stats) arguments. The runner learns
// of requests and of the result from globalThis.__hotcase (a page) or from
// "__HOTCASE__ {json}" lines on stdout (Node.js).

globalThis.__HMRD_MANUAL__ = true;

const hot = import.meta.webpackHot;
const isNode = typeof process !== 'undefined' && !!(process.versions && process.versions.node);

/** What the runner reads. */
const state = (globalThis.__hotcase = { requested: 0, result: null, statuses: [] });

/** @param {object} msg */
function tell(msg) {
  if (isNode) process.stdout.write('__HOTCASE__ ' + JSON.stringify(msg) + '\n');
}

if (!hot) {
  finish(new Error('import.meta.webpackHot is not defined'));
}

/** @type {((stats: { errors: string[] }) => void) | null} */
let waiter = null;

/** @param {{ errors: string[] }} stats */
function arrived(stats) {
  const w = waiter;
  waiter = null;
  if (w) w(stats);
}

if (import.meta.hot) {
  import.meta.hot.on('hmrd:updateAvailable', () => arrived({ errors: [] }));
  import.meta.hot.on('hmrd:error', (e) => arrived({ errors: [String(e && e.message)] }));
}

/**
 * NEXT asks for the next version of the case; callback(err, stats) runs
 * when the runtime has it.
 * @param {(err: unknown, stats: { errors: string[] }) => void} callback
 */
export function NEXT(callback) {
  const n = ++state.requested;
  waiter = (stats) => callback(null, stats);
  tell({ next: n });
}

/**
 * update is webpack's test/hotCases/update.js: check(options || true),
 * then callback, or done with the error.
 * @param {(err?: unknown) => void} done
 * @param {any} [options]
 * @param {(stats: any) => void} [callback]
 */
export function update(done, options, callback) {
  return (/** @type {unknown} */ err, /** @type {any} */ stats) => {
    if (err) return done(err);
    hot
      .check(options || true)
      .then((updatedModules) => {
        if (!updatedModules) return done(new Error('No update available'));
        if (callback) callback(stats);
      })
      .catch((e) => done(e));
  };
}

let pending = 0;
let failed = false;
/** @type {Promise<void>} */
let chain = Promise.resolve();

/**
 * it runs one test of the case, after the ones before it: fn(done) when
 * it takes an argument, else fn() and the promise it returns.
 * @param {string} name
 * @param {Function} fn
 */
export function it(name, fn) {
  pending++;
  chain = chain.then(
    () =>
      new Promise((resolve) => {
        let settled = false;
        const done = (/** @type {unknown} */ err) => {
          if (settled) return;
          settled = true;
          if (err) {
            failed = true;
            finish(err instanceof Error ? err : new Error(String(err)), name);
          }
          resolve(undefined);
        };
        try {
          if (fn.length >= 1) fn(done);
          else Promise.resolve(fn()).then(() => done(), done);
        } catch (err) {
          done(err);
        }
      }),
  );
  chain = chain.then(() => {
    if (--pending === 0 && !failed) finish(null);
  });
}

/**
 * finish reports the case's result, once.
 * @param {Error | null} err
 * @param {string} [name]
 */
function finish(err, name) {
  if (state.result) return;
  state.result = err ? { ok: false, error: `${name ? name + ': ' : ''}${err.stack || err.message}` } : { ok: true };
  tell({ done: !err, error: err ? state.result.error : undefined });
}

/** @param {unknown} v */
const show = (v) => {
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
};

/**
 * @param {unknown} a
 * @param {unknown} b
 * @returns {boolean}
 */
function equal(a, b) {
  if (Object.is(a, b)) return true;
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    if (b instanceof Matcher) return b.test(a);
    if (Array.isArray(a) !== Array.isArray(b)) return false;
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    if (ka.length !== kb.length) return false;
    return kb.every((k) => equal(/** @type {any} */ (a)[k], /** @type {any} */ (b)[k]));
  }
  return false;
}

/** A partial expectation (expect.objectContaining). */
class Matcher {
  /** @param {Record<string, unknown>} fields */
  constructor(fields) {
    this.fields = fields;
  }
  /** @param {any} v */
  test(v) {
    return !!v && Object.keys(this.fields).every((k) => equal(v[k], this.fields[k]));
  }
}

/**
 * expect is the part of Jest's expect the cases use.
 * @param {any} actual
 */
export function expect(actual) {
  /** @param {boolean} ok @param {string} what */
  const check = (ok, what) => {
    if (!ok) throw new Error(`expected ${show(actual)} ${what}`);
  };
  const m = {
    /** @param {unknown} v */
    toBe: (v) => check(Object.is(actual, v), `to be ${show(v)}`),
    /** @param {unknown} v */
    toEqual: (v) => check(equal(actual, v), `to equal ${show(v)}`),
    /** @param {RegExp | string} re */
    toMatch: (re) => check(typeof re === 'string' ? String(actual).includes(re) : re.test(String(actual)), `to match ${re}`),
    /** @param {unknown} v */
    toContain: (v) => check(Array.isArray(actual) ? actual.includes(v) : String(actual).includes(String(v)), `to contain ${show(v)}`),
    toThrow: () => {
      let threw = false;
      try {
        actual();
      } catch {
        threw = true;
      }
      check(threw, 'to throw');
    },
    not: {
      /** @param {unknown} v */
      toBe: (v) => check(!Object.is(actual, v), `not to be ${show(v)}`),
    },
  };
  return m;
}
/** @param {Record<string, unknown>} fields */
expect.objectContaining = (fields) => new Matcher(fields);

/**
 * ids gives a case the IDs webpack's API speaks of its modules: ./<case>/<file>
 * (the runners serve every case from one project root).
 * @param {string} url the case's import.meta.url
 */
export function ids(url) {
  const parts = new URL(url).pathname.split('/');
  const dir = parts[parts.length - 2];
  return (/** @type {string} */ file) => `./${dir}/${file}`;
}
