const label = 'other v1';
document.getElementById('out').textContent = label;
import.meta.hot.accept();
