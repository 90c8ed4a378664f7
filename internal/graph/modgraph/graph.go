package modgraph

import (
	"slices"
	"strings"
)

// Ref is a dense module handle, valid until the module is removed.
type Ref int32

// None is the Ref of nothing (an unresolved import).
const None Ref = -1

// Kind is what a module is, which decides how it updates.
type Kind uint8

const (
	// KindJS is a JavaScript/TypeScript module.
	KindJS Kind = iota
	// KindStyle is a stylesheet imported from JS (served as a JS module that
	// swaps a <style>) or pulled in by another sheet's @import.
	KindStyle
	// KindStyleModule is a CSS module (*.module.css): it exports class names,
	// so it does not accept itself.
	KindStyleModule
	// KindLinkedStyle is a stylesheet loaded by <link rel=stylesheet>; its
	// updates are css updates that swap the link in place.
	KindLinkedStyle
	// KindJSON is a JSON module.
	KindJSON
	// KindAsset is any other file referenced by a module or a sheet (images,
	// fonts, url() targets).
	KindAsset
	// KindExternal is a bare import resolved outside every watched tree.
	KindExternal
	// KindHTML is an HTML page: an entry, never an importer in propagation.
	KindHTML
	// KindInlineStyle is a stylesheet imported as text ("./a.css?inline"):
	// its module exports the CSS, the sheets it @imports are inlined into
	// it, and it does not accept itself (its importer takes the new text).
	KindInlineStyle
)

var kindNames = [...]string{"js", "style", "style-module", "linked-style", "json", "asset", "external", "html", "inline-style"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "kind(?)"
}

// IsStyle reports whether modules of kind k are stylesheets.
func (k Kind) IsStyle() bool {
	return k == KindStyle || k == KindStyleModule || k == KindLinkedStyle || k == KindInlineStyle
}

// EdgeKind is how an importer references a module.
type EdgeKind uint8

const (
	EdgeStatic    EdgeKind = iota // import … from / import 'x'
	EdgeReExport                  // export … from
	EdgeDynamic                   // import('x')
	EdgeCSSImport                 // @import in a stylesheet
	EdgeURL                       // url() in a stylesheet
	EdgeScript                    // <script type=module> in HTML (src, or an inline script's import)
	EdgeLink                      // <link rel=stylesheet> in HTML
)

var edgeNames = [...]string{"static", "reexport", "dynamic", "css-import", "url", "script", "link"}

func (k EdgeKind) String() string {
	if int(k) < len(edgeNames) {
		return edgeNames[k]
	}
	return "edge(?)"
}

// Import is one reference from a module to another.
type Import struct {
	Specifier string
	Kind      EdgeKind
	// Bindings the importer uses ("default", names, "*"); nil for a
	// side-effect import.
	Bindings []string
	// Target is the resolved module, or None while the specifier does not
	// resolve.
	Target Ref
}

// Hot is the module's import.meta.hot facts with deps resolved to Refs.
// The lists are held behind a pointer that is nil for the many modules
// without accept/decline lists: every Module carries a Hot, and inline
// slices made it 100 bytes of mostly nothing.
type Hot struct {
	SelfAccepting bool
	// Refresh: the module is a Fast Refresh boundary (every export is a
	// component), which makes it self-accepting whatever its source says.
	Refresh       bool
	PartialAccept bool
	Declined      bool
	UsesAPI       bool
	lists         *hotLists
}

type hotLists struct {
	acceptedDeps    []Ref
	acceptedExports []string
	declinedDeps    []Ref
	// acceptedSpecs and declinedSpecs are the specifiers accept(deps) and
	// decline(deps) were called with, as written; the Refs are what they
	// name in the graph now. A dependency whose file is deleted leaves the
	// Refs (forget) but not the specifiers, so that the module is named
	// again when the file comes back (see DepSpecs).
	acceptedSpecs []string
	declinedSpecs []string
}

// SetLists records the modules accept(deps) names, the exports
// acceptExports names, and the modules decline(deps) names.
func (h *Hot) SetLists(acceptedDeps []Ref, acceptedExports []string, declinedDeps []Ref) {
	var accepted, declined []string
	if h.lists != nil {
		accepted, declined = h.lists.acceptedSpecs, h.lists.declinedSpecs
	}
	h.set(hotLists{acceptedDeps: acceptedDeps, acceptedExports: acceptedExports, declinedDeps: declinedDeps,
		acceptedSpecs: accepted, declinedSpecs: declined})
}

