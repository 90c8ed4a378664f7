package engine

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"
	"time"

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

// batch carries one Apply through its stages. Each stage reads what the
// earlier ones left and adds its part; the comments on the field groups
// name the stage that fills them. A Project keeps one and reuses it (see
// reset).
type batch struct {
	plan *Plan

	// classify
	known    []string // files backing modules, and module files below removed directories
	created  []string // paths on disk that back no module
	tsconfig string   // the tsconfig/jsconfig file in the batch, if any
	env      string   // the ID of a root .env file in the batch, if any (vite.go)
	pkgjson  string   // the package.json in the batch, if any

	// scanChanged (roots and pages also grow in relinkImports)
	edits   []edit
	deleted []modgraph.Ref // modules whose file is gone
	roots   []modgraph.Ref // changed live modules: where propagation starts
	pages   []modgraph.Ref // changed HTML pages: they reload, they do not propagate

	// relinkImports
	relinks []relink

	// propagateChanges (applyFacts may add a configuration reload)
	result propagate.Result

	// applyFacts (refreshLiveness adds the pruned modules to stampRoots)
	touched    map[modgraph.Ref]bool // modules whose imports changed
	stampRoots []modgraph.Ref        // modules whose version changes, with their importers

	// scanChanged: the deleted modules that were live, with the imports
	// that named them (refreshLiveness holds or prunes them)
	goneLive []heldModule

	// refreshLiveness
	pruneIDs []string
}

// maxReuse bounds the length of the slices and maps a batch keeps for the
// next one.
const maxReuse = 1024

// reset empties b for the next batch. The slices and the map that never
// leave Apply keep their storage, emptied so that they hold on to nothing:
// a project applies one batch at a time, and an edit then allocates none
// of them (shared by the stages through a pointer, they would be allocated
// afresh for every save). A large batch's storage is dropped rather than
// kept.
func (b *batch) reset() {
	touched := b.touched
	if len(touched) > maxReuse {
		touched = nil
	}
	clear(touched)
	*b = batch{
		known:      emptied(b.known),
		created:    emptied(b.created),
		edits:      emptied(b.edits),
		deleted:    emptied(b.deleted),
		goneLive:   emptied(b.goneLive),
		roots:      emptied(b.roots),
		pages:      emptied(b.pages),
		relinks:    emptied(b.relinks),
		touched:    touched,
		stampRoots: emptied(b.stampRoots),
	}
}

// emptied returns s emptied for reuse, or nil when it grew large.
func emptied[S ~[]E, E any](s S) S {
	if cap(s) > maxReuse {
		return nil
	}
	clear(s)
	return s[:0]
}

// configChanged reports whether the batch changed a resolution config.
func (b *batch) configChanged() bool { return b.tsconfig != "" || b.pkgjson != "" }

// markChanged records changed module r: a page reloads, a live module is a
// propagation root; a module no runtime runs needs neither.
func (b *batch) markChanged(r modgraph.Ref, m *modgraph.Module) {
	switch {
	case m.Kind == modgraph.KindHTML:
		b.pages = append(b.pages, r)
	case m.Live:
		b.roots = append(b.roots, r)
	}
}

// Apply processes one batch of changed paths (files or directories,
// absolute; written, created or removed — the engine looks at the disk to
// tell which) and returns what to signal.
//
// It runs the stages the package documentation lists, in that order: the
// changes are found and propagated over the graph as the running instances
// know it, and only then does the graph take the batch's facts.
func (p *Project) Apply(paths []string) *Plan {
	b := &p.batch
	defer b.reset()
	p.refresh.reset()
	b.plan = &Plan{}
	p.classify(b, paths)
	p.scanChanged(b)
	p.markOwnedFiles(b)
	p.relinkImports(b)
	p.relinkGlobs(b)
	p.propagateChanges(b)
	p.applyFacts(b)
	p.refreshLiveness(b)
	p.stampVersions(b)
	p.refreshStanding(b.plan)
	return p.finish(b)
}

