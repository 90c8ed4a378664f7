package engine

import (
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/hmrd/hmrd/internal/graph/modgraph"
	"github.com/hmrd/hmrd/internal/resolve"
)

// claim is an entry a person or a program named, by the string it gave
// (a path relative to the root, or a module ID): configured (Options
// .Entries) or held by subscribers (HoldEntry), counted. The claim belongs
// to whoever made it, not to the file: deleting the file removes the module
// and its entry mark, and when the file comes back it is an entry again.
// Pages are entries by being pages, not by claims.
type claim struct {
	id         string // the module it resolved to last; "" if it never did
	configured bool
	holds      int
}

// EntryError is an entry that does not resolve to a module of the project.
type EntryError struct {
	Entry string // as given
	Err   error
}

func (e *EntryError) Error() string {
	why := e.Err.Error()
	if errors.Is(e.Err, resolve.ErrNotFound) {
		why = "no such file or package"
	}
	return fmt.Sprintf("entry %s does not resolve: %s", e.Entry, why)
}

func (e *EntryError) Unwrap() error { return e.Err }

var errOutsideTrees = errors.New("it resolves outside the watched trees")

func (p *Project) claim(e string) *claim {
	c := p.claims[e]
	if c == nil {
		c = &claim{}
		p.claims[e] = c
	}
	return c
}

// HoldEntry declares e an extra entry module (for a runtime without pages)
// on behalf of one more holder, and scans what it imports. Each hold is
// given back with ReleaseEntry(e). It returns the module ID; an entry that
// does not resolve is an *EntryError, and holds nothing.
func (p *Project) HoldEntry(e string) (string, *Plan, error) {
	r, err := p.addEntry(e)
	if err != nil {
		return "", nil, err
	}
	c := p.claim(e)
	c.holds++
	c.id = p.g.Mod(r).ID
	plan := &Plan{}
	if !p.g.Mod(r).Scanned {
		p.discover([]modgraph.Ref{r}, plan)
	}
	p.refreshStanding(plan)
	return c.id, plan, nil
}

// ReleaseEntry gives back one hold of e (as given to HoldEntry). When
// nothing holds or configures the module as an entry any more it stops
// being one, and what only it reached stops being live. That is not
// signalled: the runtimes that ran those modules are the holders that
// left.
func (p *Project) ReleaseEntry(e string) {
	c := p.claims[e]
	if c == nil || c.holds == 0 {
		return
	}
	c.holds--
	if c.holds > 0 || c.configured {
		return
	}
	delete(p.claims, e)
	if c.id == "" || p.claimed(c.id) {
		return
	}
	r, ok := p.g.LookupID(c.id)
	if !ok || p.g.Mod(r).Kind == modgraph.KindHTML {
		return
	}
	p.g.SetEntry(r, false)
	p.g.RefreshLiveness()
	// The errors of modules no longer live no longer stand (Errors).
	p.refreshStanding(&Plan{})
}

// claimed reports whether a claim names module id.
func (p *Project) claimed(id string) bool {
	for _, c := range p.claims {
		if c.id == id {
			return true
		}
	}
	return false
}

// addClaimedEntries makes entries again of the claims whose module is gone
// (or never resolved) when a batch creates paths: a file deleted and
// created again (git stash, a checkout) is the entry it was.
func (p *Project) addClaimedEntries(b *batch) {
	if len(b.created) == 0 || len(p.claims) == 0 {
		return
	}
	for _, e := range slices.Sorted(maps.Keys(p.claims)) {
		c := p.claims[e]
		if r, ok := p.g.LookupID(c.id); ok && p.g.IsEntry(r) {
			continue
		}
		r, err := p.addEntry(e)
		if err != nil {
			continue
		}
		c.id = p.g.Mod(r).ID
		if !p.g.Mod(r).Scanned {
			p.discover([]modgraph.Ref{r}, b.plan)
		}
	}
}

// Adopt carries over from old, the engine this one replaces (a rescan
// builds a new one from disk), what the files do not say: the entries
// subscribers hold, and which modules runtimes reported loaded. The plan
// has what scanning newly held entries found.
func (p *Project) Adopt(old *Project) *Plan {
	plan := &Plan{}
	for _, e := range slices.Sorted(maps.Keys(old.claims)) {
		oc := old.claims[e]
		if oc.holds == 0 {
			continue
		}
		c := p.claim(e)
		c.holds += oc.holds
		r, err := p.addEntry(e)
		if err != nil {
			if c.id == "" {
				c.id = oc.id
			}
			continue
		}
		c.id = p.g.Mod(r).ID
		if !p.g.Mod(r).Scanned {
			p.discover([]modgraph.Ref{r}, plan)
		}
	}
	for r := modgraph.Ref(0); int(r) < old.g.Len(); r++ {
		if !old.g.Exists(r) {
			continue
		}
		m := old.g.Mod(r)
		if !m.ReportedLoaded {
			continue
		}
		if nr, ok := p.g.Lookup(m.ID, m.Kind); ok {
			p.g.MarkLoaded(nr)
		}
	}
	p.refreshStanding(plan)
	return plan
}
