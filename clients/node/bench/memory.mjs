// Memory growth of a Node.js program over many hot updates. Node cannot
// unload an ES module: every update leaves the old instance (its source
// text, compiled code and whatever it still references) in the module
// map. This measures how much that costs.
//
//   node bench/memory.mjs [UPDATES]        (default 1000)
//
// It needs a daemon: $HMRD_SOCKET (or the default socket) when one runs,
// else it starts `hmrd serve` from $HMRD_BIN. It writes a program whose
// module mod.mjs (about 8 KB of source, self-accepting) is edited UPDATES
// times; after each applied update the program collects garbage and
// prints its heap and RSS. The table it prints is in docs/node.md.

import { connect, NoDaemonError } from '../index.js';
import { startApp, startDaemon, tree, writeFiles } from '../testing/helpers.js';

const UPDATES = Number(process.argv[2] || 1000);

/** mod.mjs at edit i: ~8 KB of functions, as a real module might be. */
function mod(i) {
  const fns = [];
  for (let k = 0; k < 120; k++) fns.push(`export function f${k}(x) { return x * ${k} + ${i} + 'item-${k}'.length; }`);
  return `export const i = ${i};\n${fns.join('\n')}\nimport.meta.hot.accept();\n`;
}

const app = [
  "import './mod.mjs';",
  'let n = 0;',
  "import.meta.hot.on('hmrd:afterUpdate', () => {",
  '  globalThis.gc();',
  '  const m = process.memoryUsage();',
  "  console.log('applied', ++n, m.heapUsed, m.rss, m.external);",
  '});',
  'setInterval(() => {}, 1 << 30);',
  "globalThis.gc(); const m = process.memoryUsage(); console.log('ready', m.heapUsed, m.rss, m.external);",
].join('\n');

let socket = process.env.HMRD_SOCKET || '';
/** @type {Awaited<ReturnType<typeof startDaemon>> | null} */
let daemon = null;
try {
  (await connect(socket || undefined)).close();
} catch (err) {
  if (!(err instanceof NoDaemonError) || !process.env.HMRD_BIN) throw err;
  const root = tree({ 'x.mjs': '' });
  daemon = await startDaemon([root]);
  socket = daemon.socket;
}

const root = tree({ 'package.json': '{"type":"module"}\n', 'app.mjs': app, 'mod.mjs': mod(0) });
const p = startApp(root, 'app.mjs', { socket, args: ['--expose-gc'], env: { HMRD_NODE_RESTART: 'log' } });
const ready = await p.expect(/^ready (\d+) (\d+) (\d+)/, { ms: 60000 });
const base = ready.match.slice(1).map(Number);
/** @type {number[][]} */
const rows = [[0, ...base]];
const t0 = performance.now();
let from = ready.next;
for (let i = 1; i <= UPDATES; i++) {
  writeFiles(root, { 'mod.mjs': mod(i) });
  const r = await p.expect(new RegExp(`^applied ${i} (\\d+) (\\d+) (\\d+)`), { from, ms: 60000 });
  from = r.next;
  if (i % (UPDATES / 10) === 0 || i === 1) rows.push([i, ...r.match.slice(1).map(Number)]);
}
const secs = (performance.now() - t0) / 1000;
await p.stop();
await daemon?.stop();

const mb = (b) => (b / 1048576).toFixed(1);
console.log(`node ${process.version}, ${UPDATES} updates of an ~${(mod(0).length / 1024).toFixed(1)} KB module in ${secs.toFixed(0)} s\n`);
console.log('| updates | heap used (MiB) | RSS (MiB) | heap growth per update (KiB) |');
console.log('|---:|---:|---:|---:|');
for (const [i, heap, rss] of rows) {
  console.log(`| ${i} | ${mb(heap)} | ${mb(rss)} | ${i ? ((heap - base[0]) / i / 1024).toFixed(1) : '—'} |`);
}
