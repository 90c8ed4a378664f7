// Checked by tsc --noEmit (tsconfig.json): the declarations are usable the
// way the README shows.
import { connect, HmrdError, NoDaemonError, type Event } from '@hmrd/client';

export async function usage(): Promise<void> {
  let client;
  try {
    client = await connect(undefined, { timeout: 500, clientInfo: { name: 'types' } });
  } catch (err) {
    if (err instanceof NoDaemonError) return;
    throw err;
  }
  const [p] = await client.listProjects();
  const sub = client.subscribe({ project: p?.name, entries: ['/main.mjs'], onState: (s, e) => void [s, e] });
  for await (const ev of sub) {
    const e: Event = ev;
    switch (e.kind) {
      case 'update':
        for (const u of e.update.updates) console.log(u.path, u.acceptedPath, e.update.versions[u.acceptedPath]);
        break;
      case 'fullReload':
        console.log(e.fullReload.cause, e.fullReload.reason, e.fullReload.chain.join(' → '));
        break;
      case 'hello':
        console.log(e.hello.epoch, e.hello.headSeq);
        break;
    }
    const { epoch, seq } = sub.position();
    console.log(epoch, seq);
    break;
  }
  try {
    await client.invalidate({ module: '/x.js' });
  } catch (err) {
    if (err instanceof HmrdError && err.code === 'NOT_FOUND') console.log(err.details);
  }
  const g = await client.getGraph({ project: p?.name });
  console.log(g.modules.map((m) => m.id), (await client.status()).uptime);
  client.close();
}
