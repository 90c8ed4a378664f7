package engine

import (
	"slices"
	"strings"
	"testing"

	"github.com/hmrd/hmrd/internal/graph/modgraph"
)

// importBindings lists "ID binding" for a module's imports of one kind.
func importBindings(p *Project, id string, kind modgraph.EdgeKind) []string {
	r, ok := p.lookup(id)
	if !ok {
		return nil
	}
	var out []string
	for _, imp := range p.g.Mod(r).Imports {
		if imp.Kind == kind && imp.Target != modgraph.None {
			out = append(out, p.g.Mod(imp.Target).ID+" "+strings.Join(imp.Bindings, ","))
		}
	}
	return out
}

// Lazy matches are dynamic edges, eager ones static, with the binding the
// import option names; negative patterns, the importer itself, node_modules
// and dot-directories are left out.
func TestMetaGlobEdges(t *testing.T) {
	p, _ := openMem(t, map[string]string{
		"index.html":                  `<script type="module" src="/src/main.js"></script>`,
		"src/main.js":                 "export const lazy = import.meta.glob(['./pages/*.js', '!./pages/skip.js', './main.js'])\nexport const eager = import.meta.glob('/src/parts/**/*.js', { eager: true, import: 'default' })" + selfAccept,
		"src/pages/a.js":              "export default 1\n",
		"src/pages/b.js":              "export default 1\n",
		"src/pages/skip.js":           "export default 1\n",
		"src/pages/c.ts":              "export default 1\n",
		"src/parts/x.js":              "export default 1\n",
		"src/parts/deep/y.js":         "export default 1\n",
		"src/parts/node_modules/z.js": "export default 1\n",
		"src/parts/.hidden/h.js":      "export default 1\n",
	})
	if got, want := importBindings(p, "/src/main.js", modgraph.EdgeDynamic), []string{"/src/pages/a.js *", "/src/pages/b.js *"}; !slices.Equal(got, want) {
		t.Errorf("lazy edges %v, want %v", got, want)
	}
	if got, want := importBindings(p, "/src/main.js", modgraph.EdgeStatic), []string{"/src/parts/deep/y.js default", "/src/parts/x.js default"}; !slices.Equal(got, want) {
		t.Errorf("eager edges %v, want %v", got, want)
	}
	info, ok := p.ServeInfo("/src/main.js", nil)
	if !ok || len(info.Globs) != 2 {
		t.Fatalf("serve info %+v", info)
	}
	var keys []string
	for _, gc := range info.Globs {
		for _, m := range gc.Matches {
			keys = append(keys, m.Key+"="+m.Spec+"->"+m.Target.ID)
		}
	}
	want := []string{
		"./pages/a.js=./pages/a.js->/src/pages/a.js",
		"./pages/b.js=./pages/b.js->/src/pages/b.js",
		"/src/parts/deep/y.js=./parts/deep/y.js->/src/parts/deep/y.js",
		"/src/parts/x.js=./parts/x.js->/src/parts/x.js",
	}
	if !slices.Equal(keys, want) {
		t.Errorf("keys\n%s\nwant\n%s", strings.Join(keys, "\n"), strings.Join(want, "\n"))
	}
}

// Adding a matching file links it and updates the importer, as Vite
// invalidates the importer; removing it unlinks it the same way. A file
// the patterns do not match changes nothing.
func TestMetaGlobRelink(t *testing.T) {
	p, mem := openMem(t, map[string]string{
		"index.html":     `<script type="module" src="/src/main.js"></script>`,
		"src/main.js":    "export const m = import.meta.glob('./pages/*.js', { eager: true })" + selfAccept,
		"src/pages/a.js": "export default 1\n",
	})
	mem.WriteFile(caseRoot+"/src/pages/b.js", []byte("export default 2\n"))
	plan := p.Apply([]string{caseRoot + "/src/pages/b.js"})
	if got := importIDs(p, "/src/main.js", modgraph.EdgeStatic); !slices.Equal(got, []string{"/src/pages/a.js", "/src/pages/b.js"}) {
		t.Fatalf("edges after create: %v", got)
	}
	if len(plan.Updates) != 1 || plan.Updates[0].Path != "/src/main.js" || plan.FullReload != nil {
		t.Fatalf("create: plan %+v", plan)
	}
	mem.WriteFile(caseRoot+"/src/pages/notes.md", []byte("x\n"))
	if plan := p.Apply([]string{caseRoot + "/src/pages/notes.md"}); !plan.Empty() {
		t.Fatalf("a file the pattern does not match: %+v", plan)
	}
	mem.Remove(caseRoot + "/src/pages/a.js")
	plan = p.Apply([]string{caseRoot + "/src/pages/a.js"})
	if got := importIDs(p, "/src/main.js", modgraph.EdgeStatic); !slices.Equal(got, []string{"/src/pages/b.js"}) {
		t.Fatalf("edges after delete: %v", got)
	}
	if len(plan.Updates) != 1 || plan.Updates[0].Path != "/src/main.js" {
		t.Fatalf("delete: plan %+v", plan)
	}
	// An edit of a matched module propagates through the importer.
	mem.WriteFile(caseRoot+"/src/pages/b.js", []byte("export default 3\n"))
	plan = p.Apply([]string{caseRoot + "/src/pages/b.js"})
	if len(plan.Updates) != 1 || plan.Updates[0].Path != "/src/main.js" || plan.Updates[0].AcceptedPath != "/src/main.js" {
		t.Fatalf("edit: plan %+v", plan)
	}
}

