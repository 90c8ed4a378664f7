// The entry: renders the page into #app.
//
// It accepts its own updates, so an edit here re-runs it in place. Edits
// to Greeting.tsx and counter.ts bubble up to here too (those modules
// accept nothing themselves): this module re-runs and imports their new
// versions. The count is not lost: it lives in counter.ts's
// import.meta.hot.data.
import { Greeting } from './Greeting.tsx';
import { Counter } from './counter.ts';

const app = document.getElementById('app')!;
app.replaceChildren(Greeting({ name: 'hmrd' }), Counter());

import.meta.hot?.accept();
