export { default as setHandler } from './a.js';
---
import './b.js';
---
export { default as default } from './a.js';
