(window.__calls ||= []).push('dropped run');
import.meta.hot.dispose(() => window.__calls.push('dropped dispose'));
import.meta.hot.prune(() => window.__calls.push('dropped prune'));