// SetDepSpecs records the specifiers accept(deps) and decline(deps) were
// called with, which SetLists resolves to modules; they outlive the
// modules they name.
func (h *Hot) SetDepSpecs(accepted, declined []string) {
	l := hotLists{}
	if h.lists != nil {
		l = *h.lists
	}
	l.acceptedSpecs, l.declinedSpecs = accepted, declined
	h.set(l)
}

// DepSpecs are the specifiers of accept(deps) and decline(deps).
func (h *Hot) DepSpecs() (accepted, declined []string) {
	if h.lists == nil {
		return nil, nil
	}
	return h.lists.acceptedSpecs, h.lists.declinedSpecs
}

func (h *Hot) set(l hotLists) {
	if len(l.acceptedDeps) == 0 && len(l.acceptedExports) == 0 && len(l.declinedDeps) == 0 &&
		len(l.acceptedSpecs) == 0 && len(l.declinedSpecs) == 0 {
		h.lists = nil
		return
	}
	h.lists = &l
}

// AcceptedDeps are the modules accepted through accept(dep | [deps]).
func (h *Hot) AcceptedDeps() []Ref {
	if h.lists == nil {
		return nil
	}
	return h.lists.acceptedDeps
}

// AcceptedExports are the exports named by acceptExports.
func (h *Hot) AcceptedExports() []string {
	if h.lists == nil {
		return nil
	}
	return h.lists.acceptedExports
}

// DeclinedDeps are the modules named by decline(dep | [deps]).
func (h *Hot) DeclinedDeps() []Ref {
	if h.lists == nil {
		return nil
	}
	return h.lists.declinedDeps
}

// forget drops r from the dependency lists (r left the graph); the
// specifiers that named it stay.
func (h *Hot) forget(r Ref) {
	if h.lists == nil {
		return
	}
	if !slices.Contains(h.lists.acceptedDeps, r) && !slices.Contains(h.lists.declinedDeps, r) {
		return
	}
	// Copies: the lists may be shared with a Hot value the caller kept.
	l := *h.lists
	l.acceptedDeps = deleteRef(slices.Clone(l.acceptedDeps), r)
	l.declinedDeps = deleteRef(slices.Clone(l.declinedDeps), r)
	h.lists = &l
}

// Module is one node. Fields are read-only outside this package except
// through Graph methods.
type Module struct {
	ID   string
	File string // absolute path; "" for externals
	Kind Kind

	Imports   []Import
	Importers []Ref // modules with at least one resolved Import targeting this one

	Hot     Hot
	Exports []string

	// Scanned is true once the module's facts were read from its file.
	Scanned bool
	// Hash of the content the facts came from, to make identical writes no-ops.
	Hash uint64

	// Version is the token of the last batch that changed this module or a
	// module it (transitively) imports; 0 if never. Servers put it in
	// ?t=<version> on imports of the module.
	Version int64
	// InvalidationReceived dedupes invalidate requests from several clients
	// for the same version.
	InvalidationReceived bool
	// RefreshAccepted: the facts the module had before its last scan made
	// it a Fast Refresh boundary. The instance that took the last update
	// accepted it that way, and when the new code no longer fits (its
	// exports changed) it invalidates: that must be honoured although the
	// current facts accept nothing.
	RefreshAccepted bool

	Live   bool // reachable from an entry
	Loaded bool // counts as executed by a runtime (see package doc)
	// ReportedLoaded is set when a runtime said it fetched the module.
	ReportedLoaded bool

	removed bool
}

// Graph is a module graph.
type Graph struct {
	mods    []Module
	free    []Ref
	byKey   map[string]Ref
	byFile  map[string][]Ref
	entries map[Ref]struct{}
	// unresolved holds modules with at least one Import whose Target is None.
	unresolved map[Ref]struct{}
	// livenessStale is set when edges were removed since the last RefreshLiveness.
	livenessStale bool
	// liveN counts modules with Live set (see LiveCount).
	liveN int
	// gone holds the keys of removed modules, and returned the modules
	// added again under one of them since the last TakeReturned: a runtime
	// may still hold the old instance under the old URL.
	gone     map[string]struct{}
	returned []Ref
}

// maxGone bounds the keys of removed modules the graph remembers.
const maxGone = 1 << 16

// New returns an empty graph.
func New() *Graph {
	return &Graph{
		byKey:      map[string]Ref{},
		byFile:     map[string][]Ref{},
		entries:    map[Ref]struct{}{},
		unresolved: map[Ref]struct{}{},
		gone:       map[string]struct{}{},
	}
}

// key identifies a module: the ID, except that a linked stylesheet differs
// from the style module of the same file (Vite marks it with ?direct too).
func key(id string, kind Kind) string {
	if kind == KindLinkedStyle {
		return id + "?direct"
	}
	return id
}

