export default await Promise.resolve('b 1');
---
export default await Promise.resolve('b 2');
