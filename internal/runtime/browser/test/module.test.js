// The runtime as the dev server serves it: every module of this directory
// next to each other (under /@hmrd/), client.js with one config line
// prepended.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync, mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const runtimeDir = new URL('..', import.meta.url);
const modules = readdirSync(runtimeDir).filter((name) => name.endsWith('.js'));
const configLine = 'const __HMRD_CONFIG__ = {"token":"0123456789abcdef0123456789abcdef","wsPath":"/@hmrd/ws","project":"my app"};\n';
const PAGE_RUNTIME = Symbol.for('hmrd.pageRuntime');

const dir = mkdtempSync(join(tmpdir(), 'hmrd-client-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));
test.afterEach(() => delete globalThis[PAGE_RUNTIME]);

// served writes a copy of the runtime, as served, into a fresh directory
// (fresh module URLs) and returns the URL of its client.js.
let n = 0;
function served(prefix) {
  const d = join(dir, `served-${++n}`);
  mkdirSync(d);
  for (const name of modules) {
    const text = readFileSync(new URL(name, runtimeDir), 'utf8');
    writeFileSync(join(d, name), name === 'client.js' ? prefix + text : text);
  }
  return pathToFileURL(join(d, 'client.js')).href;
}

// inWindow runs fn with a fake window, location and WebSocket.
async function inWindow(fn) {
  const sockets = [];
  const listeners = {};
  globalThis.window = { addEventListener: (type, f) => (listeners[type] = f) };
  globalThis.location = { protocol: 'http:', host: 'localhost:5173', href: 'http://localhost:5173/', pathname: '/' };
  const savedWS = globalThis.WebSocket;
  globalThis.WebSocket = class {
    constructor(url, protocol) {
      this.url = url;
      this.protocol = protocol;
      sockets.push(this);
    }
    close() {
      this.closed = true;
    }
  };
  try {
    await fn(sockets, listeners);
  } finally {
    delete globalThis.window;
    delete globalThis.location;
    globalThis.WebSocket = savedWS;
  }
}

test('every runtime file is an ES module that type-checks in tsc (// @ts-check)', () => {
  assert.ok(modules.includes('client.js'));
  for (const name of modules) {
    const text = readFileSync(new URL(name, runtimeDir), 'utf8');
    assert.ok(text.startsWith('// @ts-check\n'), `${name} starts with // @ts-check`);
  }
});

test('with the config line prepended and no window, the module loads and starts nothing', async () => {
  const mod = await import(served(configLine));
  assert.deepEqual(Object.keys(mod).sort(), ['createHotContext', 'createRuntime', 'removeStyle', 'updateStyle', 'webpackHot']);
  // a module can still create its context (no connection, no document)
  const hot = mod.createHotContext('/src/app.js');
  hot.accept();
  hot.data.x = 1;
  assert.equal(mod.createHotContext('/src/app.js').data.x, 1);
  assert.doesNotThrow(() => mod.updateStyle('/a.css', 'a{}'));
  assert.doesNotThrow(() => mod.removeStyle('/a.css'));
});

test('without the config line the module loads too', async () => {
  const mod = await import(served(''));
  assert.equal(typeof mod.createRuntime, 'function');
});

test('with the config line and a window, the page runtime connects at once', async () => {
  await inWindow(async (sockets, listeners) => {
    await import(served(configLine));
    assert.equal(sockets.length, 1);
    assert.equal(sockets[0].url, 'ws://localhost:5173/@hmrd/ws?token=0123456789abcdef0123456789abcdef&project=my%20app');
    assert.equal(sockets[0].protocol, 'hmrd.v1');
    listeners.pagehide({ persisted: false });
    assert.equal(sockets[0].closed, true);
  });
});

test('two copies of the runtime in one page share one registry and one connection', async () => {
  await inWindow(async (sockets) => {
    const first = await import(served(configLine));
    const second = await import(served(configLine));
    assert.notEqual(first, second, 'two module instances');
    assert.equal(sockets.length, 1, 'one socket');
    first.createHotContext('/src/app.js').data.kept = 'yes';
    assert.equal(second.createHotContext('/src/app.js').data.kept, 'yes');
  });
});

test('a configured copy takes over from a runtime made before any config', async () => {
  const bare = await import(served(''));
  bare.createHotContext('/src/early.js');
  await inWindow(async (sockets) => {
    const mod = await import(served(configLine));
    assert.equal(sockets.length, 1, 'the configured runtime connects');
    // from now on both copies use the configured runtime
    mod.createHotContext('/src/app.js').data.v = 1;
    assert.equal(bare.createHotContext('/src/app.js').data.v, 1);
  });
});
