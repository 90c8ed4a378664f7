// Types of @hmrd/client: the Node.js client of the hmrd daemon.
//
// Messages are plain objects in the proto3 JSON mapping of hmrd.v1
// (proto/hmrd/v1/hmrd.proto): lowerCamelCase fields, 64-bit integers as
// decimal strings, enums by name. Unlike protojson, every field is present
// (zero values included), timestamps are Dates and durations milliseconds.

/** A decimal string: hmrd.v1's 64-bit integers (seq, version). */
export type Int64 = string;

export type UpdateType = 'UPDATE_TYPE_UNSPECIFIED' | 'UPDATE_TYPE_JS' | 'UPDATE_TYPE_CSS';

export type FullReloadCause =
  | 'FULL_RELOAD_CAUSE_UNSPECIFIED'
  | 'FULL_RELOAD_CAUSE_NO_BOUNDARY'
  | 'FULL_RELOAD_CAUSE_DECLINED'
  | 'FULL_RELOAD_CAUSE_PAGE'
  | 'FULL_RELOAD_CAUSE_CONFIG'
  | 'FULL_RELOAD_CAUSE_INVALIDATE_LOOP'
  | 'FULL_RELOAD_CAUSE_INVALIDATE_ENTRY'
  | 'FULL_RELOAD_CAUSE_RESCAN'
  | 'FULL_RELOAD_CAUSE_RESYNC';

export interface Hello {
  protocolVersion: number;
  daemonVersion: string;
  epoch: string;
  headSeq: Int64;
  /** Absolute path of the project root. */
  root: string;
  resumed: boolean;
  subscriberId: string;
  /** The errors standing at headSeq, one per broken module, by module ID. */
  errors: ErrorSignal[];
}

export interface ModuleUpdate {
  type: UpdateType;
  /** The boundary: the module whose accept callbacks run. */
  path: string;
  /** The module the boundary re-imports (path itself when self-accepting). */
  acceptedPath: string;
  isWithinCircularImport: boolean;
  firstInvalidatedBy: string;
  /** From the changed module to the boundary. */
  chain: string[];
}

export interface Update {
  updates: ModuleUpdate[];
  /** Every module with a new version in this batch, with its token. */
  versions: Record<string, Int64>;
  triggers: string[];
  firstInvalidatedBy: string;
}

export interface FullReload {
  /** A sentence a person can act on (not for parsing). */
  reason: string;
  chain: string[];
  triggeredBy: string;
  /** "*" for every page, or one page. */
  path: string;
  cause: FullReloadCause;
}

export interface Prune {
  paths: string[];
}

/** A module's error: it stands until an ErrorCleared names the module. */
export interface ErrorSignal {
  message: string;
  module: string;
  file: string;
  line: number;
  column: number;
  frame: string;
  /** PARSE_ERROR, UNRESOLVED_IMPORT, TOO_LARGE or READ_ERROR. */
  code: string;
}

/** The errors of these modules no longer stand. */
export interface ErrorCleared {
  modules: string[];
}

export interface Custom {
  event: string;
  /** JSON text. */
  data: string;
  from: string;
}

export interface Heartbeat {
  headSeq: Int64;
}

export interface Refused {
  request: string;
  id: string;
  code: string;
  message: string;
}

interface EventBase {
  project: string;
  /** Per-project sequence number; 0 on Hello and Heartbeat's own. */
  seq: Int64;
  epoch: string;
  /** The batch's version token ("0" when none, and on errors). */
  version: Int64;
  time: Date | null;
  /** The inputs whose change made the batch this signal belongs to; empty when none did. */
  changes: Change[];
  /** How the signal was delivered, for people (a rebuild gate that timed out). */
  notes: string[];
}

export type ChangeKind = 'CHANGE_KIND_UNSPECIFIED' | 'CHANGE_KIND_CREATE' | 'CHANGE_KIND_UPDATE' | 'CHANGE_KIND_DELETE';

/** One changed input: a file (absolute path), a module (its ID), or both. */
export interface Change {
  file: string;
  module: string;
  kind: ChangeKind;
}

/** One message of a project's stream: `kind` names its body. */
export type Event =
  | (EventBase & { kind: 'hello'; hello: Hello })
  | (EventBase & { kind: 'update'; update: Update })
  | (EventBase & { kind: 'fullReload'; fullReload: FullReload })
  | (EventBase & { kind: 'prune'; prune: Prune })
  | (EventBase & { kind: 'error'; error: ErrorSignal })
  | (EventBase & { kind: 'errorCleared'; errorCleared: ErrorCleared })
  | (EventBase & { kind: 'custom'; custom: Custom })
  | (EventBase & { kind: 'heartbeat'; heartbeat: Heartbeat })
  | (EventBase & { kind: 'refused'; refused: Refused });