// finish turns the batch's results into its plan.
func (p *Project) finish(b *batch) *Plan {
	// A full reload supersedes updates and prunes: the runtime starts over.
	plan := b.plan
	if b.result.FullReload != nil {
		plan.FullReload = b.result.FullReload
	} else {
		plan.Updates = b.result.Updates
		plan.Prune = b.pruneIDs
	}
	plan.Triggers = dedupe(plan.Triggers)
	return plan
}

// classify dedupes the batch's paths and sorts them by what the graph and
// the disk say about them: a watcher reports writes, creates and removes
// alike, and a path can arrive twice in one batch.
//
// Every path is first dropped from the resolver's caches, so that every
// resolution in this batch sees the tree as it is now. A path the graph
// knows is re-read by scanChanged (which also finds out whether it still
// exists). A new path matters only through imports that may now resolve
// and as a new page. A path that is neither in the graph nor on disk may
// have been a directory: the modules below it are gone with it. A changed
// package.json or tsconfig is remembered because it can change how every
// import resolves.
func (p *Project) classify(b *batch, paths []string) {
	var vanished []string
	seen := make(map[string]bool, len(paths))
	for _, raw := range paths {
		f := path.Clean(raw)
		if seen[f] {
			continue
		}
		seen[f] = true
		if p.envFile(f) {
			b.env = p.idFor(f)
		}
		p.res.Invalidate(f)
		if resolve.IsConfigFile(f) {
			if strings.HasPrefix(path.Base(f), "package.json") {
				b.pkgjson = f
			} else {
				b.tsconfig = f
			}
		}
		if len(p.g.ByFile(f)) > 0 {
			b.known = append(b.known, f)
			p.noteChange(b, f, ChangeUpdate) // or a delete: settleChanges
			continue
		}
		if _, err := p.fs.Stat(f); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				vanished = append(vanished, f)
				p.noteChange(b, f, ChangeDelete)
			}
			continue
		}
		b.created = append(b.created, f)
		p.noteChange(b, f, ChangeCreate)
	}
	if len(vanished) > 0 {
		below := p.filesBelow(vanished)
		for _, f := range below {
			if !seen[f] {
				p.noteChange(b, f, ChangeDelete)
			}
		}
		b.known = append(b.known, below...)
	}
	if (len(b.created) > 0 || b.configChanged()) && len(p.awaiting) > 0 {
		// Modules whose latest content imports what did not resolve: it
		// may now.
		for _, f := range b.known {
			seen[f] = true // a removed directory's files too
		}
		for _, r := range sortedRefs(p.awaiting) {
			if f := p.g.Mod(r).File; !seen[f] {
				seen[f] = true
				b.known = append(b.known, f)
			}
		}
	}
}

// scanChanged reads and scans the known files and decides, module by
// module, what changed. A file is read once per family (a stylesheet that
// is both imported and linked is one read), and the files are scanned in
// parallel.
//
// Nothing is installed in the graph yet: propagation must see the facts the
// running instances were built from. A file that is gone deletes its
// modules. A file that fails to scan keeps its module's last good facts,
// so one syntax error does not tear the graph apart; so does a file whose
// content imports something that does not resolve, since the runtime could
// not import it: both are the module's error instead of a change, and the
// module is a trigger of the plan if live. Content identical to the last scan is a
// no-op (editors rewrite unchanged files) unless SignalIdenticalWrites
// asks otherwise, or the module was in error (the fix must be signalled).
func (p *Project) scanChanged(b *batch) {
	var reqs []scanReq
	for _, f := range b.known {
		var fams []family
		for _, r := range p.g.ByFile(f) {
			if p.owned[r] != nil {
				continue // its bundler builds it: markOwnedFiles
			}
			if fam := familyOf(p.g.Mod(r).Kind); !slices.Contains(fams, fam) {
				fams = append(fams, fam)
				reqs = append(reqs, scanReq{file: f, fam: fam})
			}
		}
	}
	results := p.scanMany(reqs)
	p.rereadEmpty(reqs, results)

	for i, rq := range reqs {
		sr := &results[i]
		for _, r := range slices.Clone(p.g.ByFile(rq.file)) {
			m := p.g.Mod(r)
			if familyOf(m.Kind) != rq.fam || p.owned[r] != nil {
				continue
			}
			if sr.missing {
				b.deleted = append(b.deleted, r)
				continue
			}
			if sr.fail != nil || len(sr.unresolved) > 0 {
				if sr.fail != nil {
					e := *sr.fail
					e.Module = m.ID
					p.errored[r] = e
					delete(p.awaiting, r)
				} else {
					p.errored[r] = p.unresolvedModuleError(r, sr.unresolved)
					p.awaiting[r] = true
				}
				if m.Live {
					b.plan.Triggers = append(b.plan.Triggers, m.ID)
				}
				continue
			}
			_, hadError := p.errored[r]
			if m.Scanned && sr.hash == m.Hash && !hadError && !p.opts.SignalIdenticalWrites {
				continue
			}
			b.edits = append(b.edits, edit{r, sr})
			b.markChanged(r, m)
		}
	}
	for _, r := range b.deleted {
		m := p.g.Mod(r)
		b.markChanged(r, m)
		if m.Live && m.Kind != modgraph.KindHTML {
			b.goneLive = append(b.goneLive, p.holdersOf(r))
		}
	}
	p.settleChanges(b)
}

