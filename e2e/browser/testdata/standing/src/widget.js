const label = 'widget v1';
document.getElementById('widget').textContent = label;
import.meta.hot.accept();
