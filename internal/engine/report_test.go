package engine

import (
	"slices"
	"strings"
	"testing"

	"github.com/hmrd/hmrd/internal/graph/modgraph"
)

// bundled is a project whose /src/app.js a bundler owns: it imports a
// virtual module of the bundler's, virtual:routes, and accepts itself.
func bundled(t *testing.T) *Project {
	t.Helper()
	p, _ := openMem(t, map[string]string{
		"index.html":  `<script type="module" src="/src/main.js"></script>`,
		"src/main.js": "import './app.js'\n",
		"src/app.js":  "console.log('app')\n" + selfAccept,
	})
	rep := Report{Owner: "r1", Modules: []ReportedModule{
		{ID: "/src/app.js", Imports: []ReportedImport{{Target: "virtual:routes", Kind: modgraph.EdgeStatic}}, SelfAccepting: true},
		{ID: "virtual:routes", Virtual: true, Exports: []string{"default"}},
	}}
	if err := rep.Validate(); err != nil {
		t.Fatal(err)
	}
	p.Report(rep)
	if p.Owner("virtual:routes") != "r1" || !p.g.Mod(mustRef(t, p, "virtual:routes")).Live {
		t.Fatalf("virtual:routes after the report: owner %q, graph %+v", p.Owner("virtual:routes"), p.Snapshot().Modules)
	}
	return p
}

func mustRef(t *testing.T, p *Project, id string) modgraph.Ref {
	t.Helper()
	r, ok := p.g.LookupID(id)
	if !ok {
		t.Fatalf("%s is not in the graph", id)
	}
	return r
}

// A change of a virtual module a bundler reports propagates to the
// importer that accepts it, as an edit of a file would.
func TestReportedChangePropagates(t *testing.T) {
	p := bundled(t)
	plan := p.Report(Report{Owner: "r1", Changes: []Change{{Module: "virtual:routes", Kind: ChangeUpdate}}})
	if len(plan.Updates) != 1 || plan.Updates[0].Path != "/src/app.js" || plan.FullReload != nil {
		t.Fatalf("plan: updates %+v, full reload %+v; want /src/app.js to take the update", plan.Updates, plan.FullReload)
	}
	if !slices.Contains(plan.Triggers, "virtual:routes") || plan.Versions["virtual:routes"] == 0 {
		t.Fatalf("plan triggers %v, versions %v", plan.Triggers, plan.Versions)
	}
	if want := (Change{Module: "virtual:routes", Kind: ChangeUpdate}); !slices.Contains(plan.Changes, want) {
		t.Fatalf("plan changes %+v, want %+v", plan.Changes, want)
	}
}

// A module a bundler owns is not scanned: its file's edit changes it, and
// the bundler's facts stand.
func TestOwnedFileEditKeepsReportedFacts(t *testing.T) {
	p := bundled(t)
	mem := p.fs.(interface{ WriteFile(string, []byte) })
	app := caseRoot + "/src/app.js"
	mem.WriteFile(app, []byte("console.log('app 2')\n"+selfAccept))
	plan := p.Apply([]string{app})
	if len(plan.Updates) != 1 || plan.Updates[0].Path != "/src/app.js" {
		t.Fatalf("updates %+v", plan.Updates)
	}
	if len(plan.Prune) > 0 {
		t.Fatalf("the edit pruned %v: the scanner replaced the bundler's facts", plan.Prune)
	}
	if want := (Change{File: app, Module: "/src/app.js", Kind: ChangeUpdate}); !slices.Equal(plan.Changes, []Change{want}) {
		t.Fatalf("changes %+v, want %+v", plan.Changes, want)
	}
}

