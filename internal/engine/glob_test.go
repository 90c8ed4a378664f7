package engine

import (
	"slices"
	"testing"

	"github.com/hmrd/hmrd/internal/graph/modgraph"
)

// importIDs lists the targets of a module's imports of one kind.
func importIDs(p *Project, id string, kind modgraph.EdgeKind) []string {
	r, ok := p.lookup(id)
	if !ok {
		return nil
	}
	var out []string
	for _, imp := range p.g.Mod(r).Imports {
		if imp.Kind == kind && imp.Target != modgraph.None {
			out = append(out, p.g.Mod(imp.Target).ID)
		}
	}
	return out
}

// A directory that appears with its files (moved in, checked out) and is
// reported alone still grows the globs that reach into it.
func TestGlobGrowsWithCreatedDirectory(t *testing.T) {
	p, mem := openMem(t, map[string]string{
		"index.html":         `<script type="module" src="/src/main.js"></script>`,
		"src/main.js":        "export const load = (l) => import(`./locales/${l}.js`)" + selfAccept,
		"src/locales/en.js":  "export default 1\n",
		"src/other/skip.js":  "export default 1\n",
		"src/locales/x.json": "{}\n",
	})
	if got := importIDs(p, "/src/main.js", modgraph.EdgeDynamic); !slices.Equal(got, []string{"/src/locales/en.js"}) {
		t.Fatalf("imports at open: %v", got)
	}
	mem.WriteFile(caseRoot+"/src/locales/pt/pt.js", []byte("export default 2\n"))
	mem.WriteFile(caseRoot+"/src/locales/pt/node_modules/x.js", []byte("export default 3\n"))
	mem.WriteFile(caseRoot+"/src/locales/pt/notes.txt", []byte("x\n"))
	plan := p.Apply([]string{caseRoot + "/src/locales/pt"})
	if got := importIDs(p, "/src/main.js", modgraph.EdgeDynamic); !slices.Equal(got, []string{"/src/locales/en.js", "/src/locales/pt/pt.js"}) {
		t.Fatalf("imports after the directory appeared: %v", got)
	}
	if len(plan.Updates) != 1 || plan.Updates[0].Path != "/src/main.js" {
		t.Fatalf("plan %+v", plan)
	}
	// Nor do files in directories globs do not search.
	mem.WriteFile(caseRoot+"/src/locales/node_modules/y.js", []byte("export default 2\n"))
	mem.WriteFile(caseRoot+"/src/locales/.cache/z.js", []byte("export default 2\n"))
	if plan := p.Apply([]string{caseRoot + "/src/locales/node_modules/y.js", caseRoot + "/src/locales/.cache/z.js"}); !plan.Empty() {
		t.Fatalf("files in ignored directories: %+v", plan)
	}
	// A directory nothing reaches into changes nothing.
	mem.WriteFile(caseRoot+"/src/other/new/a.js", []byte("export default 2\n"))
	if plan := p.Apply([]string{caseRoot + "/src/other/new"}); !plan.Empty() {
		t.Fatalf("unrelated directory: %+v", plan)
	}
	// Removing the directory shrinks the glob again.
	mem.Remove(caseRoot + "/src/locales/pt")
	p.Apply([]string{caseRoot + "/src/locales/pt"})
	if got := importIDs(p, "/src/main.js", modgraph.EdgeDynamic); !slices.Equal(got, []string{"/src/locales/en.js"}) {
		t.Fatalf("imports after the directory went: %v", got)
	}
}

// An inline module script's glob is the page's edge, relative to the page.
func TestGlobInInlineScript(t *testing.T) {
	p, mem := openMem(t, map[string]string{
		"app/index.html":   "<script type=\"module\">const v = new URLSearchParams(location.search).get('v')\nimport(`./views/${v}.js`)\n</script>",
		"app/views/a.js":   "export default 1\n",
		"app/views/b.ts":   "export default 1\n",
		"app/views/c/d.js": "export default 1\n",
	})
	want := []string{"/app/views/a.js", "/app/views/c/d.js"}
	if got := importIDs(p, "/app/index.html", modgraph.EdgeDynamic); !slices.Equal(got, want) {
		t.Fatalf("page imports %v, want %v", got, want)
	}
	mem.WriteFile(caseRoot+"/app/views/e.js", []byte("export default 1\n"))
	plan := p.Apply([]string{caseRoot + "/app/views/e.js"})
	if got := importIDs(p, "/app/index.html", modgraph.EdgeDynamic); !slices.Contains(got, "/app/views/e.js") {
		t.Fatalf("page imports after create: %v", got)
	}
	if plan.FullReload == nil || plan.FullReload.Path != "/app/index.html" {
		t.Fatalf("a page whose glob changed reloads: %+v", plan)
	}
}

// Renaming a matched file moves its edge; an edit of the importer that
// drops the glob drops every edge of it and prunes what it alone reached.
func TestGlobRenameAndDrop(t *testing.T) {
	p, mem := openMem(t, map[string]string{
		"index.html":     `<script type="module" src="/src/main.js"></script>`,
		"src/main.js":    "import('./p/' + name)\nimport './p/a.js'" + selfAccept,
		"src/p/a.js":     "export default 1\n",
		"src/p/b.js":     "export default 1\n",
		"src/p/sub/c.js": "export default 1\n",
	})
	if got := importIDs(p, "/src/main.js", modgraph.EdgeDynamic); !slices.Equal(got, []string{"/src/p/a.js", "/src/p/b.js", "/src/p/sub/c.js"}) {
		t.Fatalf("imports at open: %v", got)
	}
	data, _ := mem.ReadFile(caseRoot + "/src/p/b.js")
	mem.Remove(caseRoot + "/src/p/b.js")
	mem.WriteFile(caseRoot+"/src/p/z.js", data)
	p.Apply([]string{caseRoot + "/src/p/b.js", caseRoot + "/src/p/z.js"})
	if got := importIDs(p, "/src/main.js", modgraph.EdgeDynamic); !slices.Equal(got, []string{"/src/p/a.js", "/src/p/sub/c.js", "/src/p/z.js"}) {
		t.Fatalf("imports after rename: %v", got)
	}
	if got := importIDs(p, "/src/main.js", modgraph.EdgeStatic); !slices.Equal(got, []string{"/src/p/a.js"}) {
		t.Fatalf("the static import is kept: %v", got)
	}
	mem.WriteFile(caseRoot+"/src/main.js", []byte("import './p/a.js'"+selfAccept))
	plan := p.Apply([]string{caseRoot + "/src/main.js"})
	slices.Sort(plan.Prune)
	if !slices.Equal(plan.Prune, []string{"/src/p/sub/c.js", "/src/p/z.js"}) {
		t.Fatalf("prune %v", plan.Prune)
	}
	mem.WriteFile(caseRoot+"/src/p/y.js", []byte("export default 1\n"))
	if plan := p.Apply([]string{caseRoot + "/src/p/y.js"}); !plan.Empty() {
		t.Fatalf("a glob that is gone still grows: %+v", plan)
	}
}
