package engine

import (
	"path"
	"slices"
	"strings"

	"github.com/hmrd/hmrd/internal/graph/modgraph"
	"github.com/hmrd/hmrd/internal/graph/propagate"
)

// Invalidate handles a runtime's import.meta.hot.invalidate() of module id:
// its accept callback could not take the update, so the importers must.
// Only self-accepting (or partially accepting) modules that were already
// hot-updated can invalidate (or a Fast Refresh boundary whose new code no
// longer is one: modgraph.Module.RefreshAccepted), once per version: the second tab sending the
// same invalidate is a no-op. firstInvalidatedBy is the module that started
// the chain (empty: id itself); reaching it again means the chain loops, and
// the plan is a full reload.
func (p *Project) Invalidate(id, firstInvalidatedBy string) *Plan {
	plan := &Plan{}
	r, ok := p.lookup(id)
	if !ok {
		return plan
	}
	m := p.g.Mod(r)
	if !m.Live || !(m.Hot.SelfAccepting || m.Hot.PartialAccept || m.RefreshAccepted) || m.Version == 0 || m.InvalidationReceived {
		return plan
	}
	m.InvalidationReceived = true
	if firstInvalidatedBy == "" {
		firstInvalidatedBy = m.ID
	}
	plan.Triggers = []string{m.ID}
	// The importers re-import the module at the version the runtime just
	// loaded, so the same instance is reused rather than run twice.
	plan.Version = m.Version
	importers := slices.DeleteFunc(p.g.LiveImporters(nil, r), func(x modgraph.Ref) bool { return x == r })
	if len(importers) == 0 {
		plan.FullReload = &propagate.FullReload{
			Cause:       propagate.CauseInvalidateEntry,
			Reason:      m.ID + " called import.meta.hot.invalidate() and no module imports it (it is an entry)",
			Chain:       []string{m.ID},
			TriggeredBy: m.ID,
			Path:        "*",
		}
		return plan
	}
	res := p.walker.Compute(importers, propagate.Options{TriggeredBy: m.ID, FirstInvalidatedBy: firstInvalidatedBy})
	stamped := p.g.Stamp(importers, plan.Version)
	plan.Versions = make(map[string]int64, len(stamped))
	for _, s := range stamped {
		plan.Versions[p.g.Mod(s).ID] = plan.Version
	}
	if fr := res.FullReload; fr != nil {
		fr.Chain = append([]string{m.ID}, fr.Chain...)
		if !strings.HasPrefix(fr.Reason, "circular import invalidate") {
			fr.Reason = m.ID + " called import.meta.hot.invalidate(); " + fr.Reason
		}
		plan.FullReload = fr
		return plan
	}
	for i := range res.Updates {
		res.Updates[i].Chain = append([]string{m.ID}, res.Updates[i].Chain...)
	}
	plan.Updates = res.Updates
	return plan
}

// whyUnknown says why a module ID or absolute path is not in the graph:
// outside the project, no such file, in an ignored directory, or simply not
// imported. An ID ("/src/a.ts") and a path are told apart by the root.
func (p *Project) whyUnknown(idOrFile string) string {
	root := p.opts.Root
	file := idOrFile
	if file != root && !strings.HasPrefix(file, root+"/") {
		if _, err := p.fs.Stat(file); err == nil && !strings.HasPrefix(file, "/@") {
			return "outside the project (root " + root + "): hmrd does not watch it, so an edit signals nothing"
		}
		file = path.Join(root, idOrFile) // a module ID
	}
	if _, err := p.fs.Stat(file); err != nil {
		return "the file does not exist: " + idOrFile
	}
	if p.opts.Ignored(file) {
		return "in a directory hmrd ignores (node_modules, dist, coverage, dot-directories): an edit signals nothing"
	}
	return "not in the module graph: no entry imports it, so an edit signals nothing"
}

// Has reports whether the graph knows a module by this ID or absolute file
// path.
func (p *Project) Has(idOrFile string) bool {
	_, ok := p.lookup(idOrFile)
	return ok
}

// lookup finds a module by ID, or by absolute file path.
func (p *Project) lookup(idOrFile string) (modgraph.Ref, bool) {
	if r, ok := p.g.LookupID(idOrFile); ok {
		return r, true
	}
	if rs := p.g.ByFile(idOrFile); len(rs) > 0 {
		return rs[0], true
	}
	return modgraph.None, false
}

// MarkLoaded records that a runtime fetched these modules (lazily imported
// ones count for propagation only once loaded). Unknown IDs are ignored and
// returned.
func (p *Project) MarkLoaded(ids ...string) (unknown []string) {
	for _, id := range ids {
		r, ok := p.lookup(id)
		if !ok {
			unknown = append(unknown, id)
			continue
		}
		p.g.MarkLoaded(r)
	}
	return unknown
}

// Explanation is what an edit of one module would do, and why.
type Explanation struct {
	Module string
	File   string
	Kind   string
	Found  bool
	Live   bool
	Loaded bool
	Entry  bool
	// Importers are the live module importers.
	Importers []string
	Result    propagate.Result
	// Note says in words why the result is what it is when it is silent,
	// or when the module is a boundary that its source does not show.
	Note string
}

