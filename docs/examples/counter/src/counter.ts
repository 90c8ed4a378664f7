// The counter: a button and the count, formatted by format.ts.
import './counter.css';
import { formatCount } from './format.ts';

// import.meta.hot.data is one object per module for the page's lifetime:
// the next version of this module finds the count where this one left it.
const state: { count: number } = import.meta.hot?.data.state ?? { count: 0 };
if (import.meta.hot) import.meta.hot.data.state = state;

let format = formatCount;
let output: HTMLOutputElement | null = null;

export function Counter(): HTMLElement {
  const card = document.createElement('section');
  card.className = 'counter';
  const button = document.createElement('button');
  button.type = 'button';
  button.textContent = '+1';
  button.addEventListener('click', () => {
    state.count++;
    render();
  });
  output = document.createElement('output');
  card.append(button, output);
  render();
  return card;
}

function render() {
  if (output) output.textContent = format(state.count);
}

// format.ts accepts no updates; this module takes them: it swaps in the
// new function and re-renders the count. Nothing else re-runs.
import.meta.hot?.accept('./format.ts', (mod) => {
  if (!mod) return; // the new version failed to load: keep the old one
  format = mod.formatCount;
  render();
});
