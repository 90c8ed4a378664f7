package browser

import (
	"path/filepath"
	"testing"
)

// An edit of a self-accepting module re-runs that module only: the
// counter in another module keeps its value and the page does not reload.
func TestSelfAcceptKeepsUnrelatedState(t *testing.T) {
	needBrowser(t)
	d := serveFixture(t, "selfaccept")
	p := openPage(t, "a", d.url)
	p.waitText("#msg", "message v1")
	for range 3 {
		p.click("#inc")
	}
	p.waitText("#count", "3")
	p.setMarker()

	d.edit(saveAtomic, "src/message.js", "message v1", "message v2")
	p.waitText("#msg", "message v2")
	p.expectValue("the counter", text("#count"), "3")
	p.expectValue("runs of message.js", `window.__messageRuns`, 2)
	p.expectNoReload()
}

// accept('./dep.js', cb): the callback gets the new module and re-renders;
// the accepting module itself does not re-run.
func TestDepAcceptCallbackGetsNewModule(t *testing.T) {
	needBrowser(t)
	d := serveFixture(t, "depaccept")
	p := openPage(t, "a", d.url)
	p.waitText("#out", "dep v1")
	p.setMarker()

	d.edit(writeInPlace, "src/dep.js", "dep v1", "dep v2")
	p.waitText("#out", "dep v2")
	p.expectValue("labels the callback received", `window.__received`, []any{"dep v2"})
	p.expectValue("runs of main.js", `window.__mainRuns`, 1)
	p.expectNoReload()
}

// leaf.js ← middle.js (accepts nothing) ← parent.js (self-accepting): an
// edit of the leaf re-runs middle.js and parent.js, without a reload.
func TestNestedPropagationThroughNonAcceptingModule(t *testing.T) {
	needBrowser(t)
	d := serveFixture(t, "nested")
	p := openPage(t, "a", d.url)
	p.waitText("#out", "middle(leaf v1)")
	p.setMarker()

	d.edit(saveAtomic, "src/leaf.js", "leaf v1", "leaf v2")
	p.waitText("#out", "middle(leaf v2)")
	p.expectValue("runs of middle.js", `window.__middleRuns`, 2)
	p.expectValue("runs of parent.js", `window.__parentRuns`, 2)
	p.expectNoReload()
}

// No module accepts an edit of util.js: the page reloads, and the console
// says why.
func TestDeadEndReloadsWithReason(t *testing.T) {
	needBrowser(t)
	d := serveFixture(t, "deadend")
	p := openPage(t, "a", d.url)
	p.waitText("#out", "util v1")
	p.setMarker()
	from := p.consoleLen()

	d.edit(writeInPlace, "src/util.js", "util v1", "util v2")
	p.waitConsole(from, "full reload", "no accept boundary")
	p.waitTrue("the page reloads", reloaded)
	p.waitText("#out", "util v2")
}

// A value stored in hot.data by the old instance's dispose handler is
// read by the new instance.
func TestHotDataSurvivesUpdate(t *testing.T) {
	needBrowser(t)
	d := serveFixture(t, "hotdata")
	p := openPage(t, "a", d.url)
	p.waitText("#out", "v1 read nothing")
	p.setMarker()

	d.edit(saveAtomic, "src/keeper.js", "const version = 'v1';", "const version = 'v2';")
	p.waitText("#out", "v2 read saved by v1")
	p.expectNoReload()
}

// Removing the only import of dropped.js prunes it: its dispose handler
// runs, then its prune handler.
func TestRemovedImportDisposesThenPrunes(t *testing.T) {
	needBrowser(t)
	d := serveFixture(t, "prune")
	p := openPage(t, "a", d.url)
	p.waitText("#out", "main v1")
	p.setMarker()

	d.write(writeInPlace, "src/main.js", `import './kept.js';

(window.__calls ||= []).push('main run');
document.getElementById('out').textContent = 'main v2';
import.meta.hot.accept();
`)
	p.waitText("#out", "main v2")
	p.waitTrue("dropped.js is pruned", `window.__calls.includes('dropped prune')`)
	p.expectValue("calls of dropped.js, in order",
		`window.__calls.filter((c) => c.startsWith('dropped '))`,
		[]any{"dropped run", "dropped dispose", "dropped prune"})
	p.expectValue("runs of kept.js", `window.__calls.filter((c) => c === 'kept run').length`, 1)
	p.expectNoReload()
}

// child.js accepts itself but invalidates in its accept callback: the
// update goes on to its self-accepting importer, which re-runs.
func TestInvalidateBubblesToImporter(t *testing.T) {
	needBrowser(t)
	d := serveFixture(t, "invalidate")
	p := openPage(t, "a", d.url)
	p.waitText("#out", "parent sees child v1")
	p.setMarker()
	from := p.consoleLen()

	d.edit(saveAtomic, "src/child.js", "child v1", "child v2")
	p.waitText("#out", "parent sees child v2")
	p.waitConsole(from, "[hmrd] invalidate /src/child.js")
	p.expectValue("runs of parent.js", `window.__parentRuns`, 2)
	p.expectNoReload()
}

// A stylesheet imported from JS is a self-accepting style module: an edit
// restyles the page without running main.js again or reloading.
func TestImportedCSSAppliesWithoutReload(t *testing.T) {
	needBrowser(t)
	d := serveFixture(t, "css")
	p := openPage(t, "a", d.url)
	p.waitValue(computed("#box", "width"), "100px")
	p.setMarker()

	d.edit(writeInPlace, "src/box.css", "width: 100px", "width: 200px")
	p.waitValue(computed("#box", "width"), "200px")
	p.expectValue("runs of main.js", `window.__mainRuns`, 1)
	p.expectValue("style modules installed", `document.querySelectorAll('style[data-hmrd-dev-id="/src/box.css"]').length`, 1)
	p.expectNoReload()
}