// edited reports whether r's file has new content in this batch.
func (b *batch) edited(r modgraph.Ref) bool {
	for _, e := range b.edits {
		if e.r == r {
			return true
		}
	}
	return false
}

// rereadEmpty reads again the files that had content and now read empty,
// pausing a little longer each time, until they hold something or
// emptyWait has passed: an editor that saves without a rename truncates
// the file, then writes it, and the watcher may report the path in
// between (it waits for an empty file, but only so long, and a burst
// takes every path as it is). So the batch is computed from the final
// bytes, not from the empty file, and the write that follows is a no-op.
// A file that stays empty is taken as empty.
func (p *Project) rereadEmpty(reqs []scanReq, results []scanResult) {
	if p.emptyWait <= 0 {
		return
	}
	var again []int
	for i := range results {
		if results[i].empty && p.hadContent(reqs[i].file) {
			again = append(again, i)
		}
	}
	pause := emptyReadPoll
	for waited := time.Duration(0); len(again) > 0 && waited < p.emptyWait; pause += emptyReadPoll {
		pause = min(pause, p.emptyWait-waited)
		time.Sleep(pause)
		waited += pause
		sub := make([]scanReq, len(again))
		for k, i := range again {
			sub[k] = reqs[i]
		}
		still := again[:0]
		for k, sr := range p.scanMany(sub) {
			i := again[k]
			results[i] = sr
			if sr.empty {
				still = append(still, i)
			}
		}
		again = still
	}
}

// hadContent reports whether the last content scanned from file was not
// empty.
func (p *Project) hadContent(file string) bool {
	for _, r := range p.g.ByFile(file) {
		if m := p.g.Mod(r); m.Scanned && m.Hash != p.emptyHash {
			return true
		}
	}
	return false
}

// relinkImports finds the imports that did not resolve and now do, which
// only a new file or a changed resolution config can cause. They are
// resolved now and installed by applyFacts; their live importers become
// propagation roots, because the running instance was built without the
// module and must run again to get it — once nothing it imports is missing
// any more, and unless its file does not scan (its fix propagates).
func (p *Project) relinkImports(b *batch) {
	if len(b.created) == 0 && !b.configChanged() {
		return
	}
	for _, r := range p.g.Unresolved() {
		// An edited module's imports are replaced wholesale by applyFacts
		// and resolved then: an index into its old list would point at
		// the wrong import, or past the end. A deleted module goes, and
		// one awaiting its imports is read again in this batch.
		if b.edited(r) || p.awaiting[r] || slices.Contains(b.deleted, r) || p.owned[r] != nil {
			continue
		}
		m := p.g.Mod(r)
		relinked, missing := false, false
		for i, imp := range m.Imports {
			if imp.Target != modgraph.None {
				continue
			}
			res, err := p.resolveImport(m.File, imp.Specifier, imp.Kind)
			if err != nil {
				missing = missing || blocks(imp.Kind)
				continue
			}
			b.relinks = append(b.relinks, relink{r, i, res})
			relinked = true
		}
		e, errored := p.errored[r]
		broken := missing || errored && e.Code != codeUnresolved && e.Code != codeUnsupported
		if relinked && !broken && m.Live && !slices.Contains(b.roots, r) && !slices.Contains(b.pages, r) {
			b.markChanged(r, m)
		}
	}
}

