export default () => import('./chunk.js');
---
export default () => import('./chunk2.js');
---
export default () => import('./chunk.js');
