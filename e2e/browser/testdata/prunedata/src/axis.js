(window.__calls ||= []).push('run axis');
import.meta.hot.dispose(() => window.__calls.push('dispose axis'));
import.meta.hot.prune(() => window.__calls.push('prune axis'));
