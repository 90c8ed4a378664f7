// @hmrd/client/register: the Node.js HMR runtime.
//
//   node --import @hmrd/client/register app.mjs
//
// Gives every module of the project import.meta.hot (Vite's API) and
// applies the hmrd daemon's signals to the running program. See README.md.

import { start } from './lib/runtime/runtime.js';

await start();
