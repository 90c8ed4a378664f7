import { shared } from './shared.js';

export const label = 'a:' + shared;
(window.__calls ||= []).push('run a ' + shared);
import.meta.hot.dispose(() => window.__calls.push('dispose a'));
import.meta.hot.accept(() => window.__calls.push('accept a'));
