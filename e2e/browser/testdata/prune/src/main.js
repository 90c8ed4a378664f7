import './kept.js';
import './dropped.js';

(window.__calls ||= []).push('main run');
document.getElementById('out').textContent = 'main v1';
import.meta.hot.accept();
