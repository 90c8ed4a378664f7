import b from './b.js';
export const fromB = b;
export default 1;
---
import b from './b.js';
export const fromB = b;
export default 2;
