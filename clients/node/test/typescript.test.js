// TypeScript and JSX under the Node.js runtime: what Node cannot run
// itself the daemon compiles, with the project's tsconfig; imports follow
// TypeScript's rules; edits hot-swap as for JavaScript; a syntax error in
// an edit leaves the old instance serving and says where it is.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runApp } from '../testing/helpers.js';
import { needsCompile, tsCandidates } from '../lib/runtime/compile.js';

const forever = 'setInterval(() => {}, 1 << 30);\n';

test('which files are compiled, and the specifiers TypeScript would try', () => {
  assert.equal(needsCompile('/p/a.ts', false), true);
  assert.equal(needsCompile('/p/a.mts', false), true);
  assert.equal(needsCompile('/p/a.ts', true), false);
  assert.equal(needsCompile('/p/a.tsx', true), true);
  assert.equal(needsCompile('/p/a.jsx', true), true);
  assert.equal(needsCompile('/p/a.cts', false), false);
  assert.equal(needsCompile('/p/a.mjs', false), false);
  assert.deepEqual(tsCandidates('./h.js'), ['./h.ts', './h.tsx']);
  assert.deepEqual(tsCandidates('../h.mjs?x=1'), ['../h.mts?x=1']);
  assert.deepEqual(tsCandidates('./dir').slice(0, 2), ['./dir.ts', './dir.tsx']);
  assert.ok(tsCandidates('./dir').includes('./dir/index.ts'));
  assert.deepEqual(tsCandidates('pkg/x.js'), []);
});

test('a TypeScript program: compiled with its tsconfig, its handler hot-swapped, a broken edit reported and survived', async (t) => {
  const { app, edit } = await runApp(
    {
      'tsconfig.json': '{"compilerOptions": {"experimentalDecorators": true, "module": "nodenext"}}\n',
      'app.ts': [
        "import { handle } from './handler.js';",
        "import type { Handler } from './types.js';",
        'let h: Handler = handle;',
        "import.meta.hot?.accept('./handler.js', (mod) => { h = mod?.handle; console.log('now', h()); });",
        forever,
        "console.log('ready', h());",
      ].join('\n'),
      'types.ts': 'export type Handler = () => string;\n',
      'handler.ts': [
        'function tag(c: any) { c.prototype.tagged = true; }',
        '@tag class Box { value: string = "one" }',
        "export const handle = (): string => new Box().value + ((Box.prototype as any).tagged ? ' tagged' : '');",
        '',
      ].join('\n'),
    },
    { entry: 'app.ts' },
  );
  t.after(() => app.stop());
  await app.expect('ready one tagged');
  edit({ 'handler.ts': "const n: number = 2;\nexport const handle = (): string => 'two ' + n;\n" });
  await app.expect('now two 2');
  edit({ 'handler.ts': 'export const handle = (): string => {\n' });
  await app.err.waitFor(/handler\.ts:2:\d+/);
  edit({ 'handler.ts': "export const handle = (): string => 'three';\n" });
  await app.expect('now three');
});

test('JSX with a pragma: compiled, and hot-swapped', async (t) => {
  const { app, edit } = await runApp(
    {
      'h.mjs': 'export const h = (tag, props, ...kids) => `<${tag}>${kids.join("")}</${tag}>`;\n',
      'app.mjs': [
        "import { view } from './view.jsx';",
        "import.meta.hot.accept('./view.jsx', (mod) => console.log('now', mod.view()));",
        forever,
        "console.log('ready', view());",
      ].join('\n'),
      'view.jsx': "/** @jsx h */\nimport { h } from './h.mjs';\nexport const view = () => <p>one</p>;\n",
    },
  );
  t.after(() => app.stop());
  await app.expect('ready <p>one</p>');
  edit({ 'view.jsx': "/** @jsx h */\nimport { h } from './h.mjs';\nexport const view = () => <b>two</b>;\n" });
  await app.expect('now <b>two</b>');
});