// Len is the number of slots (including removed ones); Refs are < Len.
func (g *Graph) Len() int { return len(g.mods) }

// Count is the number of modules.
func (g *Graph) Count() int { return len(g.byKey) }

// Mod returns the module for r. The pointer is valid until the next Add.
func (g *Graph) Mod(r Ref) *Module { return &g.mods[r] }

// Exists reports whether r is a current module.
func (g *Graph) Exists(r Ref) bool {
	return r >= 0 && int(r) < len(g.mods) && !g.mods[r].removed
}

// Lookup finds a module by ID and kind.
func (g *Graph) Lookup(id string, kind Kind) (Ref, bool) {
	r, ok := g.byKey[key(id, kind)]
	return r, ok
}

// LookupID finds a module by ID, preferring the JS-side module over a linked
// stylesheet of the same file.
func (g *Graph) LookupID(id string) (Ref, bool) {
	if r, ok := g.byKey[id]; ok {
		return r, true
	}
	r, ok := g.byKey[id+"?direct"]
	return r, ok
}

// ByFile returns the modules backed by the absolute path file.
func (g *Graph) ByFile(file string) []Ref { return g.byFile[file] }

// Files calls fn for every file backing a module.
func (g *Graph) Files(fn func(file string, mods []Ref)) {
	for f, rs := range g.byFile {
		fn(f, rs)
	}
}

// Add returns the module with this ID and kind, creating it when missing.
func (g *Graph) Add(id, file string, kind Kind) (Ref, bool) {
	k := key(id, kind)
	if r, ok := g.byKey[k]; ok {
		return r, false
	}
	var r Ref
	m := Module{ID: id, File: file, Kind: kind}
	if n := len(g.free); n > 0 {
		r = g.free[n-1]
		g.free = g.free[:n-1]
		g.mods[r] = m
	} else {
		r = Ref(len(g.mods))
		g.mods = append(g.mods, m)
	}
	g.byKey[k] = r
	if file != "" {
		g.byFile[file] = append(g.byFile[file], r)
	}
	if _, ok := g.gone[k]; ok {
		delete(g.gone, k)
		g.returned = append(g.returned, r)
	}
	return r, true
}

// TakeReturned returns the modules added since the last call under the
// key of a module that was removed before (a file deleted and created
// again), and forgets them. Whoever versions modules must give each a
// version no runtime has seen: the runtime may still hold the removed
// module's instance under its old URL.
func (g *Graph) TakeReturned() []Ref {
	out := g.returned
	g.returned = nil
	return slices.DeleteFunc(out, func(r Ref) bool { return !g.Exists(r) })
}

// Remove deletes module r. Importers keep their Imports of it, now
// unresolved, so that re-creating the file re-links them.
func (g *Graph) Remove(r Ref) {
	m := &g.mods[r]
	if m.removed {
		return
	}
	g.SetImports(r, nil)
	for _, imp := range m.Importers {
		im := &g.mods[imp]
		for i := range im.Imports {
			if im.Imports[i].Target == r {
				im.Imports[i].Target = None
				g.unresolved[imp] = struct{}{}
			}
		}
		im.Hot.forget(r)
	}
	if m.Live {
		g.livenessStale = true
		g.liveN--
	}
	delete(g.byKey, key(m.ID, m.Kind))
	if m.Kind != KindExternal {
		if len(g.gone) >= maxGone {
			// Forgetting a key only risks an old URL for a module that
			// comes back; the bound keeps churn from growing the map.
			for k := range g.gone {
				delete(g.gone, k)
				break
			}
		}
		g.gone[key(m.ID, m.Kind)] = struct{}{}
	}
	if m.File != "" {
		rs := deleteRef(g.byFile[m.File], r)
		if len(rs) == 0 {
			delete(g.byFile, m.File)
		} else {
			g.byFile[m.File] = rs
		}
	}
	delete(g.entries, r)
	delete(g.unresolved, r)
	*m = Module{removed: true}
	g.free = append(g.free, r)
}

func deleteRef(rs []Ref, r Ref) []Ref {
	return slices.DeleteFunc(rs, func(x Ref) bool { return x == r })
}

