import { expect } from '../harness.js';
import { f } from './shared.js';

export function test(next, done) {
  expect(f()).toBe(42);
  next(() => {
    expect(f()).toBe(43);
    done();
  });
}
