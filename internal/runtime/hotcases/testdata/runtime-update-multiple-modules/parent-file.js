import a from './fileA.js';
import b from './fileB.js';
export default a + b;
