// Applying Update signals: order, versions, the queue, failures.
import test from 'node:test';
import assert from 'node:assert/strict';
import { harness, jsUpdate, deferred, settle } from '../testing/fakes.js';

test('self-accept: dispose, then import path?t=version, then the old instance accept callback', async () => {
  const h = harness();
  let instance = 0;
  h.define('/src/app.js', (hot, url) => {
    const n = ++instance;
    h.trace.push(`execute ${n}`);
    hot.dispose((data) => {
      h.trace.push(`dispose ${n}`);
      data.count = n;
    });
    hot.accept((mod) => h.trace.push(`accept ${n} got ${mod.n}`));
    return { n, url };
  });
  h.load('/src/app.js');
  h.connect();
  h.update([jsUpdate('/src/app.js')], { versions: { '/src/app.js': '1764662400123' } });
  await h.idle();
  assert.deepEqual(h.trace, [
    'execute 1',
    'dispose 1',
    'import /src/app.js?t=1764662400123',
    'execute 2',
    'accept 1 got 2',
  ]);
  assert.ok(h.logs('debug').includes('[hmrd] hot updated: /src/app.js'));
});

test('the version comes from update.versions, else from the event', async () => {
  const h = harness();
  h.define('/src/a.js', (hot) => hot.accept());
  h.define('/src/b.js', (hot) => hot.accept());
  h.load('/src/a.js');
  h.load('/src/b.js');
  h.connect();
  h.update([jsUpdate('/src/a.js'), jsUpdate('/src/b.js')], { version: '555', versions: { '/src/a.js': '444' } });
  await h.idle();
  assert.deepEqual(h.imports, ['/src/a.js?t=444', '/src/b.js?t=555']);
});

test('an update for a module that never executed is skipped', async () => {
  const h = harness();
  h.define('/src/lazy.js', (hot) => hot.accept());
  let before = 0;
  h.rt.on('hmrd:beforeUpdate', () => before++);
  h.connect();
  h.update([jsUpdate('/src/lazy.js')]);
  await h.idle();
  assert.deepEqual(h.imports, []);
  assert.equal(before, 0);
});

test('a slow import of the first update holds the second event back', async () => {
  const gate = deferred();
  const h = harness({
    importModule: async (url) => {
      h.trace.push(`import ${url}`);
      if (url.startsWith('/src/a.js')) await gate.promise;
      h.trace.push(`imported ${url}`);
      return {};
    },
  });
  h.rt.createHotContext('/src/a.js').accept(() => h.trace.push('accept a'));
  h.rt.createHotContext('/src/b.js').accept(() => h.trace.push('accept b'));
  h.connect();
  h.update([jsUpdate('/src/a.js')], { version: '1' });
  h.update([jsUpdate('/src/b.js')], { version: '2' });
  await settle();
  assert.deepEqual(h.trace, ['import /src/a.js?t=1']);
  gate.resolve();
  await h.idle();
  assert.deepEqual(h.trace, ['import /src/a.js?t=1', 'imported /src/a.js?t=1', 'accept a', 'import /src/b.js?t=2', 'imported /src/b.js?t=2', 'accept b']);
});

test('an async beforeUpdate listener is awaited before dispose', async () => {
  const h = harness();
  const gate = deferred();
  h.define('/src/app.js', (hot) => {
    hot.dispose(() => h.trace.push('dispose'));
    hot.accept();
  });
  h.load('/src/app.js');
  h.rt.createHotContext('/src/listener.js').on('hmrd:beforeUpdate', async (payload) => {
    h.trace.push(`beforeUpdate ${payload.updates[0].path}`);
    await gate.promise;
    h.trace.push('beforeUpdate done');
  });
  h.connect();
  h.update([jsUpdate('/src/app.js')], { version: '7' });
  await settle();
  assert.deepEqual(h.trace, ['beforeUpdate /src/app.js']);
  gate.resolve();
  await h.idle();
  assert.deepEqual(h.trace, ['beforeUpdate /src/app.js', 'beforeUpdate done', 'dispose', 'import /src/app.js?t=7']);
});

