// Types of hmrd's browser runtime (@hmrd/client): import.meta.hot, the
// events it emits, and the exports of client.js.
//
// Use in a project: add "@hmrd/client" to compilerOptions.types, or
// `/// <reference types="@hmrd/client" />` in one file.
//
// Custom events are typed by augmenting CustomEventMap:
//
//   declare module '@hmrd/client' {
//     interface CustomEventMap { 'my:evt': { x: number } }
//   }

/** A module's namespace object, as import() returns it. */
export type ModuleNamespace = Record<string, any> & { [Symbol.toStringTag]: 'Module' };

/** One boundary of an Update (hmrd.v1.ModuleUpdate in protojson). */
export interface ModuleUpdate {
  type?: 'UPDATE_TYPE_JS' | 'UPDATE_TYPE_CSS';
  /** The boundary: the module whose accept callbacks run. */
  path: string;
  /** The module re-imported (path itself when self-accepting). */
  acceptedPath?: string;
  isWithinCircularImport?: boolean;
  firstInvalidatedBy?: string;
  chain?: string[];
}

/**
 * One update as Vite's client sees it: the items of the beforeUpdate and
 * afterUpdate payloads. Built from a ModuleUpdate and the event's versions.
 */
export interface ViteUpdate {
  /** `js-update` re-imports `acceptedPath`; `css-update` swaps the `<link>` of `path`. */
  type: 'js-update' | 'css-update';
  /** The boundary: the module whose accept callbacks run. */
  path: string;
  /** The module re-imported (path itself when self-accepting). */
  acceptedPath: string;
  /** The version token the module is re-imported at (`?t=`). */
  timestamp: number;
  /** `acceptedPath` is JavaScript only with `?import` (a stylesheet, JSON, an asset). */
  explicitImportRequired: boolean;
  isWithinCircularImport: boolean;
  firstInvalidatedBy?: string;
  /** hmrd's: from the changed module to the boundary. */
  chain?: string[];
}

/** Payload of hmrd:beforeUpdate / hmrd:afterUpdate (and the vite: names). */
export interface UpdatePayload {
  type: 'update';
  updates: ViteUpdate[];
  /** Module ID → version token (64-bit integers as strings). */
  versions?: Record<string, string>;
  triggers?: string[];
  firstInvalidatedBy?: string;
  /** The batch's version token. */
  version?: string;
  seq?: string;
  epoch?: string;
}

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

/** Payload of hmrd:beforeFullReload / vite:beforeFullReload. */
export interface FullReloadPayload {
  type: 'full-reload';
  reason?: string;
  chain?: string[];
  triggeredBy?: string;
  /** "*" for every page, or the page ("/index.html"). */
  path?: string;
  cause?: FullReloadCause;
  /** On a dead end: what the batch's other changes update (applied when webpack's apply options ignore the dead end). */
  partial?: { updates?: ModuleUpdate[]; versions?: Record<string, string>; triggers?: string[] };
}

/** Payload of hmrd:beforePrune / vite:beforePrune. */
export interface PrunePayload {
  type: 'prune';
  paths: string[];
}

/** Payload of hmrd:error / vite:error: hmrd's fields, plus Vite's `err`. */
export interface ErrorPayload {
  type: 'error';
  message?: string;
  /** Module ID and absolute file path. */
  module?: string;
  file?: string;
  line?: number;
  column?: number;
  frame?: string;
  /** PARSE_ERROR, UNRESOLVED_IMPORT, TOO_LARGE or READ_ERROR. */
  code?: string;
  err: {
    message: string;
    stack: string;
    id?: string;
    frame?: string;
    plugin?: string;
    loc?: { file: string; line: number; column: number };
  };
}

/** Payload of hmrd:invalidate / vite:invalidate. */
export interface InvalidatePayload {
  path: string;
  message: string | undefined;
  firstInvalidatedBy: string;
}

/** Payload of hmrd:ws:connect / hmrd:ws:disconnect (and the vite: names). */
export interface WebSocketPayload {
  webSocket: WebSocket;
}

/** The events the runtime emits; each under both names. */
export type HotEventName =
  | 'hmrd:beforeUpdate'
  | 'hmrd:afterUpdate'
  | 'hmrd:beforeFullReload'
  | 'hmrd:beforePrune'
  | 'hmrd:error'
  | 'hmrd:invalidate'
  | 'hmrd:ws:connect'
  | 'hmrd:ws:disconnect'
  | 'hmrd:updateAvailable'
  | 'vite:beforeUpdate'
  | 'vite:afterUpdate'
  | 'vite:beforeFullReload'
  | 'vite:beforePrune'
  | 'vite:error'
  | 'vite:invalidate'
  | 'vite:ws:connect'
  | 'vite:ws:disconnect';

