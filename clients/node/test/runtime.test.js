// The Node.js runtime (node --import @hmrd/client/register) against a real
// daemon: each test writes a small program, runs it, edits its files and
// waits for what the program prints. Full reloads use the exit mode
// (HMRD_NODE_RESTART=exit: exit code 75), so a test sees them as an exit.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { runApp, withDeadline } from '../testing/helpers.js';

const forever = 'setInterval(() => {}, 1 << 30);\n';

test('self-accept: the new instance runs, hot.data carries over', async (t) => {
  const { app, edit } = await runApp({
    'app.mjs': `import './counter.mjs';\n${forever}console.log('ready');\n`,
    'counter.mjs': [
      "export const label = 'v1';",
      'const n = (import.meta.hot.data.n ?? 0) + 1;',
      "console.log('counter', label, 'instance', n);",
      'import.meta.hot.dispose((data) => { data.n = n; });',
      'import.meta.hot.accept();',
      '',
    ].join('\n'),
  });
  t.after(() => app.stop());
  await app.expect('counter v1 instance 1');
  edit({ 'counter.mjs': "export const label = 'v2';\nconst n = (import.meta.hot.data.n ?? 0) + 1;\nconsole.log('counter', label, 'instance', n);\nimport.meta.hot.dispose((data) => { data.n = n; });\nimport.meta.hot.accept();\n" });
  await app.expect('counter v2 instance 2');
  await app.err.waitFor('hot updated: /counter.mjs');
});

test('dep accept: the importer gets the new module and keeps its own instance', async (t) => {
  const { app, edit } = await runApp({
    'app.mjs': [
      "import { handle } from './handler.mjs';",
      'let h = handle;',
      "console.log('app evaluated');",
      "import.meta.hot.accept('./handler.mjs', (mod) => { h = mod.handle; console.log('now', h()); });",
      forever,
      "console.log('ready', h());",
    ].join('\n'),
    'handler.mjs': "export const handle = () => 'one';\n",
  });
  t.after(() => app.stop());
  edit({ 'handler.mjs': "export const handle = () => 'two';\n" });
  await app.expect('now two');
  edit({ 'handler.mjs': "export const handle = () => 'three';\n" });
  await app.expect('now three');
  assert.equal(app.out.lines.filter((l) => l === 'app evaluated').length, 1);
});

test('nested propagation: modules between the boundary and the edit run again, others keep their instance', async (t) => {
  const { app, edit } = await runApp({
    'app.mjs': [
      "import { a } from './a.mjs';",
      "import { d } from './d.mjs';",
      "import.meta.hot.accept('./a.mjs', (mod) => console.log('a is now', mod.a));",
      forever,
      "console.log('ready', a, d);",
    ].join('\n'),
    'a.mjs': "import { b } from './b.mjs';\nimport { d } from './d.mjs';\nconsole.log('eval a');\nexport const a = 'a(' + b + ',' + d + ')';\n",
    'b.mjs': "import { c } from './c.mjs';\nconsole.log('eval b');\nexport const b = 'b(' + c + ')';\n",
    'c.mjs': "console.log('eval c');\nexport const c = 'c1';\n",
    'd.mjs': "console.log('eval d');\nexport const d = 'd';\n",
  });
  t.after(() => app.stop());
  const from = app.out.lines.length;
  edit({ 'c.mjs': "console.log('eval c');\nexport const c = 'c2';\n" });
  await app.expect('a is now a(b(c2),d)', { from });
  const evals = app.out.lines.slice(from).filter((l) => l.startsWith('eval'));
  assert.deepEqual(evals, ['eval c', 'eval b', 'eval a']); // d: same instance
});

test('dead end: the program restarts, with the reason and the chain', async (t) => {
  const { app, edit } = await runApp({
    'app.mjs': `import { x } from './dep.mjs';\n${forever}console.log('ready', x);\n`,
    'dep.mjs': 'export const x = 1;\n',
  });
  t.after(() => app.stop());
  edit({ 'dep.mjs': 'export const x = 2;\n' });
  const { code } = /** @type {any} */ (await withDeadline(app.exited, 'the exit'));
  assert.equal(code, 75);
  await app.err.waitFor(/full reload: no accept boundary: \/dep\.mjs → \/app\.mjs/);
  await app.err.waitFor(/chain: \/dep\.mjs → \/app\.mjs/);
});

test('decline: the program restarts', async (t) => {
  const { app, edit } = await runApp({
    'app.mjs': `import './fixed.mjs';\nimport.meta.hot.accept('./fixed.mjs', () => console.log('accepted'));\n${forever}console.log('ready');\n`,
    'fixed.mjs': 'import.meta.hot.decline();\nexport const v = 1;\n',
  });
  t.after(() => app.stop());
  edit({ 'fixed.mjs': 'import.meta.hot.decline();\nexport const v = 2;\n' });
  const { code } = /** @type {any} */ (await withDeadline(app.exited, 'the exit'));
  assert.equal(code, 75);
  await app.err.waitFor(/full reload: .*declin/);
  assert.ok(!app.out.lines.includes('accepted'));
});

