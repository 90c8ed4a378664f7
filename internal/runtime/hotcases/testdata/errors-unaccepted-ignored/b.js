import first from './c.js';

// webpack swaps the imported binding; an ES module keeps its own copy.
let c = first;

export default function get() {
  return c;
}

if (import.meta.webpackHot) {
  import.meta.webpackHot.accept('./c.js', (outdated, [mod]) => {
    c = mod.default;
  });
}
