package engine

import (
	"errors"
	"fmt"
	"hash/maphash"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/hmrd/hmrd/internal/graph/modgraph"
	"github.com/hmrd/hmrd/internal/graph/propagate"
	"github.com/hmrd/hmrd/internal/resolve"
	"github.com/hmrd/hmrd/internal/vfs"
)

// Project is the engine state of one project.
type Project struct {
	fs      vfs.FS
	opts    Options
	res     *resolve.Resolver
	g       *modgraph.Graph
	walker  *propagate.Walker
	seed    maphash.Seed
	maxSize int64
	workers int
	now     func() time.Time
	// emptyWait and emptyHash: see rereadEmpty.
	emptyWait time.Duration
	emptyHash uint64

	lastToken int64
	// errored holds the current error of each module that has one (see
	// errors.go): a content that does not scan (the module keeps its last
	// good facts), or imports that do not resolve.
	errored map[modgraph.Ref]ModuleError
	// awaiting are the errored modules whose latest content scans but
	// imports something that does not resolve: they keep their last good
	// facts, and their file is scanned again whenever a file appears or a
	// resolution config changes, until it resolves.
	awaiting map[modgraph.Ref]bool
	// standing are the errors of live modules by module ID, as the last
	// plan reported them.
	standing map[string]ModuleError
	// held are deleted modules a runtime may still run (see heldModule).
	held []heldModule
	// claims are the entries named by the user or a subscriber, by the
	// string they gave (see claim).
	claims map[string]*claim
	// batch is Apply's working state, reused from batch to batch.
	batch batch
	// globs are the glob imports of the modules that have some.
	globs globIndex
	// owned are the modules a bundler reported, with their owner
	// (report.go); the scanner leaves them alone.
	owned map[modgraph.Ref]*ownership
	// refresh caches the Fast Refresh runtime of each source directory.
	refresh refreshCache
}

// Open builds the graph of the project at opts.Root: every HTML page below
// the root (outside ignored directories) and every configured entry, and
// everything they import. Problems in sources are not errors here: they are
// returned as the plan's Errors and Warnings, and the project is usable. A
// configured entry that does not resolve is one too, unless
// opts.RequireEntries makes it an error (an *EntryError).
func Open(fsys vfs.FS, opts Options) (*Project, *Plan, error) {
	if !path.IsAbs(opts.Root) {
		return nil, nil, fmt.Errorf("open project %q: root must be an absolute path", opts.Root)
	}
	opts.Root = path.Clean(opts.Root)
	info, err := fsys.Stat(opts.Root)
	if err != nil {
		return nil, nil, fmt.Errorf("open project %s: %w", opts.Root, err)
	}
	if !info.IsDir() {
		return nil, nil, fmt.Errorf("open project %s: not a directory", opts.Root)
	}
	p := &Project{
		fs:       fsys,
		opts:     opts,
		g:        modgraph.New(),
		seed:     maphash.MakeSeed(),
		maxSize:  opts.MaxFileSize,
		workers:  opts.Workers,
		now:      opts.Now,
		errored:  map[modgraph.Ref]ModuleError{},
		awaiting: map[modgraph.Ref]bool{},
		claims:   map[string]*claim{},
	}
	if p.maxSize <= 0 {
		p.maxSize = defaultMaxFileSize
	}
	if p.workers <= 0 {
		p.workers = defaultWorkers()
	}
	if p.now == nil {
		p.now = time.Now
	}
	p.emptyWait = opts.EmptyReadWait
	if p.emptyWait == 0 {
		p.emptyWait = defaultEmptyReadWait
	}
	p.emptyHash = maphash.Bytes(p.seed, nil)
	p.res = resolve.New(fsys, resolve.Options{Root: opts.Root, WatchedRoots: opts.WatchedRoots, Conditions: opts.Conditions, ExtraConditions: opts.ExtraConditions})
	p.walker = propagate.NewWalker(p.g)

	plan := &Plan{}
	var pages []string
	p.findPages(opts.Root, &pages, plan)
	var queue []modgraph.Ref
	for _, file := range pages {
		r, _ := p.g.Add(p.idFor(file), file, modgraph.KindHTML)
		p.g.SetEntry(r, true)
		queue = append(queue, r)
	}
	for _, e := range opts.Entries {
		c := p.claim(e)
		c.configured = true
		r, err := p.addEntry(e)
		if err != nil {
			if opts.RequireEntries {
				return nil, nil, err
			}
			plan.Errors = append(plan.Errors, ModuleError{Module: e, Message: err.Error(), Code: "UNRESOLVED_IMPORT"})
			continue
		}
		c.id = p.g.Mod(r).ID
		queue = append(queue, r)
	}
	p.discover(queue, plan)
	p.g.RefreshLiveness()
	p.refreshStanding(plan)
	return p, plan, nil
}

