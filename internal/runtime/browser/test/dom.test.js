// The DOM side: <link> swaps, style modules, the error overlay.
import test from 'node:test';
import assert from 'node:assert/strict';
import { harness, FakeDocument, settle, jsUpdate } from '../testing/fakes.js';

const cssUpdate = (path) => ({ type: 'UPDATE_TYPE_CSS', path, acceptedPath: path });

test('a CSS update swaps only the matching <link>, removing the old one once the new one loads', async () => {
  const doc = new FakeDocument();
  const target = doc.link('/src/style.css');
  const other = doc.link('/src/other.css');
  const similar = doc.link('/src/style.css.map.css');
  const notSheet = doc.link('/src/style.css', 'preload');
  const remote = doc.link('https://cdn.example/src/style.css');
  const h = harness({ document: doc });
  h.connect();
  h.update([cssUpdate('/src/style.css')], { version: '1764662400123', versions: { '/src/style.css': '1764662400123' } });
  await settle();
  const links = doc.querySelectorAll('link');
  assert.equal(links.length, 6, 'exactly one new <link>');
  const clone = links[links.indexOf(target) + 1];
  assert.equal(clone.getAttribute('href'), '/src/style.css?t=1764662400123');
  assert.equal(clone.getAttribute('rel'), 'stylesheet');
  assert.ok(target.parentNode, 'the old sheet stays until the new one loads');
  clone.dispatchEvent('load');
  await h.idle();
  assert.equal(target.parentNode, null);
  for (const el of [other, similar, notSheet, remote]) assert.ok(el.parentNode, `${el.getAttribute('href')} untouched`);
  assert.equal(other.getAttribute('href'), '/src/other.css');
  assert.deepEqual(
    doc.querySelectorAll('link').map((l) => l.getAttribute('href')),
    ['/src/style.css?t=1764662400123', '/src/other.css', '/src/style.css.map.css', '/src/style.css', 'https://cdn.example/src/style.css'],
  );
  assert.deepEqual(h.imports, [], 'CSS updates import nothing');
});

test('a second CSS update replaces the newest sheet; a failing load still removes the old one', async () => {
  const doc = new FakeDocument();
  const first = doc.link('/src/a.css?theme=dark');
  const h = harness({ document: doc });
  h.connect();
  h.update([cssUpdate('/src/a.css')], { version: '1' });
  await settle();
  let sheets = doc.querySelectorAll('link');
  assert.equal(sheets.length, 2);
  const second = sheets[1];
  assert.equal(second.getAttribute('href'), '/src/a.css?theme=dark&t=1');
  second.dispatchEvent('error');
  await h.idle();
  assert.equal(first.parentNode, null);
  h.update([cssUpdate('/src/a.css')], { version: '2' });
  await settle();
  sheets = doc.querySelectorAll('link');
  assert.deepEqual(
    sheets.map((l) => l.getAttribute('href')),
    ['/src/a.css?theme=dark&t=1', '/src/a.css?theme=dark&t=2'],
  );
  sheets[1].dispatchEvent('load');
  await h.idle();
  assert.deepEqual(
    doc.querySelectorAll('link').map((l) => l.getAttribute('href')),
    ['/src/a.css?theme=dark&t=2'],
  );
});

test('a sheet that never loads does not hold the queue forever', async () => {
  const doc = new FakeDocument();
  doc.link('/src/a.css');
  const h = harness({ document: doc });
  const got = [];
  h.rt.createHotContext('/src/b.js').accept(() => got.push('b'));
  h.connect();
  h.update([cssUpdate('/src/a.css')], { version: '1' });
  h.update([{ type: 'UPDATE_TYPE_JS', path: '/src/b.js', acceptedPath: '/src/b.js' }], { version: '2' });
  await settle();
  assert.deepEqual(got, []);
  h.timers.run(5000);
  await h.idle();
  assert.deepEqual(got, ['b']);
});

test('updateStyle keeps one <style> per id; removeStyle removes it', () => {
  const doc = new FakeDocument();
  const h = harness({ document: doc });
  h.rt.updateStyle('/src/a.css', 'a { color: red }');
  h.rt.updateStyle('/src/b.css', 'b { color: blue }');
  h.rt.updateStyle('/src/a.css', 'a { color: green }');
  const styles = doc.querySelectorAll('style');
  assert.equal(styles.length, 2);
  assert.equal(styles[0].getAttribute('data-hmrd-dev-id'), '/src/a.css');
  assert.equal(styles[0].textContent, 'a { color: green }');
  assert.equal(styles[0].parentNode, doc.head);
  h.rt.removeStyle('/src/a.css');
  assert.deepEqual(
    doc.querySelectorAll('style').map((s) => s.getAttribute('data-hmrd-dev-id')),
    ['/src/b.css'],
  );
});