// When the registration ends its facts go: /src/app.js goes back to the
// scanner (whose facts do not import the virtual module), and the virtual
// module, which no file backs, leaves the graph and is pruned.
func TestWithdrawnFactsFallBackAndPrune(t *testing.T) {
	p := bundled(t)
	plan := p.Withdraw("r1")
	if !slices.Equal(plan.Prune, []string{"virtual:routes"}) || plan.FullReload != nil {
		t.Fatalf("prune %v, full reload %+v; want virtual:routes pruned", plan.Prune, plan.FullReload)
	}
	if p.Has("virtual:routes") || p.Owner("/src/app.js") != "" || p.Owned("r1") != 0 {
		t.Fatalf("after withdraw: virtual:routes in graph %v, /src/app.js owner %q", p.Has("virtual:routes"), p.Owner("/src/app.js"))
	}
	if m := p.g.Mod(mustRef(t, p, "/src/app.js")); len(m.Imports) != 0 || !m.Hot.SelfAccepting {
		t.Fatalf("/src/app.js after fallback: imports %+v, hot %+v", m.Imports, m.Hot)
	}
}

// A virtual module an accepting importer still imports, deleted by its
// bundler, is a deleted module: the importer takes the change.
func TestReportedDeleteIsADeletedModule(t *testing.T) {
	p := bundled(t)
	plan := p.Report(Report{Owner: "r1", Changes: []Change{{Module: "virtual:routes", Kind: ChangeDelete}}})
	if len(plan.Updates) != 1 || plan.Updates[0].Path != "/src/app.js" {
		t.Fatalf("updates %+v, full reload %+v", plan.Updates, plan.FullReload)
	}
	if p.Has("virtual:routes") {
		t.Fatal("virtual:routes is still in the graph")
	}
}

// Watched files say how they changed.
func TestApplyReportsChangeKinds(t *testing.T) {
	p, mem := openMem(t, map[string]string{
		"index.html":  `<script type="module" src="/src/main.js"></script>`,
		"src/main.js": "import './a.js'\n" + selfAccept,
		"src/a.js":    "export const a = 1\n",
	})
	a, b := caseRoot+"/src/a.js", caseRoot+"/src/b.js"
	mem.Remove(a)
	mem.WriteFile(b, []byte("export const b = 1\n"))
	mem.WriteFile(caseRoot+"/src/main.js", []byte("import './b.js'\n"+selfAccept))
	plan := p.Apply([]string{a, b, caseRoot + "/src/main.js"})
	want := []Change{
		{File: a, Module: "/src/a.js", Kind: ChangeDelete},
		{File: b, Kind: ChangeCreate},
		{File: caseRoot + "/src/main.js", Module: "/src/main.js", Kind: ChangeUpdate},
	}
	if !slices.Equal(plan.Changes, want) {
		t.Fatalf("changes %+v\nwant %+v", plan.Changes, want)
	}
}

func TestReportValidate(t *testing.T) {
	bad := map[string]Report{
		"empty id":         {Modules: []ReportedModule{{}}},
		"twice":            {Modules: []ReportedModule{{ID: "a"}, {ID: "a"}}},
		"kind":             {Modules: []ReportedModule{{ID: "a", Kind: "wasm"}}},
		"virtual files":    {Modules: []ReportedModule{{ID: "a", Virtual: true, Files: []string{"/x"}}}},
		"accepts unknown":  {Modules: []ReportedModule{{ID: "a", AcceptedDeps: []string{"b"}}}},
		"change both":      {Changes: []Change{{File: "/a", Module: "a", Kind: ChangeUpdate}}},
		"change kind":      {Changes: []Change{{Module: "a"}}},
		"external":         {Withdraw: []string{"/@id/react"}},
		"long":             {Modules: []ReportedModule{{ID: strings.Repeat("x", maxReportString+1)}}},
		"nul path":         {Modules: []ReportedModule{{ID: "a", Files: []string{"/a\x00"}}}},
		"empty import":     {Modules: []ReportedModule{{ID: "a", Imports: []ReportedImport{{}}}}},
		"import edge kind": {Modules: []ReportedModule{{ID: "a", Imports: []ReportedImport{{Target: "b", Kind: 200}}}}},
	}
	for name, r := range bad {
		if err := r.Validate(); err == nil {
			t.Errorf("%s: Validate accepted %+v", name, r)
		}
	}
}

