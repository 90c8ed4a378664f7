import inner from './inner.js';

export default 'ok1' + inner;
---
export default 'ok2';
---
import inner from './inner.js';

export default 'ok3' + inner;
