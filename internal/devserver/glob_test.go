package devserver

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/hmrd/hmrd/internal/engine"
	"github.com/hmrd/hmrd/internal/scan/jsscan"
	"github.com/hmrd/hmrd/internal/vfs"
)

// import.meta.glob calls served through the real engine: each becomes the
// object Vite writes, keyed as Vite keys it, importing the module URLs
// the graph links (with the query, the import marker of non-JS files and,
// after an edit, the version).
func TestGlobRewrite(t *testing.T) {
	files := map[string]string{
		"index.html": `<script type="module" src="/src/main.ts"></script>`,
		"src/main.ts": "const lazy = import.meta.glob(['./pages/*.js', '!./pages/skip.js'])\n" +
			"const eager = import.meta.glob('/src/parts/*.js', { eager: true, import: 'default' })\n" +
			"const named = import.meta.glob<string>('./pages/*.js', { import: 'name', query: { foo: 'bar' } })\n" +
			"const data = import.meta.glob('./data/*.json', {\n  eager: true,\n})\n" +
			"const outside = import.meta.glob('../../*.js')\n" +
			"console.log(lazy, eager, named, data, outside)\n",
		"src/pages/a.js":    "export const name = 'a'\n",
		"src/pages/b.js":    "export const name = 'b'\n",
		"src/pages/skip.js": "export const name = 'skip'\n",
		"src/parts/x.js":    "export default 'x'\n",
		"src/data/d.json":   "{}\n",
	}
	parent, root := newTree(t, files)
	p, _, err := engine.Open(vfs.OS{}, engine.Options{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	svc := &engineService{fakeService: newFakeService(), p: p}
	f := serveTree(t, svc, parent, root)

	r := f.get(t, "/src/main.ts")
	if r.status != 200 {
		t.Fatalf("main.ts: %d\n%s", r.status, r.body)
	}
	lines := strings.Split(r.body, "\n")
	want := []string{
		`import { default as __hmrd_glob_1_0 } from "/src/parts/x.js"; import * as __hmrd_glob_3_0 from "/src/data/d.json?import"; ` +
			`const lazy = Object.assign({"./pages/a.js": () => import("/src/pages/a.js"), "./pages/b.js": () => import("/src/pages/b.js")});`,
		`const eager = Object.assign({"/src/parts/x.js": __hmrd_glob_1_0});`,
		`const named = Object.assign({"./pages/a.js": () => import("/src/pages/a.js?foo=bar").then((m) => m["name"]), "./pages/b.js": () => import("/src/pages/b.js?foo=bar").then((m) => m["name"]), ` +
			`"./pages/skip.js": () => import("/src/pages/skip.js?foo=bar").then((m) => m["name"])});`,
		`const data = Object.assign({"./data/d.json": __hmrd_glob_3_0})`,
		``,
		`;`,
	}
	if len(lines) < len(want)+2 {
		t.Fatalf("body:\n%s", r.body)
	}
	for i, w := range want {
		if strings.TrimRight(lines[i], " ") != w {
			t.Errorf("line %d:\n got %s\nwant %s", i+1, lines[i], w)
		}
	}
	if !strings.Contains(lines[len(want)], `throw new Error(`) || !strings.Contains(lines[len(want)], "outside the project root") {
		t.Errorf("a pattern outside the root does not throw its reason: %s", lines[len(want)])
	}

	// An edit of a match: the importer's rewrite carries its version.
	if err := os.WriteFile(filepath.Join(root, "src/pages/a.js"), []byte("export const name = 'A'\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	svc.mu.Lock()
	p.MarkLoaded("/src/pages/a.js")
	plan := p.Apply([]string{filepath.Join(root, "src/pages/a.js")})
	svc.mu.Unlock()
	if plan.Version == 0 {
		t.Fatalf("edit: %+v", plan)
	}
	v := strconv.FormatInt(plan.Version, 10)
	r = f.get(t, "/src/main.ts")
	for _, w := range []string{`import("/src/pages/a.js?t=` + v + `")`, `import("/src/pages/a.js?foo=bar&t=` + v + `")`} {
		if !strings.Contains(r.body, w) {
			t.Errorf("after the edit, missing %s in:\n%s", w, r.body)
		}
	}
}

// A module the graph does not know gets calls that throw, not an empty
// object that would hide the files.
func TestGlobUnknownToGraph(t *testing.T) {
	code := []byte("const m = import.meta.glob('./a/*.js')\n")
	res, err := jsscan.ScanUnchecked(code, jsscan.Options{Loader: jsscan.LoaderJS})
	if err != nil {
		t.Fatal(err)
	}
	out := string(applyEdits(code, sortEdits(globEdits(code, res.MetaGlobs, nil, 0))))
	if !strings.HasPrefix(out, `const m = (() => { throw new Error("hmrd: import.meta.glob(\"./a/*.js\") has no matches in the module graph`) {
		t.Fatalf("got %s", out)
	}
}
