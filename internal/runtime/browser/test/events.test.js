// The payloads of the runtime's events, as Vite's client emits them
// (vite/types/hmrPayload.d.ts, customEvent.d.ts), hmrd's fields alongside.
import test from 'node:test';
import assert from 'node:assert/strict';
import { harness, jsUpdate, FakeDocument } from '../testing/fakes.js';

test('beforeUpdate and afterUpdate carry Vite Update items: type, path, acceptedPath, timestamp, explicitImportRequired, isWithinCircularImport', async () => {
  const doc = new FakeDocument();
  doc.link('/src/global.css');
  const h = harness({ document: doc });
  h.rt.createHotContext('/src/app.js').accept(['/src/data.json', '/src/cyc.js'], () => {});
  h.rt.createHotContext('/src/self.js').accept();
  const seen = [];
  h.rt.on('vite:beforeUpdate', (p) => seen.push(['before', structuredClone(p)]));
  h.rt.on('vite:afterUpdate', (p) => seen.push(['after', p.type, p.updates.length]));
  h.connect();
  h.update(
    [
      jsUpdate('/src/self.js'),
      jsUpdate('/src/app.js', '/src/data.json'),
      jsUpdate('/src/app.js', '/src/cyc.js', { isWithinCircularImport: true, firstInvalidatedBy: '/src/cyc.js' }),
      { type: 'UPDATE_TYPE_CSS', path: '/src/global.css', acceptedPath: '/src/global.css' },
    ],
    { version: '1764931200123', versions: { '/src/self.js': '1764931200100' }, triggers: ['/src/data.json'] },
  );
  // the <link> swap waits for its load event
  await new Promise((r) => setImmediate(r));
  for (const link of doc.querySelectorAll('link')) link.dispatchEvent('load');
  await h.idle();
  assert.equal(seen.length, 2);
  const [, payload] = seen[0];
  assert.equal(payload.type, 'update');
  assert.deepEqual(payload.triggers, ['/src/data.json']);
  const items = payload.updates.map(({ chain, ...rest }) => rest);
  assert.deepEqual(items, [
    { type: 'js-update', path: '/src/self.js', acceptedPath: '/src/self.js', timestamp: 1764931200100, explicitImportRequired: false, isWithinCircularImport: false },
    { type: 'js-update', path: '/src/app.js', acceptedPath: '/src/data.json', timestamp: 1764931200123, explicitImportRequired: true, isWithinCircularImport: false },
    {
      type: 'js-update',
      path: '/src/app.js',
      acceptedPath: '/src/cyc.js',
      timestamp: 1764931200123,
      explicitImportRequired: false,
      isWithinCircularImport: true,
      firstInvalidatedBy: '/src/cyc.js',
    },
    { type: 'css-update', path: '/src/global.css', acceptedPath: '/src/global.css', timestamp: 1764931200123, explicitImportRequired: false, isWithinCircularImport: false },
  ]);
  assert.deepEqual(payload.updates[0].chain, ['/src/self.js', '/src/self.js']);
  assert.deepEqual(seen[1], ['after', 'update', 4]);
  assert.deepEqual(h.imports, ['/src/self.js?t=1764931200100', '/src/data.json?import&t=1764931200123', '/src/cyc.js?t=1764931200123']);
});

test('beforeFullReload, beforePrune and error payloads have Vite fields', async () => {
  const h = harness();
  const seen = {};
  for (const n of ['vite:beforeFullReload', 'vite:beforePrune', 'vite:error']) h.rt.on(n, (p) => (seen[n] = p));
  h.connect();
  h.signal('error', { code: 'PARSE_ERROR', message: 'Unexpected token', module: '/src/a.js', file: '/x/src/a.js', line: 3, column: 7, frame: '> 3 | x' });
  h.signal('prune', { paths: ['/src/gone.js'] });
  h.signal('fullReload', { reason: 'r', path: '*', triggeredBy: '/src/u.js', cause: 'FULL_RELOAD_CAUSE_NO_BOUNDARY' });
  await h.idle();
  assert.equal(seen['vite:beforeFullReload'].type, 'full-reload');
  assert.equal(seen['vite:beforeFullReload'].path, '*');
  assert.equal(seen['vite:beforeFullReload'].triggeredBy, '/src/u.js');
  assert.deepEqual(seen['vite:beforePrune'], { type: 'prune', paths: ['/src/gone.js'] });
  assert.equal(seen['vite:error'].type, 'error');
  assert.deepEqual(seen['vite:error'].err, {
    message: 'Unexpected token',
    stack: '',
    id: '/src/a.js',
    frame: '> 3 | x',
    plugin: 'PARSE_ERROR',
    loc: { file: '/x/src/a.js', line: 3, column: 7 },
  });
});