test('updateStyle reuses a server-rendered <style> with the same id', () => {
  const doc = new FakeDocument();
  const ssr = doc.createElement('style');
  ssr.setAttribute('data-hmrd-dev-id', '/src/a.css');
  doc.head.appendChild(ssr);
  const h = harness({ document: doc });
  h.rt.updateStyle('/src/a.css', 'x{}');
  assert.equal(doc.querySelectorAll('style').length, 1);
  assert.equal(ssr.textContent, 'x{}');
});

test('a server-rendered <link data-hmrd-dev-id> stands for its style module: no <style> beside it, and removeStyle removes it', () => {
  const doc = new FakeDocument();
  const ssr = doc.link('/src/a.css');
  ssr.setAttribute('data-hmrd-dev-id', '/src/a.css');
  const other = doc.link('/src/b.css'); // a page's own link, not a style module's
  const h = harness({ document: doc });
  h.rt.updateStyle('/src/a.css', 'a{}');
  h.rt.updateStyle('/src/b.css', 'b{}');
  assert.deepEqual(
    doc.querySelectorAll('style').map((s) => s.getAttribute('data-hmrd-dev-id')),
    ['/src/b.css'],
  );
  h.rt.removeStyle('/src/a.css');
  h.rt.removeStyle('/src/b.css');
  assert.deepEqual(doc.querySelectorAll('link'), [other]);
  assert.equal(doc.querySelectorAll('style').length, 0);
  // imported again later: a <style> of its own, as for any style module
  h.rt.updateStyle('/src/a.css', 'a{}');
  assert.equal(doc.querySelectorAll('style').length, 1);
});

const parseError = {
  message: 'Expected ")" but found "if"',
  module: '/src/app.js',
  file: '/abs/src/app.js',
  line: 3,
  column: 1,
  frame: '  3 | if (x\n    | ^',
  code: 'PARSE_ERROR',
};

test('an Error shows the overlay; an update does not clear it, its ErrorCleared does', async () => {
  const doc = new FakeDocument();
  const h = harness({ document: doc });
  const seen = [];
  h.rt.on('hmrd:error', (p) => seen.push(['hmrd', p.message]));
  h.rt.on('vite:error', (p) => seen.push(['vite', p.err.message, p.err.loc.line]));
  h.rt.createHotContext('/src/app.js').accept();
  h.connect();
  h.signal('error', parseError);
  await h.idle();
  assert.deepEqual(seen, [
    ['hmrd', parseError.message],
    ['vite', parseError.message, 3],
  ]);
  const overlay = doc.body.children.find((c) => c.localName === 'hmrd-error-overlay');
  assert.ok(overlay, 'overlay mounted');
  assert.ok(overlay.shadowRoot, 'in a shadow root');
  const text = overlay.allText();
  assert.match(text, /PARSE_ERROR/);
  assert.match(text, /\/abs\/src\/app\.js:3:1/);
  assert.match(text, /Expected "\)" but found "if"/);
  const pre = [...overlay.shadowRoot.descendants()].find((n) => n.localName === 'pre');
  assert.equal(pre.textContent, parseError.frame);
  assert.equal(h.rt.state.overlay, true);
  assert.ok(h.logs('error').some((l) => l.includes('PARSE_ERROR') && l.includes('/abs/src/app.js:3:1')));

  h.update([{ type: 'UPDATE_TYPE_JS', path: '/src/app.js', acceptedPath: '/src/app.js' }]);
  await h.idle();
  assert.equal(h.rt.state.overlay, true, 'an update leaves a standing error on screen');
  assert.match(overlayText(doc), /Expected "\)" but found "if"/);

  h.signal('errorCleared', { modules: ['/src/app.js'] });
  await h.idle();
  assert.equal(overlayText(doc), null);
  assert.equal(h.rt.state.overlay, false);
});

/** The text of the overlay on the page, null when there is none. */
function overlayText(doc) {
  const all = doc.body.children.filter((c) => c.localName === 'hmrd-error-overlay');
  assert.ok(all.length <= 1, 'one overlay at a time');
  return all.length ? all[0].allText() : null;
}

const unresolved = {
  message: 'cannot resolve import "./gone.js" from /src/b.js: no such file or package',
  module: '/src/b.js',
  file: '/abs/src/b.js',
  line: 1,
  column: 9,
  code: 'UNRESOLVED_IMPORT',
};

