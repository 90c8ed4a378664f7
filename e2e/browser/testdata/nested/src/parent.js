// The boundary: accepts itself, two levels above the leaf.
import { word } from './middle.js';

window.__parentRuns = (window.__parentRuns || 0) + 1;
document.getElementById('out').textContent = word;
import.meta.hot.accept();