// findPages collects the HTML files below dir.
func (p *Project) findPages(dir string, out *[]string, plan *Plan) {
	ents, err := p.fs.ReadDir(dir)
	if err != nil {
		plan.Warnings = append(plan.Warnings, ModuleError{File: dir, Message: fmt.Sprintf("list directory: %v", err), Code: "READ_ERROR"})
		return
	}
	for _, e := range ents {
		name := e.Name()
		full := dir + "/" + name
		if e.IsDir() {
			if !p.opts.ignoredDir(name) {
				p.findPages(full, out, plan)
			}
			continue
		}
		if strings.HasSuffix(name, ".html") {
			*out = append(*out, full)
		}
	}
}

// addEntry resolves an entry given as a path relative to the root or as a
// module ID, and makes it an entry.
func (p *Project) addEntry(e string) (modgraph.Ref, error) {
	spec := e
	if !strings.HasPrefix(spec, "/") && !strings.HasPrefix(spec, "./") && !strings.HasPrefix(spec, "../") {
		spec = "./" + spec
	}
	res, err := p.res.Resolve(p.opts.Root+"/index.html", spec)
	if err != nil {
		return modgraph.None, &EntryError{Entry: e, Err: err}
	}
	if res.External {
		return modgraph.None, &EntryError{Entry: e, Err: errOutsideTrees}
	}
	r, _ := p.g.Add(p.idFor(res.Path), res.Path, kindFor(res.Path, modgraph.EdgeStatic))
	p.g.SetEntry(r, true)
	return r, nil
}

// idFor maps an absolute file path to its module ID
// (docs/design.md#module-identity).
func (p *Project) idFor(file string) string {
	if rel, ok := strings.CutPrefix(file, p.opts.Root+"/"); ok {
		return "/" + rel
	}
	if file == p.opts.Root {
		return "/"
	}
	return "/@fs" + file
}

// discover scans the given modules and, breadth first, every module they
// newly reference. Scanning of one level runs in parallel.
func (p *Project) discover(queue []modgraph.Ref, plan *Plan) {
	for len(queue) > 0 {
		reqs := make([]scanReq, len(queue))
		for i, r := range queue {
			m := p.g.Mod(r)
			reqs[i] = scanReq{file: m.File, fam: familyOf(m.Kind), trusted: true}
		}
		results := p.scanMany(reqs)
		var next []modgraph.Ref
		for i, r := range queue {
			sr := &results[i]
			plan.Warnings = append(plan.Warnings, p.withModule(r, sr.warnings)...)
			switch {
			case sr.missing:
				// Resolved a moment ago, gone now: the next batch reports
				// the delete; keep the module unscanned.
			case sr.fail != nil:
				e := *sr.fail
				e.Module = p.g.Mod(r).ID
				p.errored[r] = e
			default:
				next = append(next, p.applyScan(r, sr, plan)...)
			}
		}
		queue = next
	}
}

func (p *Project) withModule(r modgraph.Ref, errs []ModuleError) []ModuleError {
	for i := range errs {
		errs[i].Module = p.g.Mod(r).ID
	}
	return errs
}

// applyScan installs the facts of sr on module r and returns the modules it
// references for the first time (to scan next).
func (p *Project) applyScan(r modgraph.Ref, sr *scanResult, plan *Plan) []modgraph.Ref {
	var fresh []modgraph.Ref
	imports := make([]modgraph.Import, 0, len(sr.imports))
	for _, ri := range sr.imports {
		imp := modgraph.Import{Specifier: ri.spec, Kind: ri.kind, Bindings: ri.bindings, Target: modgraph.None}
		switch {
		case ri.err != nil:
			// A blocking one is the module's error (below), the others
			// are warnings.
		case ri.res.External:
			imp.Target, _ = p.g.Add("/@id/"+ri.spec, "", modgraph.KindExternal)
		default:
			id, kind := p.moduleFor(ri.res.Path, ri.spec, ri.kind)
			t, created := p.g.Add(id, ri.res.Path, kind)
			imp.Target = t
			if created {
				fresh = append(fresh, t)
			}
		}
		imports = append(imports, imp)
	}
	if imp, ok := p.runEdge(r); ok {
		imports = append(imports, imp)
		if !p.g.Mod(imp.Target).Scanned {
			fresh = append(fresh, imp.Target)
		}
	}
	if plan != nil {
		plan.Warnings = append(plan.Warnings, p.softUnresolved(r, sr)...)
	}
	p.g.SetImports(r, imports)
	p.noteGlobs(r, sr)
	m := p.g.Mod(r)
	m.Scanned = true
	m.Hash = sr.hash
	m.Exports = sr.exports
	delete(p.errored, r)
	delete(p.awaiting, r)
	if len(sr.unresolved) > 0 {
		p.errored[r] = p.unresolvedModuleError(r, sr.unresolved)
	}
	if sr.fam == famJS {
		h := modgraph.Hot{
			SelfAccepting: sr.hot.SelfAccepting,
			Refresh:       sr.refresh,
			PartialAccept: sr.hot.PartialAccept,
			Declined:      sr.hot.Declined,
			UsesAPI:       sr.hot.UsesAPI,
		}
		// Accepting every export is accepting the module (Vite does the
		// same), unless `export *` leaves the export set open.
		if h.PartialAccept && !sr.reexAll && coversAll(sr.hot.AcceptedExports, sr.exports) {
			h.SelfAccepting = true
		}
		h.SetLists(p.depRefs(r, sr.accepted, "accept", plan), sr.hot.AcceptedExports, p.depRefs(r, sr.declined, "decline", plan))
		h.SetDepSpecs(depSpecs(sr.accepted), depSpecs(sr.declined))
		m.RefreshAccepted = m.Hot.Refresh
		p.g.SetHot(r, h)
	}
	return fresh
}

