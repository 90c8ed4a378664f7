// client.js as the dev server serves it: one config line prepended.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const source = readFileSync(new URL('../client.js', import.meta.url), 'utf8');
const configLine = 'const __HMRD_CONFIG__ = {"token":"0123456789abcdef0123456789abcdef","wsPath":"/@hmrd/ws","project":"my app"};\n';

const dir = mkdtempSync(join(tmpdir(), 'hmrd-client-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function served(text) {
  const file = join(dir, `client-${++n}.mjs`);
  writeFileSync(file, text);
  return pathToFileURL(file).href;
}

test('with the config line prepended and no window, the module loads and starts nothing', async () => {
  const mod = await import(served(configLine + source));
  assert.deepEqual(Object.keys(mod).sort(), ['createHotContext', 'createRuntime', 'removeStyle', 'updateStyle']);
  // a module can still create its context (no connection, no document)
  const hot = mod.createHotContext('/src/app.js');
  hot.accept();
  hot.data.x = 1;
  assert.equal(mod.createHotContext('/src/app.js').data.x, 1);
  assert.doesNotThrow(() => mod.updateStyle('/a.css', 'a{}'));
  assert.doesNotThrow(() => mod.removeStyle('/a.css'));
});

test('without the config line the module loads too', async () => {
  const mod = await import(served(source));
  assert.equal(typeof mod.createRuntime, 'function');
});

test('with the config line and a window, the page runtime connects at once', async () => {
  const sockets = [];
  const listeners = {};
  globalThis.window = { addEventListener: (type, fn) => (listeners[type] = fn) };
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
    await import(served(configLine + source));
    assert.equal(sockets.length, 1);
    assert.equal(sockets[0].url, 'ws://localhost:5173/@hmrd/ws?token=0123456789abcdef0123456789abcdef&project=my%20app');
    assert.equal(sockets[0].protocol, 'hmrd.v1');
    listeners.pagehide({ persisted: false });
    assert.equal(sockets[0].closed, true);
  } finally {
    delete globalThis.window;
    delete globalThis.location;
    globalThis.WebSocket = savedWS;
  }
});
