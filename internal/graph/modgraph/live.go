package modgraph

// markFrom marks r and everything reachable from it live, and everything
// reachable through non-dynamic edges from a loaded module loaded. It only
// ever adds flags, so it is the cheap path for added edges and entries.
func (g *Graph) markFrom(r Ref) {
	m := &g.mods[r]
	entry := g.IsEntry(r)
	if !m.Live && !entry && !g.hasLiveImporter(r) {
		return
	}
	g.walk(r, m.Loaded || entry || m.ReportedLoaded || g.hasLoadedStaticImporter(r))
}

func (g *Graph) hasLiveImporter(r Ref) bool {
	for _, imp := range g.mods[r].Importers {
		if g.mods[imp].Live {
			return true
		}
	}
	return false
}

func (g *Graph) hasLoadedStaticImporter(r Ref) bool {
	for _, imp := range g.mods[r].Importers {
		im := &g.mods[imp]
		if !im.Loaded {
			continue
		}
		for _, e := range im.Imports {
			if e.Target == r && e.Kind != EdgeDynamic {
				return true
			}
		}
	}
	return false
}

// walk sets Live on r's closure and Loaded on its non-dynamic closure when
// loaded is true. Iterative, so a 100k-deep chain cannot blow the stack.
func (g *Graph) walk(r Ref, loaded bool) {
	type item struct {
		r      Ref
		loaded bool
	}
	stack := []item{{r, loaded}}
	root := true
	for len(stack) > 0 {
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		m := &g.mods[it.r]
		ld := it.loaded || m.ReportedLoaded
		// The root is always expanded: it may be a live module that just
		// gained edges.
		if !root && m.Live && (m.Loaded || !ld) {
			continue
		}
		root = false
		if !m.Live {
			m.Live = true
			g.liveN++
		}
		if ld {
			m.Loaded = true
		}
		for _, e := range m.Imports {
			if e.Target == None {
				continue
			}
			stack = append(stack, item{e.Target, ld && e.Kind != EdgeDynamic})
		}
	}
}

// LiveCount is the number of live modules, kept as liveness changes so
// that reading it is O(1) (the daemon reads it after every batch).
func (g *Graph) LiveCount() int { return g.liveN }

// MarkLoaded records that a runtime executed r (it fetched a lazily
// imported module). It reports whether r exists.
func (g *Graph) MarkLoaded(r Ref) bool {
	if !g.Exists(r) {
		return false
	}
	m := &g.mods[r]
	m.ReportedLoaded = true
	if m.Live {
		g.walk(r, true)
	}
	return true
}

// RefreshLiveness re-derives Live and Loaded after edges were removed and
// returns the modules that stopped being live (the ones to prune), in Ref
// order. It is a no-op when nothing was removed since the last call.
func (g *Graph) RefreshLiveness() (pruned []Ref) {
	if !g.livenessStale {
		return nil
	}
	g.livenessStale = false
	g.liveN = 0
	wasLive := make([]bool, len(g.mods))
	for i := range g.mods {
		m := &g.mods[i]
		wasLive[i] = m.Live
		m.Live, m.Loaded = false, false
	}
	for r := range g.entries {
		g.walk(r, true)
	}
	for i := range g.mods {
		m := &g.mods[i]
		if wasLive[i] && !m.Live && !m.removed {
			pruned = append(pruned, Ref(i))
		}
	}
	return pruned
}

// LiveImporters appends to dst the live importers of r that are modules
// (HTML pages are entries, not importers: a module imported only by a page
// has no importers, as in Vite).
func (g *Graph) LiveImporters(dst []Ref, r Ref) []Ref {
	for _, imp := range g.mods[r].Importers {
		im := &g.mods[imp]
		if im.Live && im.Kind != KindHTML {
			dst = append(dst, imp)
		}
	}
	return dst
}

// ImportedByPage reports whether an HTML page imports r directly.
func (g *Graph) ImportedByPage(r Ref) bool {
	for _, imp := range g.mods[r].Importers {
		if g.mods[imp].Kind == KindHTML {
			return true
		}
	}
	return false
}
