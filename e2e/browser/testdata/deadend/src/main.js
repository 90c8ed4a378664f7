// The entry, and it accepts nothing: an edit of util.js has no boundary.
import { text } from './util.js';

document.getElementById('out').textContent = text;