func depSpecs(deps []rawDep) []string {
	if len(deps) == 0 {
		return nil
	}
	out := make([]string, len(deps))
	for i, d := range deps {
		out[i] = d.spec
	}
	return out
}

// rebindHotDeps names again the modules that r's accept(deps) and
// decline(deps) calls name, after some of r's imports were linked anew
// without r being scanned: the running instance of r still has those
// callbacks, so a dependency deleted and created again (git stash, an
// editor's delete and create) is accepted or declined again.
func (p *Project) rebindHotDeps(r modgraph.Ref) {
	m := p.g.Mod(r)
	accepted, declined := m.Hot.DepSpecs()
	if len(accepted) == 0 && len(declined) == 0 {
		return
	}
	resolveAll := func(specs []string) []rawDep {
		deps := make([]rawDep, len(specs))
		for i, spec := range specs {
			deps[i].spec = spec
			deps[i].res, deps[i].err = p.res.Resolve(m.File, spec)
		}
		return deps
	}
	h := m.Hot
	h.SetLists(p.depRefs(r, resolveAll(accepted), "accept", nil), h.AcceptedExports(), p.depRefs(r, resolveAll(declined), "decline", nil))
	p.g.SetHot(r, h)
}

func coversAll(accepted, exports []string) bool {
	for _, e := range exports {
		if !slices.Contains(accepted, e) {
			return false
		}
	}
	return true
}

// depRefs maps accept/decline dep specifiers to modules the importer
// imports; naming a module it does not import is a warning, as in Vite.
func (p *Project) depRefs(r modgraph.Ref, deps []rawDep, what string, plan *Plan) []modgraph.Ref {
	var out []modgraph.Ref
	for _, d := range deps {
		var target modgraph.Ref = modgraph.None
		if d.err == nil {
			id := "/@id/" + d.spec
			if !d.res.External {
				id, _ = p.moduleFor(d.res.Path, d.spec, modgraph.EdgeStatic)
			}
			for _, imp := range p.g.Mod(r).Imports {
				if imp.Target != modgraph.None && p.g.Mod(imp.Target).ID == id {
					target = imp.Target
					break
				}
			}
		}
		if target == modgraph.None {
			if plan != nil {
				plan.Warnings = append(plan.Warnings, ModuleError{
					Module: p.g.Mod(r).ID, File: p.g.Mod(r).File, Code: "HOT_API",
					Message: fmt.Sprintf("import.meta.hot.%s(%q): the module does not import it, so this has no effect", what, d.spec),
				})
			}
			continue
		}
		if !slices.Contains(out, target) {
			out = append(out, target)
		}
	}
	return out
}

func (p *Project) unresolvedError(r modgraph.Ref, spec string, err error) ModuleError {
	m := p.g.Mod(r)
	var ue *UnsupportedError
	if errors.As(err, &ue) {
		return ModuleError{Module: m.ID, File: m.File, Message: fmt.Sprintf("%s imports %q: %v", m.ID, spec, ue), Code: codeUnsupported}
	}
	msg := fmt.Sprintf("cannot resolve import %q from %s", spec, m.ID)
	if errors.Is(err, resolve.ErrNotFound) {
		msg += ": no such file or package"
	} else {
		msg += ": " + err.Error()
	}
	return ModuleError{Module: m.ID, File: m.File, Message: msg, Code: codeUnresolved}
}

// nextToken returns a version token: a millisecond timestamp, strictly
// increasing, so tokens stay unique across daemon restarts (as long as the
// clock does not run backwards across a restart).
func (p *Project) nextToken() int64 {
	t := p.now().UnixMilli()
	if t <= p.lastToken {
		t = p.lastToken + 1
	}
	p.lastToken = t
	return t
}
