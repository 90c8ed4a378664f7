// Units of what the plugin reports to hmrd from Vite's module graph.

import test from 'node:test';
import assert from 'node:assert/strict';
import { factsOf } from '../index.js';
import { reported, wrapURL } from '../lib/facts.js';

/** A module node with the fields of Vite's EnvironmentModuleNode the plugin reads. */
function node(url, id, file, more = {}) {
  return {
    url,
    id,
    file,
    type: 'js',
    importedModules: new Set(),
    importers: new Set(),
    acceptedHmrDeps: new Set(),
    acceptedHmrExports: null,
    importedBindings: null,
    isSelfAccepting: false,
    ...more,
  };
}

const files = new Set(['/app/src/App.tsx', '/app/src/main.tsx', '/app/src/App.css', '/app/src/App.vue', '/app/src/util.ts', '/app/src/lazy.ts']);
const isFile = (f) => files.has(f);

test('a React component: self-accepting (the accept plugin-react injects), imports with bindings and kinds', () => {
  const css = node('/src/App.css', '/app/src/App.css', '/app/src/App.css', { isSelfAccepting: true });
  const util = node('/src/util.ts', '/app/src/util.ts', '/app/src/util.ts');
  const lazy = node('/src/lazy.ts', '/app/src/lazy.ts', '/app/src/lazy.ts');
  const refresh = node('/@react-refresh', '/@react-refresh', '/@react-refresh');
  const react = node('/node_modules/.vite/deps/react.js?v=1a2b', '/app/node_modules/.vite/deps/react.js?v=1a2b', '/app/node_modules/.vite/deps/react.js');
  const client = node('/@vite/client', '/app/node_modules/vite/dist/client/client.mjs', '/app/node_modules/vite/dist/client/client.mjs');
  const app = node('/src/App.tsx', '/app/src/App.tsx', '/app/src/App.tsx', {
    isSelfAccepting: true,
    importedModules: new Set([util, css, refresh, react, client, lazy]),
    importedBindings: new Map([['/app/src/util.ts', new Set(['format', 'clamp'])]]),
    staticImportedUrls: new Set(['/src/util.ts', '/src/App.css', '/@react-refresh', react.url, client.url]),
  });
  assert.deepEqual(factsOf(app, isFile), {
    id: '/src/App.tsx',
    files: ['/app/src/App.tsx'],
    virtual: false,
    kind: 'js',
    imports: [
      { target: '/@react-refresh', kind: 'IMPORT_KIND_STATIC', specifier: '', bindings: [] },
      { target: '/src/App.css', kind: 'IMPORT_KIND_CSS', specifier: '', bindings: [] },
      { target: '/src/lazy.ts', kind: 'IMPORT_KIND_DYNAMIC', specifier: '', bindings: [] },
      { target: '/src/util.ts', kind: 'IMPORT_KIND_STATIC', specifier: '', bindings: ['clamp', 'format'] },
    ],
    exports: [],
    selfAccepting: true,
    acceptedDeps: [],
    acceptedExports: [],
    declined: false,
    usesHot: true,
    entry: false,
  });
  // Vite's own client and npm dependencies are not the project's.
  assert.equal(reported(react), false);
  assert.equal(reported(client), false);
  // A module whose "file" is no file is virtual.
  const r = factsOf(refresh, isFile);
  assert.equal(r.virtual, true);
  assert.deepEqual(r.files, []);
});

test('the parts of a .vue file are modules backed by the file; a \\0 module is virtual', () => {
  // plugin-vue watches the file it compiles: Vite records that as an
  // import of a file-only entry, which is one of the module's files.
  const watched = node('/@fs/app/src/App.vue', '/app/src/App.vue', '/app/src/App.vue', { type: 'asset' });
  const style = node('/src/App.vue?vue&type=style&index=0&scoped=7a7a37b1&lang.css', '/app/src/App.vue?vue&type=style&index=0&scoped=7a7a37b1&lang.css', '/app/src/App.vue', { isSelfAccepting: true });
  const helper = node('\0plugin-vue:export-helper', '\0plugin-vue:export-helper', '\0plugin-vue:export-helper');
  const main = node('/src/App.vue', '/app/src/App.vue', '/app/src/App.vue', { isSelfAccepting: true, importedModules: new Set([style, helper, watched]) });
  const f = factsOf(main, isFile);
  assert.deepEqual(f.files, ['/app/src/App.vue']);
  assert.deepEqual(f.imports.map((i) => [i.target, i.kind]), [
    ['\0plugin-vue:export-helper', 'IMPORT_KIND_STATIC'],
    ['/src/App.vue?vue&type=style&index=0&scoped=7a7a37b1&lang.css', 'IMPORT_KIND_CSS'],
  ]);
  const s = factsOf(style, isFile);
  assert.equal(s.id, '/src/App.vue?vue&type=style&index=0&scoped=7a7a37b1&lang.css');
  assert.deepEqual(s.files, ['/app/src/App.vue']);
  assert.equal(s.virtual, false);
  const h = factsOf(helper, isFile);
  assert.equal(h.virtual, true);
  assert.equal(h.id, '\0plugin-vue:export-helper');
  assert.equal(reported(watched), false);
  assert.equal(wrapURL(h.id), '/@id/__x00__plugin-vue:export-helper');
  assert.equal(wrapURL('/src/App.vue'), '/src/App.vue');
});

test('the files a plugin watches for a virtual module are its files', () => {
  const watched = node('/@fs/app/src/util.ts', '/app/src/util.ts', '/app/src/util.ts', { type: 'asset' });
  const routes = node('\0virtual:routes', '\0virtual:routes', '\0virtual:routes', { importedModules: new Set([watched]) });
  const f = factsOf(routes, isFile);
  assert.equal(f.virtual, true);
  assert.deepEqual(f.files, ['/app/src/util.ts']);
  assert.deepEqual(f.imports, []);
});

test('accepted dependencies and exports', () => {
  const util = node('/src/util.ts', '/app/src/util.ts', '/app/src/util.ts', { acceptedHmrExports: new Set(['b', 'a']) });
  const main = node('/src/main.tsx', '/app/src/main.tsx', '/app/src/main.tsx', { importedModules: new Set([util]), acceptedHmrDeps: new Set([util]) });
  const m = factsOf(main, isFile);
  assert.deepEqual(m.acceptedDeps, ['/src/util.ts']);
  assert.equal(m.selfAccepting, false);
  assert.equal(m.usesHot, true);
  const u = factsOf(util, isFile);
  assert.deepEqual(u.acceptedExports, ['a', 'b']);
  assert.equal(u.usesHot, true);
  const plain = factsOf(node('/src/lazy.ts', '/app/src/lazy.ts', '/app/src/lazy.ts'), isFile);
  assert.equal(plain.usesHot, false);
  assert.deepEqual(plain.acceptedExports, []);
});
