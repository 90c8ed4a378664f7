package engine

import (
	"bytes"
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/hmrd/hmrd/internal/graph/modgraph"
	"github.com/hmrd/hmrd/internal/resolve"
	"github.com/hmrd/hmrd/internal/scan/jsscan"
)

// Errors are state (docs/design.md#errors): a module has at most one error
// at a time, kept in Project.errored until the module scans cleanly, is
// deleted, or its imports resolve. The errors that stand are those of live
// modules; each plan reports how they changed (Plan.Errors, Plan.Cleared),
// and Errors lists them all.

// unresolvedImport is an import that does not resolve, positioned for a
// person (line 0 when its place in the source is unknown).
type unresolvedImport struct {
	spec      string
	err       error
	line, col int
	frame     string
}

// maxListed bounds the other unresolved imports an error names one by one.
const maxListed = 10

// blocks reports whether an import of kind k that does not resolve keeps
// its module from being updated. A stylesheet's url() reference does not:
// the sheet applies without the image, so it is only a warning.
func blocks(k modgraph.EdgeKind) bool { return k != modgraph.EdgeURL }

// softUnresolved are the warnings for sr's imports that do not resolve
// but do not block.
func (p *Project) softUnresolved(r modgraph.Ref, sr *scanResult) []ModuleError {
	var out []ModuleError
	for _, ri := range sr.imports {
		if ri.err != nil && !blocks(ri.kind) {
			out = append(out, p.unresolvedError(r, ri.spec, ri.err))
		}
	}
	return out
}

// locate fills sr.unresolved with the imports that do not resolve and
// block, positioned in src (the file's content), and lets go of sr.code.
func locate(sr *scanResult, src []byte) {
	code := sr.code
	sr.code = nil
	// A JS scan's offsets index the text it lexed: the source itself for
	// plain JS, esbuild's output otherwise, which must be searched.
	shifted := sr.fam == famJS && !sameBuffer(code, src)
	var searched map[string]int
	for _, ri := range sr.imports {
		if ri.err == nil || !blocks(ri.kind) {
			continue
		}
		u := unresolvedImport{spec: ri.spec, err: ri.err, line: ri.line, col: ri.col}
		if u.line == 0 {
			at := ri.at
			if at < 0 || shifted {
				if searched == nil {
					searched = map[string]int{}
				}
				at = findSpecifier(src, ri.spec, searched[ri.spec])
				searched[ri.spec]++
			}
			if at >= 0 && at <= len(src) {
				u.line, u.col = lineCol(src, at)
			}
		}
		u.frame = jsscan.CodeFrame(src, u.line, u.col)
		sr.unresolved = append(sr.unresolved, u)
	}
}

func sameBuffer(a, b []byte) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}

// findSpecifier returns the offset of the nth (0-based) quoted occurrence
// of spec in src (of its first byte, inside the quotes), or -1.
func findSpecifier(src []byte, spec string, nth int) int {
	if spec == "" {
		return -1
	}
	for off := 0; off < len(src); {
		i := bytes.Index(src[off:], []byte(spec))
		if i < 0 {
			return -1
		}
		i += off
		end := i + len(spec)
		if i > 0 && end < len(src) && strings.IndexByte("'\"`", src[i-1]) >= 0 && src[end] == src[i-1] {
			if nth == 0 {
				return i
			}
			nth--
		}
		off = i + 1
	}
	return -1
}

// unresolvedModuleError is the one error of module r whose imports us do
// not resolve: the first positioned, with its frame; the others named in
// the message.
func (p *Project) unresolvedModuleError(r modgraph.Ref, us []unresolvedImport) ModuleError {
	first := us[0]
	e := p.unresolvedError(r, first.spec, first.err)
	e.Line, e.Column, e.Frame = first.line, first.col, first.frame
	if len(us) > 1 {
		var b strings.Builder
		fmt.Fprintf(&b, " (and %d more: ", len(us)-1)
		for i, u := range us[1:] {
			if i == maxListed {
				b.WriteString(", …")
				break
			}
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%q", u.spec)
			if u.line > 0 {
				fmt.Fprintf(&b, " at %d:%d", u.line, u.col)
			}
		}
		b.WriteByte(')')
		e.Message += b.String()
	}
	return e
}

