export default 1;
---
export default 2;
---
export default 3;
---
export default 4;
---
export default 5;
