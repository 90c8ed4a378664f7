let callback;
export default function setHandler(cb) {
  callback = cb;
}

import.meta.webpackHot.dispose(() => {
  callback('a was disposed');
});
---
---
export default 'a was disposed';
