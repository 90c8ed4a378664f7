// @ts-check
// What the runtime's modules share: the log prefix and the logger, the
// event prefixes, timers, and the checks of 64-bit numbers on the wire.

/** @import { RuntimeDeps } from './hot.js' */

export const TAG = '[hmrd]';

/** Every runtime event is emitted under both prefixes (Vite compatibility). */
export const EVENT_PREFIXES = ['hmrd:', 'vite:'];

export const noop = () => {};

/** @typedef {'log' | 'debug' | 'warn' | 'error'} Level */

/** @typedef {(level: Level, ...args: unknown[]) => void} Log */

/**
 * The timers of the environment (manual ones in tests).
 * @typedef {object} Timers
 * @property {(fn: () => void, ms: number) => unknown} setTimeout
 * @property {(handle: unknown) => void} clearTimeout
 */

/**
 * createLog wraps a console: a broken console must not break HMR.
 * @param {NonNullable<RuntimeDeps['console']>} con
 * @returns {Log}
 */
export function createLog(con) {
  return (level, ...args) => {
    try {
      const fn = con[level] || con.log;
      fn.apply(con, args);
    } catch {
      // nowhere left to say it
    }
  };
}

/**
 * isSeq: a seq or version token as protojson writes a uint64 (decimal
 * digits in a string), or a non-negative integer.
 * @param {unknown} v
 * @returns {v is string | number}
 */
export function isSeq(v) {
  return (typeof v === 'string' && /^\d+$/.test(v)) || (typeof v === 'number' && Number.isInteger(v) && v >= 0);
}

/**
 * errorLocation is where an Error signal points: file:line:column, else the
 * module ID, else ''.
 * @param {{ file?: string, line?: number, column?: number, module?: string }} e
 * @returns {string}
 */
export function errorLocation(e) {
  if (!e.file) return e.module || '';
  return `${e.file}${e.line ? ':' + e.line + (e.column ? ':' + e.column : '') : ''}`;
}

/**
 * webpackId is the ID the webpack API speaks of a module: webpack names a
 * module by its path from the project root ("./src/a.js"); hmrd's module
 * IDs start with "/".
 * @param {string} id
 */
export function webpackId(id) {
  return id.startsWith('/') && !id.startsWith('/@') ? '.' + id : id;
}
