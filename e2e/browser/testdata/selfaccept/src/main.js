// Accepts nothing: edits below must stop at their own boundaries.
import './counter.js';
import './message.js';
