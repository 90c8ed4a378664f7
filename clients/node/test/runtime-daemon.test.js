// The Node.js runtime across daemon restarts, and two programs on one
// project. These start daemons of their own (HMRD_BIN).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runApp, startDaemon, tempDir, tree, withDeadline, HMRD_BIN } from '../testing/helpers.js';

const forever = 'setInterval(() => {}, 1 << 30);\n';
const skip = !HMRD_BIN && 'HMRD_BIN not set';
const mod = (v) => `export const v = ${v};\nconsole.log('mod', v);\nimport.meta.hot.accept();\n`;

test('daemon restart: one resync, the program carries on, no update lost', { skip }, async (t) => {
  const other = tree({ 'x.mjs': '' });
  const d1 = await startDaemon([other]); // the program's project is added by the runtime
  const { app, edit } = await runApp({ 'app.mjs': `import './mod.mjs';\n${forever}console.log('ready');\n`, 'mod.mjs': mod(1) }, { socket: d1.socket });
  t.after(() => app.stop());
  edit({ 'mod.mjs': mod(2) });
  await app.expect('mod 2');

  await d1.kill();
  const d2 = await startDaemon([other], { socket: d1.socket });
  t.after(() => d2.stop());
  // The new daemon does not have the project: the runtime adds it again
  // and resumes, which gives the resync.
  await app.err.waitFor(/is gone from the daemon: adding it again/);
  await app.err.waitFor(/resync .*carrying on/);
  assert.equal(app.err.lines.filter((l) => l.includes('resync')).length, 1);
  edit({ 'mod.mjs': mod(3) });
  await app.expect('mod 3');
  assert.equal(app.proc.exitCode, null);
});

test('daemon restart: an edit made while it was away restarts the program', { skip }, async (t) => {
  const root = tree({ 'package.json': '{}\n', 'app.mjs': `import './mod.mjs';\n${forever}console.log('ready');\n`, 'mod.mjs': mod(1) });
  const d1 = await startDaemon([root]);
  const { app, edit } = await runApp({}, { socket: d1.socket, root });
  t.after(() => app.stop());
  await d1.kill();
  edit({ 'mod.mjs': mod(2) });
  const d2 = await startDaemon([root], { socket: d1.socket });
  t.after(() => d2.stop());
  const { code } = /** @type {any} */ (await withDeadline(app.exited, 'the exit'));
  assert.equal(code, 75);
  await app.err.waitFor(/full reload: .*\/mod\.mjs changed meanwhile/);
});

test('two programs on one project: each applies what concerns it; custom events reach the other', { skip }, async (t) => {
  const root = tree({
    'package.json': '{}\n',
    'shared.mjs': 'export const s = 1;\n',
    'bonly.mjs': 'export const b = 1;\n',
    'a.mjs': [
      "import { s } from './shared.mjs';",
      "import.meta.hot.accept('./shared.mjs', (m) => { console.log('a sees', m.s); import.meta.hot.send('ping', { s: m.s }); });",
      forever,
      "console.log('ready a', s);",
    ].join('\n'),
    'b.mjs': [
      "import { s } from './shared.mjs';",
      "import './bonly.mjs';",
      "import.meta.hot.accept('./shared.mjs', (m) => console.log('b sees', m.s));",
      "import.meta.hot.on('ping', (d) => console.log('b got ping', d.s));",
      forever,
      "console.log('ready b', s);",
    ].join('\n'),
  });
  const d = await startDaemon([root]);
  t.after(() => d.stop());
  const a = await runApp({}, { socket: d.socket, root, entry: 'a.mjs' });
  const b = await runApp({}, { socket: d.socket, root, entry: 'b.mjs' });
  t.after(() => a.app.stop());
  t.after(() => b.app.stop());
  a.edit({ 'shared.mjs': 'export const s = 2;\n' });
  await a.app.expect('a sees 2');
  await b.app.expect('b sees 2');
  await b.app.expect('b got ping 2');
  // A dead end in b's modules restarts b only.
  a.edit({ 'bonly.mjs': 'export const b = 2;\n' });
  const { code } = /** @type {any} */ (await withDeadline(b.app.exited, 'b to exit'));
  assert.equal(code, 75);
  a.edit({ 'shared.mjs': 'export const s = 3;\n' });
  await a.app.expect('a sees 3');
  assert.equal(a.app.proc.exitCode, null);
  assert.ok(!a.app.err.text().includes('full reload'), a.app.err.text());
});

test('a program started before its daemon gets hot once the daemon is up', { skip }, async (t) => {
  const root = tree({ 'package.json': '{}\n', 'app.mjs': `import './mod.mjs';\n${forever}console.log('ready');\n`, 'mod.mjs': mod(1) });
  const socket = tempDir('ns') + '/s';
  const { app, edit } = await runApp({}, { socket, root });
  t.after(() => app.stop());
  await app.err.waitFor(/no hmrd daemon at .*running without hot updates/);
  const d = await startDaemon([root], { socket });
  t.after(() => d.stop());
  await app.err.waitFor(/connected to hmrd/);
  await app.err.waitFor(/no file this program loaded changed meanwhile/);
  edit({ 'mod.mjs': mod(2) });
  await app.expect('mod 2');
});
