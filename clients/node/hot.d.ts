// Types of import.meta.hot and import.meta.webpackHot under the Node.js
// runtime (node --import @hmrd/client/register): Vite's API and webpack's,
// as the browser runtime (docs/webpack-api.md).
//
// Use: add "@hmrd/client/hot" to compilerOptions.types, or write
// `import type {} from '@hmrd/client/hot';` in one file.

/** A module's namespace object, as import() returns it. */
export type ModuleNamespace = Record<string, any> & { [Symbol.toStringTag]: 'Module' };

/** One update as Vite's client sees it: the items of beforeUpdate/afterUpdate. */
export interface ViteUpdate {
  type: 'js-update' | 'css-update';
  /** The boundary: the module whose accept callbacks run. */
  path: string;
  /** The module re-imported (path itself when self-accepting). */
  acceptedPath: string;
  /** The version token the module is re-imported at (`?t=`). */
  timestamp: number;
  explicitImportRequired: boolean;
  isWithinCircularImport: boolean;
  firstInvalidatedBy?: string;
  /** hmrd's: from the changed module to the boundary. */
  chain?: string[];
}

export interface UpdatePayload {
  type: 'update';
  updates: ViteUpdate[];
  versions?: Record<string, string>;
  triggers?: string[];
  firstInvalidatedBy?: string;
  version?: string;
  seq?: string;
  epoch?: string;
}

export interface FullReloadPayload {
  type: 'full-reload';
  reason?: string;
  chain?: string[];
  triggeredBy?: string;
  path?: string;
  cause?: string;
}

export interface PrunePayload {
  type: 'prune';
  paths: string[];
}

export interface ErrorPayload {
  type: 'error';
  message?: string;
  module?: string;
  file?: string;
  line?: number;
  column?: number;
  frame?: string;
  /** PARSE_ERROR, UNRESOLVED_IMPORT, TOO_LARGE, READ_ERROR; LOAD_ERROR when Node failed to load a new module. */
  code?: string;
  err: { message: string; stack: string; id?: string; frame?: string; plugin?: string; loc?: { file: string; line: number; column: number } };
}

export interface InvalidatePayload {
  path: string;
  message: string | undefined;
  firstInvalidatedBy: string;
}

/** Event name → payload. Augment it to type your own custom events. */
export interface CustomEventMap {
  'hmrd:beforeUpdate': UpdatePayload;
  'hmrd:afterUpdate': UpdatePayload;
  'hmrd:beforeFullReload': FullReloadPayload;
  'hmrd:beforePrune': PrunePayload;
  'hmrd:error': ErrorPayload;
  'hmrd:invalidate': InvalidatePayload;
  /** Node only: modules the daemon now knows this program loaded. */
  'hmrd:loaded': { modules: string[] };
  /** Manual mode: signals are held; call import.meta.webpackHot.check(). */
  'hmrd:updateAvailable': { pending: number };
  'vite:beforeUpdate': UpdatePayload;
  'vite:afterUpdate': UpdatePayload;
  'vite:beforeFullReload': FullReloadPayload;
  'vite:beforePrune': PrunePayload;
  'vite:error': ErrorPayload;
  'vite:invalidate': InvalidatePayload;
}

export type InferCustomEventPayload<T extends string> = T extends keyof CustomEventMap ? CustomEventMap[T] : any;

/** import.meta.hot, with Vite's API. */
export interface HotContext {
  /** One object per module ID, kept across instances until the module is pruned. */
  readonly data: any;
  accept(): void;
  accept<M = ModuleNamespace>(cb: (mod: M | undefined) => void): void;
  /** A dependency, by the specifier this module imports it with ('./dep.mjs'). */
  accept<M = ModuleNamespace>(dep: string, cb: (mod: M | undefined) => void): void;
  accept<M = ModuleNamespace>(deps: readonly string[], cb: (mods: Array<M | undefined>) => void): void;
  acceptExports<M = ModuleNamespace>(exportNames: string | readonly string[], cb?: (mod: M | undefined) => void): void;
  /** Runs before this instance is replaced (and when pruned); async callbacks are awaited. */
  dispose(cb: (data: any) => void | Promise<void>): void;
  /** Runs when no live module imports this one any more, after every pruned module's dispose. */
  prune(cb: (data: any) => void | Promise<void>): void;
  invalidate(message?: string): void;
  /** Restart instead of hot-updating this module (read by the daemon). */
  decline(): void;
  on<T extends string>(event: T, cb: (payload: InferCustomEventPayload<T>) => void | Promise<void>): void;
  off<T extends string>(event: T, cb: (payload: InferCustomEventPayload<T>) => void | Promise<void>): void;
  /** Sends a custom event (data as JSON) to every subscriber of the project. */
  send<T extends string>(event: T, data?: InferCustomEventPayload<T>): void;
}

/** webpack's update statuses (webpackHot.status()). */
export type WebpackStatus = 'idle' | 'check' | 'prepare' | 'ready' | 'dispose' | 'apply' | 'abort' | 'fail';

/** What an update does to one module. IDs are "./path" from the project root. */
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
  type: 'accept-errored' | 'accept-error-handler-errored' | 'self-accept-errored' | 'self-accept-error-handler-errored';
  moduleId: string;
  dependencyId?: string;
  error: unknown;
  originalError?: unknown;
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

/** The error handler of accept(): dependencyId for a dependency's, module for a self-accept's. */
export type WebpackAcceptErrorHandler = (err: unknown, ctx: { moduleId: string; dependencyId?: string; module?: { id: string; hot: WebpackHotContext } }) => void;

/** import.meta.webpackHot, with webpack 5's module.hot API. */
export interface WebpackHotContext {
  /** What the previous instance's dispose handlers left; undefined on the first run. */
  readonly data: any;
  readonly active: boolean;
  /** Self-accept: the module runs again; errorHandler gets a throw of the new code. */
  accept(errorHandler?: WebpackAcceptErrorHandler): void;
  /** Dependencies: callback gets the outdated IDs and (hmrd) their new module namespaces. */
  accept(deps: string | readonly string[], callback?: (outdated: string[], modules: Array<ModuleNamespace | undefined>) => void, errorHandler?: WebpackAcceptErrorHandler): void;
  decline(deps?: string | readonly string[]): void;
  dispose(handler: (data: any) => void): void;
  addDisposeHandler(handler: (data: any) => void): void;
  removeDisposeHandler(handler: (data: any) => void): void;
  invalidate(): void;
  /** The held update's changed modules (null when none); autoApply applies it. */
  check(autoApply?: boolean | WebpackApplyOptions): Promise<string[] | null>;
  /** Apply what check() found (status ready): the modules that ran again. */
  apply(options?: WebpackApplyOptions): Promise<string[]>;
  status(): WebpackStatus;
  status(handler: (status: WebpackStatus) => unknown): void;
  addStatusHandler(handler: (status: WebpackStatus) => unknown): void;
  removeStatusHandler(handler: (status: WebpackStatus) => unknown): void;
}

declare global {
  interface ImportMeta {
    /** Set on every module of the project under @hmrd/client/register. */
    hot?: HotContext;
    /** Set on every module of the project under @hmrd/client/register. */
    webpackHot?: WebpackHotContext;
  }
  /** true before signals arrive (or HMRD_NODE_MANUAL=1): updates wait for webpackHot.check(). */
  var __HMRD_MANUAL__: boolean | undefined;
}