export interface Project {
  name: string;
  root: string;
  modules: number;
  liveModules: number;
  entries: number;
  errors: number;
  headSeq: Int64;
  /** The project's dev server URL; empty when the daemon does not serve it over HTTP. */
  httpUrl: string;
}

export interface Edge {
  specifier: string;
  kind: string;
  target: string;
}

export interface Module {
  id: string;
  file: string;
  kind: string;
  imports: Edge[];
  importers: string[];
  selfAccepting: boolean;
  partialAccept: boolean;
  acceptedExports: string[];
  acceptedDeps: string[];
  declined: boolean;
  declinedDeps: string[];
  exports: string[];
  entry: boolean;
  live: boolean;
  loaded: boolean;
  version: Int64;
  error: string;
  /** The bundler registration that reported the module's facts ("" when scanned). */
  registration: string;
  /** No file backs the module. */
  virtual: boolean;
  /** Every file backing it, when a bundler reported more than one. */
  files: string[];
}

export interface Graph {
  root: string;
  modules: Module[];
  /** The seq of the project's last event when the snapshot was taken. */
  headSeq: Int64;
}

export interface Explanation {
  module: string;
  file: string;
  kind: string;
  found: boolean;
  live: boolean;
  loaded: boolean;
  entry: boolean;
  importers: string[];
  updates: ModuleUpdate[];
  fullReload: FullReload | null;
  note: string;
}

export interface ClientInfo {
  name?: string;
  version?: string;
  /** browser, node, bundler, cli or go. */
  kind?: string;
}

export interface ProjectStatus {
  project: Project;
  watches: number;
  lastSignal: Event | null;
  /** Milliseconds. */
  lastLatency: number | null;
  medianLatency: number | null;
}

export interface SubscriberStatus {
  id: string;
  project: string;
  client: ClientInfo | null;
  transport: string;
  lastSeq: Int64;
  lag: Int64;
  queueDepth: number;
  queueCapacity: number;
  connected: Date | null;
}

export interface RegistrationStatus {
  id: string;
  project: string;
  client: ClientInfo | null;
  modules: number;
  connected: Date | null;
  gate: boolean;
  /** Milliseconds; null when not a gate. */
  gateTimeout: number | null;
  ackedBatch: Int64;
  pendingBatches: number;
  /** Milliseconds the oldest pending batch has waited. */
  oldestPending: number | null;
  timeouts: Int64;
}

export interface Status {
  daemonVersion: string;
  protocolVersion: number;
  epoch: string;
  started: Date | null;
  /** Milliseconds. */
  uptime: number | null;
  listeners: string[];
  projects: ProjectStatus[];
  subscribers: SubscriberStatus[];
  registrations: RegistrationStatus[];
  heapBytes: Int64;
  goroutines: number;
}

export interface ConnectOptions {
  /** How long connect waits for the daemon to accept a connection, ms (default 2000). */
  timeout?: number;
  /** Reconnect backoff of subscriptions, ms: first retry about `first`, doubling to `limit` (50, 2000). */
  backoff?: { first?: number; limit?: number };
  /** How subscriptions describe themselves in `hmrd status` (default {name: '@hmrd/client', kind: 'node'}). */
  clientInfo?: ClientInfo;
  /**
   * TLS for a TCP target (a daemon on an address other machines can reach):
   * its certificate (`ca`: a PEM file or text; default $HMRD_TLS_CA), which
   * names the host, or the SHA-256 fingerprint of the certificate the daemon
   * printed (`fingerprint`, `sha256:…`; default $HMRD_TLS_FINGERPRINT), which
   * trusts that certificate alone and checks no name.
   */
  tls?: { ca?: string | Buffer; fingerprint?: string; serverName?: string };
  /** The daemon's token, sent over TLS only (default $HMRD_TOKEN). */
  token?: string;
  tokenFile?: string;
  /** Extra @grpc/grpc-js channel options. */
  channelOptions?: Record<string, unknown>;
  /** Environment to read HMRD_SOCKET and friends from (default process.env). */
  env?: NodeJS.ProcessEnv;
}

export interface CallOptions {
  deadline?: Date | number;
  signal?: AbortSignal;
}

