// import.meta.webpackHot: webpack's module.hot API over the same registry
// and update order as import.meta.hot, its statuses, and manual mode.
import test from 'node:test';
import assert from 'node:assert/strict';
import { harness, jsUpdate, settle } from '../testing/fakes.js';

/** manual runs fn with manual mode on. */
async function manual(fn) {
  globalThis.__HMRD_MANUAL__ = true;
  try {
    await fn();
  } finally {
    delete globalThis.__HMRD_MANUAL__;
  }
}

const fullReload = (cause, chain) => ({ reason: 'why', chain, triggeredBy: chain[0], path: '*', cause });

test('an update runs webpack statuses: check, prepare, dispose, apply, idle; dispose handlers see apply', async () => {
  const h = harness();
  const statuses = [];
  const seen = [];
  h.define('/src/a.js', () => {
    const hot = h.rt.webpackHot('/src/a.js');
    hot.accept();
    return {};
  });
  h.load('/src/a.js');
  const hot = h.rt.webpackHot('/src/a.js');
  hot.addStatusHandler((s) => {
    statuses.push(s);
    return Promise.resolve().then(() => seen.push(hot.status()));
  });
  h.connect();
  h.update([jsUpdate('/src/a.js')]);
  await h.idle();
  assert.deepEqual(statuses, ['check', 'prepare', 'dispose', 'apply', 'idle']);
  assert.deepEqual(seen, ['check', 'prepare', 'apply', 'apply', 'idle']);
  assert.equal(h.rt.status, 'idle');
});

test('webpackHot.data: undefined at first, then what the dispose handlers left; removeDisposeHandler', async () => {
  const h = harness();
  const data = [];
  h.define('/src/a.js', () => {
    const hot = h.rt.webpackHot('/src/a.js');
    data.push(hot.data);
    const runs = (hot.data?.runs || 0) + 1;
    const keep = (d) => (d.runs = runs);
    const dropped = (d) => (d.dropped = true);
    hot.dispose(keep);
    hot.addDisposeHandler(dropped);
    hot.removeDisposeHandler(dropped);
    hot.accept();
    return {};
  });
  h.load('/src/a.js');
  h.connect();
  h.update([jsUpdate('/src/a.js')], { version: '1' });
  h.update([jsUpdate('/src/a.js')], { version: '2' });
  await h.idle();
  assert.deepEqual(data, [undefined, { runs: 1 }, { runs: 2 }]);
});

test('accept(deps, callback): once per update, with the outdated IDs and the new modules', async () => {
  const h = harness();
  const calls = [];
  h.rt.createHotContext('/src/app.js');
  h.rt.webpackHot('/src/app.js').accept(['./a.js', './b.js'], (outdated, mods) => calls.push([outdated, mods.map((m) => m.default)]));
  h.connect();
  h.update([jsUpdate('/src/app.js', '/src/a.js'), jsUpdate('/src/app.js', '/src/b.js')], { version: '5' });
  await h.idle();
  assert.deepEqual(calls, [[['./src/a.js', './src/b.js'], ['/src/a.js?t=5', '/src/b.js?t=5']]]);
});

test('import.meta.hot and webpackHot side by side: one registry, callbacks in registration order, separate data', async () => {
  const h = harness();
  const calls = [];
  h.define('/src/app.js', (hot) => {
    const whot = h.rt.webpackHot('/src/app.js');
    hot.accept('./dep.js', () => calls.push('vite'));
    whot.accept('./dep.js', () => calls.push('webpack'));
    hot.data.vite = true;
    calls.push(`webpack data ${JSON.stringify(whot.data)}`);
    return {};
  });
  h.load('/src/app.js');
  h.connect();
  h.update([jsUpdate('/src/app.js', '/src/dep.js')]);
  await h.idle();
  assert.deepEqual(calls, ['webpack data undefined', 'vite', 'webpack']);
});

test('a failed self-accepted import goes to the error handler; without one the update fails', async () => {
  const h = harness();
  const handled = [];
  h.rt.createHotContext('/src/a.js');
  h.rt.webpackHot('/src/a.js').accept((err, ctx) => handled.push([err.message, ctx.moduleId]));
  h.rt.createHotContext('/src/b.js');
  h.rt.webpackHot('/src/b.js').accept();
  h.failImports(() => new Error('boom'));
  h.connect();
  h.update([jsUpdate('/src/a.js')]);
  await h.idle();
  assert.deepEqual(handled, [['boom', './src/a.js']]);
  assert.equal(h.rt.status, 'idle');
  h.update([jsUpdate('/src/b.js')]);
  await h.idle();
  assert.equal(h.rt.status, 'fail');
});

