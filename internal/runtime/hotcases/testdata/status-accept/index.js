import { it, expect, NEXT, update, ids } from '../harness.js';
const id = ids(import.meta.url);
import file from './file.js';

let value = file;

it('should wait until promises returned by status handlers are fulfilled', (done) => {
  const calls = [];
  const tested = [];
  const wrong = [];
  const handler = (status) => {
    calls.push(status);
    return Promise.resolve().then(() => {
      tested.push(status);
      const now = import.meta.webpackHot.status();
      if (now !== (status === 'dispose' ? 'apply' : status)) wrong.push(`${status}: status() was ${now}`);
    });
  };
  import.meta.webpackHot.addStatusHandler(handler);
  import.meta.webpackHot.accept('./file.js', (outdated, [mod]) => {
    value = mod.default;
  });
  NEXT(
    update(done, undefined, () => {
      expect(calls).toEqual(['check', 'prepare', 'dispose', 'apply', 'idle']);
      expect(tested).toEqual(calls);
      expect(wrong).toEqual([]);
      expect(import.meta.webpackHot.status()).toBe('idle');
      expect(value).toBe(2);
      import.meta.webpackHot.removeStatusHandler(handler);
      done();
    }),
  );
});
