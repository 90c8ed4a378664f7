// The Fast Refresh glue: what counts as a component, when new exports can
// be refreshed in place, and the accept callback of a boundary.
import test from 'node:test';
import assert from 'node:assert/strict';
import { accept, componentLike, incompatible, install, register, signature } from '../refresh.js';

function App() {}
function helper() {}
class Plain {
  method() {}
}
class Legacy {}
Legacy.prototype.isReactComponent = {};

test('componentLike: capitalised functions, React classes, memo and forwardRef', () => {
  assert.equal(componentLike(App), true);
  assert.equal(componentLike(() => {}), false); // no name
  assert.equal(componentLike(helper), false);
  assert.equal(componentLike(Plain), false);
  assert.equal(componentLike(Legacy), true);
  assert.equal(componentLike({ $$typeof: Symbol.for('react.memo') }), true);
  assert.equal(componentLike({ $$typeof: Symbol.for('react.forward_ref') }), true);
  assert.equal(componentLike({}), false);
  assert.equal(componentLike(42), false);
});

test('incompatible: same names, components or unchanged values', () => {
  const answer = 42;
  assert.equal(incompatible({ App }, { App }), '');
  assert.equal(incompatible({ App, answer }, { App, answer }), '');
  assert.equal(incompatible({ App }, { App, answer }), 'export "answer" added');
  assert.equal(incompatible({ App, answer }, { App }), 'export "answer" removed');
  assert.equal(incompatible({ App, answer }, { App, answer: 43 }), '"answer" export is not a component');
  assert.equal(incompatible({}, {}), 'no exports');
});

test('a boundary refreshes compatible exports and invalidates the others', async () => {
  /** @type {(v?: unknown) => void} */
  let refreshed = () => {};
  const calls = { inject: 0, register: /** @type {string[]} */ ([]), refresh: 0 };
  const rt = {
    injectIntoGlobalHook() { calls.inject++; },
    register(/** @type {unknown} */ _type, /** @type {string} */ id) { calls.register.push(id); },
    createSignatureFunctionForTransform() { return (/** @type {unknown} */ type) => type; },
    performReactRefresh() { calls.refresh++; refreshed(); },
  };
  globalThis.window = /** @type {any} */ (globalThis);
  install('react', rt);
  assert.equal(calls.inject, 1);
  register(App, '/src/App.tsx App');
  assert.deepEqual(calls.register, ['/src/App.tsx App']);
  assert.equal(typeof signature(), 'function');

  const hot = {
    /** @type {((next: unknown) => Promise<void>) | undefined} */
    cb: undefined,
    /** @type {string | undefined} */
    invalidated: undefined,
    accept(/** @type {(next: unknown) => Promise<void>} */ cb) { this.cb = cb; },
    invalidate(/** @type {string} */ msg) { this.invalidated = msg; },
  };
  accept(/** @type {any} */ (hot), '/src/App.tsx', 'data:text/javascript,export function App() {}');
  assert.ok(hot.cb, 'accept() registers a callback');

  const done = new Promise((resolve) => { refreshed = resolve; });
  await hot.cb({ App });
  const deadline = new Promise((_, reject) => setTimeout(() => reject(new Error('no refresh within 5 s')), 5000).unref());
  await Promise.race([done, deadline]);
  assert.equal(calls.refresh, 1);
  assert.equal(hot.invalidated, undefined);

  await hot.cb({ App, answer: 42 });
  assert.equal(hot.invalidated, 'Could not Fast Refresh (export "answer" added)');
});
