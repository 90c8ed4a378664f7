// Units of the translation of hmrd events into Vite's payloads.

import test from 'node:test';
import assert from 'node:assert/strict';
import { toVitePayloads, explicitImportRequired, timestampOf, REASON_EVENT } from '../index.js';

const root = '/home/me/app';

/** An event as @hmrd/client hands it out. */
function ev(kind, body, extra = {}) {
  return { project: 'app', seq: '7', epoch: 'e1', version: '1717000000123', time: new Date(1717000000999), kind, [kind]: body, ...extra };
}

test('update: js-update and css-update with hmrd version as timestamp, Vite field names', () => {
  const out = toVitePayloads(
    ev('update', {
      updates: [
        { type: 'UPDATE_TYPE_JS', path: '/src/App.tsx', acceptedPath: '/src/App.tsx', isWithinCircularImport: false, firstInvalidatedBy: '', chain: ['/src/App.tsx'] },
        { type: 'UPDATE_TYPE_JS', path: '/src/main.ts', acceptedPath: '/src/logo.svg', isWithinCircularImport: true, firstInvalidatedBy: '', chain: [] },
        { type: 'UPDATE_TYPE_CSS', path: '/src/style.css', acceptedPath: '/src/style.css', isWithinCircularImport: false, firstInvalidatedBy: '', chain: [] },
      ],
      versions: {},
      triggers: [],
      firstInvalidatedBy: '/src/b.ts',
    }),
    { root },
  );
  assert.deepEqual(out, [
    {
      type: 'update',
      updates: [
        { type: 'js-update', timestamp: 1717000000123, path: '/src/App.tsx', acceptedPath: '/src/App.tsx', explicitImportRequired: false, isWithinCircularImport: false, firstInvalidatedBy: '/src/b.ts' },
        { type: 'js-update', timestamp: 1717000000123, path: '/src/main.ts', acceptedPath: '/src/logo.svg', explicitImportRequired: true, isWithinCircularImport: true, firstInvalidatedBy: '/src/b.ts' },
        { type: 'css-update', timestamp: 1717000000123, path: '/src/style.css', acceptedPath: '/src/style.css', explicitImportRequired: false, isWithinCircularImport: false, firstInvalidatedBy: '/src/b.ts' },
      ],
    },
  ]);
});

test('update without firstInvalidatedBy leaves the field out', () => {
  const [p] = toVitePayloads(
    ev('update', { updates: [{ type: 'UPDATE_TYPE_JS', path: '/a.js', acceptedPath: '', isWithinCircularImport: false, firstInvalidatedBy: '', chain: [] }], versions: {}, triggers: [], firstInvalidatedBy: '' }),
    { root },
  );
  assert.equal('firstInvalidatedBy' in p.updates[0], false);
  assert.equal(p.updates[0].acceptedPath, '/a.js', 'an empty acceptedPath is the boundary itself');
});

test('full reload: the reason as a custom event first, then Vite full-reload with path and triggering file', () => {
  const out = toVitePayloads(
    ev('fullReload', {
      reason: '/src/main.tsx is imported by the page /index.html and accepts no update',
      chain: ['/src/main.tsx', '/index.html'],
      triggeredBy: '/src/main.tsx',
      path: '*',
      cause: 'FULL_RELOAD_CAUSE_PAGE',
    }),
    { root },
  );
  assert.deepEqual(out, [
    {
      type: 'custom',
      event: REASON_EVENT,
      data: {
        reason: '/src/main.tsx is imported by the page /index.html and accepts no update',
        cause: 'page',
        chain: ['/src/main.tsx', '/index.html'],
        triggeredBy: '/src/main.tsx',
        path: '*',
      },
    },
    { type: 'full-reload', path: '*', triggeredBy: '/home/me/app/src/main.tsx' },
  ]);
});

test('full reload of one page, triggered by a module outside the root or by nothing', () => {
  const [, r1] = toVitePayloads(ev('fullReload', { reason: 'r', chain: [], triggeredBy: '/@fs/ws/lib/x.ts', path: '/about.html', cause: 'FULL_RELOAD_CAUSE_NO_BOUNDARY' }), { root });
  assert.deepEqual(r1, { type: 'full-reload', path: '/about.html', triggeredBy: '/ws/lib/x.ts' });
  const [reason, r2] = toVitePayloads(ev('fullReload', { reason: 'daemon restarted', chain: [], triggeredBy: '', path: '', cause: 'FULL_RELOAD_CAUSE_RESYNC' }), { root });
  assert.deepEqual(r2, { type: 'full-reload', path: '*' });
  assert.equal(reason.data.cause, 'resync');
});