test('dispose then prune, each of every pruned module before the next', async (t) => {
  const extra = (name) =>
    `import.meta.hot.dispose(() => console.log('dispose ${name}'));\nimport.meta.hot.prune(() => console.log('prune ${name}'));\nexport const ${name} = 1;\n`;
  const { app, edit } = await runApp({
    'app.mjs': `import './feature.mjs';\nimport.meta.hot.accept('./feature.mjs', () => console.log('feature updated'));\n${forever}console.log('ready');\n`,
    'feature.mjs': "import './x1.mjs';\nimport './x2.mjs';\nexport const f = 1;\n",
    'x1.mjs': extra('x1'),
    'x2.mjs': extra('x2'),
  });
  t.after(() => app.stop());
  const from = app.out.lines.length;
  edit({ 'feature.mjs': 'export const f = 2;\n' });
  await app.expect('prune x2', { from });
  const seen = app.out.lines.slice(from);
  assert.deepEqual(seen.slice(seen.indexOf('feature updated')), ['feature updated', 'dispose x1', 'dispose x2', 'prune x1', 'prune x2']);
});

test('invalidate: propagation goes on from the importers, which import the new instance', async (t) => {
  const { app, edit } = await runApp({
    'app.mjs': `import './mid.mjs';\n${forever}console.log('ready');\n`,
    'mid.mjs': "import { shape } from './mod.mjs';\nconsole.log('mid sees', shape);\nimport.meta.hot.accept();\n",
    'mod.mjs': "export const shape = 'round';\nconsole.log('mod eval', shape);\nimport.meta.hot.accept((m) => { if (m.shape !== 'round') import.meta.hot.invalidate('shape changed'); });\n",
  });
  t.after(() => app.stop());
  const from = app.out.lines.length;
  edit({ 'mod.mjs': "export const shape = 'square';\nconsole.log('mod eval', shape);\nimport.meta.hot.accept((m) => { if (m.shape !== 'round') import.meta.hot.invalidate('shape changed'); });\n" });
  await app.expect('mid sees square', { from });
  assert.deepEqual(
    app.out.lines.slice(from).filter((l) => l.startsWith('mod eval')),
    ['mod eval square'],
    'the invalidating module is not evaluated twice',
  );
  await app.err.waitFor('hot updated: /mid.mjs');
});

test('async dispose and accept handlers are awaited, one update at a time', async (t) => {
  const src = (v) =>
    [
      "const wait = (ms) => new Promise((r) => setTimeout(r, ms));",
      `console.log('eval ${v}');`,
      `import.meta.hot.dispose(async () => { console.log('dispose ${v} start'); await wait(100); console.log('dispose ${v} end'); });`,
      `import.meta.hot.accept(async () => { console.log('accept by ${v} start'); await wait(100); console.log('accept by ${v} end'); });`,
      '',
    ].join('\n');
  const { app, edit } = await runApp({
    'app.mjs': `import './slow.mjs';\n${forever}console.log('ready');\n`,
    'slow.mjs': src('v1'),
  });
  t.after(() => app.stop());
  const from = app.out.lines.length;
  edit({ 'slow.mjs': src('v2') });
  await app.expect('accept by v1 end', { from });
  edit({ 'slow.mjs': src('v3') });
  await app.expect('accept by v2 end', { from });
  assert.deepEqual(app.out.lines.slice(from), [
    'dispose v1 start',
    'dispose v1 end',
    'eval v2',
    'accept by v1 start',
    'accept by v1 end',
    'dispose v2 start',
    'dispose v2 end',
    'eval v3',
    'accept by v2 start',
    'accept by v2 end',
  ]);
});

test('a new module that throws: the error is reported, the old instance keeps serving, the next edit recovers', async (t) => {
  const { app, edit } = await runApp({
    'app.mjs': [
      "import { handle } from './handler.mjs';",
      'let h = handle;',
      "import.meta.hot.accept('./handler.mjs', (mod) => { if (mod) h = mod.handle; console.log('serving', h()); });",
      forever,
      "console.log('ready', h());",
    ].join('\n'),
    'handler.mjs': "export const handle = () => 'good 1';\n",
  });
  t.after(() => app.stop());
  edit({ 'handler.mjs': "throw new Error('boom in v2');\nexport const handle = () => 'bad';\n" });
  await app.err.waitFor(/failed to reload \/handler\.mjs/);
  await app.err.waitFor(/boom in v2/);
  await app.expect('serving good 1');
  edit({ 'handler.mjs': "export const handle = () => 'good 3';\n" });
  await app.expect('serving good 3');
  assert.equal(app.proc.exitCode, null);
});

test('rapid successive edits are applied in order and end on the last', async (t) => {
  const src = (i) => `export const i = ${i};\nconsole.log('eval', i);\nimport.meta.hot.accept();\n`;
  const { app, edit } = await runApp({
    'app.mjs': `import './n.mjs';\n${forever}console.log('ready');\n`,
    'n.mjs': src(0),
  });
  t.after(() => app.stop());
  for (let i = 1; i <= 15; i++) edit({ 'n.mjs': src(i) });
  await app.expect('eval 15');
  const seen = app.out.lines.filter((l) => l.startsWith('eval ')).map((l) => Number(l.slice(5)));
  assert.deepEqual(seen, [...seen].sort((a, b) => a - b), 'in order');
  assert.equal(seen.at(-1), 15);
});