test('the overlay shows every broken module; ErrorCleared removes only the modules it names', async () => {
  const doc = new FakeDocument();
  const h = harness({ document: doc });
  h.connect();
  h.signal('error', parseError);
  h.signal('error', unresolved);
  h.update([jsUpdate('/src/other.js')]);
  await h.idle();
  let text = overlayText(doc);
  assert.match(text, /Expected "\)" but found "if"/);
  assert.match(text, /cannot resolve import "\.\/gone\.js"/);
  assert.match(text, /2 errors/);

  h.signal('errorCleared', { modules: ['/src/app.js', '/src/never-broken.js'] });
  await h.idle();
  text = overlayText(doc);
  assert.doesNotMatch(text, /Expected/);
  assert.match(text, /gone\.js/);

  // A module's next Error replaces its error.
  h.signal('error', { ...unresolved, message: 'still broken' });
  await h.idle();
  text = overlayText(doc);
  assert.match(text, /still broken/);
  assert.doesNotMatch(text, /gone\.js/);
  assert.doesNotMatch(text, /errors/);
});

test('the Hello says which modules are broken: shown on connect, and replacing what was shown on a reconnect', async () => {
  const doc = new FakeDocument();
  const h = harness({ document: doc });
  h.connect({ errors: [parseError] });
  await h.idle();
  assert.match(overlayText(doc), /Expected "\)" but found "if"/);
  assert.equal(h.rt.state.overlay, true);

  // Broken meanwhile: b.js; fixed meanwhile: app.js.
  h.ws.drop();
  h.timers.runAll();
  h.connect({ headSeq: '5', errors: [unresolved] });
  await h.idle();
  const text = overlayText(doc);
  assert.match(text, /gone\.js/);
  assert.doesNotMatch(text, /Expected/);

  h.ws.drop();
  h.timers.runAll();
  h.connect({ headSeq: '6' });
  await h.idle();
  assert.equal(overlayText(doc), null);
});

test('an error that names no module is gone after the next update', async () => {
  const doc = new FakeDocument();
  const h = harness({ document: doc });
  h.connect({ errors: [unresolved] });
  h.signal('error', { message: 'rescan /x: permission denied', code: 'READ_ERROR' });
  await h.idle();
  assert.match(overlayText(doc), /permission denied/);
  h.update([jsUpdate('/src/other.js')]);
  await h.idle();
  const text = overlayText(doc);
  assert.doesNotMatch(text, /permission denied/);
  assert.match(text, /gone\.js/);
});

test('the overlay closes on Escape and on a click outside the panel, and a new error replaces it', async () => {
  const doc = new FakeDocument();
  const h = harness({ document: doc });
  h.connect();
  h.signal('error', parseError);
  await h.idle();
  const first = doc.body.children[0];
  doc.dispatchEvent('keydown', { key: 'a' });
  assert.ok(first.parentNode);
  doc.dispatchEvent('keydown', { key: 'Escape' });
  assert.equal(first.parentNode, null);

  h.signal('error', parseError);
  h.signal('error', { ...parseError, message: 'second' });
  await h.idle();
  assert.equal(doc.body.children.length, 1, 'one overlay at a time');
  const overlay = doc.body.children[0];
  assert.match(overlay.allText(), /second/);
  overlay.dispatchEvent('click');
  assert.equal(overlay.parentNode, null);
});

test('no document: CSS updates, styles and errors do nothing and throw nothing', async () => {
  const h = harness({ document: null });
  h.connect();
  h.rt.updateStyle('/a.css', 'x{}');
  h.rt.removeStyle('/a.css');
  h.update([cssUpdate('/src/a.css')]);
  h.signal('error', parseError);
  await h.idle();
  assert.equal(h.logs('error').filter((l) => l.includes('overlay') || l.includes('style')).length, 0);
});

test('a page shows the errors of the modules it fetched, and a standing error once its module is fetched', async () => {
  const doc = new FakeDocument();
  const fetched = new Set(['/src/b.js']);
  const listeners = [];
  const h = harness({
    document: doc,
    fetchedModules: { has: (m) => fetched.has(m), onChange: (fn) => listeners.push(fn) },
  });
  // Two modules stand broken; this page fetched only b.js so far.
  h.connect({ errors: [parseError, unresolved, { ...parseError, module: '/index.html', file: '/abs/index.html', message: 'page broken' }] });
  await h.idle();
  let text = overlayText(doc);
  assert.match(text, /gone\.js/);
  assert.match(text, /page broken/, "a page's error always shows");
  assert.doesNotMatch(text, /Expected/, "app.js's error is not this page's");
  assert.ok(!h.logs('error').some((l) => l.includes('/abs/src/app.js')), 'nor in its console: ' + h.logs('error').join(' / '));

  // The page fetches app.js: its standing error shows now.
  fetched.add('/src/app.js');
  for (const fn of listeners) fn();
  text = overlayText(doc);
  assert.match(text, /Expected "\)" but found "if"/);
  assert.equal(h.logs('error').filter((l) => l.includes('/abs/src/app.js:3:1')).length, 1);

  // A live error of a module the page never fetched stays off it.
  h.signal('error', { ...unresolved, module: '/src/elsewhere.js', message: 'not here' });
  await h.idle();
  assert.doesNotMatch(overlayText(doc), /not here/);
});
