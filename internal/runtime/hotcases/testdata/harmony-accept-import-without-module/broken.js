import { value } from './file.js';

// Never executed: an accept of a module that does not exist must not break
// the others.
if (value) import.meta.webpackHot.accept(['./file.js', './ignored.js'], function () {});