test('a lazily imported module is reported loaded, then hot updated', async (t) => {
  const { app, edit } = await runApp({
    'app.mjs': [
      "import.meta.hot.on('hmrd:loaded', ({ modules }) => { if (modules.includes('/lazy.mjs')) console.log('reported lazy'); });",
      forever,
      "console.log('ready');",
      "setTimeout(() => import('./lazy.mjs'), 10);",
    ].join('\n'),
    'lazy.mjs': "console.log('lazy', 1);\nimport.meta.hot.accept();\n",
  });
  t.after(() => app.stop());
  await app.expect('reported lazy');
  edit({ 'lazy.mjs': "console.log('lazy', 2);\nimport.meta.hot.accept();\n" });
  await app.expect('lazy 2');
});

test('CommonJS imported from ESM keeps working; an edit of it restarts, saying why', async (t) => {
  const { app, edit } = await runApp({
    'app.mjs': `import legacy from './legacy.cjs';\nimport.meta.hot.accept('./legacy.cjs', () => console.log('accepted'));\n${forever}console.log('ready', legacy.v);\n`,
    'legacy.cjs': 'module.exports = { v: 1 };\n',
  });
  t.after(() => app.stop());
  assert.match(app.out.text(), /ready 1/);
  edit({ 'legacy.cjs': 'module.exports = { v: 2 };\n' });
  const { code } = /** @type {any} */ (await withDeadline(app.exited, 'the exit'));
  assert.equal(code, 75);
  await app.err.waitFor(/\/legacy\.cjs is CommonJS/);
});

test('re-exec (the default restart): a new process with the same arguments, once the old one is gone', async (t) => {
  // A port the program listens on: the new process can take it only once
  // the old one has exited.
  const port = await new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = /** @type {net.AddressInfo} */ (s.address()).port;
      s.close(() => resolve(p));
    });
  });
  const { app, edit } = await runApp(
    {
      'app.mjs': [
        "import net from 'node:net';",
        "import { x } from './dep.mjs';",
        `net.createServer().listen(${port}, '127.0.0.1', () => console.log('ready', process.pid, process.argv.slice(2).join(','), x));`,
      ].join('\n'),
      'dep.mjs': 'export const x = 1;\n',
    },
    { env: { HMRD_NODE_RESTART: 'reexec' }, args: ['one', 'two'] },
  );
  const first = await app.expect(/^ready (\d+) one,two 1$/);
  edit({ 'dep.mjs': 'export const x = 2;\n' });
  const second = await app.expect(/^ready (\d+) one,two 2$/, { from: first.next });
  const pid = Number(second.match[1]);
  t.after(() => process.kill(pid, 'SIGKILL'));
  assert.notEqual(pid, Number(first.match[1]));
  assert.deepEqual(await withDeadline(app.exited, 'the old process to exit'), { code: 0, signal: null });
  await app.err.waitFor(/restarting: pid \d+ → \d+/);
});

test('accept([deps]), acceptExports, beforeUpdate/afterUpdate and off', async (t) => {
  const { app, edit } = await runApp({
    'app.mjs': [
      "import { v as p } from './p.mjs';",
      "import { v as q } from './q.mjs';",
      "import { a } from './ex.mjs';",
      "import.meta.hot.accept(['./p.mjs', './q.mjs'], ([pm, qm]) => console.log('array', pm?.v, qm?.v));",
      "const before = (u) => console.log('before', u.updates.map((x) => x.type + ' ' + x.path + ' ' + x.acceptedPath).join());",
      "import.meta.hot.on('vite:beforeUpdate', before);",
      "import.meta.hot.on('hmrd:afterUpdate', (u) => { console.log('after', u.updates.length); import.meta.hot.off('vite:beforeUpdate', before); });",
      forever,
      "console.log('ready', p, q, a);",
    ].join('\n'),
    'p.mjs': 'export const v = 1;\n',
    'q.mjs': 'export const v = 1;\n',
    'ex.mjs': "export const a = 1;\nexport const b = 1;\nimport.meta.hot.acceptExports(['a'], (m) => console.log('exports now', m.a));\n",
  });
  t.after(() => app.stop());
  edit({ 'q.mjs': 'export const v = 2;\n' });
  await app.expect('before js-update /app.mjs /q.mjs');
  await app.expect('array undefined 2');
  await app.expect('after 1');
  const from = app.out.lines.length;
  edit({ 'ex.mjs': "export const a = 2;\nexport const b = 1;\nimport.meta.hot.acceptExports(['a'], (m) => console.log('exports now', m.a));\n" });
  await app.expect('exports now 2', { from });
  assert.ok(!app.out.lines.slice(from).some((l) => l.startsWith('before')), 'off removed the listener');
});
