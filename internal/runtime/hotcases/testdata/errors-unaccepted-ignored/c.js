export default 1;
---
export default 1;
---
export default 2;
---
export default 3;
