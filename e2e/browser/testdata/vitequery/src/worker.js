import { answer } from './answer.js';

self.onmessage = (e) => self.postMessage(`worker ${answer}: ${e.data}`);
