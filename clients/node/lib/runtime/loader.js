// The module.register() hooks (Node ≥ 20.6): they run in Node's loader
// thread, so the state lives here and the main thread sends it through the
// MessagePort given in initialize's data: the project root and the module
// versions (each acknowledged, so an import that follows sees them), and
// receives the modules loaded.

import { afterLoad, afterResolve, compiledLoad, resolveAsync } from './hooks.js';
import { canStripTypes, createCompiler } from './compile.js';

/** @type {import('./hooks.js').HookState} */
let project = '';
const st = { root: '', versions: new Map(), report: () => {}, compile: createCompiler(() => project).compileSync, canStrip: canStripTypes() };

/** @param {{ port: import('node:worker_threads').MessagePort, root: string, project: string }} data */
export function initialize(data) {
  const { port } = data;
  st.root = data.root || '';
  project = data.project || '';
  st.report = (msg) => port.postMessage({ type: 'loaded', ...msg });
  port.on('message', (/** @type {any} */ m) => {
    if (m.type === 'state') {
      if (typeof m.root === 'string') st.root = m.root;
      if (typeof m.project === 'string') project = m.project;
      if (m.reset) st.versions.clear();
      for (const [id, v] of m.versions || []) st.versions.set(id, v);
      port.postMessage({ type: 'ack', id: m.id });
    }
  });
  port.unref();
}

/** @type {import('node:module').ResolveHook} */
export async function resolve(specifier, context, nextResolve) {
  return afterResolve(st, await resolveAsync(st, specifier, context, nextResolve));
}

/** @type {import('node:module').LoadHook} */
export async function load(url, context, nextLoad) {
  return compiledLoad(st, url) ?? afterLoad(st, url, await nextLoad(url, context));
}
