// Units of the pairing of hmrd's batches with Vite's watcher.

import test from 'node:test';
import assert from 'node:assert/strict';
import { FileSightings } from '../lib/sightings.js';

test('a batch after Vite saw the file goes at once; the sighting is claimed', async () => {
  const s = new FileSightings();
  s.saw('/a.vue');
  assert.equal(await s.wait('/a.vue', 10000), true);
  // Claimed: the next batch of the file waits for the next sighting.
  let done = false;
  const next = s.wait('/a.vue', 10000).then((v) => ((done = true), v));
  await new Promise((r) => setImmediate(r));
  assert.equal(done, false, 'the claimed sighting released a second batch');
  s.saw('/a.vue');
  assert.equal(await next, true);
});

test('a batch before Vite saw the file waits for the sighting', async () => {
  const s = new FileSightings();
  let done = false;
  const w = s.wait('/a.vue', 10000).then((v) => ((done = true), v));
  await new Promise((r) => setImmediate(r));
  assert.equal(done, false);
  s.saw('/b.vue');
  await new Promise((r) => setImmediate(r));
  assert.equal(done, false, 'another file does not release it');
  s.saw('/a.vue');
  assert.equal(await w, true);
});

test('a file Vite never sees holds its batch only until the deadline', async () => {
  const s = new FileSightings();
  assert.equal(await s.wait('/not-watched.js', 5), false);
});
