package propagate

import (
	"fmt"
	"slices"
	"strings"

	"github.com/hmrd/hmrd/internal/graph/modgraph"
)

// Options are the inputs of a propagation besides the changed modules.
type Options struct {
	// TriggeredBy names what changed (a module ID); FullReload carries it.
	TriggeredBy string
	// FirstInvalidatedBy is set when propagating an invalidate(): a boundary
	// that accepts this module again means the chain loops (Vite reloads
	// then too: docs/design.md#invalidate).
	FirstInvalidatedBy string
	// Deleted are modules whose file is gone (still in the graph, as the
	// running instances know it). A deleted module cannot be fetched, so it
	// is no boundary: not of itself, and not of an importer's accept(dep);
	// its importers must run again without it. A dead end it leads to says
	// it was deleted.
	Deleted []modgraph.Ref
}

// Walker computes propagations. It keeps scratch space between calls, so
// reuse one per graph; it is not safe for concurrent use.
type Walker struct {
	g         *modgraph.Graph
	traversed []uint32 // generation stamps, indexed by Ref
	deleted   []uint32 // generation stamps of Options.Deleted, indexed by Ref
	gen       uint32
	importers [][]modgraph.Ref // per-depth scratch for LiveImporters

	updates []Update
	reload  *FullReload
	opts    Options
}

// NewWalker returns a Walker over g.
func NewWalker(g *modgraph.Graph) *Walker { return &Walker{g: g} }

// Compute propagates a change of every module in changed, sharing one
// traversed set across them as Vite does for one batch: a module reached
// twice is expanded once, so a (boundary, accepted) pair appears once.
//
// The first dead end decides the full reload; the changed modules after
// it are still propagated, so that the reload can say what the others
// would update (FullReload.Partial). A changed module whose propagation
// reaches a dead end contributes no boundary.
func (w *Walker) Compute(changed []modgraph.Ref, opts Options) Result {
	w.reset(opts)
	var deadEnd *FullReload
	for _, r := range changed {
		if !w.g.Exists(r) {
			continue
		}
		before := len(w.updates)
		if w.propagate(r, []modgraph.Ref{r}, 0) {
			if deadEnd == nil {
				deadEnd = w.reload
			}
			w.reload = nil
			w.updates = w.updates[:before]
			continue
		}
		if deadEnd != nil {
			continue // the loop check below is for updates that will be signalled
		}
		if opts.FirstInvalidatedBy != "" {
			for _, u := range w.updates[before:] {
				if u.AcceptedPath == opts.FirstInvalidatedBy {
					w.reload = &FullReload{
						Cause: CauseInvalidateLoop,
						Reason: fmt.Sprintf("circular import invalidate: %s called import.meta.hot.invalidate() and its importers accept it again (%s); reloading instead of looping",
							opts.FirstInvalidatedBy, u.Path),
						Chain:       u.Chain,
						TriggeredBy: w.triggeredBy(r),
						Path:        "*",
					}
					return w.result()
				}
			}
		}
	}
	if deadEnd != nil {
		if len(w.updates) > 0 {
			deadEnd.Partial = w.updates
		}
		w.reload = deadEnd
	}
	return w.result()
}

// Compute is a one-shot Walker.Compute.
func Compute(g *modgraph.Graph, changed []modgraph.Ref, opts Options) Result {
	return NewWalker(g).Compute(changed, opts)
}

func (w *Walker) reset(opts Options) {
	if n := w.g.Len(); len(w.traversed) < n {
		w.traversed = make([]uint32, n+n/4)
		w.deleted = make([]uint32, n+n/4)
		w.gen = 0
	}
	w.gen++
	if w.gen == 0 { // wrapped: stamps from 2^32 calls ago would look current
		clear(w.traversed)
		clear(w.deleted)
		w.gen = 1
	}
	for _, r := range opts.Deleted {
		if r >= 0 && int(r) < len(w.deleted) {
			w.deleted[r] = w.gen
		}
	}
	w.updates = nil
	w.reload = nil
	w.opts = opts
}

// isDeleted reports whether node is one of Options.Deleted.
func (w *Walker) isDeleted(node modgraph.Ref) bool { return w.deleted[node] == w.gen }

func (w *Walker) result() Result {
	if w.reload != nil {
		return Result{FullReload: w.reload}
	}
	return Result{Updates: w.updates}
}

func (w *Walker) triggeredBy(r modgraph.Ref) string {
	if w.opts.TriggeredBy != "" {
		return w.opts.TriggeredBy
	}
	return w.g.Mod(r).ID
}

