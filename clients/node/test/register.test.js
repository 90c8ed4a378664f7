// Bundler registrations against a daemon of their own (HMRD_BIN): a rebuild
// gate holds every batch of the daemon's project, so these must not share
// the daemon other suites use.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from '../index.js';
import { tree, nextEvent, startDaemon, withDeadline, HMRD_BIN } from '../testing/helpers.js';

const skip = !HMRD_BIN && 'HMRD_BIN not set';

/** A project whose /app.mjs a bundler owns: it imports virtual:cfg and accepts itself. */
async function bundled(t) {
  const root = tree({
    'index.html': '<script type="module" src="/main.mjs"></script>',
    'main.mjs': "import './app.mjs'\n",
    'app.mjs': 'export const a = 1\nimport.meta.hot.accept()\n',
  });
  const d = await startDaemon([root]);
  t.after(() => d.stop());
  const c = await connect(d.socket);
  t.after(() => c.close());
  const reg = await c.register({ client: { name: 'node-test-bundler', kind: 'bundler' } });
  t.after(() => reg.close());
  await reg.reportFacts({
    modules: [
      { id: '/app.mjs', imports: [{ target: 'virtual:cfg' }], selfAccepting: true },
      { id: 'virtual:cfg', virtual: true, exports: ['default'] },
    ],
  });
  const sub = c.subscribe();
  t.after(() => sub.close());
  await nextEvent(sub, (ev) => ev.kind === 'hello', { what: 'hello' });
  return { root, c, reg, sub };
}

const cfgChanged = { changes: [{ module: 'virtual:cfg', kind: 'CHANGE_KIND_UPDATE' }] };

test('a virtual module reported changed reaches its importer; the event names the change', { skip }, async (t) => {
  const { reg, sub, c } = await bundled(t);
  assert.match(reg.registered.registrationId, /^r\d+$/);
  const applied = await reg.reportChanges(cfgChanged);
  assert.notEqual(applied.batch, '0');
  const ev = await nextEvent(sub, () => true, { strict: true, what: 'the update' });
  assert.equal(ev.kind, 'update');
  assert.equal(ev.update.updates[0].path, '/app.mjs');
  assert.deepEqual(ev.changes, [{ file: '', module: 'virtual:cfg', kind: 'CHANGE_KIND_UPDATE' }]);
  const st = await c.status();
  assert.equal(st.registrations.length, 1);
  assert.equal(st.registrations[0].modules, 2);
  assert.equal(st.registrations[0].client.name, 'node-test-bundler');
});

test('an ended registration withdraws its facts: the importer takes the change, the virtual module is pruned', { skip }, async (t) => {
  const { reg, sub, c } = await bundled(t);
  await reg.close();
  assert.equal(await reg.done, null);
  const up = await nextEvent(sub, () => true, { strict: true, what: 'the update' });
  assert.equal(up.kind, 'update');
  const pr = await nextEvent(sub, () => true, { strict: true, what: 'the prune' });
  assert.deepEqual(pr.prune.paths, ['virtual:cfg']);
  const g = await c.getGraph();
  assert.ok(!g.modules.some((m) => m.id === 'virtual:cfg' || m.registration !== ''));
});

test('a gate holds the batch until it acknowledges', { skip }, async (t) => {
  const { reg, sub, c } = await bundled(t);
  const gate = await c.register({ gate: true, gateTimeout: 60000 });
  t.after(() => gate.close());
  assert.equal(gate.registered.gateTimeout, 60000);
  const batches = gate.gateBatches();
  await reg.reportChanges(cfgChanged);
  const { value: gb } = await withDeadline(batches.next(), 'the gate batch');
  assert.deepEqual(gb.signals, ['update']);
  // Custom events are not gated: the marker overtakes the held update.
  await c.sendCustom({ event: 'marker' });
  const marker = await nextEvent(sub, () => true, { strict: true, what: 'the marker' });
  assert.equal(marker.custom.event, 'marker');
  const st = await c.status();
  const g = st.registrations.find((r) => r.gate);
  assert.equal(g.pendingBatches, 1);
  gate.ack(gb.batch);
  const ev = await nextEvent(sub, () => true, { strict: true, what: 'the update' });
  assert.equal(ev.kind, 'update');
  assert.equal(ev.version, gb.version);
  assert.deepEqual(ev.notes, []);
});

test('a gate that never acknowledges holds signals only until its timeout, then they carry a note', { skip }, async (t) => {
  const { reg, sub, c } = await bundled(t);
  const gate = await c.register({ gate: true, gateTimeout: 20 });
  t.after(() => gate.close());
  await reg.reportChanges(cfgChanged);
  const ev = await nextEvent(sub, () => true, { strict: true, what: 'the update' });
  assert.equal(ev.kind, 'update');
  assert.equal(ev.notes.length, 1);
  assert.match(ev.notes[0], new RegExp(`gate ${gate.registered.registrationId} .*did not acknowledge`));
});
