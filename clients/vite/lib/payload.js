// @ts-check
// Translation of hmrd signals into the payloads Vite's client
// (/@vite/client) understands: the same shapes Vite's own propagation
// sends, so pages, framework plugins and `vite:*` listeners cannot tell
// hmrd propagated the edit.

import { cssLangsRE } from './facts.js';

/** The custom event that carries a full reload's reason ahead of Vite's `full-reload`. */
export const REASON_EVENT = 'hmrd:full-reload';

// Vite decides whether a re-import needs `?import` (a module that is
// neither script nor stylesheet, say an SVG imported as a URL) by the
// URL's extension; these are the patterns of its isJSRequest and
// isCSSRequest. Virtual modules (no extension) are scripts to it.
const knownJsSrcRE = /\.(?:[jt]sx?|m[jt]s|vue|marko|svelte|astro|imba|mdx)(?:$|\?)/;

/**
 * explicitImportRequired says whether Vite's client must ask for url with
 * `?import`, as Vite's own update payloads do.
 * @param {string} url
 */
export function explicitImportRequired(url) {
  const clean = url.replace(/[?#].*$/s, '');
  if (knownJsSrcRE.test(clean) || cssLangsRE.test(url)) return false;
  const base = clean.slice(clean.lastIndexOf('/') + 1);
  // No extension and not a directory: Vite takes it for a script.
  if (!base.includes('.') && !clean.endsWith('/')) return false;
  return true;
}

/**
 * timestampOf is the `?t=` value of an event: hmrd's version token, the
 * same value the plugin stamps on the modules it invalidates in Vite's
 * graph, so a re-imported boundary imports its changed dependencies at
 * that version too. An event without one falls back to its publish time.
 * @param {import('@hmrd/client').Event} ev
 */
export function timestampOf(ev) {
  const v = Number(ev.version);
  if (Number.isFinite(v) && v > 0) return v;
  return ev.time ? ev.time.getTime() : Date.now();
}

/**
 * toVitePayloads turns one hmrd event into the Vite payloads to send to
 * the project's pages, in order; none for events pages need not see
 * (Hello, Heartbeat, ErrorCleared, refusals, the plugin's own custom events).
 * @param {import('@hmrd/client').Event} ev
 * @param {{root: string, subscriberId?: string, viteURL?: (id: string) => string}} ctx the project root
 *   (absolute), the plugin's own subscriber id, and how the Vite at hand
 *   spells a module in payloads (default: as hmrd does)
 * @returns {import('../index.js').VitePayload[]}
 */
export function toVitePayloads(ev, ctx) {
  const url = ctx.viteURL ?? ((/** @type {string} */ id) => id);
  switch (ev.kind) {
    case 'update':
      return [updatePayload(ev.update, timestampOf(ev), url)];
    case 'fullReload':
      return fullReloadPayloads(ev.fullReload, ctx.root);
    case 'prune':
      return [{ type: 'prune', paths: ev.prune.paths.map(url) }];
    case 'error':
      return [errorPayload(ev.error, ctx.root)];
    case 'custom':
      if (ctx.subscriberId && ev.custom.from === ctx.subscriberId) return [];
      return [{ type: 'custom', event: ev.custom.event, data: parseData(ev.custom.data) }];
    default:
      // Hello and Heartbeat are the stream's own; Vite has no payload for
      // an error going away (its client clears the overlay on the next
      // update, which a fix brings); Refused answers the WebSocket bridge.
      return [];
  }
}

/**
 * @param {import('@hmrd/client').Update} u
 * @param {number} timestamp
 * @param {(id: string) => string} url
 * @returns {import('../index.js').VitePayload}
 */
function updatePayload(u, timestamp, url) {
  return {
    type: 'update',
    updates: u.updates.map((m) => {
      const css = m.type === 'UPDATE_TYPE_CSS';
      /** @type {import('../index.js').ViteUpdate} */
      const out = {
        type: css ? 'css-update' : 'js-update',
        timestamp,
        path: url(m.path),
        acceptedPath: url(m.acceptedPath || m.path),
        explicitImportRequired: css ? false : explicitImportRequired(m.acceptedPath || m.path),
        isWithinCircularImport: m.isWithinCircularImport,
      };
      const first = m.firstInvalidatedBy || u.firstInvalidatedBy;
      if (first) out.firstInvalidatedBy = url(first);
      return out;
    }),
  };
}

/**
 * A full reload is two payloads: the reason, as a custom event the
 * plugin's page snippet prints (Vite's `full-reload` has no room for one),
 * then Vite's own `full-reload`, which its client acts on.
 * @param {import('@hmrd/client').FullReload} r
 * @param {string} root
 * @returns {import('../index.js').VitePayload[]}
 */
function fullReloadPayloads(r, root) {
  /** @type {import('../index.js').FullReloadReason} */
  const data = {
    reason: r.reason,
    cause: r.cause.replace(/^FULL_RELOAD_CAUSE_/, '').toLowerCase(),
    chain: [...r.chain],
    triggeredBy: r.triggeredBy,
    path: r.path || '*',
  };
  /** @type {{type: 'full-reload', path: string, triggeredBy?: string}} */
  const reload = { type: 'full-reload', path: r.path || '*' };
  const file = moduleFile(r.triggeredBy, root);
  if (file) reload.triggeredBy = file;
  return [{ type: 'custom', event: REASON_EVENT, data }, reload];
}

/**
 * @param {import('@hmrd/client').ErrorSignal} e
 * @param {string} root
 * @returns {import('../index.js').VitePayload}
 */
function errorPayload(e, root) {
  const file = e.file || moduleFile(e.module, root) || e.module;
  /** @type {import('../index.js').ViteErrorPayload['err']} */
  const err = {
    message: e.message,
    // The overlay prints the stack under the frame; hmrd's errors are
    // about source text, not a call stack.
    stack: '',
    id: file,
    plugin: 'hmrd',
    pluginCode: e.code,
  };
  if (e.frame) err.frame = e.frame;
  if (e.line > 0) err.loc = { file, line: e.line, column: e.column };
  return { type: 'error', err };
}

/**
 * moduleFile is the absolute file of a module ID of a project file, ""
 * for other IDs (externals, virtual modules, "*").
 * @param {string} id
 * @param {string} root
 */
export function moduleFile(id, root) {
  if (!id || !id.startsWith('/') || id.startsWith('/@id/')) return '';
  if (id.startsWith('/@fs/')) return id.slice('/@fs'.length);
  return root.replace(/\/$/, '') + id;
}

/** @param {string} text JSON text, or "" for null */
function parseData(text) {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
