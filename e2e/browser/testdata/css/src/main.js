import './box.css';

window.__mainRuns = (window.__mainRuns || 0) + 1;
