package browser

import (
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
