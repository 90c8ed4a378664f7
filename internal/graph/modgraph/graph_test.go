package modgraph

import (
	"slices"
	"testing"
)

// Deleting a module drops it from its importers' accept and decline lists,
// but the specifiers those calls were made with stay, so the engine can name
// the module again when its file comes back.
func TestRemoveKeepsHotDepSpecs(t *testing.T) {
	g := New()
	app, _ := g.Add("/src/app.js", "/p/src/app.js", KindJS)
	dep, _ := g.Add("/src/dep.js", "/p/src/dep.js", KindJS)
	g.SetImports(app, []Import{{Specifier: "./dep.js", Target: dep}})
	var h Hot
	h.SetLists([]Ref{dep}, nil, []Ref{dep})
	h.SetDepSpecs([]string{"./dep.js"}, []string{"./dep"})
	g.SetHot(app, h)

	g.Remove(dep)
	m := g.Mod(app)
	if len(m.Hot.AcceptedDeps()) != 0 || len(m.Hot.DeclinedDeps()) != 0 {
		t.Fatalf("deps of a removed module kept: accepted %v, declined %v", m.Hot.AcceptedDeps(), m.Hot.DeclinedDeps())
	}
	accepted, declined := m.Hot.DepSpecs()
	if !slices.Equal(accepted, []string{"./dep.js"}) || !slices.Equal(declined, []string{"./dep"}) {
		t.Fatalf("DepSpecs = %v, %v after the dep was removed", accepted, declined)
	}
	// The lists set before are the ones the removal copied: h is unchanged.
	if !slices.Equal(h.AcceptedDeps(), []Ref{dep}) {
		t.Fatalf("Remove changed a Hot value it does not own: %v", h.AcceptedDeps())
	}
}

// A module added under the key of a removed one is reported once by
// TakeReturned; a new key, an external and a module removed again before
// the call are not.
func TestTakeReturned(t *testing.T) {
	g := New()
	x, _ := g.Add("/src/x.js", "/p/src/x.js", KindJS)
	ext, _ := g.Add("/@id/react", "", KindExternal)
	tmp, _ := g.Add("/src/tmp.js", "/p/src/tmp.js", KindJS)
	g.Remove(x)
	g.Remove(ext)
	g.Remove(tmp)
	if got := g.TakeReturned(); len(got) != 0 {
		t.Fatalf("TakeReturned before anything came back = %v", got)
	}
	x2, _ := g.Add("/src/x.js", "/p/src/x.js", KindJS)
	g.Add("/@id/react", "", KindExternal)
	g.Add("/src/new.js", "/p/src/new.js", KindJS)
	tmp2, _ := g.Add("/src/tmp.js", "/p/src/tmp.js", KindJS)
	g.Remove(tmp2)
	if got := g.TakeReturned(); !slices.Equal(got, []Ref{x2}) {
		t.Fatalf("TakeReturned = %v, want [%d]", got, x2)
	}
	if got := g.TakeReturned(); len(got) != 0 {
		t.Fatalf("second TakeReturned = %v, want nothing", got)
	}
}
