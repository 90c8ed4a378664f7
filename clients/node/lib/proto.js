// The hmrd.v1 services, loaded at run time from the copy of hmrd.proto that
// ships with this package (proto/hmrd/v1/hmrd.proto, kept identical to the
// repository's by a test), and the conversion of what they return into
// plain objects in the proto3 JSON mapping.

import { fileURLToPath } from 'node:url';
import grpc from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';

export const PROTO_FILE = fileURLToPath(new URL('../proto/hmrd/v1/hmrd.proto', import.meta.url));

/** @type {any} */
let cached;

/**
 * services loads hmrd.proto once and returns the four service
 * constructors. Messages come back with lowerCamelCase fields, 64-bit
 * integers as decimal strings, enums by name, every field present (zero
 * values included) and the oneof name of an Event in `kind`.
 */
export function services() {
  if (!cached) {
    const def = protoLoader.loadSync(PROTO_FILE, {
      keepCase: false,
      longs: String,
      enums: String,
      defaults: true,
      arrays: true,
      objects: true,
      oneofs: true,
    });
    const pkg = /** @type {any} */ (grpc.loadPackageDefinition(def)).hmrd.v1;
    cached = { HotService: pkg.HotService, ProjectService: pkg.ProjectService, AdminService: pkg.AdminService, BundlerService: pkg.BundlerService };
  }
  return cached;
}

/**
 * toDate converts a google.protobuf.Timestamp ({seconds, nanos}) into a
 * Date, null when unset.
 * @param {any} ts
 * @returns {Date | null}
 */
export function toDate(ts) {
  if (!ts || typeof ts !== 'object') return null;
  const ms = Number(ts.seconds || 0) * 1000 + Math.floor(Number(ts.nanos || 0) / 1e6);
  return new Date(ms);
}

/**
 * toMillis converts a google.protobuf.Duration into milliseconds, null when
 * unset.
 * @param {any} d
 * @returns {number | null}
 */
export function toMillis(d) {
  if (!d || typeof d !== 'object') return null;
  return Number(d.seconds || 0) * 1000 + Number(d.nanos || 0) / 1e6;
}

/**
 * event turns a decoded hmrd.v1.Event into the client's shape: `time` a
 * Date, `kind` the name of its body ('hello', 'update', …), the body under
 * that name and every other body absent.
 * @param {any} ev
 */
export function event(ev) {
  if (!ev) return null;
  const kind = ev.kind || '';
  /** @type {Record<string, any>} */
  const out = {
    project: ev.project,
    seq: ev.seq,
    epoch: ev.epoch,
    version: ev.version,
    time: toDate(ev.time),
    changes: ev.changes || [],
    notes: ev.notes || [],
    kind,
  };
  if (kind) out[kind] = ev[kind];
  return out;
}

/** @param {any} resp a StatusResponse */
export function statusResponse(resp) {
  return {
    ...resp,
    started: toDate(resp.started),
    uptime: toMillis(resp.uptime),
    projects: (resp.projects || []).map((/** @type {any} */ p) => ({
      ...p,
      lastSignal: p.lastSignal ? event(p.lastSignal) : null,
      lastLatency: toMillis(p.lastLatency),
      medianLatency: toMillis(p.medianLatency),
    })),
    subscribers: (resp.subscribers || []).map((/** @type {any} */ s) => ({ ...s, connected: toDate(s.connected) })),
    registrations: (resp.registrations || []).map((/** @type {any} */ r) => ({
      ...r,
      connected: toDate(r.connected),
      gateTimeout: toMillis(r.gateTimeout),
      oldestPending: toMillis(r.oldestPending),
    })),
  };
}
