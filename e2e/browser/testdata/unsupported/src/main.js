import { label } from './label.js';
import App from './App.vue';

document.getElementById('out').textContent = `${label} ${App}`;