// SetImports replaces the imports of module from and maintains reverse
// edges. It reports whether the set of resolved edges changed.
func (g *Graph) SetImports(from Ref, imports []Import) (changed bool) {
	m := &g.mods[from]
	old := m.Imports
	if importsEqual(old, imports) {
		m.Imports = imports
		return false
	}
	oldT := targets(old)
	newT := targets(imports)
	for _, t := range oldT {
		if !slices.Contains(newT, t) && g.Exists(t) {
			tm := &g.mods[t]
			tm.Importers = deleteRef(tm.Importers, from)
			if m.Live {
				g.livenessStale = true
			}
		}
	}
	for _, t := range newT {
		if !slices.Contains(oldT, t) {
			tm := &g.mods[t]
			tm.Importers = append(tm.Importers, from)
		}
	}
	// A target can stay while no longer being imported statically (the edge
	// became dynamic, or two imports swapped targets): loadedness may
	// shrink, so re-derive.
	if m.Live && lostStaticEdge(old, imports) {
		g.livenessStale = true
	}
	m.Imports = imports
	g.markUnresolved(from)
	if m.Live {
		g.markFrom(from)
	}
	return true
}

// SetTarget resolves import i of module from to target (which may be None).
func (g *Graph) SetTarget(from Ref, i int, target Ref) {
	imps := slices.Clone(g.mods[from].Imports)
	imps[i].Target = target
	g.SetImports(from, imps)
}

func (g *Graph) markUnresolved(r Ref) {
	for _, imp := range g.mods[r].Imports {
		if imp.Target == None {
			g.unresolved[r] = struct{}{}
			return
		}
	}
	delete(g.unresolved, r)
}

// Unresolved returns the modules that have imports not resolving now.
func (g *Graph) Unresolved() []Ref {
	out := make([]Ref, 0, len(g.unresolved))
	for r := range g.unresolved {
		out = append(out, r)
	}
	slices.Sort(out)
	return out
}

func targets(imps []Import) []Ref {
	var out []Ref
	for _, imp := range imps {
		if imp.Target != None && !slices.Contains(out, imp.Target) {
			out = append(out, imp.Target)
		}
	}
	return out
}

func importsEqual(a, b []Import) bool {
	return slices.EqualFunc(a, b, func(x, y Import) bool {
		return x.Specifier == y.Specifier && x.Kind == y.Kind && x.Target == y.Target &&
			slices.Equal(x.Bindings, y.Bindings)
	})
}

// lostStaticEdge reports whether old imports a target through a
// non-dynamic edge that imports no longer has: loadedness flows along those.
func lostStaticEdge(old, imports []Import) bool {
	for _, o := range old {
		if o.Target == None || o.Kind == EdgeDynamic {
			continue
		}
		if !slices.ContainsFunc(imports, func(n Import) bool { return n.Target == o.Target && n.Kind != EdgeDynamic }) {
			return true
		}
	}
	return false
}

// SetHot replaces the module's HMR facts.
func (g *Graph) SetHot(r Ref, h Hot) { g.mods[r].Hot = h }

// SetEntry makes r an entry (or not).
func (g *Graph) SetEntry(r Ref, entry bool) {
	if entry {
		if _, ok := g.entries[r]; !ok {
			g.entries[r] = struct{}{}
			g.markFrom(r)
		}
		return
	}
	if _, ok := g.entries[r]; ok {
		delete(g.entries, r)
		g.livenessStale = true
	}
}

// IsEntry reports whether r is an entry.
func (g *Graph) IsEntry(r Ref) bool {
	_, ok := g.entries[r]
	return ok
}

// Entries returns the entries, sorted.
func (g *Graph) Entries() []Ref {
	out := make([]Ref, 0, len(g.entries))
	for r := range g.entries {
		out = append(out, r)
	}
	slices.Sort(out)
	return out
}

// BindingsFrom returns the union of bindings importer uses from target, and
// whether importer imports target at all. A namespace, dynamic or re-export-*
// use yields "*".
func (g *Graph) BindingsFrom(importer, target Ref) (bindings []string, ok bool) {
	for _, imp := range g.mods[importer].Imports {
		if imp.Target != target {
			continue
		}
		ok = true
		for _, b := range imp.Bindings {
			if !slices.Contains(bindings, b) {
				bindings = append(bindings, b)
			}
		}
	}
	return bindings, ok
}

// Accepts reports whether importer accepts updates of dep via accept(dep).
func (g *Graph) Accepts(importer, dep Ref) bool {
	return slices.Contains(g.mods[importer].Hot.AcceptedDeps(), dep)
}

// Declines reports whether importer declines updates of dep.
func (g *Graph) Declines(importer, dep Ref) bool {
	return slices.Contains(g.mods[importer].Hot.DeclinedDeps(), dep)
}

// IsStylesheetFile reports whether name is a stylesheet by extension.
func IsStylesheetFile(name string) bool {
	for _, ext := range []string{".css", ".scss", ".sass", ".less", ".styl", ".stylus", ".pcss", ".postcss", ".sss"} {
		if strings.HasSuffix(name, ext) {
			return true
		}
	}
	return false
}
