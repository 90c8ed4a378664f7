import b from './b.js';

export default b;

if (import.meta.webpackHot) {
  import.meta.webpackHot.decline(['./b.js']);
  import.meta.webpackHot.accept();
}
