package devserver

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/hmrd/hmrd/internal/engine"
	"github.com/hmrd/hmrd/internal/vfs"
)

// TestWithEngine serves a tree through the real engine, so rewriting is
// checked against real resolution: relative imports, TS's "./x.js" for
// x.ts, CSS, JSON, assets, packages, an accept dep, versions after an edit,
// and a lazy module marked loaded by its fetch.
func TestWithEngine(t *testing.T) {
	files := map[string]string{
		"index.html": "<!doctype html><head></head>\n<script type=\"module\" src=\"/src/main.ts\"></script>\n" +
			"<script type=\"module\">import { boot } from './src/boot.js'; boot()</script>\n",
		"src/main.ts": "import { x } from './x.js'\n" +
			"import './style.css'\n" +
			"import data from './data.json'\n" +
			"import logo from './logo.svg'\n" +
			"import classes from './card.module.css'\n" +
			"import { lib } from 'lib'\n" +
			"import { nope } from './nope.js'\n" +
			"const n: number = x\n" +
			"console.log(n, data, logo, classes, lib, nope, import('./lazy.ts'))\n" +
			"if (import.meta.hot) import.meta.hot.accept('./x.js', () => {})\n",
		"src/x.ts":                      "export const x: number = 1\n",
		"src/boot.js":                   "export const boot = () => {}\n",
		"src/lazy.ts":                   "export const lazy = 1\n",
		"src/style.css":                 "body { color: red }\n",
		"src/card.module.css":           ".card { color: red }\n",
		"src/data.json":                 "{\"a\": 1}\n",
		"src/logo.svg":                  "<svg/>",
		"node_modules/lib/package.json": `{"name": "lib", "module": "./index.js"}`,
		"node_modules/lib/index.js":     "export const lib = 'lib'\n",
	}
	parent, root := newTree(t, files)
	p, plan, err := engine.Open(vfs.OS{}, engine.Options{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range plan.Errors {
		if e.Module == "/src/main.ts" && e.Code == "UNRESOLVED_IMPORT" && strings.Contains(e.Message, `"./nope.js"`) {
			continue // on purpose: it is served as written
		}
		t.Fatalf("open: %+v", e)
	}
	svc := &engineService{fakeService: newFakeService(), p: p}
	f := serveTree(t, svc, parent, root)

	r := f.get(t, "/src/main.ts")
	if r.status != 200 {
		t.Fatalf("main.ts: %d\n%s", r.status, r.body)
	}
	for _, w := range []string{
		`from "/src/x.ts";`,
		`import "/src/style.css?import";`,
		`from "/src/data.json?import";`,
		`from "/src/logo.svg?import";`,
		`from "/src/card.module.css?import";`,
		`from "/@id/lib";`,
		`from "./nope.js";`, // unresolved: as written
		`import("/src/lazy.ts")`,
		`accept("/src/x.ts",`,
		preludeOf + `"/src/main.ts");`,
	} {
		if !strings.Contains(r.body, w) {
			t.Errorf("main.ts: missing %q in:\n%s", w, r.body)
		}
	}
	if r := f.get(t, "/"); !strings.Contains(r.body, `import { boot } from '/src/boot.js'`) {
		t.Errorf("index.html inline script not rewritten:\n%s", r.body)
	}
	for _, u := range []string{"/src/style.css?import", "/src/data.json?import", "/src/logo.svg?import", "/src/card.module.css?import", "/@id/lib", "/src/x.ts"} {
		if r := f.get(t, u); r.status != 200 {
			t.Errorf("%s: %d\n%s", u, r.status, r.body)
		}
	}

	// The lazy module counts as loaded once fetched: before, an edit of it
	// signals nothing; after, it propagates.
	ex := p.Explain("/src/lazy.ts")
	if ex.Loaded {
		t.Fatalf("lazy module loaded before any fetch: %+v", ex)
	}
	f.get(t, "/src/lazy.ts")
	svc.mu.Lock()
	ex = p.Explain("/src/lazy.ts")
	svc.mu.Unlock()
	if !ex.Loaded {
		t.Fatalf("lazy module not loaded after its fetch: %+v", ex)
	}

	// Edit x.ts: it gets a version, which its importer's rewrite carries;
	// the accept-dep literal stays the bare ID.
	if err := os.WriteFile(filepath.Join(f.root, "src/x.ts"), []byte("export const x: number = 2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	svc.mu.Lock()
	plan = p.Apply([]string{filepath.Join(f.root, "src/x.ts")})
	svc.mu.Unlock()
	if plan.Version == 0 {
		t.Fatalf("edit produced no version: %+v", plan)
	}
	r = f.get(t, "/src/main.ts")
	v := strconv.FormatInt(plan.Version, 10)
	if !strings.Contains(r.body, `from "/src/x.ts?t=`+v+`";`) || !strings.Contains(r.body, `accept("/src/x.ts",`) {
		t.Errorf("after edit: want x.ts?t=%s and a bare accept dep in:\n%s", v, r.body)
	}
}
