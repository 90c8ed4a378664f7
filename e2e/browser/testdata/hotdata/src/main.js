import './keeper.js';
