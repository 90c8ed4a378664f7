export { default } from './file.js';
