// The module.register() hooks (Node ≥ 20.6): they run in Node's loader
// thread, so the state lives here and the main thread sends it through the
// MessagePort given in initialize's data: the project root and the module
// versions (each acknowledged, so an import that follows sees them), and
// receives the modules loaded.

import { afterLoad, afterResolve } from './hooks.js';

/** @type {import('./hooks.js').HookState} */
const st = { root: '', versions: new Map(), report: () => {} };

/** @param {{ port: import('node:worker_threads').MessagePort, root: string }} data */
export function initialize(data) {
  const { port } = data;
  st.root = data.root || '';
  st.report = (msg) => port.postMessage({ type: 'loaded', ...msg });
  port.on('message', (/** @type {any} */ m) => {
    if (m.type === 'state') {
      if (typeof m.root === 'string') st.root = m.root;
      if (m.reset) st.versions.clear();
      for (const [id, v] of m.versions || []) st.versions.set(id, v);
      port.postMessage({ type: 'ack', id: m.id });
    }
  });
  port.unref();
}

/** @type {import('node:module').ResolveHook} */
export async function resolve(specifier, context, nextResolve) {
  return afterResolve(st, await nextResolve(specifier, context));
}

/** @type {import('node:module').LoadHook} */
export async function load(url, context, nextLoad) {
  return afterLoad(st, url, await nextLoad(url, context));
}
