import { value } from './child.js';

window.__parentRuns = (window.__parentRuns || 0) + 1;
document.getElementById('out').textContent = `parent sees ${value}`;
import.meta.hot.accept();
