// @ts-check
// What the plugin reports to hmrd about the modules Vite transforms: each
// module's facts as Vite's module graph has them once the module is
// transformed (framework plugins and Vite's import analysis have run), so
// hmrd propagates over the graph Vite serves — the accept calls
// @vitejs/plugin-react or plugin-vue inject, the sub-modules of a `.vue`
// file, virtual modules — and not over the source files alone.

import fs from 'node:fs';
import path from 'node:path';

/** A stylesheet's URL, as Vite's isCSSRequest sees it (payload.js uses it too). */
export const cssLangsRE = /\.(css|less|sass|scss|styl|stylus|pcss|postcss|sss)(?:$|\?)/;
// A stylesheet imported as a string or a URL is no stylesheet to its importer.
const specialQueryRE = /[?&](?:inline|raw|url)\b/;

/**
 * @typedef {import('../index.js').ViteModuleNode} ViteModuleNode
 * @typedef {import('../index.js').ModuleFacts} ModuleFacts
 */

/**
 * reported says whether hmrd should hear about mod: npm dependencies
 * (pre-bundled or not) and Vite's own client are left out, since no edit
 * of a project reaches them and hmrd names them as externals.
 * @param {ViteModuleNode} mod
 */
export function reported(mod) {
  // A file-only entry (type "asset") stands for a file a plugin watches
  // for a module (this.addWatchFile): it is one of that module's files,
  // not a module of its own.
  if (mod.type === 'asset') return false;
  if (!mod.url || mod.url.startsWith('/@vite/') || mod.url.startsWith('/@id/__vite-browser-external')) return false;
  if (mod.url.includes('/node_modules/') || (mod.id ?? '').includes('/node_modules/')) return false;
  return true;
}

/**
 * moduleID is the hmrd module ID of a Vite module: its URL in Vite's
 * graph, which is what a page imports for a file (`/src/App.tsx`, `/@fs/…`
 * outside the root, `/src/App.vue?vue&type=style&index=0&lang.css` for a
 * part of a single-file component) and a virtual module's own ID
 * (`\0plugin-vue:export-helper`, `virtual:routes`), which hmrd takes as
 * a virtual module's ID: `/@id/` names packages in hmrd.
 * @param {ViteModuleNode} mod
 */
export function moduleID(mod) {
  return mod.url;
}

/**
 * wrapURL is the browser form of a URL of Vite's graph, as Vite's wrapId:
 * a bare or `\0` ID goes under `/@id/`, with `\0` spelled `__x00__`.
 * Vite before 8 spells virtual modules so in its payloads.
 * @param {string} url
 */
export function wrapURL(url) {
  if (url.startsWith('/') || url.startsWith('.')) return url;
  return '/@id/' + url.replace('\0', '__x00__');
}

/**
 * factsOf is the ModuleFacts of mod. isFile says whether a path names a
 * file on disk (injected for tests; a module whose `file` is no file, such
 * as `/@react-refresh`, is virtual).
 * @param {ViteModuleNode} mod
 * @param {(file: string) => boolean} [isFile]
 * @returns {ModuleFacts}
 */
export function factsOf(mod, isFile = fileExists) {
  const virtual = !mod.file || (mod.id ?? '').startsWith('\0') || !path.isAbsolute(mod.file) || !isFile(mod.file);
  /** @type {Set<string>} */
  const files = new Set(virtual || !mod.file ? [] : [mod.file]);
  /** @type {ModuleFacts['imports']} */
  const imports = [];
  for (const dep of mod.importedModules) {
    if (dep.type === 'asset' && dep.file) files.add(dep.file);
    if (!reported(dep)) continue;
    imports.push({
      target: moduleID(dep),
      kind: importKind(mod, dep),
      specifier: '',
      bindings: [...(mod.importedBindings?.get(dep.id ?? '') ?? [])].sort(),
    });
  }
  imports.sort((a, b) => (a.target < b.target ? -1 : a.target > b.target ? 1 : 0));
  return {
    id: moduleID(mod),
    files: [...files].sort(),
    virtual,
    kind: mod.type === 'css' ? 'css' : 'js',
    imports,
    exports: [],
    selfAccepting: mod.isSelfAccepting === true,
    acceptedDeps: [...mod.acceptedHmrDeps].filter(reported).map(moduleID).sort(),
    acceptedExports: mod.acceptedHmrExports ? [...mod.acceptedHmrExports].sort() : [],
    declined: false,
    usesHot: mod.isSelfAccepting === true || mod.acceptedHmrDeps.size > 0 || mod.acceptedHmrExports != null,
    entry: false,
  };
}

/**
 * importKind: Vite knows whether an import is static (staticImportedUrls)
 * and which modules are stylesheets; the rest is dynamic.
 * @param {ViteModuleNode} mod
 * @param {ViteModuleNode} dep
 * @returns {'IMPORT_KIND_STATIC' | 'IMPORT_KIND_DYNAMIC' | 'IMPORT_KIND_CSS'}
 */
function importKind(mod, dep) {
  // Vite records static imports on the node without declaring the field.
  /** @type {Set<string> | undefined} */
  const statics = /** @type {any} */ (mod).staticImportedUrls;
  if (statics && !statics.has(dep.url)) return 'IMPORT_KIND_DYNAMIC';
  if (dep.type === 'css' || (cssLangsRE.test(dep.url) && !specialQueryRE.test(dep.url))) return 'IMPORT_KIND_CSS';
  return 'IMPORT_KIND_STATIC';
}

/** @param {string} file */
function fileExists(file) {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}
