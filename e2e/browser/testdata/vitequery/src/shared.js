import { answer } from './answer.js';

self.onconnect = (e) => {
  const port = e.ports[0];
  port.onmessage = (m) => port.postMessage(`shared ${answer}: ${m.data}`);
};
