package modgraph

import "testing"

// Two imports of a live module swap targets, keeping the edge kinds in
// place: the module imported statically before is now imported only
// dynamically, and is no longer loaded.
func TestSwappedImportsUnload(t *testing.T) {
	g := New()
	entry, _ := g.Add("/main.js", "/root/main.js", KindJS)
	a, _ := g.Add("/a.js", "/root/a.js", KindJS)
	b, _ := g.Add("/b.js", "/root/b.js", KindJS)
	g.SetEntry(entry, true)
	g.SetImports(entry, []Import{{Specifier: "./a.js", Kind: EdgeStatic, Target: a}, {Specifier: "./b.js", Kind: EdgeDynamic, Target: b}})
	g.RefreshLiveness()
	if !g.Mod(a).Loaded || g.Mod(b).Loaded {
		t.Fatalf("before: a loaded %v, b loaded %v; want true, false", g.Mod(a).Loaded, g.Mod(b).Loaded)
	}
	g.SetImports(entry, []Import{{Specifier: "./b.js", Kind: EdgeStatic, Target: b}, {Specifier: "./a.js", Kind: EdgeDynamic, Target: a}})
	g.RefreshLiveness()
	if g.Mod(a).Loaded || !g.Mod(b).Loaded {
		t.Fatalf("after: a loaded %v, b loaded %v; want false, true", g.Mod(a).Loaded, g.Mod(b).Loaded)
	}
}
