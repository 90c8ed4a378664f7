import { shared } from './shared.js';

export const label = 'b:' + shared;
(window.__calls ||= []).push('run b ' + shared);
import.meta.hot.dispose(() => window.__calls.push('dispose b'));
import.meta.hot.accept(() => window.__calls.push('accept b'));
