let callback;

import.meta.webpackHot.accept();
import.meta.webpackHot.dispose((data) => {
  data.callback = callback;
});

export default function (cb) {
  callback = cb;
}
---
import.meta.webpackHot.data.callback();
