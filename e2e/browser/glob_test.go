package browser

import "testing"

// import.meta.glob as Vite renders it: eager matches with a named import,
// lazy matches loaded on demand, a negative pattern, root-relative keys,
// and a query object carried on each match's URL.
func TestGlobRenders(t *testing.T) {
	needBrowser(t)
	d := serveFixture(t, "glob")
	p := openPage(t, "a", d.url)
	p.waitText("#eager", "./parts/one.js=one v1 ./parts/two.js=two v1")
	p.waitText("#lazy", "./pages/a.js=page a v1")
	p.waitText("#query", "/src/pages/a.js?from=glob /src/pages/draft.js?from=glob")
}

// A file created where the patterns look is linked to the importer, which
// re-runs and lists it, as Vite invalidates the importer; no reload.
func TestGlobAddedFileUpdatesPage(t *testing.T) {
	needBrowser(t)
	d := serveFixture(t, "glob")
	p := openPage(t, "a", d.url)
	p.waitText("#lazy", "./pages/a.js=page a v1")
	p.waitText("#eager", "./parts/one.js=one v1 ./parts/two.js=two v1")
	p.setMarker()

	d.write(saveAtomic, "src/pages/b.js", "export default 'page b v1';\nexport const url = import.meta.url;\n")
	p.waitText("#lazy", "./pages/a.js=page a v1 ./pages/b.js=page b v1")
	d.write(saveAtomic, "src/parts/three.js", "export const label = 'three v1';\n")
	p.waitText("#eager", "./parts/one.js=one v1 ./parts/three.js=three v1 ./parts/two.js=two v1")
	p.expectValue("runs of view.js", `window.__viewRuns`, 3)
	p.expectNoReload()
}

// An edit of a matched module, eager or lazy (once loaded), propagates
// through the importer, which accepts itself and renders the new value.
func TestGlobEditPropagatesThroughImporter(t *testing.T) {
	needBrowser(t)
	d := serveFixture(t, "glob")
	p := openPage(t, "a", d.url)
	p.waitText("#eager", "./parts/one.js=one v1 ./parts/two.js=two v1")
	p.waitText("#lazy", "./pages/a.js=page a v1")
	p.setMarker()

	d.edit(saveAtomic, "src/parts/one.js", "one v1", "one v2")
	p.waitText("#eager", "./parts/one.js=one v2 ./parts/two.js=two v1")
	d.edit(writeInPlace, "src/pages/a.js", "page a v1", "page a v2")
	p.waitText("#lazy", "./pages/a.js=page a v2")
	p.expectValue("runs of view.js", `window.__viewRuns`, 3)
	p.expectNoReload()
}
