// Types of @hmrd/vite: a Vite plugin that hands propagation and
// signalling to the hmrd daemon.

import type { Plugin, ViteDevServer as ViteServer, EnvironmentModuleNode, HotPayload, Update, ErrorPayload } from 'vite';
import type { Event } from '@hmrd/client';

export interface HmrdOptions {
  /** The daemon's address, as @hmrd/client's connect takes it (default: $HMRD_SOCKET, else the default socket). */
  socket?: string;
  /** The daemon's project (name or root); default: the one rooted at Vite's root, added when the daemon has none. */
  project?: string;
  /** Fail when no daemon answers, instead of leaving Vite's own HMR in charge (default false). */
  required?: boolean;
  /** The rebuild gate's timeout the plugin asks for, ms (default: the daemon's). */
  gateTimeout?: number;
  /** How long a batch waits for Vite's watcher to see its files, ms (default 1000). */
  viteWait?: number;
}

/** The Vite plugin. */
export default function hmrd(options?: HmrdOptions): Plugin;

export type VitePlugin = Plugin;
export type ViteDevServer = ViteServer;
export type ViteModuleNode = EnvironmentModuleNode;
export type VitePayload = HotPayload;
export type ViteUpdate = Update;
export type ViteErrorPayload = ErrorPayload;

/** The data of the `hmrd:full-reload` custom event, sent before Vite's `full-reload`. */
export interface FullReloadReason {
  /** hmrd's sentence a person can act on. */
  reason: string;
  /** no_boundary, declined, page, config, invalidate_loop, invalidate_entry, rescan or resync. */
  cause: string;
  /** The import path from the changed module to the dead end. */
  chain: string[];
  triggeredBy: string;
  /** "*" or the page to reload. */
  path: string;
}

/** The facts of one module, as hmrd.v1 ModuleFacts in the proto3 JSON mapping. */
export interface ModuleFacts {
  id: string;
  files: string[];
  virtual: boolean;
  kind: 'js' | 'css' | 'json' | 'asset';
  imports: { target: string; kind: 'IMPORT_KIND_STATIC' | 'IMPORT_KIND_DYNAMIC' | 'IMPORT_KIND_CSS'; specifier: string; bindings: string[] }[];
  exports: string[];
  selfAccepting: boolean;
  acceptedDeps: string[];
  acceptedExports: string[];
  declined: boolean;
  usesHot: boolean;
  entry: boolean;
}

/** The custom event name of a full reload's reason. */
export declare const REASON_EVENT: 'hmrd:full-reload';
/** The Vite payloads one hmrd event becomes, in order. */
export declare function toVitePayloads(ev: Event, ctx: { root: string; subscriberId?: string; viteURL?: (id: string) => string }): VitePayload[];
/** Whether Vite's client must re-import url with `?import`. */
export declare function explicitImportRequired(url: string): boolean;
/** The `?t=` of an event: hmrd's version token. */
export declare function timestampOf(ev: Event): number;
/** What the plugin reports to hmrd of one module of Vite's graph. */
export declare function factsOf(mod: ViteModuleNode, isFile?: (file: string) => boolean): ModuleFacts;
