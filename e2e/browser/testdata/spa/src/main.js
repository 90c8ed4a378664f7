document.getElementById('route').textContent = location.pathname;
document.getElementById('out').textContent = 'view v1';
import.meta.hot.accept();