// propagate reports a dead end (and sets w.reload) or records boundaries.
func (w *Walker) propagate(node modgraph.Ref, chain []modgraph.Ref, depth int) bool {
	if w.traversed[node] == w.gen {
		return false
	}
	w.traversed[node] = w.gen
	g := w.g
	m := g.Mod(node)
	// A module no runtime has executed has no instance to update and no
	// page to reload for (as in Vite: docs/design.md#lazy-and-loaded-modules).
	if !m.Loaded {
		return false
	}
	if m.Hot.Declined {
		w.deadEnd(chain, CauseDeclined, fmt.Sprintf("%s declines hot updates (import.meta.hot.decline())", m.ID))
		return true
	}
	importers := w.liveImporters(node, depth)
	// A deleted module has no new version to import: whatever accepts it
	// cannot take the change, and its importers run again without it.
	gone := w.isDeleted(node)
	if !gone && w.selfAccepting(node, importers) {
		w.boundary(node, node, chain)
		// A stylesheet that other sheets @import is inlined into them, so
		// those sheets must update as well.
		if m.Kind.IsStyle() {
			for _, imp := range importers {
				if g.Mod(imp).Kind.IsStyle() && !slices.Contains(chain, imp) {
					w.propagate(imp, extend(chain, imp), depth+1)
				}
			}
		}
		return false
	}
	partial := m.Hot.PartialAccept && !gone
	if partial {
		// Partially accepting: the module re-executes itself, and importers
		// that use exports outside the accepted set must update too.
		w.boundary(node, node, chain)
	} else if len(importers) == 0 {
		root := "no importers"
		if g.IsEntry(node) || g.ImportedByPage(node) {
			root = "entry"
		}
		if !gone {
			root += ", does not accept"
		}
		w.deadEnd(chain, CauseNoBoundary, "no accept boundary: "+formatChain(g, chain)+" ("+root+")")
		return true
	}
	for _, imp := range importers {
		sub := extend(chain, imp)
		if g.Declines(imp, node) {
			w.deadEnd(sub, CauseDeclined, fmt.Sprintf("%s declines hot updates of %s (import.meta.hot.decline)", g.Mod(imp).ID, m.ID))
			return true
		}
		if !gone && g.Accepts(imp, node) {
			w.boundary(imp, node, sub)
			continue
		}
		if partial {
			if used, ok := g.BindingsFrom(imp, node); ok && allAccepted(used, m.Hot.AcceptedExports()) {
				continue
			}
		}
		if !slices.Contains(chain, imp) && w.propagate(imp, sub, depth+1) {
			return true
		}
	}
	return false
}

// liveImporters returns node's live module importers in a per-depth
// buffer, so recursion does not allocate on every level.
func (w *Walker) liveImporters(node modgraph.Ref, depth int) []modgraph.Ref {
	for len(w.importers) <= depth {
		w.importers = append(w.importers, nil)
	}
	w.importers[depth] = w.g.LiveImporters(w.importers[depth][:0], node)
	return w.importers[depth]
}

func (w *Walker) selfAccepting(node modgraph.Ref, importers []modgraph.Ref) bool {
	m := w.g.Mod(node)
	switch m.Kind {
	case modgraph.KindJS:
		return m.Hot.SelfAccepting
	case modgraph.KindLinkedStyle:
		return true
	case modgraph.KindStyle:
		// A sheet imported from JS swaps its <style> itself. A sheet only
		// @imported by other sheets has no instance of its own: it updates
		// through them.
		if len(importers) == 0 {
			return true
		}
		for _, imp := range importers {
			if !w.g.Mod(imp).Kind.IsStyle() {
				return true
			}
		}
		return false
	}
	return false
}

func (w *Walker) boundary(b, accepted modgraph.Ref, chain []modgraph.Ref) {
	bm := w.g.Mod(b)
	typ := UpdateJS
	if bm.Kind == modgraph.KindLinkedStyle {
		typ = UpdateCSS
	}
	w.updates = append(w.updates, Update{
		Type:                   typ,
		Path:                   bm.ID,
		AcceptedPath:           w.g.Mod(accepted).ID,
		IsWithinCircularImport: withinCircularImport(w.g, b, chain),
		FirstInvalidatedBy:     w.opts.FirstInvalidatedBy,
		Chain:                  ids(w.g, chain),
	})
}

func (w *Walker) deadEnd(chain []modgraph.Ref, cause Cause, reason string) {
	for _, r := range chain {
		if w.isDeleted(r) {
			// Whoever reads the reason must learn that a file went away:
			// the modules on the chain may all be unchanged.
			reason = w.g.Mod(r).ID + " was deleted; " + reason
			break
		}
	}
	w.reload = &FullReload{
		Cause:       cause,
		Reason:      reason,
		Chain:       ids(w.g, chain),
		TriggeredBy: w.triggeredBy(chain[0]),
		Path:        "*",
	}
}

// withinCircularImport reports whether an importer of boundary, walking
// upward, is on nodeChain: an import loop passes through the boundary and
// the changed module, so re-importing the boundary may hit a TDZ error
// (Vite's isNodeWithinCircularImports).
func withinCircularImport(g *modgraph.Graph, boundary modgraph.Ref, nodeChain []modgraph.Ref) bool {
	traversed := map[modgraph.Ref]struct{}{}
	var walk func(node modgraph.Ref) bool
	walk = func(node modgraph.Ref) bool {
		if _, ok := traversed[node]; ok {
			return false
		}
		traversed[node] = struct{}{}
		for _, imp := range g.LiveImporters(nil, node) {
			if imp == node || g.Mod(imp).Kind.IsStyle() {
				continue
			}
			if slices.Contains(nodeChain, imp) {
				return true
			}
			if walk(imp) {
				return true
			}
		}
		return false
	}
	return walk(boundary)
}

func allAccepted(used, accepted []string) bool {
	for _, b := range used {
		if !slices.Contains(accepted, b) {
			return false
		}
	}
	return true
}

func extend(chain []modgraph.Ref, r modgraph.Ref) []modgraph.Ref {
	return append(chain[:len(chain):len(chain)], r)
}

func ids(g *modgraph.Graph, chain []modgraph.Ref) []string {
	out := make([]string, len(chain))
	for i, r := range chain {
		out[i] = g.Mod(r).ID
	}
	return out
}

func formatChain(g *modgraph.Graph, chain []modgraph.Ref) string {
	return strings.Join(ids(g, chain), " → ")
}
