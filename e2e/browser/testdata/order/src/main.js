import { label as a } from './a.js';
import { label as b } from './b.js';

document.getElementById('out').textContent = `${a} ${b}`;
import.meta.hot.on('vite:beforeUpdate', (p) => {
  window.__updates = p.updates.map((u) => `${u.type} ${u.path} ${u.acceptedPath} ${typeof u.timestamp}`);
});
