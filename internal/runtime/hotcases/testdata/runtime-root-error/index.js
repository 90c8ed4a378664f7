import { it, expect, NEXT, update, ids } from '../harness.js';
const id = ids(import.meta.url);
const next = () =>
  new Promise((resolve, reject) => {
    NEXT((err, stats) => {
      if (err) return reject(err);
      resolve(
        import.meta.webpackHot
          .check(true)
          .then(() => stats)
          .catch((e) => {
            e.stats = stats;
            throw e;
          }),
      );
    });
  });

it('should re-execute the entrypoint on update', async () => {
  let stats = await new Promise((resolve, reject) => {
    NEXT((err, stats) => {
      if (err) return reject(err);
      resolve(stats);
    });
  });
  expect(stats.errors.length).toBe(1);
  stats = await next();
  expect(stats.errors.length).toBe(0);
  expect(globalThis.STATE).toBe(1);
  delete globalThis.STATE;
  try {
    await next();
    throw new Error('should not be reached');
  } catch (e) {
    expect(e.message).toBe(`Aborted because ${id('index.js')} is not accepted\nUpdate propagation: ${id('index.js')}`);
    expect(e.stats.errors.length).toBe(0);
  }
});

// ignore errors
import.meta.webpackHot.accept(() => {});
---
)))
---
globalThis.STATE = 1;
throw new Error('root-error');
---
// will never happen
// but should lead to apply failing because of unaccepted module
