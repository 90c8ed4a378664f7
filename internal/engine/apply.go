package engine

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/hmrd/hmrd/internal/graph/modgraph"
	"github.com/hmrd/hmrd/internal/graph/propagate"
	"github.com/hmrd/hmrd/internal/resolve"
)

// edit is a module whose file now has different, scannable content.
type edit struct {
	r  modgraph.Ref
	sr *scanResult
}

// relink is an import that did not resolve and now does.
type relink struct {
	r   modgraph.Ref
	i   int
	res resolve.Result
}

// Apply processes one batch of changed paths (files or directories,
// absolute; written, created or removed — the engine looks at the disk to
// tell which) and returns what to signal.
func (p *Project) Apply(paths []string) *Plan {
	plan := &Plan{}
	var known, vanished, created []string
	tsconfig, pkgjson := "", ""
	seen := make(map[string]bool, len(paths))
	for _, raw := range paths {
		f := path.Clean(raw)
		if seen[f] {
			continue
		}
		seen[f] = true
		p.res.Invalidate(f)
		if resolve.IsConfigFile(f) {
			if strings.HasPrefix(path.Base(f), "package.json") {
				pkgjson = f
			} else {
				tsconfig = f
			}
		}
		if len(p.g.ByFile(f)) > 0 {
			known = append(known, f)
			continue
		}
		if _, err := p.fs.Stat(f); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				vanished = append(vanished, f)
			}
			continue
		}
		created = append(created, f)
	}
	// A removed directory takes every module below it along.
	if len(vanished) > 0 {
		known = append(known, p.filesBelow(vanished)...)
	}

	// 1. Read and scan.
	var reqs []scanReq
	for _, f := range known {
		var fams []family
		for _, r := range p.g.ByFile(f) {
			if fam := familyOf(p.g.Mod(r).Kind); !slices.Contains(fams, fam) {
				fams = append(fams, fam)
				reqs = append(reqs, scanReq{file: f, fam: fam})
			}
		}
	}
	results := p.scanMany(reqs)

	var edits []edit
	var deleted, roots, pages []modgraph.Ref
	for i, rq := range reqs {
		sr := &results[i]
		for _, r := range slices.Clone(p.g.ByFile(rq.file)) {
			m := p.g.Mod(r)
			if familyOf(m.Kind) != rq.fam {
				continue
			}
			if sr.missing {
				deleted = append(deleted, r)
				continue
			}
			if sr.fail != nil {
				e := *sr.fail
				e.Module = m.ID
				p.errored[r] = e
				if m.Live {
					plan.Errors = append(plan.Errors, e)
					plan.Triggers = append(plan.Triggers, m.ID)
				}
				continue
			}
			_, hadError := p.errored[r]
			if m.Scanned && sr.hash == m.Hash && !hadError && !p.opts.SignalIdenticalWrites {
				continue
			}
			edits = append(edits, edit{r, sr})
			switch {
			case m.Kind == modgraph.KindHTML:
				pages = append(pages, r)
			case m.Live:
				roots = append(roots, r)
			}
		}
	}
	for _, r := range deleted {
		m := p.g.Mod(r)
		if m.Kind == modgraph.KindHTML {
			pages = append(pages, r)
		} else if m.Live {
			roots = append(roots, r)
		}
	}

	// A new file (or changed resolution config) may make imports resolve
	// that did not.
	var relinks []relink
	if len(created) > 0 || pkgjson != "" || tsconfig != "" {
		for _, r := range p.g.Unresolved() {
			m := p.g.Mod(r)
			for i, imp := range m.Imports {
				if imp.Target != modgraph.None {
					continue
				}
				res, err := p.res.Resolve(m.File, imp.Specifier)
				if err != nil {
					continue
				}
				relinks = append(relinks, relink{r, i, res})
				if !m.Live || slices.Contains(roots, r) || slices.Contains(pages, r) {
					continue
				}
				if m.Kind == modgraph.KindHTML {
					pages = append(pages, r)
				} else {
					roots = append(roots, r)
				}
			}
		}
	}

	// 2. Propagate with the facts of the running instances.
	var result propagate.Result
	if len(roots) > 0 {
		result = p.walker.Compute(roots, propagate.Options{})
	}
	for _, r := range roots {
		plan.Triggers = append(plan.Triggers, p.g.Mod(r).ID)
	}
	if result.FullReload == nil && len(pages) > 0 {
		result.FullReload = p.pageReload(pages)
	}
	for _, r := range pages {
		plan.Triggers = append(plan.Triggers, p.g.Mod(r).ID)
	}

	// 3. Apply the new facts.
	touched := map[modgraph.Ref]bool{}
	var fresh []modgraph.Ref
	for _, e := range edits {
		fresh = append(fresh, p.applyScan(e.r, e.sr, nil)...)
		plan.Warnings = append(plan.Warnings, p.withModule(e.r, e.sr.warnings)...)
		touched[e.r] = true
	}
	for _, rl := range relinks {
		t := p.targetFor(rl.res, p.g.Mod(rl.r).Imports[rl.i])
		if p.g.Mod(t).File != "" && !p.g.Mod(t).Scanned {
			fresh = append(fresh, t)
		}
		p.g.SetTarget(rl.r, rl.i, t)
		touched[rl.r] = true
	}
	var stampRoots []modgraph.Ref
	for _, r := range roots {
		if !slices.Contains(deleted, r) {
			stampRoots = append(stampRoots, r)
		}
	}
	for _, r := range deleted {
		m := p.g.Mod(r)
		for _, imp := range m.Importers {
			if p.g.Mod(imp).Live && m.Live {
				stampRoots = append(stampRoots, imp)
			}
			touched[imp] = true
		}
		delete(p.errored, r)
		p.g.Remove(r)
	}
	p.discover(fresh, plan)
	for _, f := range created {
		if strings.HasSuffix(f, ".html") && !p.opts.Ignored(f) && strings.HasPrefix(f, p.opts.Root+"/") {
			r, _ := p.g.Add(p.idFor(f), f, modgraph.KindHTML)
			p.g.SetEntry(r, true)
			p.discover([]modgraph.Ref{r}, plan)
		}
	}
	if tsconfig != "" || pkgjson != "" {
		if changed := p.reresolveAll(); len(changed) > 0 || tsconfig != "" {
			if result.FullReload == nil {
				result.FullReload = configReload(p.configID(tsconfig), p.configID(pkgjson), changed)
			}
		}
	}
	// Live modules touched by this batch that now import something that
	// does not resolve cannot be re-imported as they are.
	for _, r := range sortedRefs(touched) {
		m := p.g.Mod(r)
		if !p.g.Exists(r) || !m.Live {
			continue
		}
		for _, imp := range m.Imports {
			if imp.Target == modgraph.None {
				plan.Errors = append(plan.Errors, p.unresolvedError(r, imp.Specifier, resolve.ErrNotFound))
			}
		}
	}

	// 4. Liveness: what lost its last live importer is pruned.
	pruned := p.g.RefreshLiveness()
	var pruneIDs []string
	for _, r := range pruned {
		m := p.g.Mod(r)
		if m.Kind == modgraph.KindExternal || m.Kind == modgraph.KindHTML {
			continue
		}
		pruneIDs = append(pruneIDs, m.ID)
		stampRoots = append(stampRoots, r)
	}

	// 5. Versions.
	if len(stampRoots) > 0 || result.FullReload != nil || len(result.Updates) > 0 {
		plan.Version = p.nextToken()
		stamped := p.g.Stamp(stampRoots, plan.Version)
		if len(stamped) > 0 {
			plan.Versions = make(map[string]int64, len(stamped))
			for _, r := range stamped {
				plan.Versions[p.g.Mod(r).ID] = plan.Version
			}
		}
	}
	if result.FullReload != nil {
		plan.FullReload = result.FullReload
	} else {
		plan.Updates = result.Updates
		plan.Prune = pruneIDs
	}
	plan.Triggers = dedupe(plan.Triggers)
	return plan
}

