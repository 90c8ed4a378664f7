export default 1;
import.meta.webpackHot.accept((err, { moduleId }) => {
  throw new Error(`Error in accept error handler: ${moduleId}`);
});
---
export default 2;
throw new Error('Error while loading module l');