// Explain answers what an edit of module idOrFile would signal now,
// without changing any state.
func (p *Project) Explain(idOrFile string) Explanation {
	r, ok := p.lookup(idOrFile)
	if !ok {
		return Explanation{Module: idOrFile, Note: p.whyUnknown(idOrFile)}
	}
	m := p.g.Mod(r)
	ex := Explanation{Module: m.ID, File: m.File, Kind: m.Kind.String(), Found: true, Live: m.Live, Loaded: m.Loaded, Entry: p.g.IsEntry(r)}
	for _, imp := range p.g.LiveImporters(nil, r) {
		ex.Importers = append(ex.Importers, p.g.Mod(imp).ID)
	}
	switch {
	case m.Kind == modgraph.KindHTML:
		ex.Result.FullReload = p.pageReload([]modgraph.Ref{r})
	case !m.Live:
		ex.Note = "no entry imports it any more (pruned): an edit signals nothing"
	case !m.Loaded:
		ex.Note = "only reachable through dynamic import() and no runtime has loaded it yet: an edit signals nothing"
	default:
		ex.Result = p.walker.Compute([]modgraph.Ref{r}, propagate.Options{})
		if m.Hot.Refresh {
			ex.Note = refreshNote
		}
	}
	return ex
}

// ModuleInfo is one module in a Snapshot.
type ModuleInfo struct {
	ID              string
	File            string
	Kind            string
	Imports         []EdgeInfo
	Importers       []string
	SelfAccepting   bool
	PartialAccept   bool
	AcceptedExports []string
	AcceptedDeps    []string
	Declined        bool
	DeclinedDeps    []string
	Exports         []string
	Entry           bool
	Live            bool
	Loaded          bool
	Version         int64
	Error           string
	// Registration owns the module's facts ("" when scanned); Virtual: no
	// file backs it; Files: every file backing it, when reported.
	Registration string
	Virtual      bool
	Files        []string
}

// EdgeInfo is one import of a module.
type EdgeInfo struct {
	Specifier string
	Kind      string
	Target    string // module ID, "" when unresolved
}

// Snapshot is an immutable copy of the graph, for transports and tools.
type Snapshot struct {
	Root    string
	Modules []ModuleInfo // sorted by ID
	// HeadSeq is stamped by the owner of the project's signal sequence,
	// which the engine does not know: the seq of the last signal the graph
	// reflects.
	HeadSeq uint64
}

// snapshotID names module r in a snapshot. IDs are unique there: a
// stylesheet both linked from a page and imported from JS is two modules of
// one ID, and the linked one is named with Vite's "?direct" suffix (the
// graph's own key for it, which Invalidate and Explain accept too).
// Signals keep the bare ID: the runtime matches <link> hrefs by path.
func (p *Project) snapshotID(r modgraph.Ref) string {
	m := p.g.Mod(r)
	if m.Kind == modgraph.KindLinkedStyle {
		if _, twin := p.g.Lookup(m.ID, modgraph.KindJS); twin {
			return m.ID + "?direct"
		}
	}
	return m.ID
}

// Snapshot copies the graph.
func (p *Project) Snapshot() *Snapshot {
	s := &Snapshot{Root: p.opts.Root}
	ref := p.snapshotID
	for r := modgraph.Ref(0); int(r) < p.g.Len(); r++ {
		if !p.g.Exists(r) {
			continue
		}
		m := p.g.Mod(r)
		mi := ModuleInfo{
			ID: ref(r), File: m.File, Kind: m.Kind.String(),
			SelfAccepting: m.Hot.SelfAccepting, PartialAccept: m.Hot.PartialAccept,
			AcceptedExports: slices.Clone(m.Hot.AcceptedExports()), Declined: m.Hot.Declined,
			Exports: slices.Clone(m.Exports), Entry: p.g.IsEntry(r),
			Live: m.Live, Loaded: m.Loaded, Version: m.Version,
		}
		for _, imp := range m.Imports {
			e := EdgeInfo{Specifier: imp.Specifier, Kind: imp.Kind.String()}
			if imp.Target != modgraph.None {
				e.Target = ref(imp.Target)
			}
			mi.Imports = append(mi.Imports, e)
		}
		for _, imp := range m.Importers {
			mi.Importers = append(mi.Importers, ref(imp))
		}
		for _, d := range m.Hot.AcceptedDeps() {
			mi.AcceptedDeps = append(mi.AcceptedDeps, ref(d))
		}
		for _, d := range m.Hot.DeclinedDeps() {
			mi.DeclinedDeps = append(mi.DeclinedDeps, ref(d))
		}
		if e, ok := p.errored[r]; ok {
			mi.Error = e.Error()
		}
		if o := p.owned[r]; o != nil {
			mi.Registration, mi.Virtual = o.owner, m.File == ""
			if len(o.files) > 1 {
				mi.Files = slices.Clone(o.files)
			}
		}
		s.Modules = append(s.Modules, mi)
	}
	slices.SortFunc(s.Modules, func(a, b ModuleInfo) int {
		if c := strings.Compare(a.ID, b.ID); c != 0 {
			return c
		}
		return strings.Compare(a.Kind, b.Kind)
	})
	return s
}

// Stats are cheap counters for status displays.
type Stats struct {
	Modules int
	Live    int
	Entries int
	Errors  int
}

// Stats counts the graph.
func (p *Project) Stats() Stats {
	return Stats{Modules: p.g.Count(), Entries: len(p.g.Entries()), Errors: len(p.standing), Live: p.g.LiveCount()}
}

// Root is the project root.
func (p *Project) Root() string { return p.opts.Root }