// A lazy match takes part in propagation once it was loaded, as any
// import() target: before, its edit reaches no runtime.
func TestMetaGlobLazyLoadedRule(t *testing.T) {
	p, mem := openMem(t, map[string]string{
		"index.html":     `<script type="module" src="/src/main.js"></script>`,
		"src/main.js":    "export const m = import.meta.glob('./pages/*.js')" + selfAccept,
		"src/pages/a.js": "export default 1\n",
	})
	mem.WriteFile(caseRoot+"/src/pages/a.js", []byte("export default 2\n"))
	if plan := p.Apply([]string{caseRoot + "/src/pages/a.js"}); len(plan.Updates) != 0 || plan.FullReload != nil {
		t.Fatalf("an edit of a match never loaded: %+v", plan)
	}
	p.MarkLoaded("/src/pages/a.js")
	mem.WriteFile(caseRoot+"/src/pages/a.js", []byte("export default 3\n"))
	plan := p.Apply([]string{caseRoot + "/src/pages/a.js"})
	if len(plan.Updates) != 1 || plan.Updates[0].Path != "/src/main.js" {
		t.Fatalf("an edit of a loaded match: %+v", plan)
	}
}

// Patterns are confined to the root: one reaching outside matches
// nothing and is reported.
func TestMetaGlobConfined(t *testing.T) {
	p, mem := openMem(t, map[string]string{
		"index.html":  `<script type="module" src="/src/main.js"></script>`,
		"src/main.js": "export const m = import.meta.glob(['../../*', '/../etc/*'])\nexport const n = import.meta.glob('./*.js', { base: '../..' })" + selfAccept,
		"src/a.js":    "export default 1\n",
	})
	if got := importIDs(p, "/src/main.js", modgraph.EdgeDynamic); len(got) != 0 {
		t.Fatalf("edges outside the root: %v", got)
	}
	info, _ := p.ServeInfo("/src/main.js", nil)
	if len(info.Globs) != 2 || !strings.Contains(info.Globs[0].Err, "outside the project root") || !strings.Contains(info.Globs[1].Err, "outside the project root") {
		t.Fatalf("globs %+v", info.Globs)
	}
	// Refused patterns and calls that are not static are GLOB warnings.
	mem.WriteFile(caseRoot+"/src/main.js", []byte("export const m = import.meta.glob('../../*')\nexport const d = import.meta.glob(dir)"+selfAccept))
	plan := p.Apply([]string{caseRoot + "/src/main.js"})
	var codes []string
	for _, w := range plan.Warnings {
		codes = append(codes, w.Code)
	}
	if !slices.Equal(codes, []string{"GLOB", "GLOB"}) {
		t.Errorf("warnings %+v, want two GLOB warnings", plan.Warnings)
	}
}

// Keys as Vite computes them: relative to base when it is given (imports
// root-relative for a root-relative base), root-relative for patterns that
// do not all start with "." or "!".
func TestMetaGlobKeys(t *testing.T) {
	p, _ := openMem(t, map[string]string{
		"index.html":          `<script type="module" src="/src/main.js"></script>`,
		"src/main.js":         "import.meta.glob('./*.js', { base: './pages' })\nimport.meta.glob('./*.js', { base: '/src/pages', query: '?x' })\nimport.meta.glob(['**/b.js', './pages/a.js'])" + selfAccept,
		"src/pages/a.js":      "export default 1\n",
		"src/pages/deep/b.js": "export default 1\n",
	})
	info, _ := p.ServeInfo("/src/main.js", nil)
	var got []string
	for _, gc := range info.Globs {
		var keys []string
		for _, m := range gc.Matches {
			keys = append(keys, m.Key+"="+m.Spec)
		}
		got = append(got, strings.Join(keys, " "))
	}
	want := []string{
		"./a.js=./pages/a.js",
		"./a.js=/src/pages/a.js?x",
		"/src/pages/a.js=./pages/a.js /src/pages/deep/b.js=./pages/deep/b.js",
	}
	if !slices.Equal(got, want) {
		t.Errorf("keys\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
