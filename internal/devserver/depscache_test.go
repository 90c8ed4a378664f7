package devserver

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hmrd/hmrd/internal/engine"
)

func (f *fakeService) reloadReasons() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.reloads)
}

// A second server on the same tree serves the bundle from the disk cache,
// without building (the package's sources are gone, so it could not).
func TestDepsDiskCache(t *testing.T) {
	f := newFixture(t, newFakeService(), depsPackages)
	first := f.get(t, "/@id/cjs")
	if first.status != 200 {
		t.Fatalf("/@id/cjs: %d\n%s", first.status, first.body)
	}
	if _, err := os.Stat(filepath.Join(f.root, "node_modules/.hmrd/deps", depsMetaName)); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(filepath.Join(f.root, "node_modules/cjs/cjs")); err != nil {
		t.Fatal(err)
	}
	g := serveTree(t, newFakeService(), f.parent, f.root)
	again := g.get(t, "/@id/cjs")
	if again.status != 200 || again.body != first.body {
		t.Errorf("from the cache: %d\n%s\nwant\n%s", again.status, again.body, first.body)
	}
	if chunks := g.chunksOf(t, again.body); !strings.Contains(again.body+chunks, "return \"dev\"") {
		t.Errorf("chunks from the cache: %s", chunks)
	}
	if n := g.srv.ext.builds.Load(); n != 0 {
		t.Errorf("%d builds, want 0 (the cache has it)", n)
	}
	// A package the cache lacks is built, with those it had.
	if r := g.get(t, "/@id/esm"); r.status != 200 {
		t.Errorf("/@id/esm: %d\n%s", r.status, r.body)
	}
	if n := g.srv.ext.builds.Load(); n != 1 {
		t.Errorf("%d builds, want 1", n)
	}
}

// A changed lockfile rebuilds the bundle, and pages that loaded a file
// that changed reload, told why.
func TestDepsLockfileChangeReloads(t *testing.T) {
	svc := newFakeService()
	f := newFixture(t, svc, depsPackages)
	before := f.get(t, "/@id/cjs")
	// An upgrade: the package and the lockfile change.
	writeFiles(t, f.root, map[string]string{
		"node_modules/cjs/cjs/dev.js": "'use strict';\nexports.useThing = function () { return 'dev v2' };\n",
		"package-lock.json":           `{ "lockfileVersion": 3, "packages": { "node_modules/cjs": { "version": "2" } } }`,
	})
	after := f.get(t, "/@id/cjs")
	if !strings.Contains(f.chunksOf(t, after.body)+after.body, "dev v2") {
		t.Errorf("not rebuilt:\n%s", after.body)
	}
	if before.body == after.body && f.srv.ext.builds.Load() != 2 {
		t.Errorf("%d builds, want 2", f.srv.ext.builds.Load())
	}
	want := []string{"dependencies changed (package-lock.json): re-optimized, reloading"}
	if got := svc.reloadReasons(); !slices.Equal(got, want) {
		t.Errorf("reloads %q, want %q", got, want)
	}
	// Nothing changed since: no build, no reload.
	f.get(t, "/@id/cjs")
	if n := f.srv.ext.builds.Load(); n != 2 {
		t.Errorf("%d builds, want 2", n)
	}
}

