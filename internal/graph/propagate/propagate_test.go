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

// A deleted module is no boundary: not of itself, not of an importer's
// accept(dep). Its importers take the change, and a dead end names it.
func TestDeletedModuleIsNoBoundary(t *testing.T) {
	t.Run("self-accepting", func(t *testing.T) {
		g, refs := build(true)
		app := refs["/src/app.js"]
		res := Compute(g, []modgraph.Ref{app}, Options{Deleted: []modgraph.Ref{app}})
		if res.FullReload == nil {
			t.Fatalf("deleted self-accepting app: want a full reload from main, got %+v", res.Updates)
		}
		want := "/src/app.js was deleted; no accept boundary: /src/app.js → /src/main.js (entry, does not accept)"
		if res.FullReload.Reason != want || res.FullReload.TriggeredBy != "/src/app.js" {
			t.Fatalf("reload %+v\nwant reason %q", res.FullReload, want)
		}
	})
	t.Run("accepted by its importer", func(t *testing.T) {
		g, refs := build(true)
		app, stuff := refs["/src/app.js"], refs["/src/stuff.js"]
		h := modgraph.Hot{SelfAccepting: true}
		h.SetLists([]modgraph.Ref{stuff}, nil, nil)
		g.SetHot(app, h)
		if res := Compute(g, []modgraph.Ref{stuff}, Options{}); len(res.Updates) != 1 || res.Updates[0].AcceptedPath != "/src/stuff.js" {
			t.Fatalf("edited stuff: want app accepting stuff, got %+v", res)
		}
		res := Compute(g, []modgraph.Ref{stuff}, Options{Deleted: []modgraph.Ref{stuff}})
		if res.FullReload != nil || len(res.Updates) != 1 || res.Updates[0].Path != "/src/app.js" || res.Updates[0].AcceptedPath != "/src/app.js" {
			t.Fatalf("deleted stuff: want app re-importing itself, got %+v", res)
		}
		if got := strings.Join(res.Updates[0].Chain, " → "); got != "/src/stuff.js → /src/app.js" {
			t.Fatalf("chain %s", got)
		}
	})
	t.Run("entry", func(t *testing.T) {
		g, refs := build(true)
		main := refs["/src/main.js"]
		res := Compute(g, []modgraph.Ref{main}, Options{Deleted: []modgraph.Ref{main}})
		want := "/src/main.js was deleted; no accept boundary: /src/main.js (entry)"
		if res.FullReload == nil || res.FullReload.Reason != want {
			t.Fatalf("got %+v, want reason %q", res, want)
		}
	})
}

// A batch whose changes reach a dead end and a boundary is a full reload
// that says what the boundary would have taken: a runtime that skips dead
// ends (webpack's ignoreUnaccepted) applies that. The module that reached
// the dead end contributes nothing, whichever comes first.
func TestDeadEndKeepsOtherChangesBoundaries(t *testing.T) {
	for _, order := range [][]string{{"/src/main.js", "/src/stuff.js"}, {"/src/stuff.js", "/src/main.js"}} {
		g, refs := build(true)
		changed := []modgraph.Ref{refs[order[0]], refs[order[1]]}
		res := Compute(g, changed, Options{})
		fr := res.FullReload
		if fr == nil || fr.Cause != CauseNoBoundary || fr.TriggeredBy != "/src/main.js" {
			t.Fatalf("%v: want the dead end of main.js, got %+v", order, res)
		}
		if len(fr.Partial) != 1 || fr.Partial[0].Path != "/src/app.js" || fr.Partial[0].AcceptedPath != "/src/app.js" ||
			strings.Join(fr.Partial[0].Chain, " ") != "/src/stuff.js /src/app.js" {
			t.Fatalf("%v: partial %+v", order, fr.Partial)
		}
	}
	g, refs := build(true)
	if fr := Compute(g, []modgraph.Ref{refs["/src/main.js"]}, Options{}).FullReload; fr == nil || fr.Partial != nil {
		t.Fatalf("a lone dead end has no partial: %+v", fr)
	}
}
