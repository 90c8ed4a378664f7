package modgraph

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// TestIncrementalLiveness drives graphs through random edit sequences and
// checks, after every edit, the flags kept incrementally against flags
// derived from scratch from the entries (reachability in the Imports):
//
//   - while no edge or entry was removed since the last RefreshLiveness,
//     Live and Loaded are exact;
//   - otherwise they may only over-approximate, and RefreshLiveness makes
//     them exact again and returns exactly the modules that stopped being
//     live.
//
// It also checks the bookkeeping liveness relies on: Importers mirror the
// resolved Imports, Unresolved lists the modules with an unresolved import,
// and LiveCount counts the live modules.
func TestIncrementalLiveness(t *testing.T) {
	const sequences, steps = 300, 60
	for seq := range sequences {
		rng := rand.New(rand.NewPCG(uint64(seq), 0x6c697665))
		g := New()
		var log []string
		for step := range steps {
			log = append(log, randomEdit(rng, g))
			if err := checkGraph(g); err != nil {
				t.Fatalf("sequence %d, after edit %d: %v\nedits:\n  %s", seq, step, err, strings.Join(log, "\n  "))
			}
			// Refresh now and then, so that over-approximated flags
			// sometimes live through several edits.
			if rng.IntN(3) == 0 {
				if err := checkRefresh(g); err != nil {
					t.Fatalf("sequence %d, refresh after edit %d: %v\nedits:\n  %s", seq, step, err, strings.Join(log, "\n  "))
				}
				log = append(log, "RefreshLiveness")
			}
		}
		if err := checkRefresh(g); err != nil {
			t.Fatalf("sequence %d, final refresh: %v\nedits:\n  %s", seq, err, strings.Join(log, "\n  "))
		}
	}
}

// The module pool is small, so that edits hit the same modules again:
// cycles, re-created modules (reusing freed Refs), shared importers.
const poolSize = 10

var (
	poolKinds = []Kind{KindJS, KindJS, KindJS, KindHTML, KindLinkedStyle, KindAsset}
	edgeKinds = []EdgeKind{EdgeStatic, EdgeStatic, EdgeDynamic, EdgeReExport, EdgeScript}
)

// randomEdit applies one random edit to g and describes it.
func randomEdit(rng *rand.Rand, g *Graph) string {
	refs := existing(g)
	if len(refs) < 2 || rng.IntN(5) == 0 {
		id := fmt.Sprintf("/m%d.js", rng.IntN(poolSize))
		kind := poolKinds[rng.IntN(len(poolKinds))]
		r, created := g.Add(id, "/root"+id, kind)
		return fmt.Sprintf("Add(%s, %v) = %d, %v", id, kind, r, created)
	}
	r := refs[rng.IntN(len(refs))]
	switch op := rng.IntN(100); {
	case op < 35:
		imps := make([]Import, rng.IntN(5))
		for i := range imps {
			imps[i] = Import{Specifier: fmt.Sprint("s", i), Kind: edgeKinds[rng.IntN(len(edgeKinds))], Target: randomTarget(rng, refs)}
		}
		g.SetImports(r, imps)
		return fmt.Sprintf("SetImports(%d, %s)", r, describe(imps))
	case op < 45:
		// The same specifiers and edge kinds in the same places, pointing
		// elsewhere: only which target is reached how changes.
		imps := slices.Clone(g.Mod(r).Imports)
		rng.Shuffle(len(imps), func(i, j int) { imps[i].Target, imps[j].Target = imps[j].Target, imps[i].Target })
		g.SetImports(r, imps)
		return fmt.Sprintf("SetImports(%d, %s) (targets shuffled)", r, describe(imps))
	case op < 60:
		if len(g.Mod(r).Imports) == 0 {
			return "no-op"
		}
		i, target := rng.IntN(len(g.Mod(r).Imports)), randomTarget(rng, refs)
		g.SetTarget(r, i, target)
		return fmt.Sprintf("SetTarget(%d, %d, %d)", r, i, target)
	case op < 72:
		g.Remove(r)
		return fmt.Sprintf("Remove(%d)", r)
	case op < 90:
		entry := rng.IntN(5) < 3
		g.SetEntry(r, entry)
		return fmt.Sprintf("SetEntry(%d, %v)", r, entry)
	default:
		g.MarkLoaded(r)
		return fmt.Sprintf("MarkLoaded(%d)", r)
	}
}

func randomTarget(rng *rand.Rand, refs []Ref) Ref {
	if rng.IntN(8) == 0 {
		return None
	}
	return refs[rng.IntN(len(refs))]
}