// The daemon reports a changed lockfile: pages that loaded the bundle
// reload as soon as it is rebuilt, without waiting for a request.
func TestDepsLockfileChangeReportedByWatcher(t *testing.T) {
	svc := newFakeService()
	svc.reloaded = make(chan string, 4)
	f := newFixture(t, svc, depsPackages)
	f.get(t, "/@id/cjs")
	f.srv.PathsChanged([]string{filepath.Join(f.root, "src/main.js")}) // not a key file: nothing
	writeFiles(t, f.root, map[string]string{
		"node_modules/cjs/cjs/dev.js": "'use strict';\nexports.useThing = function () { return 'dev v3' };\n",
		"package-lock.json":           `{ "lockfileVersion": 3, "packages": { "node_modules/cjs": { "version": "3" } } }`,
	})
	f.srv.PathsChanged([]string{filepath.Join(f.root, "package-lock.json")})
	select {
	case reason := <-svc.reloaded:
		if want := "dependencies changed (package-lock.json): re-optimized, reloading"; reason != want {
			t.Errorf("reload %q, want %q", reason, want)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("no reload")
	}
	if n := f.srv.ext.builds.Load(); n != 2 {
		t.Errorf("%d builds, want 2", n)
	}
}

// A dependency first imported after pages loaded the bundle is added to
// it; pages whose files changed (shared moves to a chunk) reload.
func TestDepsNewDependencyReloads(t *testing.T) {
	svc := newFakeService()
	f := newFixture(t, svc, depsPackages)
	if r := f.get(t, "/@id/a"); r.status != 200 {
		t.Fatalf("/@id/a: %d", r.status)
	}
	if r := f.get(t, "/@id/c"); r.status != 200 {
		t.Fatalf("/@id/c: %d", r.status)
	}
	want := []string{"new dependencies optimized: c, reloading"}
	if got := svc.reloadReasons(); !slices.Equal(got, want) {
		t.Errorf("reloads %q, want %q", got, want)
	}
}

// A module that imports a new package gets it bundled before the module
// is answered, so the page never loads the old bundle's files for it:
// nothing to reload when no page loaded any.
func TestDepsPreparedWithImporter(t *testing.T) {
	svc := newFakeService()
	svc.add("/src/main.js", "js", 0, map[string]engine.ImportTarget{"cjs": {ID: "/@id/cjs", Kind: "external"}, "esm": {ID: "/@id/esm", Kind: "external"}})
	f := newFixture(t, svc, depsPackages)
	if r := f.get(t, "/src/main.js"); r.status != 200 || !strings.Contains(r.body, `from "/@id/cjs"`) {
		t.Fatalf("/src/main.js: %d\n%s", r.status, r.body)
	}
	if n := f.srv.ext.builds.Load(); n != 1 {
		t.Errorf("%d builds after main.js, want 1", n)
	}
	f.get(t, "/@id/cjs")
	f.get(t, "/@id/esm")
	if n := f.srv.ext.builds.Load(); n != 1 {
		t.Errorf("%d builds, want 1", n)
	}
	if got := svc.reloadReasons(); len(got) != 0 {
		t.Errorf("reloads %q", got)
	}
	// ETags: an unchanged entry revalidates.
	r := f.get(t, "/@id/esm")
	if etag := r.header.Get("ETag"); etag == "" {
		t.Error("no ETag")
	} else if again := f.get(t, "/@id/esm", "If-None-Match: "+etag); again.status != 304 {
		t.Errorf("If-None-Match: %d", again.status)
	}
}

// The names importers import from a CommonJS package are exported even
// when its text does not show them (a UMD factory); a name asked for
// later rebuilds, and the names survive in the disk cache.
func TestDepsImportedNamesOfCommonJS(t *testing.T) {
	svc := newFakeService()
	umd := map[string]engine.ImportTarget{"umd": {ID: "/@id/umd", Kind: "external"}}
	svc.add("/src/main.js", "js", 0, umd)
	svc.add("/src/other.js", "js", 0, umd)
	files := map[string]string{
		"node_modules/umd/package.json": `{ "name": "umd", "main": "umd.js" }`,
		"node_modules/umd/umd.js":       "(function (root, factory) {\n  if (typeof module === 'object') module.exports = factory();\n  else root.Umd = factory();\n})(this, function () { return { hidden: 1, also: 2 }; });\n",
		"src/main.js":                   "import umd, { hidden } from 'umd'\nconsole.log(umd, hidden)\n",
		"src/other.js":                  "import { also } from 'umd'\nconsole.log(also)\n",
	}
	f := newFixture(t, svc, files)
	f.get(t, "/src/main.js")
	r := f.get(t, "/@id/umd")
	if ex := exportNames(r.body); !ex["hidden"] || !ex["default"] || ex["also"] {
		t.Errorf("/@id/umd after main.js:\n%s", r.body)
	}
	f.get(t, "/src/other.js")
	r = f.get(t, "/@id/umd")
	if ex := exportNames(r.body); !ex["hidden"] || !ex["also"] {
		t.Errorf("/@id/umd after other.js:\n%s", r.body)
	}
	want := []string{"new dependencies optimized: umd (also), reloading"}
	if got := svc.reloadReasons(); !slices.Equal(got, want) {
		t.Errorf("reloads %q, want %q", got, want)
	}
	if n := f.srv.ext.builds.Load(); n != 2 {
		t.Errorf("%d builds, want 2", n)
	}
	// A new server: both names come from the cache, no build.
	g := serveTree(t, svc, f.parent, f.root)
	g.get(t, "/src/main.js")
	g.get(t, "/src/other.js")
	if n := g.srv.ext.builds.Load(); n != 0 {
		t.Errorf("%d builds from the cache, want 0", n)
	}
}
