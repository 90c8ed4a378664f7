package propagate

import (
	"strings"
	"testing"

	"github.com/hmrd/hmrd/internal/graph/modgraph"
)

// build makes page → main → app → stuff, with app self-accepting when asked.
func build(appAccepts bool) (*modgraph.Graph, map[string]modgraph.Ref) {
	g := modgraph.New()
	refs := map[string]modgraph.Ref{}
	add := func(id string, k modgraph.Kind) modgraph.Ref {
		r, _ := g.Add(id, "/p"+id, k)
		refs[id] = r
		return r
	}
	page := add("/index.html", modgraph.KindHTML)
	main := add("/src/main.js", modgraph.KindJS)
	app := add("/src/app.js", modgraph.KindJS)
	stuff := add("/src/stuff.js", modgraph.KindJS)
	g.SetEntry(page, true)
	g.SetImports(page, []modgraph.Import{{Specifier: "/src/main.js", Kind: modgraph.EdgeScript, Target: main}})
	g.SetImports(main, []modgraph.Import{{Specifier: "./app.js", Kind: modgraph.EdgeStatic, Bindings: []string{"render"}, Target: app}})
	g.SetImports(app, []modgraph.Import{{Specifier: "./stuff.js", Kind: modgraph.EdgeStatic, Bindings: []string{"value"}, Target: stuff}})
	g.SetHot(app, modgraph.Hot{SelfAccepting: appAccepts})
	return g, refs
}

func TestCompute(t *testing.T) {
	tests := []struct {
		name       string
		appAccepts bool
		edit       string
		wantUpdate string // boundary, or "" for a full reload
	}{
		{"dep of self-accepting module", true, "/src/stuff.js", "/src/app.js"},
		{"self-accepting module itself", true, "/src/app.js", "/src/app.js"},
		{"no boundary reloads", false, "/src/stuff.js", ""},
		{"entry reloads", true, "/src/main.js", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g, refs := build(tc.appAccepts)
			res := Compute(g, []modgraph.Ref{refs[tc.edit]}, Options{})
			if tc.wantUpdate == "" {
				if res.FullReload == nil {
					t.Fatalf("want full reload, got %+v", res)
				}
				if !strings.Contains(res.FullReload.Reason, "(entry, does not accept)") || res.FullReload.TriggeredBy != tc.edit {
					t.Fatalf("reload %+v", res.FullReload)
				}
				return
			}
			if res.FullReload != nil || len(res.Updates) != 1 || res.Updates[0].Path != tc.wantUpdate {
				t.Fatalf("got %+v", res)
			}
		})
	}
}

func TestLivenessPrunesAndNeverLoadedIsSilent(t *testing.T) {
	g, refs := build(true)
	if !g.Mod(refs["/src/stuff.js"]).Live || !g.Mod(refs["/src/stuff.js"]).Loaded {
		t.Fatal("stuff.js should be live and loaded")
	}
	// app drops its import of stuff: stuff is pruned and an edit of it is silent.
	g.SetImports(refs["/src/app.js"], nil)
	pruned := g.RefreshLiveness()
	if len(pruned) != 1 || pruned[0] != refs["/src/stuff.js"] {
		t.Fatalf("pruned %v", pruned)
	}
	if res := Compute(g, []modgraph.Ref{refs["/src/stuff.js"]}, Options{}); !res.Empty() {
		t.Fatalf("edit of a pruned module signalled %+v", res)
	}
	// Re-imported dynamically: live but not loaded until a runtime says so.
	g.SetImports(refs["/src/app.js"], []modgraph.Import{{Specifier: "./stuff.js", Kind: modgraph.EdgeDynamic, Bindings: []string{"*"}, Target: refs["/src/stuff.js"]}})
	if m := g.Mod(refs["/src/stuff.js"]); !m.Live || m.Loaded {
		t.Fatalf("dynamic import: live=%v loaded=%v", m.Live, m.Loaded)
	}
	if res := Compute(g, []modgraph.Ref{refs["/src/stuff.js"]}, Options{}); !res.Empty() {
		t.Fatalf("edit of a never-loaded module signalled %+v", res)
	}
	g.MarkLoaded(refs["/src/stuff.js"])
	if res := Compute(g, []modgraph.Ref{refs["/src/stuff.js"]}, Options{}); len(res.Updates) != 1 {
		t.Fatalf("after load: %+v", res)
	}
}
