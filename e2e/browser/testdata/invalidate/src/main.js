import './parent.js';
