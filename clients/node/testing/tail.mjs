// tail prints the events of a subscription as JSON lines (heartbeats
// left out), for tests that compare what Node and Go subscribers see.
// Arguments: [project].

import { connect } from '../index.js';

const client = await connect();
const sub = client.subscribe({ project: process.argv[2] || '' });
process.on('SIGTERM', () => {
  sub.close();
  client.close();
});
for await (const ev of sub) {
  if (ev.kind !== 'heartbeat') process.stdout.write(JSON.stringify(ev) + '\n');
}