export type SubscriptionState = 'connecting' | 'connected' | 'reconnecting' | 'closed';

export interface SubscribeOptions {
  /** Project name or root; may be empty when the daemon has exactly one project. */
  project?: string;
  /** Resume point: the epoch and seq of the last event seen. No epoch: start live. */
  epoch?: string;
  fromSeq?: Int64 | number;
  /** Extra entry modules this runtime executes (module IDs or root-relative paths). */
  entries?: string[];
  client?: ClientInfo;
  protocolVersions?: number[];
  /** Ends the subscription when aborted. */
  signal?: AbortSignal;
  /** Called at every change of state, with the error that caused a disconnect. */
  onState?: (state: SubscriptionState, err: Error | null) => void;
}

export interface InvalidateRequest {
  project?: string;
  module: string;
  firstInvalidatedBy?: string;
  message?: string;
}
export interface ReportLoadedRequest {
  project?: string;
  modules: string[];
}
export interface SendCustomRequest {
  project?: string;
  event: string;
  /** JSON text; empty means null. */
  data?: string;
  /** The sender's subscriber id (Hello.subscriberId); empty: Custom.from is "grpc". */
  from?: string;
}
export interface AddProjectRequest {
  /** A directory; a relative one is taken from this process's working directory. */
  root: string;
  name?: string;
  entries?: string[];
  /** Where the daemon serves the project over HTTP; unset: its default. */
  devServer?: DevServerOptions;
}
export interface DevServerOptions {
  /** "host:port", "off", or "" for the daemon's default (the next port when it serves HTTP). */
  addr?: string;
  /** Fail on a busy port instead of moving to the next free one. */
  strictPort?: boolean;
}
export interface ProjectRequest {
  project?: string;
}
export interface CompileRequest {
  project?: string;
  /** The source's absolute path, inside the project's root. */
  file: string;
  /** The source as read from file. */
  source: Buffer | Uint8Array | string;
}
export interface CompileResponse {
  /** The JavaScript module (empty when error is set). */
  code: Buffer;
  /** The source's first syntax error (code PARSE_ERROR). */
  error: ErrorSignal | null;
}
export interface ExplainRequest {
  project?: string;
  /** A module ID or a file path (absolute or root-relative). */
  module: string;
}

export type ImportKind =
  | 'IMPORT_KIND_UNSPECIFIED'
  | 'IMPORT_KIND_STATIC'
  | 'IMPORT_KIND_DYNAMIC'
  | 'IMPORT_KIND_REEXPORT'
  | 'IMPORT_KIND_CSS'
  | 'IMPORT_KIND_ASSET';

export interface ImportFact {
  /** Module ID of the target. */
  target: string;
  kind?: ImportKind;
  specifier?: string;
  /** Bindings used; empty: every export. */
  bindings?: string[];
}

/** A bundler's facts about one module it owns (docs/bundlers.md#facts). */
export interface ModuleFacts {
  /** "/src/app.ts" for a project file; any other string for a virtual module. */
  id: string;
  files?: string[];
  virtual?: boolean;
  /** "js" (default), "css", "json" or "asset". */
  kind?: string;
  imports?: ImportFact[];
  exports?: string[];
  selfAccepting?: boolean;
  acceptedDeps?: string[];
  acceptedExports?: string[];
  declined?: boolean;
  usesHot?: boolean;
  entry?: boolean;
}

export interface ReportFacts {
  modules?: ModuleFacts[];
  /** Module IDs given up. */
  withdraw?: string[];
  /** Withdraw every module not listed in modules. */
  replace?: boolean;
}

export interface ReportChanges {
  /** Each names a file or a module. */
  changes: { file?: string; module?: string; kind: Exclude<ChangeKind, 'CHANGE_KIND_UNSPECIFIED'> }[];
  facts?: ReportFacts;
}

/** What a report did: the batch it made ("0": none), unknown module IDs. */
export interface Applied {
  id: Int64;
  batch: Int64;
  unknown: string[];
}

/** A batch a rebuild gate must acknowledge. */
export interface GateBatch {
  batch: Int64;
  version: Int64;
  changes: Change[];
  versions: Record<string, Int64>;
  /** The kinds of the signals held ("update", "full-reload", …). */
  signals: string[];
}

export interface RegisterOptions {
  /** Project name or root; may be empty when the daemon has exactly one project. */
  project?: string;
  client?: ClientInfo;
  protocolVersions?: number[];
  /** Hold each batch's signals until acknowledged (ack) or gateTimeout passes. */
  gate?: boolean;
  /** Milliseconds; default the daemon's (--gate-timeout), at most 60000. */
  gateTimeout?: number;
}

