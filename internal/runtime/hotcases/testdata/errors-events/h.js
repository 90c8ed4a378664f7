import i from './i.js';
export default i;

if (import.meta.webpackHot) {
  import.meta.webpackHot.accept('./i.js');
}
