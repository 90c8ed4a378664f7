import './axis.js';

const data = import.meta.hot.data;
data.runs = (data.runs || 0) + 1;
(window.__chartRuns ||= []).push(data.runs);
import.meta.hot.dispose(() => window.__calls.push('dispose chart'));
import.meta.hot.prune(() => window.__calls.push('prune chart'));
