// State that an edit of message.js must not touch.
let count = 0;
const out = document.getElementById('count');
document.getElementById('inc').addEventListener('click', () => {
  count++;
  out.textContent = String(count);
});