// propagateChanges finds the accept boundaries the changed live modules
// reach, or the full reload they cause, over the graph as it stands: the
// facts of the running instances, before this batch. A module that just
// added an accept() handler is not running with it yet, and an importer
// that just dropped one still is; the new facts count from the next batch.
// Changed pages are entries and reload as a whole, unless propagation
// already reloads everything.
func (p *Project) propagateChanges(b *batch) {
	if len(b.roots) > 0 {
		b.result = p.walker.Compute(b.roots, propagate.Options{Deleted: b.deleted})
	}
	for _, r := range b.roots {
		b.plan.Triggers = append(b.plan.Triggers, p.g.Mod(r).ID)
	}
	if b.result.FullReload == nil && len(b.pages) > 0 {
		b.result.FullReload = p.pageReload(b.pages)
	}
	for _, r := range b.pages {
		b.plan.Triggers = append(b.plan.Triggers, p.g.Mod(r).ID)
	}
}

// applyFacts installs the batch's facts now that propagation has used the
// old ones: the edited modules' new imports and HMR facts, the relinked
// imports and the deletions. Then it scans what became reachable for the
// first time (fresh modules, new pages), applies a configuration change,
// and reports the imports touched modules cannot resolve. It collects for
// stampVersions the modules whose versions change: the propagation roots
// that still exist and the live importers of deleted modules.
func (p *Project) applyFacts(b *batch) {
	if b.touched == nil {
		b.touched = map[modgraph.Ref]bool{}
	}
	var fresh []modgraph.Ref
	for _, e := range b.edits {
		fresh = append(fresh, p.applyScan(e.r, e.sr, nil)...)
		b.plan.Warnings = append(b.plan.Warnings, p.withModule(e.r, e.sr.warnings)...)
		b.plan.Warnings = append(b.plan.Warnings, p.softUnresolved(e.r, e.sr)...)
		b.touched[e.r] = true
	}
	for _, rl := range b.relinks {
		t := p.targetFor(rl.res, p.g.Mod(rl.r).Imports[rl.i])
		if p.g.Mod(t).File != "" && !p.g.Mod(t).Scanned {
			fresh = append(fresh, t)
		}
		p.g.SetTarget(rl.r, rl.i, t)
		b.touched[rl.r] = true
	}
	for i, rl := range b.relinks {
		if i == 0 || b.relinks[i-1].r != rl.r {
			p.rebindHotDeps(rl.r)
		}
	}
	for _, r := range b.roots {
		if !slices.Contains(b.deleted, r) {
			b.stampRoots = append(b.stampRoots, r)
		}
	}
	p.removeDeleted(b)
	fresh = append(fresh, p.regrowGlobs(b)...)
	fresh = append(fresh, p.rescanForConfig(b)...)
	p.discover(fresh, b.plan)
	p.addCreatedPages(b)
	p.addClaimedEntries(b)
	p.applyConfig(b)
	p.noteUnresolved(b.touched)
}

// removeDeleted removes the deleted modules. Their importers keep the
// imports, unresolved, so that re-creating the file relinks them; a live
// importer of a live module is stamped, since what it imports changed.
func (p *Project) removeDeleted(b *batch) {
	for _, r := range b.deleted {
		m := p.g.Mod(r)
		for _, imp := range m.Importers {
			if p.g.Mod(imp).Live && m.Live {
				b.stampRoots = append(b.stampRoots, imp)
			}
			b.touched[imp] = true
		}
		delete(p.errored, r)
		delete(p.awaiting, r)
		p.disown(r)
		p.g.Remove(r)
	}
}