// graphUnresolved lists the blocking imports of module r that have no
// target in the graph, positioned by a search of its file.
func (p *Project) graphUnresolved(r modgraph.Ref) []unresolvedImport {
	m := p.g.Mod(r)
	var us []unresolvedImport
	for _, imp := range m.Imports {
		if imp.Target == modgraph.None && blocks(imp.Kind) {
			err := error(resolve.ErrNotFound)
			if m.File != "" {
				if _, rerr := p.resolveImport(m.File, imp.Specifier, imp.Kind); rerr != nil {
					err = rerr
				}
			}
			us = append(us, unresolvedImport{spec: imp.Specifier, err: err})
		}
	}
	if len(us) == 0 || m.File == "" {
		return us
	}
	src, _, err := p.fs.ReadFileLimit(m.File, p.maxSize)
	if err != nil || src == nil {
		return us
	}
	searched := map[string]int{}
	for i := range us {
		u := &us[i]
		if at := findSpecifier(src, u.spec, searched[u.spec]); at >= 0 {
			u.line, u.col = lineCol(src, at)
			u.frame = jsscan.CodeFrame(src, u.line, u.col)
		}
		searched[u.spec]++
	}
	return us
}

// noteUnresolved brings the errors of the modules whose imports changed in
// the graph (relinked, or importing a deleted module, or re-resolved) up to
// date. A module whose content failed to scan, or whose latest content is
// waiting for its imports to resolve, keeps that error: its next scan
// decides.
func (p *Project) noteUnresolved(touched map[modgraph.Ref]bool) {
	for _, r := range sortedRefs(touched) {
		if !p.g.Exists(r) || p.awaiting[r] {
			continue
		}
		if e, ok := p.errored[r]; ok && e.Code != codeUnresolved && e.Code != codeUnsupported {
			continue
		}
		if us := p.graphUnresolved(r); len(us) > 0 {
			p.errored[r] = p.unresolvedModuleError(r, us)
		} else {
			delete(p.errored, r)
		}
	}
}

const codeUnresolved = "UNRESOLVED_IMPORT"

// refreshStanding recomputes the standing errors (those of live modules,
// one per module ID) and records in plan how they changed since the last
// time: the new or different ones in Errors, those gone in Cleared, both
// in module ID order.
func (p *Project) refreshStanding(plan *Plan) {
	if len(p.errored) == 0 && len(p.standing) == 0 {
		return // the usual case, kept free
	}
	now := make(map[string]ModuleError, len(p.standing))
	owner := map[string]modgraph.Ref{}
	for r, e := range p.errored {
		if !p.g.Exists(r) || !p.g.Mod(r).Live {
			continue
		}
		// A stylesheet both linked and imported is two modules with one
		// ID: the first one's error speaks for both.
		id := p.g.Mod(r).ID
		if o, ok := owner[id]; ok && o < r {
			continue
		}
		owner[id] = r
		now[id] = e
	}
	for id, e := range now {
		if old, ok := p.standing[id]; !ok || old != e {
			plan.Errors = append(plan.Errors, e)
		}
	}
	for id := range p.standing {
		if _, ok := now[id]; !ok {
			plan.Cleared = append(plan.Cleared, id)
		}
	}
	slices.SortFunc(plan.Errors, func(a, b ModuleError) int { return cmp.Compare(a.Module, b.Module) })
	slices.Sort(plan.Cleared)
	p.standing = now
}

// Errors are the errors standing now, one per broken live module, in
// module ID order.
func (p *Project) Errors() []ModuleError {
	out := make([]ModuleError, 0, len(p.standing))
	for _, e := range p.standing {
		out = append(out, e)
	}
	slices.SortFunc(out, func(a, b ModuleError) int { return cmp.Compare(a.Module, b.Module) })
	return out
}
