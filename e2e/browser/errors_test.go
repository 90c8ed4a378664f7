package browser

import (
	"testing"
)

// overlayText is the text of the error overlay, null when there is none.
const overlayText = `document.querySelector('hmrd-error-overlay')?.shadowRoot?.textContent ?? null`

// overlaysWhenIdle has the page's runtime finish every signal it has
// queued, then counts the overlays into window.__overlaysWhenIdle.
const overlaysWhenIdle = `(window.__overlaysWhenIdle = undefined,
  globalThis[Symbol.for('hmrd.pageRuntime')].runtime.idle().then(() => {
    window.__overlaysWhenIdle = document.querySelectorAll('hmrd-error-overlay').length;
  }), null)`

// A page opened while a module is broken shows its error at once (the
// Hello says which modules are broken); an update of another module leaves
// it on screen, in that page and in one that saw the error arrive; the fix
// (creating the file the import names) clears it everywhere.
func TestOverlayShowsStandingErrors(t *testing.T) {
	needBrowser(t)
	d := serveFixture(t, "standing")
	a := openPage(t, "a", d.url)
	a.waitText("#out", "other v1")
	a.waitText("#widget", "widget v1")
	a.setMarker()

	d.write(saveAtomic, "src/widget.js", `import './missing.js';
const label = 'widget v2';
document.getElementById('widget').textContent = label;
import.meta.hot.accept();
`)
	broken := func(v any) bool {
		s, _ := v.(string)
		return containsAll(s, []string{"UNRESOLVED_IMPORT", "src/widget.js:1:", `"./missing.js"`})
	}
	a.poll("the overlay names the import of /src/widget.js", overlayText, broken)

	b := openPage(t, "b", d.url)
	b.waitText("#out", "other v1")
	b.poll("a page loaded while /src/widget.js is broken shows its error", overlayText, broken)
	b.setMarker()

	d.edit(saveAtomic, "src/other.js", "other v1", "other v2")
	for _, p := range []*page{a, b} {
		p.waitText("#out", "other v2")
		p.eval(overlaysWhenIdle)
		p.waitValue(`window.__overlaysWhenIdle ?? null`, 1)
		if v := p.eval(overlayText); !broken(v) {
			t.Errorf("tab %s: after an unrelated update the overlay shows %v, want the error of /src/widget.js", p.name, v)
		}
	}

	d.write(writeInPlace, "src/missing.js", "export {};\n")
	for _, p := range []*page{a, b} {
		p.waitValue(`document.querySelectorAll('hmrd-error-overlay').length`, 0)
	}
	a.waitText("#widget", "widget v2")
	a.expectNoReload()
	b.expectNoReload()
}
