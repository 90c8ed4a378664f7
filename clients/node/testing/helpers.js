// Helpers of the node --test suites: temporary trees, a daemon of one's
// own (hmrd serve, built by the Go test that runs these suites), waiting on
// events and output lines with a deadline.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';

export const PKG_DIR = fileURLToPath(new URL('..', import.meta.url));
export const REGISTER = fileURLToPath(new URL('../register.js', import.meta.url));

/** How long a test waits for something that should happen soon. */
export const DEADLINE = Number(process.env.HMRD_TEST_DEADLINE_MS || 30000);

/** The hmrd binary (HMRD_BIN), or null: tests that need their own daemon skip. */
export const HMRD_BIN = process.env.HMRD_BIN || null;

/**
 * tempDir makes a directory with a short real path (unix socket paths are
 * limited to 108 bytes) that is removed when the process exits.
 * @param {string} [prefix]
 */
export function tempDir(prefix = 'hn') {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
  atExit.add(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** What to undo when the test process exits: processes to kill, directories to remove. */
const atExit = new Set();
process.on('exit', () => {
  for (const fn of atExit) {
    try {
      fn();
    } catch {
      // best effort
    }
  }
});

let tmpN = 0;

/**
 * writeFiles writes files (name → content) under root, each at once as
 * editors save (a temporary file renamed over it): a reader never sees it
 * truncated.
 * @param {string} root
 * @param {Record<string, string>} files
 */
export function writeFiles(root, files) {
  for (const [name, body] of Object.entries(files)) {
    const p = path.join(root, name);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    const tmp = path.join(path.dirname(p), `.${path.basename(p)}.${process.pid}.${++tmpN}~`);
    fs.writeFileSync(tmp, body);
    fs.renameSync(tmp, p);
  }
}

/**
 * tree makes a temporary tree with files; its real path.
 * @param {Record<string, string>} files
 */
export function tree(files) {
  const root = path.join(tempDir(), 'app');
  fs.mkdirSync(root);
  writeFiles(root, files);
  return root;
}

/**
 * withDeadline rejects when p does not settle within ms.
 * @template T
 * @param {Promise<T>} p
 * @param {string} what
 * @param {number} [ms]
 * @returns {Promise<T>}
 */
export async function withDeadline(p, what, ms = DEADLINE) {
  const ac = new AbortController();
  const timeout = delay(ms, undefined, { signal: ac.signal }).then(
    () => {
      throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    },
    () => {},
  );
  try {
    return /** @type {T} */ (await Promise.race([p, timeout]));
  } finally {
    ac.abort();
  }
}

/**
 * nextEvent pulls events from an iterator until one matches pred
 * (heartbeats are skipped), within the deadline. With strict, an event
 * that does not match fails instead of being skipped.
 * @param {AsyncIterator<any>} it
 * @param {(ev: any) => boolean} pred
 * @param {{ what?: string, strict?: boolean, ms?: number }} [o]
 */
export async function nextEvent(it, pred, o = {}) {
  const what = o.what || 'an event';
  return withDeadline(
    (async () => {
      for (;;) {
        const r = await it.next();
        if (r.done) throw new Error(`stream ended while waiting for ${what}`);
        const ev = r.value;
        if (ev.kind === 'heartbeat') continue;
        if (pred(ev)) return ev;
        if (o.strict) throw new Error(`waiting for ${what}, got ${JSON.stringify(ev)}`);
      }
    })(),
    what,
    o.ms,
  );
}

/**
 * Lines collects the lines of a stream and lets a test wait for one.
 */
export class Lines {
  /** @param {import('node:stream').Readable} stream */
  constructor(stream) {
    /** @type {string[]} */
    this.lines = [];
    /** @type {Array<() => void>} */
    this.waiters = [];
    this.ended = false;
    let buf = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk) => {
      buf += chunk;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        this.lines.push(buf.slice(0, i));
        buf = buf.slice(i + 1);
      }
      this.wake();
    });
    stream.on('end', () => {
      if (buf) this.lines.push(buf);
      this.ended = true;
      this.wake();
    });
  }

  wake() {
    for (const w of this.waiters.splice(0)) w();
  }

  text() {
    return this.lines.join('\n');
  }

  /**
   * waitFor resolves with the first line at index ≥ from that matches re,
   * and the index after it.
   * @param {RegExp | string} re
   * @param {{ from?: number, ms?: number }} [o]
   * @returns {Promise<{ line: string, match: RegExpMatchArray, next: number }>}
   */
  waitFor(re, o = {}) {
    const rx = typeof re === 'string' ? new RegExp(re.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : re;
    let from = o.from ?? 0;
    return withDeadline(
      new Promise((resolve, reject) => {
        const check = () => {
          for (; from < this.lines.length; from++) {
            const m = this.lines[from].match(rx);
            if (m) return resolve({ line: this.lines[from], match: m, next: from + 1 });
          }
          if (this.ended) return reject(new Error(`output ended without a line matching ${rx}`));
          this.waiters.push(check);
        };
        check();
      }),
      `a line matching ${rx} (output so far:\n${this.text()}\n)`,
      o.ms,
    ).catch((err) => {
      throw new Error(`${err.message.split('(output so far')[0]}\noutput:\n${this.text()}`);
    });
  }
}