// targetFor returns the module an import resolves to, creating it.
func (p *Project) targetFor(res resolve.Result, imp modgraph.Import) modgraph.Ref {
	if res.External {
		r, _ := p.g.Add("/@id/"+imp.Specifier, "", modgraph.KindExternal)
		return r
	}
	r, _ := p.g.Add(p.idFor(res.Path), res.Path, kindFor(res.Path, imp.Kind))
	return r
}

// filesBelow returns the module files inside any of the directories dirs.
func (p *Project) filesBelow(dirs []string) []string {
	set := make(map[string]bool, len(dirs))
	for _, d := range dirs {
		set[d] = true
	}
	var out []string
	p.g.Files(func(file string, _ []modgraph.Ref) {
		for d := path.Dir(file); d != "/" && d != "."; d = path.Dir(d) {
			if set[d] {
				out = append(out, file)
				return
			}
		}
	})
	sort.Strings(out)
	return out
}

// reresolveAll resolves every import again after a resolution config
// changed, relinks what now resolves elsewhere, and describes the changes.
func (p *Project) reresolveAll() []string {
	var changed []string
	for r := modgraph.Ref(0); int(r) < p.g.Len(); r++ {
		if !p.g.Exists(r) || p.g.Mod(r).File == "" || !p.g.Mod(r).Scanned {
			continue
		}
		m := p.g.Mod(r)
		for i, imp := range m.Imports {
			res, err := p.res.Resolve(m.File, imp.Specifier)
			t := modgraph.None
			if err == nil {
				t = p.targetFor(res, imp)
			}
			if t == imp.Target {
				continue
			}
			desc := "(unresolved)"
			if t != modgraph.None {
				desc = p.g.Mod(t).ID
			}
			changed = append(changed, fmt.Sprintf("%s: %q now resolves to %s", m.ID, imp.Specifier, desc))
			fresh := t != modgraph.None && p.g.Mod(t).File != "" && !p.g.Mod(t).Scanned
			p.g.SetTarget(r, i, t)
			if fresh {
				p.discover([]modgraph.Ref{t}, &Plan{})
			}
			m = p.g.Mod(r)
		}
	}
	return changed
}

