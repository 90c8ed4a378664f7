import source from './shader.glsl?raw';

const show = (s) => { document.getElementById('shader').textContent = s.trim(); };
window.__shaderRuns = (window.__shaderRuns || 0) + 1;
show(source);

// The Vite idiom for a text file: take its new text without re-running.
import.meta.hot.accept('./shader.glsl?raw', (mod) => show(mod.default));
