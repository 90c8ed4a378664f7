import './view.js';
