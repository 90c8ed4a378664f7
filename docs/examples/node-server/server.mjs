// The entry: one HTTP server for the life of the process. It accepts
// updates of ./handler.mjs, so an edit of the handler, or of anything only
// the handler imports (./db.mjs), swaps the handler in place: the server,
// its port and its open connections stay.
import http from 'node:http';
import { handle } from './handler.mjs';

let current = handle;

const server = http.createServer((req, res) => current(req, res));
server.listen(Number(process.env.PORT || 3000), '127.0.0.1', () => {
  console.log(`ready: http://127.0.0.1:${server.address().port}/ (pid ${process.pid})`);
});

if (import.meta.hot) {
  import.meta.hot.accept('./handler.mjs', (mod) => {
    // mod is undefined when the new handler failed to load: keep serving
    // with the one that works.
    if (!mod) return;
    current = mod.handle;
    console.log(`handler swapped: ${mod.EDIT}`);
  });
}
