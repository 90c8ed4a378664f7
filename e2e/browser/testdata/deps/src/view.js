import { greet } from 'cjs-greet';

document.getElementById('out').textContent = greet('v1');
import.meta.hot.accept();
