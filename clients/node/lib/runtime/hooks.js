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
import { needsCompile, tsCandidates } from './compile.js';

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
 * @property {((file: string, source: string) => string) | null} [compile]
 *   compiles a TypeScript or JSX source Node cannot run (compile.js); null
 *   leaves every file to Node
 * @property {boolean} [canStrip] whether Node strips TypeScript types itself
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
 * source when it is an ES module (TypeScript Node strips itself included).
 * original is the file's text when r.source was compiled from it: the
 * report's hash is of what is on disk, which the stale check compares.
 * @param {HookState} st
 * @param {string} url
 * @param {{ format?: string | null, source?: unknown }} r
 * @param {string} [original]
 */
export function afterLoad(st, url, r, original) {
  const file = projectFile(st, url);
  if (!file) return r;
  const format = r.format || '';
  let text = null;
  if (typeof r.source === 'string') text = r.source;
  else if (r.source instanceof Uint8Array || r.source instanceof ArrayBuffer) text = Buffer.from(/** @type {Uint8Array} */ (r.source)).toString('utf8');
  let hash = '';
  try {
    hash = createHash('sha1')
      .update(original ?? text ?? readFileSync(file))
      .digest('hex');
  } catch {
    // a file gone since; the stale check will say so
  }
  st.report({ url, id: moduleId(st.root, file), format, hash });
  if ((format !== 'module' && format !== 'module-typescript') || text === null) return r;
  return { ...r, source: inject(text) };
}

/**
 * compiledLoad loads a project module Node cannot run itself (JSX, and
 * TypeScript where Node does not strip types) from the daemon's compile,
 * or returns null to leave it to Node. A syntax error is thrown as the
 * module's load error, where Node reports any other.
 * @param {HookState} st
 * @param {string} url
 */
export function compiledLoad(st, url) {
  const file = projectFile(st, url);
  if (!file || !st.compile || !needsCompile(file, Boolean(st.canStrip))) return null;
  const original = readFileSync(file, 'utf8');
  const source = st.compile(file, original);
  return afterLoad(st, url, { format: 'module', source, shortCircuit: true }, original);
}

/**
 * tsRetry lists the specifiers to try when spec, imported by parentURL,
 * names no file: TypeScript's rules for a module of the project that is
 * TypeScript or JSX (tsCandidates), nothing otherwise.
 * @param {HookState} st
 * @param {string} spec
 * @param {string | undefined} parentURL
 */
function tsRetry(st, spec, parentURL) {
  if (!parentURL) return [];
  const parent = projectFile(st, parentURL);
  if (!parent || !/\.(?:[cm]?ts|[jt]sx)$/i.test(parent)) return [];
  return tsCandidates(spec);
}

/** @param {unknown} err */
function notFound(err) {
  return /** @type {any} */ (err)?.code === 'ERR_MODULE_NOT_FOUND' || /** @type {any} */ (err)?.code === 'ERR_UNSUPPORTED_DIR_IMPORT';
}

/**
 * resolveSync is Node's resolve (next), retried with TypeScript's
 * candidates when it finds nothing for a TypeScript module's import.
 * @template R
 * @param {HookState} st
 * @param {string} spec
 * @param {{ parentURL?: string }} ctx
 * @param {(spec: string, ctx: any) => R} next
 * @returns {R}
 */
export function resolveSync(st, spec, ctx, next) {
  try {
    return next(spec, ctx);
  } catch (err) {
    if (!notFound(err)) throw err;
    for (const c of tsRetry(st, spec, ctx.parentURL)) {
      try {
        return next(c, ctx);
      } catch (e) {
        if (!notFound(e)) throw e;
      }
    }
    throw err;
  }
}

/**
 * resolveAsync is resolveSync for the asynchronous hooks.
 * @template R
 * @param {HookState} st
 * @param {string} spec
 * @param {{ parentURL?: string }} ctx
 * @param {(spec: string, ctx: any) => Promise<R>} next
 * @returns {Promise<R>}
 */
export async function resolveAsync(st, spec, ctx, next) {
  try {
    return await next(spec, ctx);
  } catch (err) {
    if (!notFound(err)) throw err;
    for (const c of tsRetry(st, spec, ctx.parentURL)) {
      try {
        return await next(c, ctx);
      } catch (e) {
        if (!notFound(e)) throw e;
      }
    }
    throw err;
  }
}
