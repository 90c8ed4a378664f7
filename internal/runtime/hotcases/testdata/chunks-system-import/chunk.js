import { value as first } from './file.js';
import { value as first2 } from './file2.js';

// webpack swaps the imported bindings; an ES module keeps its own copies.
export let value = first;
export let value2 = first2;
export let counter = 0;
import.meta.webpackHot.accept('./file.js', (outdated, [mod]) => {
  value = mod.value;
});
import.meta.webpackHot.accept('./file2.js', function (outdated, [mod]) {
  value2 = mod.value;
  counter++;
});
