// The module hooks of the Node.js runtime: they give every module of the
// project import.meta.hot (a statement put in front of its first line, so
// line numbers stay), report each project module Node loads, and rewrite
// the URLs of project modules to the versions the daemon announced
// (file:///root/a.mjs?t=<version>), so a re-imported boundary and every
// module between it and the edited one run new code, while modules that
// did not change keep their one instance.
//
// The same logic serves both hook APIs: module.registerHooks (synchronous,
// in the main thread) and module.register (asynchronous, in the loader
// thread, talking to the main thread through a MessagePort).

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The global the injected statement calls: module URL → import.meta.hot. */
export const HOT_GLOBAL = 'hmrd.node.createHotContext';
/** The global that gives the same instance its import.meta.webpackHot. */
export const WEBPACK_HOT_GLOBAL = 'hmrd.node.webpackHot';

// One line, so line numbers stay. import.meta.webpackHot costs a property
// per module, so every module gets both APIs.
const INJECT =
  `import.meta.hot = globalThis[Symbol.for(${JSON.stringify(HOT_GLOBAL)})]?.(import.meta.url);` +
  `import.meta.webpackHot = globalThis[Symbol.for(${JSON.stringify(WEBPACK_HOT_GLOBAL)})]?.(import.meta.url);`;

/**
 * @typedef {object} HookState
 * @property {string} root the project root (a real path), '' while none
 * @property {Map<string, string>} versions module ID → version token
 * @property {(msg: { url: string, id: string, format: string, hash: string }) => void} report
 */

/**
 * inProject: whether file belongs to the project: under root, outside
 * node_modules.
 * @param {string} root
 * @param {string} file
 */
export function inProject(root, file) {
  if (!root) return false;
  const rel = path.relative(root, file);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return false;
  return !rel.split(path.sep).includes('node_modules');
}

/**
 * moduleId is the daemon's ID of a file of the project: its path from the
 * root with a leading slash.
 * @param {string} root
 * @param {string} file
 */
export function moduleId(root, file) {
  const rel = path.relative(root, file);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return '/@fs' + file.split(path.sep).join('/');
  return '/' + rel.split(path.sep).join('/');
}

/**
 * projectFile is the file a URL names when it is a module of the project,
 * else ''.
 * @param {HookState} st
 * @param {string} url
 */
function projectFile(st, url) {
  if (!url.startsWith('file:')) return '';
  let file;
  try {
    file = fileURLToPath(url);
  } catch {
    return '';
  }
  return inProject(st.root, file) ? file : '';
}

/**
 * versioned is url with ?t= set to the module's current version (or
 * removed when it has none).
 * @param {HookState} st
 * @param {string} url
 */
export function versioned(st, url) {
  const file = projectFile(st, url);
  if (!file) return url;
  const v = st.versions.get(moduleId(st.root, file));
  const u = new URL(url);
  if (!v && !u.searchParams.has('t')) return url;
  u.searchParams.delete('t');
  if (v) u.searchParams.set('t', v);
  return u.href;
}

/**
 * inject puts the import.meta.hot statement in front of the first line
 * (after a hashbang line), keeping every line where it was.
 * @param {string} src
 */
export function inject(src) {
  if (src.startsWith('#!')) {
    const nl = src.indexOf('\n');
    if (nl < 0) return src + '\n' + INJECT;
    return src.slice(0, nl + 1) + INJECT + src.slice(nl + 1);
  }
  return INJECT + src;
}

/**
 * afterResolve rewrites a resolved URL to its version.
 * @param {HookState} st
 * @param {{ url: string }} r
 */
export function afterResolve(st, r) {
  const url = versioned(st, r.url);
  return url === r.url ? r : { ...r, url };
}

/**
 * afterLoad reports a project module and injects import.meta.hot into its
 * source when it is an ES module.
 * @param {HookState} st
 * @param {string} url
 * @param {{ format?: string | null, source?: unknown }} r
 */
export function afterLoad(st, url, r) {
  const file = projectFile(st, url);
  if (!file) return r;
  const format = r.format || '';
  let text = null;
  if (typeof r.source === 'string') text = r.source;
  else if (r.source instanceof Uint8Array || r.source instanceof ArrayBuffer) text = Buffer.from(/** @type {Uint8Array} */ (r.source)).toString('utf8');
  let hash = '';
  try {
    hash = createHash('sha1')
      .update(text ?? readFileSync(file))
      .digest('hex');
  } catch {
    // a file gone since; the stale check will say so
  }
  st.report({ url, id: moduleId(st.root, file), format, hash });
  if (format !== 'module' || text === null) return r;
  return { ...r, source: inject(text) };
}