test('prune', () => {
  assert.deepEqual(toVitePayloads(ev('prune', { paths: ['/src/a.ts', '/src/b.ts'] }), { root }), [{ type: 'prune', paths: ['/src/a.ts', '/src/b.ts'] }]);
});

test('error: Vite overlay fields, location and frame', () => {
  const out = toVitePayloads(
    ev('error', { message: 'Unexpected token', module: '/src/App.tsx', file: '', line: 3, column: 7, frame: '3 | const x = \n          ^', code: 'PARSE_ERROR' }, { version: '0' }),
    { root },
  );
  assert.deepEqual(out, [
    {
      type: 'error',
      err: {
        message: 'Unexpected token',
        stack: '',
        id: '/home/me/app/src/App.tsx',
        plugin: 'hmrd',
        pluginCode: 'PARSE_ERROR',
        frame: '3 | const x = \n          ^',
        loc: { file: '/home/me/app/src/App.tsx', line: 3, column: 7 },
      },
    },
  ]);
  const [noLoc] = toVitePayloads(ev('error', { message: 'm', module: '/src/a.ts', file: '/abs/a.ts', line: 0, column: 0, frame: '', code: 'READ_ERROR' }), { root });
  assert.equal('loc' in noLoc.err, false);
  assert.equal('frame' in noLoc.err, false);
  assert.equal(noLoc.err.id, '/abs/a.ts');
});

test('custom events are relayed with parsed data, except the plugin’s own', () => {
  const custom = ev('custom', { event: 'app:ping', data: '{"n":1}', from: 's9' });
  assert.deepEqual(toVitePayloads(custom, { root, subscriberId: 's1' }), [{ type: 'custom', event: 'app:ping', data: { n: 1 } }]);
  assert.deepEqual(toVitePayloads(custom, { root, subscriberId: 's9' }), []);
  assert.deepEqual(toVitePayloads(ev('custom', { event: 'x', data: '', from: 'grpc' }), { root }), [{ type: 'custom', event: 'x', data: null }]);
});

test('events pages do not see', () => {
  for (const e of [
    ev('hello', { protocolVersion: 1 }),
    ev('heartbeat', { headSeq: '3' }),
    ev('errorCleared', { modules: ['/src/a.ts'] }),
    ev('refused', { request: 'invalidate', id: '', code: 'NOT_FOUND', message: '' }),
  ]) {
    assert.deepEqual(toVitePayloads(e, { root }), [], e.kind);
  }
});

test('explicitImportRequired as Vite decides it', () => {
  for (const [url, want] of [
    ['/src/App.tsx', false],
    ['/src/App.vue', false],
    ['/src/App.vue?vue&type=style&index=0&lang.css', false],
    ['/src/App.svelte', false],
    ['/src/style.css', false],
    ['/src/style.scss', false],
    ['/@id/__x00__virtual:routes', false],
    ['/src/logo.svg', true],
    ['/src/data.json', true],
    ['/src/logo.svg?url', true],
  ]) {
    assert.equal(explicitImportRequired(url), want, url);
  }
});

test('timestamp: the version token, or the publish time without one', () => {
  assert.equal(timestampOf(ev('update', {})), 1717000000123);
  assert.equal(timestampOf(ev('update', {}, { version: '0' })), 1717000000999);
});

test('virtual modules spelled as the Vite at hand does (before Vite 8: /@id/__x00__x)', () => {
  const viteURL = (id) => (id.startsWith('\0') ? '/@id/__x00__' + id.slice(1) : id);
  const [u] = toVitePayloads(
    ev('update', {
      updates: [{ type: 'UPDATE_TYPE_JS', path: '/src/main.ts', acceptedPath: '\0virtual:routes', isWithinCircularImport: false, firstInvalidatedBy: '\0virtual:routes', chain: [] }],
      versions: {},
      triggers: [],
      firstInvalidatedBy: '',
    }),
    { root, viteURL },
  );
  assert.equal(u.updates[0].acceptedPath, '/@id/__x00__virtual:routes');
  assert.equal(u.updates[0].firstInvalidatedBy, '/@id/__x00__virtual:routes');
  assert.equal(u.updates[0].path, '/src/main.ts');
  const [p] = toVitePayloads(ev('prune', { paths: ['\0virtual:routes'] }), { root, viteURL });
  assert.deepEqual(p.paths, ['/@id/__x00__virtual:routes']);
});