// FuzzReport applies arbitrary reports (as a bundler may send them) to a
// project, then withdraws them: nothing panics, and after the withdrawal
// the bundler owns nothing and no virtual module is left.
func FuzzReport(f *testing.F) {
	f.Add("virtual:a", "/src/app.js", "virtual:b", uint8(0), uint8(1), true)
	f.Add("/src/app.js", "/src/main.js", "/src/app.js", uint8(2), uint8(3), false)
	f.Add("/@fs/x", "", "virtual:a", uint8(4), uint8(2), true)
	f.Fuzz(func(t *testing.T, id, target, changed string, edge, kind uint8, accept bool) {
		p, _ := openMem(t, map[string]string{
			"index.html":  `<script type="module" src="/src/main.js"></script>`,
			"src/main.js": "import './app.js'\n",
			"src/app.js":  "export const x = 1\n" + selfAccept,
		})
		m := ReportedModule{ID: id, Virtual: !strings.HasPrefix(id, "/"), SelfAccepting: accept,
			Imports: []ReportedImport{{Target: target, Kind: modgraph.EdgeKind(edge % 8)}}}
		if accept {
			m.AcceptedDeps = []string{target}
		}
		app := ReportedModule{ID: "/src/app.js", Imports: []ReportedImport{{Target: id}}}
		rep := Report{Owner: "r", Modules: []ReportedModule{m, app},
			Changes: []Change{{Module: changed, Kind: ChangeKind(kind % 4)}}}
		if rep.Validate() != nil {
			return
		}
		p.Report(rep)
		p.Report(Report{Owner: "r", Changes: []Change{{Module: id, Kind: ChangeDelete}}})
		p.Withdraw("r")
		if n := p.Owned("r"); n != 0 {
			t.Fatalf("%d modules still owned after the withdrawal", n)
		}
		for _, mi := range p.Snapshot().Modules {
			if mi.Registration != "" || mi.File == "" && mi.Kind != "external" {
				t.Fatalf("left after the withdrawal: %+v", mi)
			}
		}
	})
}

// A single-file component a scanned module imports is in the graph as an
// asset (its extension is no script's) before the bundler reports it; the
// bundler's kind replaces that, so the component's own accept makes it a
// boundary, as in Vite, instead of an asset whose edit re-runs its importer.
func TestReportedKindReplacesTheScannersGuess(t *testing.T) {
	p, _ := openMem(t, map[string]string{
		"index.html":  `<script type="module" src="/src/main.js"></script>`,
		"src/main.js": "import App from './App.vue'\nconsole.log(App)\n",
		"src/App.vue": "<template><h1>hi</h1></template>\n",
	})
	if k := p.g.Mod(mustRef(t, p, "/src/App.vue")).Kind; k != modgraph.KindAsset {
		t.Fatalf("/src/App.vue before the report is %v, want an asset", k)
	}
	p.Report(Report{Owner: "r1", Modules: []ReportedModule{{ID: "/src/App.vue", Kind: "js", SelfAccepting: true}}})
	if k := p.g.Mod(mustRef(t, p, "/src/App.vue")).Kind; k != modgraph.KindJS {
		t.Fatalf("/src/App.vue after the report is %v, want js", k)
	}
	mem := p.fs.(interface{ WriteFile(string, []byte) })
	app := caseRoot + "/src/App.vue"
	mem.WriteFile(app, []byte("<template><h1>hello</h1></template>\n"))
	plan := p.Apply([]string{app})
	if plan.FullReload != nil || len(plan.Updates) != 1 || plan.Updates[0].Path != "/src/App.vue" {
		t.Fatalf("plan: updates %+v, full reload %+v; want /src/App.vue to accept itself", plan.Updates, plan.FullReload)
	}
}