/** Event name → payload. Augment it to type your own custom events. */
export interface CustomEventMap {
  'hmrd:beforeUpdate': UpdatePayload;
  'hmrd:afterUpdate': UpdatePayload;
  'hmrd:beforeFullReload': FullReloadPayload;
  'hmrd:beforePrune': PrunePayload;
  'hmrd:error': ErrorPayload;
  'hmrd:invalidate': InvalidatePayload;
  'hmrd:ws:connect': WebSocketPayload;
  'hmrd:ws:disconnect': WebSocketPayload;
  /** Manual mode: signals are held; call import.meta.webpackHot.check(). */
  'hmrd:updateAvailable': { pending: number };
  'vite:beforeUpdate': UpdatePayload;
  'vite:afterUpdate': UpdatePayload;
  'vite:beforeFullReload': FullReloadPayload;
  'vite:beforePrune': PrunePayload;
  'vite:error': ErrorPayload;
  'vite:invalidate': InvalidatePayload;
  'vite:ws:connect': WebSocketPayload;
  'vite:ws:disconnect': WebSocketPayload;
}

export type InferCustomEventPayload<T extends string> = T extends keyof CustomEventMap ? CustomEventMap[T] : any;

/** import.meta.hot, with Vite's API. */
export interface HotContext {
  /** One object per module ID, kept across instances until the module is pruned: fill it in dispose. */
  readonly data: any;

  /** Accept updates of this module (the new instance replaces this one). */
  accept(): void;
  accept<M = ModuleNamespace>(cb: (mod: M | undefined) => void): void;
  /** Accept updates of a dependency (a module ID, or a specifier the dev server rewrites). */
  accept<M = ModuleNamespace>(dep: string, cb: (mod: M | undefined) => void): void;
  /** Accept updates of several dependencies: the updated one's slot holds its new module. */
  accept<M = ModuleNamespace>(deps: readonly string[], cb: (mods: Array<M | undefined>) => void): void;

  /** Accept updates that change only these exports (importers of other exports update too). */
  acceptExports<M = ModuleNamespace>(exportNames: string | readonly string[], cb?: (mod: M | undefined) => void): void;

  /** Runs before this instance is replaced (and when pruned), with `data`; async callbacks are awaited. */
  dispose(cb: (data: any) => void): void;
  /** Runs when no live module imports this one any more, after the dispose callbacks of every pruned module; `data` is dropped after it. */
  prune(cb: (data: any) => void): void;
  /** This update cannot be applied here: propagate to the importers. */
  invalidate(message?: string): void;
  /** Reload instead of hot-updating this module (read by the daemon). */
  decline(): void;

  on<T extends string>(event: T, cb: (payload: InferCustomEventPayload<T>) => void): void;
  off<T extends string>(event: T, cb: (payload: InferCustomEventPayload<T>) => void): void;
  /** Sends a custom event (data as JSON) to the project's other subscribers. */
  send<T extends string>(event: T, data?: InferCustomEventPayload<T>): void;
}

/** webpack's update statuses (webpackHot.status()). */
export type WebpackStatus = 'idle' | 'check' | 'prepare' | 'ready' | 'dispose' | 'apply' | 'abort' | 'fail';

/** What an update does to one module, as webpack's apply options' callbacks get it. IDs are "./path" from the project root. */
export interface WebpackModuleEffect {
  type: 'accepted' | 'unaccepted' | 'declined' | 'self-declined' | 'disposed';
  moduleId: string;
  /** From the changed module to the module that stopped the update. */
  chain?: string[];
  /** The module that declines moduleId (type declined). */
  parentId?: string;
  outdatedModules?: string[];
  outdatedDependencies?: Record<string, string[]>;
}

/** An error while applying, as onErrored gets it. */
export interface WebpackErrorEvent {
  type: string;
  moduleId: string;
  dependencyId?: string;
  error: unknown;
  originalError?: unknown;
  [key: string]: unknown;
}

/** webpack's apply options. */
export interface WebpackApplyOptions {
  ignoreUnaccepted?: boolean;
  ignoreDeclined?: boolean;
  ignoreErrored?: boolean;
  onDeclined?(event: WebpackModuleEffect): void;
  onUnaccepted?(event: WebpackModuleEffect): void;
  onAccepted?(event: WebpackModuleEffect): void;
  onDisposed?(event: WebpackModuleEffect): void;
  onErrored?(event: WebpackErrorEvent): void;
}

/** The error handler of accept(): ctx has moduleId, and dependencyId (a dependency's) or module (a self-accept's). */
export type WebpackAcceptErrorHandler = (err: unknown, ctx: { moduleId: string; dependencyId?: string; module?: { id: string; hot: WebpackHotContext } }) => void;

