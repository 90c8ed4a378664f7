// The boundary: accepts itself, so a file added to or edited among the
// glob's matches re-runs this module, which lists them again.
const eager = import.meta.glob('./parts/*.js', { eager: true, import: 'label' });
const lazy = import.meta.glob(['./pages/*.js', '!./pages/draft.js']);
const urls = import.meta.glob('/src/pages/*.js', { import: 'url', query: { from: 'glob' } });

window.__viewRuns = (window.__viewRuns || 0) + 1;
document.getElementById('eager').textContent =
  Object.entries(eager).map(([key, label]) => `${key}=${label}`).join(' ');
Promise.all(Object.entries(lazy).map(async ([key, load]) => `${key}=${(await load()).default}`))
  .then((list) => { document.getElementById('lazy').textContent = list.join(' '); });
Promise.all(Object.entries(urls).map(async ([key, load]) => `${key}${new URL(await load()).search.replace(/&t=\d+/, '')}`))
  .then((list) => { document.getElementById('query').textContent = list.join(' '); });
import.meta.hot.accept();