// A <link> stylesheet is swapped for a fresh copy of itself.
func TestLinkedCSSAppliesWithoutReload(t *testing.T) {
	needBrowser(t)
	d := serveFixture(t, "css")
	p := openPage(t, "a", d.url)
	p.waitValue(computed("#linked", "color"), "rgb(10, 20, 30)")
	p.setMarker()

	d.edit(saveAtomic, "src/global.css", "rgb(10, 20, 30)", "rgb(200, 0, 0)")
	p.waitValue(computed("#linked", "color"), "rgb(200, 0, 0)")
	p.waitValue(`document.querySelectorAll('link[rel=stylesheet]').length`, 1) // the old one goes
	p.expectValue("runs of main.js", `window.__mainRuns`, 1)
	p.expectNoReload()
}

// A syntax error shows the overlay with the file and line; the fix removes
// it and applies the update.
func TestSyntaxErrorShowsOverlayUntilFixed(t *testing.T) {
	needBrowser(t)
	d := serveFixture(t, "overlay")
	p := openPage(t, "a", d.url)
	p.waitText("#out", "view v1")
	p.setMarker()

	d.write(writeInPlace, "src/view.js", `const label = 'view v2';
document.getElementById('out').textContent = label;
export const = ;
import.meta.hot.accept();
`)
	const overlay = `document.querySelector('hmrd-error-overlay')?.shadowRoot?.textContent ?? null`
	p.poll("the overlay names /src/view.js:3", overlay, func(v any) bool {
		s, _ := v.(string)
		return containsAll(s, []string{"/src/view.js:3"})
	})
	p.expectValue("the page while broken", text("#out"), "view v1")

	d.write(saveAtomic, "src/view.js", `const label = 'view v3';
document.getElementById('out').textContent = label;
import.meta.hot.accept();
`)
	p.waitText("#out", "view v3")
	p.waitValue(`document.querySelectorAll('hmrd-error-overlay').length`, 0)
	p.expectNoReload()
}

// Text rendered by a .tsx component (classic JSX, a local h) changes in
// place.
func TestTSXEditHotUpdates(t *testing.T) {
	needBrowser(t)
	d := serveFixture(t, "tsx")
	p := openPage(t, "a", d.url)
	p.waitText("#title", "Title v1 from tsx")
	p.setMarker()

	d.edit(saveAtomic, "src/Title.tsx", "Title v1 from", "Title v2 from")
	p.waitText("#title", "Title v2 from tsx")
	p.expectNoReload()
}

// Every open page gets the update.
func TestTwoTabsBothUpdate(t *testing.T) {
	needBrowser(t)
	d := serveFixture(t, "selfaccept")
	a := openPage(t, "a", d.url)
	b := openPage(t, "b", d.url)
	for _, p := range []*page{a, b} {
		p.waitText("#msg", "message v1")
		p.setMarker()
	}

	d.edit(writeInPlace, "src/message.js", "message v1", "message v2")
	for _, p := range []*page{a, b} {
		p.waitText("#msg", "message v2")
		p.expectNoReload()
	}
}

// The daemon stops and comes back on the same port: the page reconnects
// with the new token, gets a RESYNC full reload, and then hot-updates
// again.
func TestDaemonRestartResyncsPage(t *testing.T) {
	needBrowser(t)
	root := copyFixture(t, filepath.Join("testdata", "selfaccept"))
	socket := filepath.Join(shortTemp(t), "s")
	addr := freeAddr(t)
	d := serve(t, root, socket, addr)
	p := openPage(t, "a", d.url)
	p.waitText("#msg", "message v1")
	p.setMarker()

	d.stop()
	from := p.consoleLen()
	d2 := serve(t, root, socket, addr)
	if d2.url != d.url {
		t.Fatalf("restarted daemon serves at %s, want %s", d2.url, d.url)
	}
	reload := p.waitConsole(from, "[hmrd] full reload")
	p.waitTrue("the page reloads", reloaded)
	p.waitConsole(reload+1, subscribedLog)
	p.waitText("#msg", "message v1")
	p.setMarker()

	d2.edit(saveAtomic, "src/message.js", "message v1", "message v2")
	p.waitText("#msg", "message v2")
	p.expectNoReload()
}

// The example app of the README: the count survives edits of format.ts
// (accepted by counter.ts), Greeting.tsx (bubbles to main.ts) and
// counter.css.
func TestExampleCounterApp(t *testing.T) {
	needBrowser(t)
	root := copyFixture(t, filepath.Join("..", "..", "docs", "examples", "counter"))
	d := serve(t, root, filepath.Join(shortTemp(t), "s"), "127.0.0.1:0")
	p := openPage(t, "a", d.url)
	p.waitText("h1", "Hello from hmrd!")
	p.waitText(".counter output", "clicked 0 times")
	for range 3 {
		p.click(".counter button")
	}
	p.waitText(".counter output", "clicked 3 times")
	p.setMarker()

	d.edit(saveAtomic, "src/format.ts", "`clicked ${count} times`", "`${count} clicks so far`")
	p.waitText(".counter output", "3 clicks so far")

	d.edit(writeInPlace, "src/Greeting.tsx", "Hello from", "Welcome from")
	p.waitText("h1", "Welcome from hmrd!")
	p.expectValue("the count after the Greeting edit", text(".counter output"), "3 clicks so far")
	p.click(".counter button")
	p.waitText(".counter output", "4 clicks so far")

	d.edit(saveAtomic, "src/counter.css", "gap: 1rem;", "gap: 3rem;")
	p.waitValue(computed(".counter", "gap"), "48px")
	p.expectNoReload()
}
