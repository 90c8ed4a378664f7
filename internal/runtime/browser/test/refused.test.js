// Client messages carry ids; a Refused answer (not sequenced) is logged and
// never moves the resume point.
import test from 'node:test';
import assert from 'node:assert/strict';
import { harness, EPOCH } from '../testing/fakes.js';

test('every client message carries its own id, in the order sent', () => {
  const h = harness();
  const hot = h.rt.createHotContext('/src/a.js');
  const ws = h.connect();
  h.timers.runAll(); // the loaded report
  hot.send('my:evt', 1);
  hot.invalidate('no');
  const ids = ws.frames().map((f) => f.id);
  assert.equal(ids.length, 3);
  assert.ok(ids.every((id) => typeof id === 'string' && id !== ''));
  assert.equal(new Set(ids).size, 3);
  assert.deepEqual(ids, [...ids].sort((a, b) => Number(a) - Number(b)));
});

test('a refused invalidate is logged as a warning and changes nothing else', async () => {
  const h = harness();
  const hot = h.rt.createHotContext('/src/gone.js');
  const ws = h.connect({ headSeq: '4' });
  hot.invalidate();
  const id = ws.frames().find((f) => f.invalidate).id;
  ws.push({ project: 'app', time: '2026-12-05T10:40:00Z', refused: { request: 'invalidate', id, code: 'NOT_FOUND', message: 'module /src/gone.js is not in the graph' } });
  await h.idle();
  assert.ok(
    h.logs('warn').some((l) => l.startsWith('[hmrd] invalidate refused: NOT_FOUND module /src/gone.js is not in the graph') && l.includes(id)),
    h.logs('warn').join('\n'),
  );
  assert.equal(h.reloads, 0);
  assert.ok(!h.logs('debug').some((l) => l.includes('unknown kind')));
});

test('a Refused answer does not move the resume point, whatever seq it carries', async () => {
  const h = harness();
  h.connect({ headSeq: '7' });
  h.ws.push({ project: 'app', seq: '0', refused: { request: 'custom', code: 'INVALID_ARGUMENT', message: 'data is not JSON' } });
  h.ws.push({ project: 'app', seq: '42', epoch: EPOCH, refused: { request: 'loaded', code: 'NOT_FOUND', message: 'x' } });
  await h.idle();
  assert.equal(h.rt.state.lastSeq, '7');
  h.ws.drop(1006);
  h.timers.runAll();
  assert.match(h.ws.url, /&seq=7$/);
  assert.deepEqual(h.logs('warn'), ['[hmrd] custom refused: INVALID_ARGUMENT data is not JSON', '[hmrd] loaded refused: NOT_FOUND x']);
});