/** import.meta.webpackHot, with webpack 5's module.hot API. */
export interface WebpackHotContext {
  /** What the previous instance's dispose handlers left; undefined on the first run. */
  readonly data: any;
  /** False once this instance was replaced or pruned. */
  readonly active: boolean;
  /** Self-accept: the module runs again; errorHandler gets a throw of the new code. */
  accept(errorHandler?: WebpackAcceptErrorHandler): void;
  /**
   * Accept updates of dependencies (specifiers or module IDs). callback gets
   * the outdated dependencies' IDs and (hmrd) their new module namespaces.
   */
  accept(deps: string | readonly string[], callback?: (outdated: string[], modules: Array<ModuleNamespace | undefined>) => void, errorHandler?: WebpackAcceptErrorHandler): void;
  /** Decline updates of this module (no argument) or of dependencies: the update aborts. */
  decline(deps?: string | readonly string[]): void;
  dispose(handler: (data: any) => void): void;
  addDisposeHandler(handler: (data: any) => void): void;
  removeDisposeHandler(handler: (data: any) => void): void;
  /** Propagate this module's update to its importers (the daemon re-propagates). */
  invalidate(): void;
  /** The held update's changed modules (null when none); autoApply applies it. */
  check(autoApply?: boolean | WebpackApplyOptions): Promise<string[] | null>;
  /** Apply what check() found (status ready): the modules that ran again. */
  apply(options?: WebpackApplyOptions): Promise<string[]>;
  status(): WebpackStatus;
  status(handler: (status: WebpackStatus) => unknown): void;
  /** Handlers run on every status change; promises they return are awaited. */
  addStatusHandler(handler: (status: WebpackStatus) => unknown): void;
  removeStatusHandler(handler: (status: WebpackStatus) => unknown): void;
}

/** What webpackHot asks of the runtime's hot manager. */
export interface WebpackHotManager {
  readonly status: WebpackStatus;
  check(autoApply?: boolean | WebpackApplyOptions): Promise<string[] | null>;
  apply(options?: WebpackApplyOptions): Promise<string[]>;
  addStatusHandler(handler: (status: WebpackStatus) => unknown): void;
  removeStatusHandler(handler: (status: WebpackStatus) => unknown): void;
}

declare global {
  interface ImportMeta {
    readonly hot?: HotContext;
    readonly webpackHot?: WebpackHotContext;
  }
  /** Set to true before the runtime loads (or before signals arrive): updates wait for webpackHot.check(). */
  var __HMRD_MANUAL__: boolean | undefined;
}

/** Config line the dev server prepends to client.js. */
export interface HmrdConfig {
  token: string;
  wsPath?: string;
  project?: string;
}

/** The environment of a runtime (browser globals, or fakes in tests). */
export interface RuntimeDeps {
  WebSocket: new (url: string, protocol: string) => WebSocket;
  /** Default null: the socket URL has no host, and no page full reload matches. */
  location?: Pick<Location, 'protocol' | 'host' | 'href' | 'pathname'> | null;
  /** Default null: no CSS swaps, style modules or error overlay. */
  document?: Document | null;
  importModule(url: string): Promise<ModuleNamespace>;
  reload(): void;
  /** Default globalThis.console. */
  console?: Pick<Console, 'log' | 'debug' | 'warn' | 'error'>;
  /** Default globalThis.setTimeout. */
  setTimeout?(fn: () => void, ms: number): unknown;
  /** Default globalThis.clearTimeout. */
  clearTimeout?(handle: unknown): void;
  /** Uniform in [0, 1): the jitter of the reconnect backoff. Default Math.random. */
  random?: () => number;
  config: HmrdConfig;
  /** Asked for the dev server's current config before retrying a failed connection. */
  fetchConfig?: (() => Promise<HmrdConfig | null>) | null;
  /**
   * The modules the page has fetched (module IDs, without their query):
   * the error overlay shows only their errors, and a standing error as
   * soon as its module is fetched. Default null: every error shows.
   */
  fetchedModules?: { has(module: string): boolean; onChange(changed: () => void): void } | null;
}

export interface Runtime {
  start(): void;
  stop(): void;
  createHotContext(ownerPath: string): HotContext;
  /** import.meta.webpackHot of the instance createHotContext made last for ownerPath. */
  webpackHot(ownerPath: string): WebpackHotContext;
  /** webpackHot.check / apply / status, for the page as a whole. */
  check(autoApply?: boolean | WebpackApplyOptions): Promise<string[] | null>;
  apply(options?: WebpackApplyOptions): Promise<string[]>;
  readonly status: WebpackStatus;
  updateStyle(id: string, css: string): void;
  removeStyle(id: string): void;
  /** Resolves once every signal received so far has been applied. */
  idle(): Promise<void>;
  on<T extends string>(event: T, cb: (payload: InferCustomEventPayload<T>) => void): void;
  off<T extends string>(event: T, cb: (payload: InferCustomEventPayload<T>) => void): void;
  readonly state: { epoch: string; lastSeq: string; connected: boolean; overlay: boolean };
}

export function createRuntime(deps: RuntimeDeps): Runtime;
export function createHotContext(ownerPath: string): HotContext;
export function webpackHot(ownerPath: string): WebpackHotContext;
export function updateStyle(id: string, css: string): void;
export function removeStyle(id: string): void;
