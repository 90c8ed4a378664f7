const version = 'v1';
const saved = import.meta.hot.data.saved;
document.getElementById('out').textContent = `${version} read ${saved ?? 'nothing'}`;

// The old instance leaves a note in hot.data; the new one reads it above.
import.meta.hot.dispose((data) => {
  data.saved = `saved by ${version}`;
});
import.meta.hot.accept();
