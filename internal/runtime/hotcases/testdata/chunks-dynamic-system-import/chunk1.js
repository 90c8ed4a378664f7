import { value as first } from './file.js';

export let value = first;
import.meta.webpackHot.accept('./file.js', (outdated, [mod]) => {
  value = mod.value;
});