export interface Registered {
  registrationId: string;
  protocolVersion: number;
  daemonVersion: string;
  epoch: string;
  root: string;
  headSeq: Int64;
  /** Milliseconds; null when not a gate. */
  gateTimeout: number | null;
}

/** A bundler's registration: its life is one stream; it does not reconnect. */
export declare class Registration {
  readonly registered: Registered;
  /** Resolves when the registration ends: with why, or null after close(). */
  readonly done: Promise<Error | null>;
  reportFacts(facts: ReportFacts): Promise<Applied>;
  reportChanges(changes: ReportChanges): Promise<Applied>;
  /** Acknowledges every gate batch up to and including batch. */
  ack(batch: Int64 | number): void;
  /** The gate batches, oldest first, until the registration ends. */
  gateBatches(): AsyncIterableIterator<GateBatch>;
  /** Ends the registration: the daemon withdraws its facts and its gate. */
  close(): Promise<void>;
}

/** A subscription: an async iterator of events that resumes across disconnects. */
export declare class Subscription implements AsyncIterableIterator<Event> {
  readonly state: SubscriptionState;
  /** The Hello of the current connection, or null. */
  readonly hello: Hello | null;
  [Symbol.asyncIterator](): this;
  next(): Promise<IteratorResult<Event>>;
  return(): Promise<IteratorResult<Event>>;
  /** The resume point: epoch and seq of the last signal handed out. */
  position(): { epoch: string; seq: Int64 };
  close(): void;
}

export declare class Client {
  /** The socket path, or host:port. */
  readonly address: string;
  readonly network: 'unix' | 'tcp';
  subscribe(opts?: SubscribeOptions): Subscription;
  /** Opens a bundler's registration (docs/bundlers.md). */
  register(opts?: RegisterOptions): Promise<Registration>;
  invalidate(req: InvalidateRequest, co?: CallOptions): Promise<{ seq: Int64 }>;
  reportLoaded(req: ReportLoadedRequest, co?: CallOptions): Promise<{ unknown: string[] }>;
  sendCustom(req: SendCustomRequest, co?: CallOptions): Promise<{ seq: Int64 }>;
  addProject(req: AddProjectRequest, co?: CallOptions): Promise<Project>;
  removeProject(req: ProjectRequest, co?: CallOptions): Promise<void>;
  listProjects(co?: CallOptions): Promise<Project[]>;
  explain(req: ExplainRequest, co?: CallOptions): Promise<Explanation>;
  /** Compile a TypeScript or JSX source of the project as the daemon scans it (tsconfig options, inline source map). */
  compile(req: CompileRequest, co?: CallOptions): Promise<CompileResponse>;
  /** The module graph, read through StreamGraph (GetGraph from a daemon without it). */
  getGraph(req?: ProjectRequest, co?: CallOptions): Promise<Graph>;
  status(co?: CallOptions): Promise<Status>;
  close(): void;
}

/** Connects to the daemon at target ("" or undefined: the default socket); rejects with NoDaemonError when none listens. */
export declare function connect(target?: string, options?: ConnectOptions): Promise<Client>;

/** $HMRD_SOCKET, else $XDG_RUNTIME_DIR/hmrd/hmrd.sock, else $TMPDIR (or /tmp)/hmrd-<uid>/hmrd.sock. */
export declare function defaultSocket(env?: NodeJS.ProcessEnv): string;
export declare function parseTarget(target?: string, env?: NodeJS.ProcessEnv): { network: 'unix' | 'tcp'; address: string };

/** A failed RPC: `code` is the gRPC status name ("NOT_FOUND"). */
export declare class HmrdError extends Error {
  readonly op: string;
  readonly code: string;
  readonly grpcCode: number;
  readonly details: string;
}
/** Nothing answers at the address. */
export declare class NoDaemonError extends Error {
  readonly code: 'NO_DAEMON';
  readonly address: string;
}
export declare class ClosedError extends Error {
  readonly code: 'CLOSED';
}

export declare const PROTOCOL_VERSION: 1;
export declare const DEFAULT_MIN_BACKOFF: number;
export declare const DEFAULT_MAX_BACKOFF: number;
export declare const RESYNC: 'FULL_RELOAD_CAUSE_RESYNC';
/** The hmrd.proto this package loads. */
export declare const PROTO_FILE: string;
