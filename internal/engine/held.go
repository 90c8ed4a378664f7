package engine

import (
	"slices"

	"github.com/hmrd/hmrd/internal/graph/modgraph"
)

// heldModule is a deleted module that a runtime may still run: it was live
// when its file went away, and live modules imported it. The graph no
// longer has it (its importers' imports of it are unresolved), so it is
// remembered here until nothing live imports it any more; then it is
// pruned, so that runtimes run its dispose and prune handlers
// (docs/design.md#deleted-modules).
type heldModule struct {
	id      string
	holders []holder
}

// holder is one import of a held module: module r, whose ID was id (a Ref
// can be reused once its module is removed), imports it by spec.
type holder struct {
	r    modgraph.Ref
	id   string
	spec string
}

// holdersOf records, before deleted module r leaves the graph, which
// imports of its importers name it.
func (p *Project) holdersOf(r modgraph.Ref) heldModule {
	m := p.g.Mod(r)
	h := heldModule{id: m.ID}
	for _, imp := range m.Importers {
		im := p.g.Mod(imp)
		for _, e := range im.Imports {
			if e.Target == r {
				h.holders = append(h.holders, holder{r: imp, id: im.ID, spec: e.Specifier})
			}
		}
	}
	return h
}

// releaseHeld prunes the held modules that nothing live imports any more:
// their last live importer dropped the import, was deleted or stopped
// being live. A module that is back in the graph (its file created again,
// the imports linked to it) is no longer held, and not pruned.
func (p *Project) releaseHeld(b *batch) {
	if len(p.held) == 0 {
		return
	}
	kept := p.held[:0]
	for _, h := range p.held {
		if _, back := p.g.LookupID(h.id); back {
			continue
		}
		h.holders = slices.DeleteFunc(h.holders, func(x holder) bool { return !p.stillHolds(x) })
		if len(h.holders) == 0 {
			if !slices.Contains(b.pruneIDs, h.id) {
				b.pruneIDs = append(b.pruneIDs, h.id)
			}
			continue
		}
		kept = append(kept, h)
	}
	clear(p.held[len(kept):])
	p.held = kept
}

// stillHolds reports whether the holder's module is live and still imports
// the held module by the same specifier, unresolved.
func (p *Project) stillHolds(x holder) bool {
	if !p.g.Exists(x.r) {
		return false
	}
	m := p.g.Mod(x.r)
	if m.ID != x.id || !m.Live {
		return false
	}
	return slices.ContainsFunc(m.Imports, func(e modgraph.Import) bool {
		return e.Specifier == x.spec && e.Target == modgraph.None
	})
}
