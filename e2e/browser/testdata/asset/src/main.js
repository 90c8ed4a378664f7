import logo from './logo.svg';

(window.__logoURLs ||= []).push(logo);
document.getElementById('logo').src = logo;
import.meta.hot.accept();