// addCreatedPages makes each new HTML file below the root (outside ignored
// directories) an entry, as Open does for the pages it finds, and scans
// what it loads.
func (p *Project) addCreatedPages(b *batch) {
	for _, f := range b.created {
		if strings.HasSuffix(f, ".html") && !p.opts.Ignored(f) && strings.HasPrefix(f, p.opts.Root+"/") {
			r, _ := p.g.Add(p.idFor(f), f, modgraph.KindHTML)
			p.g.SetEntry(r, true)
			p.discover([]modgraph.Ref{r}, b.plan)
		}
	}
}

// applyConfig re-resolves every import after a resolution config changed.
// The running instances were built with the old settings, so the batch
// reloads in full when an import now resolves elsewhere, and for any
// tsconfig change (its settings also change how every module compiles).
func (p *Project) applyConfig(b *batch) {
	if b.env != "" && b.result.FullReload == nil {
		b.result.FullReload = envReload(b.env)
	}
	if !b.configChanged() {
		return
	}
	if changed := p.reresolveAll(b.touched); len(changed) > 0 || b.tsconfig != "" {
		if b.result.FullReload == nil {
			b.result.FullReload = configReload(p.configID(b.tsconfig), p.configID(b.pkgjson), changed)
		}
	}
}

// refreshLiveness re-derives liveness now that edges may have gone: a
// module that lost its last live importer is pruned, so runtimes run its
// dispose and prune handlers. Pruned modules are also stamped: should one
// be imported again, its URL must not be that of the disposed instance.
// Externals and pages are not pruned.
func (p *Project) refreshLiveness(b *batch) {
	for _, r := range p.g.RefreshLiveness() {
		m := p.g.Mod(r)
		if m.Kind == modgraph.KindExternal || m.Kind == modgraph.KindHTML {
			continue
		}
		b.pruneIDs = append(b.pruneIDs, m.ID)
		b.stampRoots = append(b.stampRoots, r)
	}
	p.held = append(p.held, b.goneLive...)
	p.releaseHeld(b)
}

// stampVersions gives the batch one version token and stamps it on the
// changed modules and their live importers (see modgraph.Graph.Stamp), so
// that re-imports fetch new URLs rather than cached instances. A batch
// with nothing to stamp, update or reload takes no token.
func (p *Project) stampVersions(b *batch) {
	// A module deleted and created again must not be fetched under a URL
	// the runtime already has an instance for.
	b.stampRoots = append(b.stampRoots, p.g.TakeReturned()...)
	if len(b.stampRoots) == 0 && b.result.FullReload == nil && len(b.result.Updates) == 0 {
		return
	}
	b.plan.Version = p.nextToken()
	stamped := p.g.Stamp(b.stampRoots, b.plan.Version)
	if len(stamped) > 0 {
		b.plan.Versions = make(map[string]int64, len(stamped))
		for _, r := range stamped {
			b.plan.Versions[p.g.Mod(r).ID] = b.plan.Version
		}
	}
}

// targetFor returns the module an import resolves to, creating it.
func (p *Project) targetFor(res resolve.Result, imp modgraph.Import) modgraph.Ref {
	if res.External {
		r, _ := p.g.Add("/@id/"+imp.Specifier, "", modgraph.KindExternal)
		return r
	}
	id, kind := p.moduleFor(res.Path, imp.Specifier, imp.Kind)
	r, _ := p.g.Add(id, res.Path, kind)
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
// changed, relinks what now resolves elsewhere (marking the module
// touched), and describes the changes.
func (p *Project) reresolveAll(touched map[modgraph.Ref]bool) []string {
	var changed []string
	for r := modgraph.Ref(0); int(r) < p.g.Len(); r++ {
		if !p.g.Exists(r) || p.g.Mod(r).File == "" || !p.g.Mod(r).Scanned || p.owned[r] != nil {
			continue
		}
		m := p.g.Mod(r)
		relinked := false
		for i, imp := range m.Imports {
			res, err := p.resolveImport(m.File, imp.Specifier, imp.Kind)
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
			touched[r] = true
			if fresh {
				p.discover([]modgraph.Ref{t}, &Plan{})
			}
			m = p.g.Mod(r)
			relinked = true
		}
		if relinked {
			p.rebindHotDeps(r)
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
