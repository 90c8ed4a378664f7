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
