import { label } from './dep.js';

window.__mainRuns = (window.__mainRuns || 0) + 1;
window.__received = [];
const out = document.getElementById('out');
out.textContent = label;

// The callback gets the new module: re-render with its export.
import.meta.hot.accept('./dep.js', (mod) => {
  window.__received.push(mod.label);
  out.textContent = mod.label;
});
