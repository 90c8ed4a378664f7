import c from './c.js';
export default c;

if (import.meta.webpackHot) {
  import.meta.webpackHot.accept('./c.js');
}
