package browser

import (
	"strings"
	"testing"
)

// An edit of an image imported from JS re-runs its importer with a new URL
// for it (/src/logo.svg?t=V, as Vite's asset modules): setting img.src to
// it shows the new image, without a reload.
func TestImportedAssetURLChangesWithItsVersion(t *testing.T) {
	needBrowser(t)
	d := serveFixture(t, "asset")
	p := openPage(t, "a", d.url)
	p.waitValue(`document.getElementById('logo').naturalWidth`, 10)
	p.expectValue("the first URL", `window.__logoURLs`, []any{"/src/logo.svg"})
	p.setMarker()

	d.write(saveAtomic, "src/logo.svg", `<svg xmlns="http://www.w3.org/2000/svg" width="30" height="10"><rect width="30" height="10" fill="blue"/></svg>`+"\n")
	p.waitValue(`document.getElementById('logo').naturalWidth`, 30)
	p.expectValue("the URL is versioned", `/^\/src\/logo\.svg\?t=\d+$/.test(window.__logoURLs.at(-1))`, true)
	p.expectValue("runs of main.js", `window.__logoURLs.length`, 2)
	p.expectNoReload()
}

// A client-side route is served index.html (Vite's SPA fallback), whose
// relative URLs still load: the module script and the url() of its inline
// <style> resolve against the page, not the route. Hot updates work there,
// and an edit of index.html reloads it.
func TestClientRouteServesIndexHTML(t *testing.T) {
	needBrowser(t)
	d := serveFixture(t, "spa")
	base := strings.TrimSuffix(d.url, "/")
	p := openPage(t, "a", base+"/app/deep/route")
	p.waitText("#out", "view v1")
	p.expectValue("the route", text("#route"), "/app/deep/route")
	p.expectValue("the inline style's url()", computed("#box", "background-image"), `url("`+base+`/img/dot.svg")`)
	p.setMarker()

	d.edit(saveAtomic, "src/main.js", "view v1", "view v2")
	p.waitText("#out", "view v2")
	p.expectNoReload()

	// An edit of index.html reloads the tab that shows it at the route.
	d.edit(writeInPlace, "index.html", "<title>spa</title>", "<title>spa v2</title>")
	p.waitTrue("the page reloads", reloaded)
	p.waitValue(`document.title`, "spa v2")
	p.expectValue("the route after the reload", text("#route"), "/app/deep/route")
}

// shared.js ← a.js, b.js (both self-accepting): one update with two
// boundaries. As Vite's queueUpdate: both are disposed and both imported
// before any accept callback runs, and the callbacks run in payload order.
// beforeUpdate lists Vite's js-update items.
func TestOneUpdateImportsAllBoundariesBeforeAccepting(t *testing.T) {
	needBrowser(t)
	d := serveFixture(t, "order")
	p := openPage(t, "a", d.url)
	p.waitText("#out", "a:v1 b:v1")
	p.setMarker()

	d.edit(saveAtomic, "src/shared.js", "'v1'", "'v2'")
	p.waitTrue("both accept callbacks ran", `window.__calls.filter((c) => c.startsWith('accept')).length === 2`)
	calls := p.eval(`window.__calls.slice(2)`)
	got, _ := calls.([]any)
	phase := func(i int) string { s, _ := got[i].(string); return strings.Fields(s)[0] }
	if len(got) != 6 || phase(0) != "dispose" || phase(1) != "dispose" || phase(2) != "run" || phase(3) != "run" || phase(4) != "accept" || phase(5) != "accept" {
		t.Fatalf("calls after the edit: %s, want both disposes, then both runs, then both accepts", jsonText(got))
	}
	p.expectValue("accept callbacks in payload order",
		`window.__calls.slice(-2).map((c) => '/src/' + c.split(' ')[1] + '.js')`,
		p.eval(`window.__updates.map((u) => u.split(' ')[1])`))
	p.expectValue("vite:beforeUpdate items",
		`window.__updates.map((u) => u.replace(/ \/src\/[ab]\.js/g, ' X')).sort()`,
		[]any{"js-update X X number", "js-update X X number"})
	p.expectNoReload()
}

// chart.js (and axis.js, which only it imports) are pruned: every dispose
// runs before any prune, and chart.js imported again later starts with
// empty hot.data.
func TestPrunedModuleStartsAfreshWhenImportedAgain(t *testing.T) {
	needBrowser(t)
	d := serveFixture(t, "prunedata")
	p := openPage(t, "a", d.url)
	p.waitText("#out", "with chart")
	p.setMarker()

	d.edit(saveAtomic, "src/main.js", "import './chart.js';", "")
	p.waitTrue("both are pruned", `window.__calls.filter((c) => c.startsWith('prune')).length === 2`)
	p.expectValue("dispose, dispose, prune, prune", `window.__calls.slice(1).map((c) => c.split(' ')[0])`, []any{"dispose", "dispose", "prune", "prune"})

	d.edit(saveAtomic, "src/main.js", "document.getElementById", "import './chart.js';\ndocument.getElementById")
	p.waitValue(`window.__chartRuns.length`, 2)
	p.expectValue("hot.data.runs of each chart.js run", `window.__chartRuns`, []any{1, 1})
	p.expectNoReload()
}

// The daemon refuses an invalidate of a module it does not know: the page
// warns with the refusal and keeps working.
func TestRefusedInvalidateIsWarned(t *testing.T) {
	needBrowser(t)
	d := serveFixture(t, "selfaccept")
	p := openPage(t, "a", d.url)
	p.waitText("#msg", "message v1")
	p.setMarker()
	from := p.consoleLen()

	p.eval(`import('/@hmrd/client.js').then((m) => m.createHotContext('/src/not-a-module.js').invalidate('test')), null`)
	p.waitConsole(from, "[hmrd] invalidate refused: NOT_FOUND", "(message ")

	d.edit(saveAtomic, "src/message.js", "message v1", "message v2")
	p.waitText("#msg", "message v2")
	p.expectNoReload()
}