/**
 * startDaemon runs `hmrd serve --http off` on roots with a socket of its
 * own and resolves once it says it is ready.
 * @param {string[]} roots
 * @param {{ socket?: string, args?: string[] }} [o]
 */
export async function startDaemon(roots, o = {}) {
  if (!HMRD_BIN) throw new Error('HMRD_BIN is not set');
  const socket = o.socket || path.join(tempDir('hs'), 's');
  const proc = spawn(HMRD_BIN, ['serve', '--http', 'off', '--socket', socket, '--log-level', 'debug', ...(o.args || []), ...roots], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const logs = new Lines(/** @type {import('node:stream').Readable} */ (proc.stderr));
  const exited = new Promise((resolve) => proc.once('exit', resolve));
  const d = {
    socket,
    proc,
    logs,
    exited,
    /** SIGINT, and wait for the exit. */
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGINT');
      await exited;
    },
    /** SIGKILL: the socket file stays behind. */
    async kill() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      await exited;
    },
  };
  atExit.add(() => proc.kill('SIGKILL'));
  const ready = await logs.waitFor(/hmrd ready/);
  return { ...d, ready: ready.line };
}

/**
 * startApp runs `node --import @hmrd/client/register entry` in dir, with
 * HMRD_SOCKET set, and collects its output.
 * @param {string} dir
 * @param {string} entry
 * @param {{ socket: string, env?: Record<string, string>, args?: string[], appArgs?: string[] }} o
 */
export function startApp(dir, entry, o) {
  const proc = spawn(process.execPath, ['--import', REGISTER, ...(o.args || []), entry, ...(o.appArgs || [])], {
    cwd: dir,
    env: { ...process.env, HMRD_SOCKET: o.socket, HMRD_NODE_RESTART: 'exit', HMRD_NODE_CONNECT_TIMEOUT: String(DEADLINE), ...o.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = new Lines(/** @type {import('node:stream').Readable} */ (proc.stdout));
  const err = new Lines(/** @type {import('node:stream').Readable} */ (proc.stderr));
  const exited = new Promise((resolve) => proc.once('exit', (code, sig) => resolve({ code, signal: sig })));
  atExit.add(() => proc.kill('SIGKILL'));
  return {
    proc,
    out,
    err,
    exited,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      return exited;
    },
    /**
     * expect waits for a line of stdout; a failure shows stderr too.
     * @param {RegExp | string} re
     * @param {{ from?: number, ms?: number }} [o]
     */
    async expect(re, o) {
      try {
        return await out.waitFor(re, o);
      } catch (failure) {
        throw new Error(`${/** @type {Error} */ (failure).message}\nstderr:\n${err.text()}`);
      }
    },
    /** Both outputs, for failure messages. */
    logs() {
      return `stdout:\n${out.text()}\nstderr:\n${err.text()}`;
    },
  };
}

/**
 * runApp writes a tree (with a package.json) and starts its entry under the
 * runtime; resolves once the program printed `ready`.
 * @param {Record<string, string>} files
 * @param {{ socket?: string, entry?: string, env?: Record<string, string>, root?: string, args?: string[] }} [o]
 */
export async function runApp(files, o = {}) {
  const root = o.root || tree({ 'package.json': '{"type":"module"}\n', ...files });
  if (o.root) writeFiles(root, files);
  const socket = o.socket || process.env.HMRD_SOCKET || '';
  const app = startApp(root, o.entry || 'app.mjs', { socket, env: o.env, appArgs: o.args });
  const ready = await app.out.waitFor(/^ready/).catch((err) => {
    app.proc.kill('SIGKILL');
    throw new Error(`${err.message}\n${app.logs()}`);
  });
  return { root, app, at: ready.next, /** @param {Record<string, string>} f */ edit: (f) => writeFiles(root, f) };
}
