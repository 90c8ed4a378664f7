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

if (import.meta.webpackHot) {
  const whot = import.meta.webpackHot;
  whot.accept(['./a.mjs', './b.mjs'], (outdated, modules) => console.log(outdated.join(), modules.length), (err, { moduleId, dependencyId }) => console.error(err, moduleId, dependencyId));
  whot.accept((err, { module }) => module?.hot.accept());
  whot.decline('./c.mjs');
  whot.dispose((data) => {
    data.kept = true;
  });
  whot.addStatusHandler(async (status) => {
    if (status === 'abort') console.log(whot.status());
  });
  whot
    .check(false)
    .then((ids) => (ids ? whot.apply({ ignoreUnaccepted: true, onUnaccepted: (e) => console.log(e.chain) }) : []))
    .then((outdated) => console.log(outdated.length));
}