test('outside manual mode a dead end runs check, prepare, abort, then reloads', async () => {
  const h = harness();
  const statuses = [];
  h.rt.createHotContext('/src/main.js');
  h.rt.webpackHot('/src/main.js').addStatusHandler((s) => statuses.push(s));
  h.connect();
  h.signal('fullReload', fullReload('FULL_RELOAD_CAUSE_NO_BOUNDARY', ['/src/c.js', '/src/main.js']));
  await h.idle();
  assert.deepEqual(statuses, ['check', 'prepare', 'abort']);
  assert.equal(h.reloads, 1);
});

test('manual mode: signals wait for check(); check(false) is ready with the changed modules; apply() applies', async () =>
  manual(async () => {
    const h = harness();
    const got = [];
    h.rt.createHotContext('/src/app.js');
    const hot = h.rt.webpackHot('/src/app.js');
    hot.accept('./dep.js', (outdated, [m]) => got.push(m.default));
    const available = new Promise((resolve) => h.rt.on('hmrd:updateAvailable', resolve));
    h.connect();
    assert.equal(await hot.check(), null);
    h.update([jsUpdate('/src/app.js', '/src/dep.js', { chain: ['/src/dep.js', '/src/app.js'] })], { version: '3', triggers: ['/src/dep.js'] });
    await h.idle();
    assert.deepEqual(await available, { pending: 1 });
    assert.deepEqual(got, []);
    await assert.rejects(hot.apply(), /apply\(\) is only allowed in ready status \(state: idle\)/);
    assert.deepEqual(await hot.check(false), ['./src/dep.js']);
    assert.equal(hot.status(), 'ready');
    await assert.rejects(async () => hot.check(), /check\(\) is only allowed in idle status/);
    assert.deepEqual(await hot.apply(), ['./src/dep.js']);
    assert.deepEqual(got, ['/src/dep.js?t=3']);
    assert.equal(hot.status(), 'idle');
  }));

test('manual mode: dead ends abort with webpack messages and reload nothing; ignore options report and go on', async () =>
  manual(async () => {
    const h = harness();
    h.rt.createHotContext('/src/a.js');
    h.rt.webpackHot('/src/a.js').decline('./b.js');
    h.rt.createHotContext('/src/d.js');
    h.rt.webpackHot('/src/d.js').decline();
    const hot = h.rt.webpackHot('/src/a.js');
    h.connect();
    const run = async (fr, options) => {
      h.signal('fullReload', fr);
      await h.idle();
      await settle();
      return hot.check(options || true).then(
        (ids) => ({ ids }),
        (err) => ({ err: err.message, status: hot.status() }),
      );
    };
    assert.deepEqual(await run(fullReload('FULL_RELOAD_CAUSE_NO_BOUNDARY', ['/src/c.js', '/src/b.js', '/src/index.js'])), {
      err: 'Aborted because ./src/c.js is not accepted\nUpdate propagation: ./src/c.js -> ./src/b.js -> ./src/index.js',
      status: 'abort',
    });
    // webpack allows check() only when idle: a fresh runtime for each.
    const h2 = harness();
    h2.rt.createHotContext('/src/a.js');
    h2.rt.webpackHot('/src/a.js').decline('./b.js');
    h2.rt.createHotContext('/src/d.js');
    h2.rt.webpackHot('/src/d.js').decline();
    const hot2 = h2.rt.webpackHot('/src/a.js');
    h2.connect();
    const events = [];
    const opts = {
      ignoreDeclined: true,
      ignoreUnaccepted: true,
      onDeclined: (e) => events.push(e),
      onUnaccepted: (e) => events.push(e),
    };
    h2.signal('fullReload', fullReload('FULL_RELOAD_CAUSE_DECLINED', ['/src/c.js', '/src/b.js', '/src/a.js']));
    await h2.idle();
    await settle();
    assert.deepEqual(await hot2.check(opts), []);
    h2.signal('fullReload', fullReload('FULL_RELOAD_CAUSE_DECLINED', ['/src/e.js', '/src/d.js']));
    await h2.idle();
    await settle();
    assert.deepEqual(await hot2.check(opts), []);
    assert.deepEqual(events, [
      { type: 'declined', moduleId: './src/b.js', parentId: './src/a.js', chain: ['./src/c.js', './src/b.js', './src/a.js'] },
      { type: 'self-declined', moduleId: './src/d.js', chain: ['./src/e.js', './src/d.js'] },
    ]);
    h2.signal('fullReload', fullReload('FULL_RELOAD_CAUSE_DECLINED', ['/src/c.js', '/src/b.js', '/src/a.js']));
    await h2.idle();
    await settle();
    await assert.rejects(hot2.check(true), {
      message: 'Aborted because of declined dependency: ./src/b.js in ./src/a.js\nUpdate propagation: ./src/c.js -> ./src/b.js -> ./src/a.js',
    });
    assert.equal(h.reloads + h2.reloads, 0);
  }));
