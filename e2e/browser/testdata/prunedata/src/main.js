import './chart.js';

document.getElementById('out').textContent = 'with chart';
import.meta.hot.accept();
