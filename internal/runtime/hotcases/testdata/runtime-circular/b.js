import a from './a.js';
export default 1;
import.meta.webpackHot.accept('./a.js');
---
export default 2;
