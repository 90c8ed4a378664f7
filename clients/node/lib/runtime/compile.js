// @ts-check
// TypeScript and JSX under Node.js. Node strips TypeScript types itself
// from 22.6 (by default from 22.18 and 23.6) and never compiles JSX; what
// it cannot run, the daemon compiles, with the settings it scans the file
// with (its tsconfig), so the program imports exactly what the graph has.
//
// Module hooks may be synchronous (module.registerHooks), so the compile
// is too: a worker thread holds a client of the daemon and the hook waits
// for its answer on a shared flag (Atomics.wait), with a deadline.

import path from 'node:path';
import { Worker, MessageChannel, receiveMessageOnPort } from 'node:worker_threads';

/** How long a module load waits for the daemon's compile, ms. */
const COMPILE_TIMEOUT_MS = 30000;

/**
 * canStripTypes: whether this Node.js runs TypeScript (type stripping) itself.
 * @returns {boolean}
 */
export function canStripTypes() {
  return Boolean(/** @type {any} */ (process.features).typescript);
}

/**
 * needsCompile: whether file must be compiled before Node can run it as an
 * ES module: JSX always, TypeScript when Node cannot strip types. CommonJS
 * TypeScript (.cts) is left to Node.
 * @param {string} file
 * @param {boolean} canStrip
 */
export function needsCompile(file, canStrip) {
  switch (path.extname(file).toLowerCase()) {
    case '.jsx':
    case '.tsx':
      return true;
    case '.ts':
    case '.mts':
      return !canStrip;
  }
  return false;
}

/**
 * tsCandidates are the specifiers to try, in order, when a relative
 * specifier of a TypeScript or JSX module names no file: TypeScript's
 * rules, which the daemon's resolver follows too (`./x.js` written for the
 * compiled file that is `./x.ts` in the source; extensionless and
 * directory imports as bundlers take them).
 * @param {string} spec
 * @returns {string[]}
 */
export function tsCandidates(spec) {
  if (!spec.startsWith('./') && !spec.startsWith('../') && !spec.startsWith('/')) return [];
  const q = spec.search(/[?#]/);
  const base = q < 0 ? spec : spec.slice(0, q);
  const tail = q < 0 ? '' : spec.slice(q);
  const ext = path.posix.extname(base);
  const stem = base.slice(0, base.length - ext.length);
  switch (ext) {
    case '.js':
      return [stem + '.ts' + tail, stem + '.tsx' + tail];
    case '.jsx':
      return [stem + '.tsx' + tail];
    case '.mjs':
      return [stem + '.mts' + tail];
    case '':
      return ['.ts', '.tsx', '.js', '.jsx', '.mjs', '.mts', '/index.ts', '/index.tsx', '/index.js', '/index.jsx'].map((e) => base + e + tail);
  }
  return [];
}

/**
 * @typedef {object} CompileError
 * @property {string} message
 * @property {string} file
 * @property {number} line
 * @property {number} column
 * @property {string} frame
 */

/**
 * compileErrorText renders a syntax error the daemon reported as Node
 * prints its own: file:line:column, the message, the code frame.
 * @param {CompileError} e
 */
export function compileErrorText(e) {
  const at = e.line ? `${e.file}:${e.line}:${e.column}` : e.file;
  return `${at}: ${e.message}${e.frame ? '\n\n' + e.frame : ''}`;
}

/**
 * createCompiler starts (on first use) the worker that asks the daemon to
 * compile. compileSync returns the module's JavaScript or throws: a
 * SyntaxError positioned in the source, or an Error saying why the daemon
 * could not be asked.
 * @param {() => string} project the daemon's project name, as known now
 */
export function createCompiler(project) {
  /** @type {Worker | null} */
  let worker = null;
  /** @type {import('node:worker_threads').MessagePort | null} */
  let port = null;
  const flag = new Int32Array(new SharedArrayBuffer(4));
  let seq = 0;
  function ensure() {
    if (worker) return /** @type {import('node:worker_threads').MessagePort} */ (port);
    const ch = new MessageChannel();
    port = ch.port1;
    // No --import of the runtime in there: the worker only talks to the daemon.
    worker = new Worker(new URL('./compile-worker.js', import.meta.url), {
      workerData: { port: ch.port2, flag: flag.buffer },
      transferList: [ch.port2],
      execArgv: [],
    });
    worker.unref();
    port.unref();
    return port;
  }
  return {
    /**
     * @param {string} file
     * @param {string} source
     * @returns {string}
     */
    compileSync(file, source) {
      const p = ensure();
      const id = ++seq;
      const deadline = Date.now() + COMPILE_TIMEOUT_MS;
      Atomics.store(flag, 0, 0);
      p.postMessage({ id, project: project(), file, source });
      for (;;) {
        const got = receiveMessageOnPort(p);
        if (!got) {
          // Nothing yet, or only a late answer to a request given up
          // on was there: wait for the next answer.
          const left = deadline - Date.now();
          if (left <= 0 || Atomics.wait(flag, 0, 0, left) === 'timed-out') {
            throw new Error(`hmrd: no compile of ${file} from the daemon within ${COMPILE_TIMEOUT_MS} ms`);
          }
          Atomics.store(flag, 0, 0);
          continue;
        }
        const m = got.message;
        if (m.id !== id) continue; // an answer to a request given up on
        if (m.error) throw new SyntaxError(compileErrorText(m.error));
        if (m.fail) throw new Error(`hmrd: cannot compile ${file}: ${m.fail}`);
        return m.code;
      }
    },
    close() {
      worker?.terminate();
      worker = null;
    },
  };
}
