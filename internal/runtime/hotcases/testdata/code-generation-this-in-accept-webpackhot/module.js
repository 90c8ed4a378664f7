export default 'ok1';
---
export default 'ok2';
