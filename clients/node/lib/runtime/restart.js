// A full reload of a Node.js program is a restart. Three modes
// (HMRD_NODE_RESTART):
//   reexec (default): start the same program again (process.execPath with
//     the same execArgv and argv, the same working directory and
//     environment, stdio inherited) and exit; the new process waits until
//     this one is gone, so the ports and files it held are free;
//   exit[:CODE]: exit with CODE (default 75) and let a supervisor (a shell
//     loop, systemd, nodemon, a container runtime) start it again;
//   log: only say that a restart is needed, and carry on with the old code.
// Every mode first logs the daemon's reason and the chain that reached the
// dead end.

import { spawn } from 'node:child_process';
import net from 'node:net';
import { TAG } from './shared/common.js';

/** The exit code of exit mode unless one is given: EX_TEMPFAIL, "try again". */
export const DEFAULT_EXIT_CODE = 75;

/** The variable a re-executed process finds the fd of its parent's pipe in. */
export const PARENT_FD_ENV = 'HMRD_NODE_PARENT_FD';

/**
 * @typedef {{ mode: 'reexec' } | { mode: 'exit', code: number } | { mode: 'log' }} RestartMode
 */

/**
 * parseRestartMode reads HMRD_NODE_RESTART.
 * @param {string | undefined} s
 * @returns {RestartMode}
 */
export function parseRestartMode(s) {
  const v = (s || '').trim();
  if (v === '' || v === 'reexec') return { mode: 'reexec' };
  if (v === 'log') return { mode: 'log' };
  const m = /^exit(?::(\d{1,3}))?$/.exec(v);
  if (m) return { mode: 'exit', code: m[1] === undefined ? DEFAULT_EXIT_CODE : Number(m[1]) };
  throw new Error(`HMRD_NODE_RESTART=${v}: want reexec, exit, exit:CODE or log`);
}

/**
 * createRestarter returns what restarts the program, once.
 * @param {{ mode: RestartMode, log: (level: 'debug' | 'info' | 'warn' | 'error', ...args: unknown[]) => void, beforeExit?: () => void }} o
 */
export function createRestarter({ mode, log, beforeExit }) {
  let done = false;
  /**
   * @param {{ reason: string, chain?: string[], cause?: string }} why
   * @returns {'continue' | 'exiting'}
   */
  return function restart(why) {
    const chain = why.chain && why.chain.length ? `\n${TAG}   chain: ${why.chain.join(' → ')}` : '';
    log('warn', `${TAG} full reload: ${why.reason}${chain}`);
    if (mode.mode === 'log') {
      log('warn', `${TAG} restart needed; carrying on with the old code (HMRD_NODE_RESTART=log)`);
      return 'continue';
    }
    if (done) return 'exiting';
    done = true;
    beforeExit?.();
    if (mode.mode === 'exit') {
      log('warn', `${TAG} exiting with code ${mode.code} to be restarted (HMRD_NODE_RESTART=exit)`);
      process.exit(mode.code);
    }
    const args = [...process.execArgv, ...process.argv.slice(1)];
    const child = spawn(process.execPath, args, {
      stdio: ['inherit', 'inherit', 'inherit', 'pipe'],
      env: { ...process.env, [PARENT_FD_ENV]: '3' },
    });
    log('warn', `${TAG} restarting: pid ${process.pid} → ${child.pid}`);
    child.unref();
    /** @type {any} */ (child.stdio[3])?.unref?.();
    process.exit(0);
  };
}

/**
 * waitForParent: in a process started by reexec, wait until the process
 * that started it is gone (its end of the pipe on fd 3 closes), so what it
 * held (a listening port) is free. Elsewhere it returns at once.
 */
export async function waitForParent() {
  const fd = Number(process.env[PARENT_FD_ENV]);
  delete process.env[PARENT_FD_ENV];
  if (!Number.isInteger(fd) || fd < 3) return;
  await new Promise((resolve) => {
    let sock;
    try {
      sock = new net.Socket({ fd, readable: true, writable: false });
    } catch {
      resolve(undefined);
      return;
    }
    sock.on('error', () => resolve(undefined));
    sock.on('close', () => resolve(undefined));
    sock.on('end', () => sock.destroy());
    sock.resume();
  });
}
