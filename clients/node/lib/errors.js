// Errors of the client: an RPC that failed (HmrdError, with the gRPC status
// name as its code) and a daemon that is not there (NoDaemonError).

import { status } from '@grpc/grpc-js';

/** gRPC status number → name ("NOT_FOUND"). @type {Record<number, string>} */
const CODE_NAMES = Object.fromEntries(
  Object.entries(status)
    .filter(([, v]) => typeof v === 'number')
    .map(([k, v]) => [/** @type {number} */ (v), k]),
);

/** codeName is the name of a gRPC status number ("UNAVAILABLE"). @param {number} code */
export const codeName = (code) => CODE_NAMES[code] || `CODE_${code}`;

/**
 * HmrdError is a failed RPC: which operation, the gRPC status (its name in
 * code, its number in grpcCode) and the daemon's message, which is worded
 * for people.
 */
export class HmrdError extends Error {
  /**
   * @param {string} op
   * @param {number} grpcCode
   * @param {string} details
   * @param {{ cause?: unknown }} [options]
   */
  constructor(op, grpcCode, details, options) {
    const name = codeName(grpcCode);
    // The daemon often says itself what failed ("add project /x: …").
    const verb = op.split(' ')[0];
    const text =
      grpcCode === status.UNAVAILABLE
        ? `${op}: daemon unavailable: ${details}`
        : verb && details.startsWith(verb)
          ? details
          : `${op}: ${details}`;
    super(text, options);
    this.name = 'HmrdError';
    /** The operation: "explain /src/a.js", "subscribe", … */
    this.op = op;
    /** The gRPC status name: "NOT_FOUND", "INVALID_ARGUMENT", … */
    this.code = name;
    /** The gRPC status number. */
    this.grpcCode = grpcCode;
    /** The daemon's message. */
    this.details = details;
  }
}

/**
 * NoDaemonError: nothing answers at the address (no socket file, a stale
 * socket left by a killed daemon, a refused or timed-out connection).
 */
export class NoDaemonError extends Error {
  /**
   * @param {string} address
   * @param {unknown} [cause]
   */
  constructor(address, cause) {
    super(`no hmrd daemon at ${address} (start one with \`hmrd serve\`)`, { cause });
    this.name = 'NoDaemonError';
    this.code = 'NO_DAEMON';
    this.address = address;
  }
}

/**
 * rpcError converts what a gRPC call failed with into an HmrdError.
 * @param {string} op
 * @param {any} err
 * @returns {Error}
 */
export function rpcError(op, err) {
  if (err && typeof err.code === 'number') {
    return new HmrdError(op, err.code, String(err.details ?? err.message ?? ''), { cause: err });
  }
  if (err instanceof Error) return new Error(`${op}: ${err.message}`, { cause: err });
  return new Error(`${op}: ${String(err)}`);
}

/**
 * permanent says whether a stream error is one a redial cannot fix: the
 * daemon answered and said no (an unknown or removed project, an ambiguous
 * one, an unsupported protocol). Everything else (the daemon gone, a cut
 * off for a slow consumer, a clean end of stream) is retried.
 * @param {any} err
 */
export function permanent(err) {
  if (!err || typeof err.code !== 'number') return false;
  switch (err.code) {
    case status.INVALID_ARGUMENT:
    case status.NOT_FOUND:
    case status.ALREADY_EXISTS:
    case status.PERMISSION_DENIED:
    case status.UNAUTHENTICATED:
    case status.FAILED_PRECONDITION:
    case status.UNIMPLEMENTED:
    case status.OUT_OF_RANGE:
      return true;
  }
  return false;
}
