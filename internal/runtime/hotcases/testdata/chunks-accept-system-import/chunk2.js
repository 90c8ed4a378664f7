export { value } from './file.js';