test('beforeUpdate and afterUpdate fire once per event under both names, with the update', async () => {
  const h = harness();
  h.define('/src/a.js', (hot) => hot.accept());
  h.define('/src/b.js', (hot) => hot.accept());
  h.load('/src/a.js');
  h.load('/src/b.js');
  const seen = [];
  const hot = h.rt.createHotContext('/src/watch.js');
  for (const name of ['hmrd:beforeUpdate', 'vite:beforeUpdate', 'hmrd:afterUpdate', 'vite:afterUpdate']) {
    hot.on(name, (p) => seen.push(`${name} ${p.type} ${p.updates.length} ${p.triggers.join(',')}`));
  }
  h.connect();
  h.update([jsUpdate('/src/a.js'), jsUpdate('/src/b.js')], { triggers: ['/src/a.js'] });
  await h.idle();
  assert.deepEqual(seen, [
    'hmrd:beforeUpdate update 2 /src/a.js',
    'vite:beforeUpdate update 2 /src/a.js',
    'hmrd:afterUpdate update 2 /src/a.js',
    'vite:afterUpdate update 2 /src/a.js',
  ]);
});

test('a listener registered under both names gets the event once per name', async () => {
  const h = harness();
  h.define('/src/a.js', (hot) => hot.accept());
  h.load('/src/a.js');
  let calls = 0;
  const fn = () => calls++;
  const hot = h.rt.createHotContext('/src/watch.js');
  hot.on('hmrd:afterUpdate', fn);
  hot.on('vite:afterUpdate', fn);
  h.connect();
  h.update([jsUpdate('/src/a.js')]);
  await h.idle();
  assert.equal(calls, 2);
});

test('dep accept: the acceptor is not re-imported; the dep is disposed and imported; the callback gets the new dep', async () => {
  const h = harness();
  h.define('/src/dep.js', (hot, url) => {
    hot.dispose((data) => {
      h.trace.push('dispose dep');
      data.from = url;
    });
    return { url };
  });
  h.define('/src/app.js', (hot) => {
    hot.accept('/src/dep.js', (mod) => h.trace.push(`app got ${mod.url}`));
  });
  h.load('/src/dep.js');
  h.load('/src/app.js');
  h.connect();
  h.update([jsUpdate('/src/app.js', '/src/dep.js')], { versions: { '/src/dep.js': '9', '/src/app.js': '9' } });
  await h.idle();
  assert.deepEqual(h.trace, ['dispose dep', 'import /src/dep.js?t=9', 'app got /src/dep.js?t=9']);
  assert.deepEqual(h.imports, ['/src/dep.js?t=9']);
  assert.ok(h.logs('debug').includes('[hmrd] hot updated: /src/dep.js via /src/app.js'));
});

test('dep accept, array form: the new module at the updated dep index, undefined elsewhere', async () => {
  const h = harness();
  const got = [];
  h.rt.createHotContext('/src/app.js').accept(['/src/a.js', '/src/b.js', '/src/c.js'], (mods) => got.push(mods));
  h.connect();
  h.update([jsUpdate('/src/app.js', '/src/b.js')], { version: '3' });
  await h.idle();
  assert.equal(got.length, 1);
  assert.equal(got[0].length, 3);
  assert.equal(got[0][0], undefined);
  assert.equal(got[0][1].default, '/src/b.js?t=3');
  assert.equal(got[0][2], undefined);
});

test('an update whose acceptor does not accept that dep is skipped', async () => {
  const h = harness();
  h.rt.createHotContext('/src/app.js').accept('/src/other.js', () => assert.fail('wrong dep'));
  h.connect();
  h.update([jsUpdate('/src/app.js', '/src/dep.js')]);
  await h.idle();
  assert.deepEqual(h.imports, []);
});