func existing(g *Graph) []Ref {
	var out []Ref
	for r := Ref(0); int(r) < g.Len(); r++ {
		if g.Exists(r) {
			out = append(out, r)
		}
	}
	return out
}

func describe(imps []Import) string {
	var b strings.Builder
	b.WriteString("[")
	for i, imp := range imps {
		if i > 0 {
			b.WriteString(" ")
		}
		fmt.Fprintf(&b, "%s→%d", imp.Kind, imp.Target)
	}
	b.WriteString("]")
	return b.String()
}

// derive computes Live and Loaded from scratch: live is reachable from an
// entry; loaded is reachable through non-dynamic edges from an entry or
// from a live module a runtime reported loaded.
func derive(g *Graph) (live, loaded []bool) {
	live, loaded = make([]bool, g.Len()), make([]bool, g.Len())
	reach := func(flags []bool, seeds []Ref, follow func(Import) bool) {
		stack := slices.Clone(seeds)
		for _, r := range seeds {
			flags[r] = true
		}
		for len(stack) > 0 {
			r := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			for _, imp := range g.Mod(r).Imports {
				if imp.Target != None && follow(imp) && !flags[imp.Target] {
					flags[imp.Target] = true
					stack = append(stack, imp.Target)
				}
			}
		}
	}
	reach(live, g.Entries(), func(Import) bool { return true })
	var seeds []Ref
	for _, r := range existing(g) {
		if live[r] && (g.IsEntry(r) || g.Mod(r).ReportedLoaded) {
			seeds = append(seeds, r)
		}
	}
	reach(loaded, seeds, func(imp Import) bool { return imp.Kind != EdgeDynamic })
	return live, loaded
}

// checkGraph checks the bookkeeping, and the flags: exact when liveness is
// not stale, a superset of the derived ones when it is.
func checkGraph(g *Graph) error {
	live, loaded := derive(g)
	n := 0
	for _, r := range existing(g) {
		m := g.Mod(r)
		if m.Live {
			n++
		}
		if m.Loaded && !m.Live {
			return fmt.Errorf("module %d is loaded but not live", r)
		}
		exact := !g.livenessStale
		if (m.Live != live[r] && (exact || live[r])) || (m.Loaded != loaded[r] && (exact || loaded[r])) {
			return fmt.Errorf("module %d: Live=%v Loaded=%v, derived live=%v loaded=%v (liveness stale: %v)", r, m.Live, m.Loaded, live[r], loaded[r], g.livenessStale)
		}
		var want []Ref
		for _, from := range existing(g) {
			for _, imp := range g.Mod(from).Imports {
				if imp.Target == r {
					want = append(want, from)
					break
				}
			}
		}
		got := slices.Sorted(slices.Values(m.Importers))
		if !slices.Equal(got, want) {
			return fmt.Errorf("module %d: Importers %v, want %v", r, got, want)
		}
		for _, imp := range m.Imports {
			if imp.Target != None && !g.Exists(imp.Target) {
				return fmt.Errorf("module %d imports removed module %d", r, imp.Target)
			}
		}
		unresolved := slices.ContainsFunc(m.Imports, func(imp Import) bool { return imp.Target == None })
		if _, listed := g.unresolved[r]; listed != unresolved {
			return fmt.Errorf("module %d: listed as unresolved: %v, has an unresolved import: %v", r, listed, unresolved)
		}
	}
	if g.LiveCount() != n {
		return fmt.Errorf("LiveCount %d, %d modules are live", g.LiveCount(), n)
	}
	for r := Ref(0); int(r) < g.Len(); r++ {
		if !g.Exists(r) && (g.IsEntry(r) || g.mods[r].Live) {
			return fmt.Errorf("removed module %d is an entry or live", r)
		}
	}
	return nil
}

// checkRefresh runs RefreshLiveness and checks that the flags are then
// exact and that it returned the modules that stopped being live.
func checkRefresh(g *Graph) error {
	var wasLive []Ref
	for _, r := range existing(g) {
		if g.Mod(r).Live {
			wasLive = append(wasLive, r)
		}
	}
	pruned := g.RefreshLiveness()
	if g.livenessStale {
		return fmt.Errorf("liveness still stale after RefreshLiveness")
	}
	if err := checkGraph(g); err != nil {
		return err
	}
	want := slices.DeleteFunc(wasLive, func(r Ref) bool { return g.Mod(r).Live })
	if !slices.Equal(pruned, want) {
		return fmt.Errorf("RefreshLiveness pruned %v, want %v", pruned, want)
	}
	return nil
}

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
