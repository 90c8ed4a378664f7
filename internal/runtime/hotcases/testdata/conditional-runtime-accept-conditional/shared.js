import first1 from './dep1.js';
import first2 from './dep2.js';

let x = first1;
let y = first2;

export function f() {
  return x;
}

export function g() {
  return y;
}

import.meta.webpackHot.accept(['./dep1.js', './dep2.js'], (outdated, mods) => {
  outdated.forEach((dep, i) => {
    if (dep.endsWith('/dep1.js')) x = mods[i].default;
    else y = mods[i].default;
  });
});
