export { default } from './c.js';
