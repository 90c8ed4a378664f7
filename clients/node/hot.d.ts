// Types of import.meta.hot under the Node.js runtime
// (node --import @hmrd/client/register): Vite's API, as the browser runtime.
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

declare global {
  interface ImportMeta {
    /** Set on every module of the project under @hmrd/client/register. */
    hot?: HotContext;
  }
}
