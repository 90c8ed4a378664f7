package engine

import (
	"github.com/hmrd/hmrd/internal/graph/modgraph"
)

// ImportTarget is where one import specifier of a module leads, for
// servers that rewrite imports to module URLs.
type ImportTarget struct {
	// ID is the target module ID ("" when the specifier does not resolve).
	ID string
	// Kind is the target's kind ("js", "style", "style-module", "json",
	// "asset", "external", …; see modgraph.Kind).
	Kind string
	// File is the target's absolute path ("" for externals).
	File string
	// Version is the target's version token, 0 if it never changed: a
	// server appends ?t=<version> when it is set.
	Version int64
	// Query is the target's Vite query suffix ("raw", "url", "inline",
	// "worker", …; see SuffixQuery) when the import has one: the ID is
	// then the file's ID, "?", and Query.
	Query string
}

// ServeInfo is what a dev server needs to serve one module.
type ServeInfo struct {
	ID, File, Kind string
	Version        int64
	// Refresh says whether the module gets the Fast Refresh transform
	// (Runtime set; for a page: whether it loads the runtime), and
	// whether it is a boundary (refresh.go).
	Refresh Refresh
	// Targets holds, for each requested specifier in order, where it leads.
	Targets []ImportTarget
	// Globs are the module's import.meta.glob calls as the graph expanded
	// them, in source order.
	Globs []GlobCall
}

// ServeInfo answers where each of specs, as written in the module
// idOrFile, leads, from the graph where it knows the edge and through the
// resolver otherwise (a specifier in an accept() call, an import the graph
// has not seen yet). It changes nothing; ok is false for unknown modules.
func (p *Project) ServeInfo(idOrFile string, specs []string) (ServeInfo, bool) {
	r, ok := p.lookup(idOrFile)
	if !ok {
		return ServeInfo{}, false
	}
	m := p.g.Mod(r)
	out := ServeInfo{ID: m.ID, File: m.File, Kind: m.Kind.String(), Version: m.Version, Targets: make([]ImportTarget, len(specs))}
	if m.Kind == modgraph.KindJS || m.Kind == modgraph.KindHTML {
		out.Refresh = p.refreshOf(m.File, m.Hot.Refresh)
	}
	for i, spec := range specs {
		out.Targets[i] = p.targetOf(m, spec)
	}
	out.Globs = p.globCalls(m)
	return out, true
}

func (p *Project) targetOf(m *modgraph.Module, spec string) ImportTarget {
	for _, imp := range m.Imports {
		if imp.Specifier == spec && imp.Target != modgraph.None {
			t := p.g.Mod(imp.Target)
			return ImportTarget{ID: t.ID, Kind: t.Kind.String(), File: t.File, Version: t.Version, Query: queryOf(t)}
		}
	}
	if m.File == "" {
		return ImportTarget{}
	}
	res, err := p.res.Resolve(m.File, spec)
	if err != nil {
		return ImportTarget{}
	}
	if res.External {
		id := "/@id/" + spec
		if r, ok := p.g.LookupID(id); ok {
			return ImportTarget{ID: id, Kind: p.g.Mod(r).Kind.String()}
		}
		return ImportTarget{ID: id, Kind: modgraph.KindExternal.String()}
	}
	id, kind := p.moduleFor(res.Path, spec, modgraph.EdgeStatic)
	for _, r := range p.g.ByFile(res.Path) {
		t := p.g.Mod(r)
		if t.ID == id && t.Kind != modgraph.KindLinkedStyle {
			return ImportTarget{ID: t.ID, Kind: t.Kind.String(), File: t.File, Version: t.Version, Query: queryOf(t)}
		}
	}
	return ImportTarget{ID: id, Kind: kind.String(), File: res.Path, Query: SuffixQuery(spec)}
}
