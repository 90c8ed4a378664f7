// Checked by tsc --noEmit: import.meta.hot as a module of a program under
// the runtime uses it.
import type {} from '@hmrd/client/hot';

export let handler = (s: string): string => s;

if (import.meta.hot) {
  import.meta.hot.accept('./handler.mjs', (mod) => {
    if (mod) handler = mod.handle;
  });
  import.meta.hot.dispose(async (data) => {
    data.count = 1;
  });
  import.meta.hot.on('hmrd:afterUpdate', (p) => console.log(p.updates.map((u) => u.acceptedPath)));
  import.meta.hot.on('hmrd:loaded', ({ modules }) => console.log(modules.length));
  import.meta.hot.send('my:event', { n: 1 });
}
