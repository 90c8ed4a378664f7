export default 1;
import.meta.webpackHot.accept();
---
export default 2;
throw new Error('Error while loading module j');