// configID is the module-ID form of a configuration file path ("" stays "").
func (p *Project) configID(file string) string {
	if file == "" {
		return ""
	}
	return p.idFor(file)
}

// configReload names the changed configuration file by its module ID (the
// same identity every other signal uses).
func configReload(tsconfig, pkgjson string, changed []string) *propagate.FullReload {
	file := tsconfig
	if file == "" {
		file = pkgjson
	}
	reason := file + " changed: TypeScript and module resolution settings apply to every module"
	if tsconfig == "" {
		reason = file + " changed how imports resolve"
		if len(changed) > 0 {
			reason += ": " + changed[0]
			if len(changed) > 1 {
				reason += fmt.Sprintf(" (and %d more)", len(changed)-1)
			}
		}
	}
	return &propagate.FullReload{Cause: propagate.CauseConfig, Reason: reason, TriggeredBy: file, Path: "*"}
}

// pageReload reloads the pages that changed: only tabs showing that page
// when there is one, every page otherwise.
func (p *Project) pageReload(pages []modgraph.Ref) *propagate.FullReload {
	ids := make([]string, len(pages))
	for i, r := range pages {
		ids[i] = p.g.Mod(r).ID
	}
	fr := &propagate.FullReload{Cause: propagate.CausePage, TriggeredBy: ids[0], Chain: ids, Path: "*"}
	if len(ids) == 1 {
		fr.Path = ids[0]
		fr.Reason = "page " + ids[0] + " changed: pages are entries and reload as a whole"
	} else {
		fr.Reason = "pages changed: " + strings.Join(ids, ", ")
	}
	return fr
}

func sortedRefs(set map[modgraph.Ref]bool) []modgraph.Ref {
	out := make([]modgraph.Ref, 0, len(set))
	for r := range set {
		out = append(out, r)
	}
	slices.Sort(out)
	return out
}

func dedupe(s []string) []string {
	var out []string
	for _, x := range s {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}
