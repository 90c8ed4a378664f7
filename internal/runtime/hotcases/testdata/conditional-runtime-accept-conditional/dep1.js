export default 42;
---
export default 43;
