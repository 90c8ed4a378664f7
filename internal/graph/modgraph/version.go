package modgraph

// Stamp sets Version = token on each of changed and on every transitive live
// importer, except across accept(dep) edges: an importer that accepts the
// module keeps its running instance, so its URL must not change (Vite's
// invalidateModule). It clears InvalidationReceived on what it stamps and
// returns the stamped modules. seen is scratch space of Len() entries or nil.
func (g *Graph) Stamp(changed []Ref, token int64) []Ref {
	var out []Ref
	seen := make(map[Ref]struct{}, len(changed)*4)
	stack := append([]Ref(nil), changed...)
	for len(stack) > 0 {
		r := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if _, ok := seen[r]; ok || !g.Exists(r) {
			continue
		}
		seen[r] = struct{}{}
		m := &g.mods[r]
		if m.Kind == KindHTML || m.Kind == KindExternal {
			continue
		}
		m.Version = token
		m.InvalidationReceived = false
		out = append(out, r)
		for _, imp := range m.Importers {
			if !g.mods[imp].Live || g.Accepts(imp, r) {
				continue
			}
			stack = append(stack, imp)
		}
	}
	return out
}
