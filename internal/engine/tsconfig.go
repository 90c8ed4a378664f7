package engine

import (
	"path"
	"slices"
	"strings"

	"github.com/hmrd/hmrd/internal/graph/modgraph"
	"github.com/hmrd/hmrd/internal/resolve"
	"github.com/hmrd/hmrd/internal/scan/jsscan"
)

// rescanForConfig scans again, after a batch changed tsconfig or jsconfig
// files, the TypeScript and JSX modules those apply to, since their compiler
// options decide what the modules import (the JSX runtime, unused imports
// kept or dropped): every such module below a changed config's directory
// (a config created, deleted or edited there) or whose config extends a
// changed one. Their new facts are installed at once (the batch reloads
// anyway, for the config change); a module that no longer compiles keeps
// its facts and is reported. It returns the modules imported for the
// first time.
func (p *Project) rescanForConfig(b *batch) []modgraph.Ref {
	configs := p.changedTSConfigs(b)
	if len(configs) == 0 {
		return nil
	}
	var refs []modgraph.Ref
	var reqs []scanReq
	for r := modgraph.Ref(0); int(r) < p.g.Len(); r++ {
		if !p.g.Exists(r) {
			continue
		}
		m := p.g.Mod(r)
		if m.Kind != modgraph.KindJS || !m.Scanned || b.edited(r) || slices.Contains(b.deleted, r) || p.owned[r] != nil {
			continue
		}
		if loader, _ := jsscan.LoaderFor(m.File); loader == jsscan.LoaderJS {
			continue // plain JS compiles the same under any tsconfig
		}
		if !p.underConfig(m.File, configs) {
			continue
		}
		refs = append(refs, r)
		reqs = append(reqs, scanReq{file: m.File, fam: famJS, trusted: true})
	}
	if len(reqs) == 0 {
		return nil
	}
	var fresh []modgraph.Ref
	results := p.scanMany(reqs)
	for i, r := range refs {
		sr := &results[i]
		m := p.g.Mod(r)
		switch {
		case sr.missing:
			// Gone since it was scanned: the next batch deletes it.
		case sr.fail != nil:
			// Recorded, not signalled: refreshStanding publishes the
			// errors that changed, one per module, at the end of the batch.
			e := *sr.fail
			e.Module = m.ID
			p.errored[r] = e
		default:
			fresh = append(fresh, p.applyScan(r, sr, nil)...)
			b.plan.Warnings = append(b.plan.Warnings, p.withModule(r, sr.warnings)...)
			b.touched[r] = true
		}
	}
	return fresh
}

// changedTSConfigs lists the tsconfig and jsconfig files the batch changed.
func (p *Project) changedTSConfigs(b *batch) []string {
	var out []string
	if b.tsconfig != "" {
		out = append(out, b.tsconfig)
	}
	for _, f := range b.created {
		if resolve.IsConfigFile(f) && path.Base(f) != "package.json" && !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}

// underConfig reports whether one of the config files can apply to file:
// it lies below the config's directory, or its config extends the file.
func (p *Project) underConfig(file string, configs []string) bool {
	for _, c := range configs {
		if dir := path.Dir(c); dir == "/" || strings.HasPrefix(file, dir+"/") {
			return true
		}
	}
	_, chain, _ := p.res.CompilerOptions(file)
	for _, c := range chain {
		if slices.Contains(configs, c) {
			return true
		}
	}
	return false
}
