import note from './note.txt?raw';
import logoURL from './logo.svg?url';
import dataURL from './data.json?url';
import cardCSS from './card.css?inline';
import dot from './dot.svg?inline';
import MyWorker from './worker.js?worker';
import MyShared from './shared.js?sharedworker';
import workerURL from './worker.js?worker&url';
import pkg, { name, version } from '../package.json';
import './shader.js';

const set = (id, v) => { document.getElementById(id).textContent = v; };
window.__mainRuns = (window.__mainRuns || 0) + 1;

set('raw', note.trim());
set('url', logoURL);
set('jsonurl', dataURL);
set('css', cardCSS.trim());
set('dot', dot);
set('workerurl', workerURL);
set('json', `${name}@${version} private=${pkg.private}`);

const worker = new MyWorker();
worker.onmessage = (e) => set('worker', e.data);
worker.postMessage('ping');

const shared = new MyShared({ name: `run ${window.__mainRuns}` });
shared.port.onmessage = (e) => set('shared', e.data);
shared.port.start();
shared.port.postMessage('ping');

import.meta.hot.accept();
import.meta.hot.dispose(() => worker.terminate());