test('acceptExports accepts like a self-accept', async () => {
  const h = harness();
  const got = [];
  h.define('/src/part.js', (hot, url) => {
    hot.acceptExports(['a', 'b'], (mod) => got.push(mod && mod.url));
    return { url, a: 1, b: 2 };
  });
  h.load('/src/part.js');
  h.connect();
  h.update([jsUpdate('/src/part.js')], { version: '11' });
  await h.idle();
  assert.deepEqual(got, ['/src/part.js?t=11']);
});

test('a failed import is logged; callbacks get undefined and the queue goes on', async () => {
  const h = harness();
  const got = [];
  h.rt.createHotContext('/src/bad.js').accept((mod) => got.push(['bad', mod]));
  h.rt.createHotContext('/src/good.js').accept((mod) => got.push(['good', mod.default]));
  h.failImports((url) => (url.startsWith('/src/bad.js') ? new SyntaxError('Unexpected token') : undefined));
  h.connect();
  h.update([jsUpdate('/src/bad.js')], { version: '1' });
  h.update([jsUpdate('/src/good.js')], { version: '2' });
  await h.idle();
  assert.deepEqual(got, [
    ['bad', undefined],
    ['good', '/src/good.js?t=2'],
  ]);
  assert.ok(h.logs('error').some((l) => l.startsWith('[hmrd] failed to reload /src/bad.js') && l.includes('Unexpected token')));
  assert.equal(h.reloads, 0);
});

test('a failed import within a circular import reloads the page', async () => {
  const h = harness();
  h.rt.createHotContext('/src/cyc.js').accept(() => assert.fail('no callbacks after the reload'));
  h.failImports(() => new ReferenceError("Cannot access 'x' before initialization"));
  h.connect();
  h.update([jsUpdate('/src/cyc.js', '/src/cyc.js', { isWithinCircularImport: true })]);
  await h.idle();
  assert.equal(h.reloads, 1);
  assert.ok(h.logs('error').some((l) => l.startsWith('[hmrd] failed to reload /src/cyc.js')));
});

test('a throwing accept callback or listener is logged and does not stop the queue', async () => {
  const h = harness();
  h.rt.createHotContext('/src/a.js').accept(() => {
    throw new Error('boom in accept');
  });
  h.rt.createHotContext('/src/l.js').on('vite:beforeUpdate', () => {
    throw new Error('boom in listener');
  });
  const got = [];
  h.rt.createHotContext('/src/b.js').accept((m) => got.push(m.default));
  h.connect();
  h.update([jsUpdate('/src/a.js')], { version: '1' });
  h.update([jsUpdate('/src/b.js')], { version: '2' });
  await h.idle();
  assert.deepEqual(got, ['/src/b.js?t=2']);
  const errors = h.logs('error').join('\n');
  assert.match(errors, /boom in accept/);
  assert.match(errors, /boom in listener/);
});

test('prune: beforePrune with the paths, then dispose, then prune, and the instance is forgotten', async () => {
  const h = harness();
  h.define('/src/chart.js', (hot) => {
    hot.data.mounted = (hot.data.mounted || 0) + 1;
    hot.dispose((data) => h.trace.push(`dispose ${data.mounted}`));
    hot.prune((data) => h.trace.push(`prune ${data.mounted}`));
    hot.accept(() => assert.fail('pruned modules take no update'));
    hot.on('my:evt', () => assert.fail('pruned modules hear no events'));
  });
  h.load('/src/chart.js');
  h.rt.on('hmrd:beforePrune', (p) => h.trace.push(`beforePrune ${p.paths.join(',')}`));
  h.connect();
  h.signal('prune', { paths: ['/src/chart.js', '/src/never.js'] });
  await h.idle();
  assert.deepEqual(h.trace, ['beforePrune /src/chart.js,/src/never.js', 'dispose 1', 'prune 1']);
  h.update([jsUpdate('/src/chart.js')]);
  h.signal('custom', { event: 'my:evt', data: '1' });
  await h.idle();
  assert.deepEqual(h.imports, []);
  // hot.data went with it: a module imported again starts afresh
  h.load('/src/chart.js');
  assert.equal(h.rt.createHotContext('/src/chart.js').data.mounted, 1);
});
