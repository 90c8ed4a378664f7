// Reconnect backoff: full jitter under a doubling, capped ceiling, driven
// by an injected random source.
import test from 'node:test';
import assert from 'node:assert/strict';
import { harness, EPOCH } from '../testing/fakes.js';
import { reconnectDelay, BACKOFF_MIN_MS, BACKOFF_MAX_MS, BACKOFF_FLOOR_MS } from '../connection.js';

// sequence returns a random source that yields values in turn.
function sequence(...values) {
  let i = 0;
  return () => {
    assert.ok(i < values.length, 'random source asked more often than scripted');
    return values[i++];
  };
}

test('reconnectDelay scales the ceiling by the random value, with a floor', () => {
  assert.equal(BACKOFF_MIN_MS, 100);
  assert.equal(BACKOFF_MAX_MS, 5000);
  const ceilings = [100, 200, 400, 800, 1600, 3200, 5000, 5000];
  ceilings.forEach((ceiling, attempt) => {
    assert.equal(reconnectDelay(attempt, () => 1), ceiling, `attempt ${attempt} at the top`);
    assert.equal(reconnectDelay(attempt, () => 0.5), ceiling / 2, `attempt ${attempt} halfway`);
    assert.equal(reconnectDelay(attempt, () => 0), BACKOFF_FLOOR_MS, `attempt ${attempt} at the bottom`);
  });
  // the cap holds for any streak, however long
  assert.equal(reconnectDelay(1e6, () => 0.999), 4995);
  assert.equal(reconnectDelay(-3, () => 1), 100);
});

test('a broken random source means no jitter, never a bad delay', () => {
  for (const r of [NaN, -0.5, 1.5, Infinity, undefined]) {
    assert.equal(reconnectDelay(2, () => r), 400, String(r));
  }
});

test('every delay is within [floor, ceiling] for values spread over [0, 1)', () => {
  for (let attempt = 0; attempt < 10; attempt++) {
    const ceiling = Math.min(5000, 100 * 2 ** attempt);
    for (let k = 0; k < 100; k++) {
      const d = reconnectDelay(attempt, () => k / 100);
      assert.ok(d >= BACKOFF_FLOOR_MS && d <= ceiling, `attempt ${attempt}, r ${k / 100}: ${d}`);
    }
  }
});

test('the runtime draws one random value per retry; a Hello resets the ceiling', () => {
  const h = harness({ random: sequence(0.5, 0.25, 0, 0.75, 0.3, 0.9) });
  h.rt.start();
  const delays = [];
  for (let i = 0; i < 4; i++) {
    h.ws.drop(1006);
    delays.push(...h.timers.delays());
    h.timers.runAll();
  }
  // ceilings 100, 200, 400, 800
  assert.deepEqual(delays, [50, 50, BACKOFF_FLOOR_MS, 600]);
  h.ws.accept();
  h.ws.push({ epoch: EPOCH, hello: { epoch: EPOCH } });
  h.ws.drop(1013);
  assert.deepEqual(h.timers.delays(), [30], 'back to the 100 ms ceiling');
  assert.ok(h.logs('log').some((l) => l.includes('connection lost (1013); reconnecting in 30ms')));
  h.timers.runAll();
  h.ws.drop(1006);
  assert.deepEqual(h.timers.delays(), [180]);
});

test('two pages that lose the daemon together retry at different times', () => {
  const a = harness({ random: sequence(0.1) });
  const b = harness({ random: sequence(0.8) });
  for (const h of [a, b]) {
    h.connect();
    h.ws.drop(1006);
  }
  assert.deepEqual([a.timers.delays(), b.timers.delays()], [[10], [80]]);
});
