// Where the daemon listens: the default socket path (the same rule as the
// daemon and the Go client, internal/sockpath) and the parsing of targets.

import path from 'node:path';
import net from 'node:net';

/**
 * defaultSocket is $HMRD_SOCKET, else $XDG_RUNTIME_DIR/hmrd/hmrd.sock, else
 * <tmp>/hmrd-<uid>/hmrd.sock where <tmp> is $TMPDIR, or /tmp when it is
 * unset or empty. It must agree with the daemon's own default.
 * @param {NodeJS.ProcessEnv} [env]
 * @returns {string}
 */
export function defaultSocket(env = process.env) {
  if (env.HMRD_SOCKET) return env.HMRD_SOCKET;
  if (env.XDG_RUNTIME_DIR) return path.join(env.XDG_RUNTIME_DIR, 'hmrd', 'hmrd.sock');
  const uid = typeof process.getuid === 'function' ? process.getuid() : -1;
  // Go's os.TempDir: $TMPDIR, else /tmp (not os.tmpdir(), which also
  // reads $TMP and $TEMP and strips a trailing slash differently).
  const tmp = env.TMPDIR || '/tmp';
  return path.join(tmp, `hmrd-${uid}`, 'hmrd.sock');
}

/**
 * @typedef {object} Endpoint
 * @property {'unix' | 'tcp'} network
 * @property {string} address an absolute socket path, or host:port
 */

/**
 * parseTarget turns a target into an endpoint, as the Go client's Dial:
 *   - "" (or undefined) is defaultSocket();
 *   - "unix://PATH", "unix:PATH", or anything that looks like a path (has
 *     a slash, starts with a dot, ends in .sock, or has no port) is a unix
 *     socket; a relative path is taken from the working directory;
 *   - "tcp://HOST:PORT" and "HOST:PORT" are TCP.
 * @param {string} [target]
 * @param {NodeJS.ProcessEnv} [env]
 * @returns {Endpoint}
 */
export function parseTarget(target, env = process.env) {
  let t = target || defaultSocket(env);
  if (t.startsWith('unix://')) return unixEndpoint(t.slice('unix://'.length));
  if (t.startsWith('unix:')) return unixEndpoint(t.slice('unix:'.length));
  if (t.startsWith('tcp://')) return tcpEndpoint(t.slice('tcp://'.length));
  if (t.includes('/') || t.startsWith('.') || t.endsWith('.sock')) return unixEndpoint(t);
  const hp = splitHostPort(t);
  if (hp && hp.port !== '') return tcpEndpoint(t);
  return unixEndpoint(t);
}

/** @param {string} p */
function unixEndpoint(p) {
  if (!p) throw new TypeError('hmrd target: empty unix socket path');
  return { network: 'unix', address: path.resolve(p) };
}

/** @param {string} addr */
function tcpEndpoint(addr) {
  const hp = splitHostPort(addr);
  if (!hp) throw new TypeError(`hmrd target ${addr}: want host:port`);
  return { network: 'tcp', address: addr };
}

/**
 * splitHostPort is Go's net.SplitHostPort, enough of it: "host:port" or
 * "[v6]:port"; null when malformed.
 * @param {string} addr
 * @returns {{ host: string, port: string } | null}
 */
export function splitHostPort(addr) {
  if (addr.startsWith('[')) {
    const end = addr.indexOf(']');
    if (end < 0 || addr[end + 1] !== ':') return null;
    return { host: addr.slice(1, end), port: addr.slice(end + 2) };
  }
  const i = addr.lastIndexOf(':');
  if (i < 0) return null;
  const host = addr.slice(0, i);
  if (host.includes(':')) return null; // too many colons
  return { host, port: addr.slice(i + 1) };
}

/**
 * loopbackHost: whether host:port names this machine only (localhost or a
 * loopback IP), so a plaintext connection stays on the machine.
 * @param {string} addr
 */
export function loopbackHost(addr) {
  const hp = splitHostPort(addr);
  if (!hp) return false;
  const host = hp.host.replace(/\.$/, '').toLowerCase();
  if (host === 'localhost') return true;
  if (net.isIPv4(host)) return host.startsWith('127.');
  if (net.isIPv6(host)) return host === '::1' || /^(0:){7}1$/.test(host) || /^::ffff:127\./i.test(host);
  return false;
}

/**
 * grpcTarget is the target string @grpc/grpc-js dials for an endpoint.
 * @param {Endpoint} ep
 */
export function grpcTarget(ep) {
  return ep.network === 'unix' ? `unix://${ep.address}` : ep.address;
}

