document.getElementById('msg').textContent = 'message v1';
window.__messageRuns = (window.__messageRuns || 0) + 1;
import.meta.hot.accept();
