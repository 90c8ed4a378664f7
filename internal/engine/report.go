package engine

import (
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/hmrd/hmrd/internal/graph/modgraph"
)

// A bundler that builds part of a project knows that part better than the
// scanner: the modules it generates (virtual modules), what its plugins
// rewrite, how it resolved each import. It reports those facts, and they
// replace the scanner's for the modules it names, for as long as it is
// registered (docs/bundlers.md). The engine keeps, for every reported
// module, which registration owns it; the scanner leaves owned modules
// alone, and a registration that ends takes its facts with it.

// ChangeKind says how an input changed.
type ChangeKind uint8

const (
	ChangeUpdate ChangeKind = iota + 1
	ChangeCreate
	ChangeDelete
)

// Change is one changed input of a batch: a file (absolute path), a module
// (its ID), or both when a file backs exactly one module.
type Change struct {
	File, Module string
	Kind         ChangeKind
}

// ReportedImport is one import a bundler resolved.
type ReportedImport struct {
	// Target is the module ID imported.
	Target string
	Kind   modgraph.EdgeKind
	// Bindings used; empty means unknown, which counts as every export.
	Bindings []string
}

// ReportedModule is a bundler's facts about one module it owns.
type ReportedModule struct {
	ID string
	// Files back the module: an edit of any of them changes it. Absolute,
	// or relative to the root.
	Files []string
	// Virtual: no file backs the module.
	Virtual bool
	// Kind is "js" (also when empty), "css", "json" or "asset".
	Kind            string
	Imports         []ReportedImport
	Exports         []string
	SelfAccepting   bool
	AcceptedDeps    []string
	AcceptedExports []string
	Declined        bool
	UsesHot         bool
	Entry           bool
}

// Report is what one bundler message asks: facts to set or withdraw, and
// changes to propagate, applied as one batch.
type Report struct {
	// Owner is the registration reporting (its ID).
	Owner   string
	Modules []ReportedModule
	// Withdraw are module IDs the owner gives up.
	Withdraw []string
	// Replace withdraws every module the owner reported before that
	// Modules does not list.
	Replace bool
	// Changes name files (read again as if the watcher saw them) or
	// modules (changed as if their file were edited).
	Changes []Change
}

// Limits on one report, so that a confused bundler cannot make the daemon
// allocate without bound.
const (
	maxReportModules = 100_000
	maxReportList    = 100_000
	maxReportString  = 4096
)

// Validate checks a report before anything is applied: a report that
// fails changes nothing.
func (r *Report) Validate() error {
	if len(r.Modules) > maxReportModules || len(r.Withdraw) > maxReportList || len(r.Changes) > maxReportList {
		return fmt.Errorf("report too large: at most %d modules, withdrawals or changes", maxReportModules)
	}
	seen := make(map[string]bool, len(r.Modules))
	for i := range r.Modules {
		m := &r.Modules[i]
		if err := checkID("module", m.ID); err != nil {
			return err
		}
		if seen[m.ID] {
			return fmt.Errorf("module %q reported twice", m.ID)
		}
		seen[m.ID] = true
		if _, ok := reportedKinds[m.Kind]; !ok {
			return fmt.Errorf("module %q: unknown kind %q (js, css, json or asset)", m.ID, m.Kind)
		}
		if m.Virtual && len(m.Files) > 0 {
			return fmt.Errorf("module %q: a virtual module has no files", m.ID)
		}
		if len(m.Files)+len(m.Imports)+len(m.Exports)+len(m.AcceptedDeps)+len(m.AcceptedExports) > maxReportList {
			return fmt.Errorf("module %q: too many facts", m.ID)
		}
		for _, f := range m.Files {
			if err := checkPath(f); err != nil {
				return fmt.Errorf("module %q: %w", m.ID, err)
			}
		}
		for _, imp := range m.Imports {
			if err := checkID("import target", imp.Target); err != nil {
				return fmt.Errorf("module %q: %w", m.ID, err)
			}
			if imp.Kind > modgraph.EdgeURL {
				return fmt.Errorf("module %q: import %q: unknown kind", m.ID, imp.Target)
			}
		}
		for _, d := range m.AcceptedDeps {
			if !slices.ContainsFunc(m.Imports, func(imp ReportedImport) bool { return imp.Target == d }) {
				return fmt.Errorf("module %q accepts %q, which it does not import", m.ID, d)
			}
		}
	}
	for _, id := range r.Withdraw {
		if err := checkID("withdrawn module", id); err != nil {
			return err
		}
	}
	for _, c := range r.Changes {
		if (c.File == "") == (c.Module == "") {
			return errors.New("a change names a file or a module, exactly one of the two")
		}
		if c.Kind < ChangeUpdate || c.Kind > ChangeDelete {
			return fmt.Errorf("change of %q%q: unknown kind", c.File, c.Module)
		}
		if c.File != "" {
			if err := checkPath(c.File); err != nil {
				return err
			}
		} else if err := checkID("changed module", c.Module); err != nil {
			return err
		}
	}
	return nil
}

var reportedKinds = map[string]modgraph.Kind{
	"": modgraph.KindJS, "js": modgraph.KindJS, "css": modgraph.KindStyle,
	"json": modgraph.KindJSON, "asset": modgraph.KindAsset,
}

func checkID(what, id string) error {
	switch {
	case id == "":
		return fmt.Errorf("%s: empty module ID", what)
	case len(id) > maxReportString:
		return fmt.Errorf("%s: module ID longer than %d bytes", what, maxReportString)
	case strings.HasPrefix(id, "/@id/"):
		return fmt.Errorf("%s %q: /@id/ names packages outside the project, which no bundler owns", what, id)
	}
	return nil
}

func checkPath(f string) error {
	switch {
	case f == "":
		return errors.New("empty file path")
	case len(f) > maxReportString:
		return fmt.Errorf("file path longer than %d bytes", maxReportString)
	case strings.ContainsRune(f, 0):
		return errors.New("file path contains NUL")
	}
	return nil
}

// ownership is what the engine keeps of a reported module.
type ownership struct {
	owner string
	// files back the module beyond m.File (which is files[0] when the
	// module has files).
	files []string
	// entry: the report made the module an entry.
	entry bool
}

// abs makes a reported path absolute against the root.
func (p *Project) abs(f string) string {
	if path.IsAbs(f) {
		return path.Clean(f)
	}
	return path.Join(p.opts.Root, f)
}

// fileFor is the file a module ID names, "" when it names none (a virtual
// ID); the inverse of idFor.
func (p *Project) fileFor(id string) string {
	switch {
	case strings.HasPrefix(id, "/@fs/"):
		return path.Clean(id[len("/@fs"):])
	case strings.HasPrefix(id, "/@"), !strings.HasPrefix(id, "/"):
		return ""
	}
	return path.Join(p.opts.Root, id)
}

// Owner returns the registration that owns module id, "" for a module the
// scanner handles (or none).
func (p *Project) Owner(id string) string {
	if r, ok := p.g.LookupID(id); ok {
		if o := p.owned[r]; o != nil {
			return o.owner
		}
	}
	return ""
}

// Owned counts the modules owner reported.
func (p *Project) Owned(owner string) int {
	n := 0
	for _, o := range p.owned {
		if o.owner == owner {
			n++
		}
	}
	return n
}

// ownedBy lists the modules owner reported, in Ref order.
func (p *Project) ownedBy(owner string) []modgraph.Ref {
	var out []modgraph.Ref
	for r, o := range p.owned {
		if o.owner == owner {
			out = append(out, r)
		}
	}
	slices.Sort(out)
	return out
}

// Withdraw gives up every module owner reported (its registration ended).
func (p *Project) Withdraw(owner string) *Plan {
	return p.Report(Report{Owner: owner, Replace: true})
}

// Report applies a bundler's report as one batch, through the same stages
// as Apply: file changes are read again as the watcher's would be; module
// changes and withdrawn modules are changed or deleted modules; the
// propagation uses the facts of the running instances; then the reported
// facts are installed. The report must have passed Validate.
func (p *Project) Report(rep Report) *Plan {
	b := &p.batch
	defer b.reset()
	b.plan = &Plan{}
	var files []string
	for _, c := range rep.Changes {
		if c.File != "" {
			files = append(files, p.abs(c.File))
		}
	}
	p.classify(b, files)
	p.scanChanged(b)
	p.markOwnedFiles(b)
	fallback := p.withdrawals(b, &rep)
	p.changeModules(b, &rep)
	p.relinkImports(b)
	p.relinkGlobs(b)
	p.propagateChanges(b)
	p.applyFacts(b)
	p.fallBack(b, fallback)
	p.installReported(b, &rep)
	p.refreshLiveness(b)
	p.stampVersions(b)
	p.refreshStanding(b.plan)
	return p.finish(b)
}

// markOwnedFiles makes the owned modules backed by the batch's files
// changed: a bundler builds them from those files, and the scanner does not
// read them (scanChanged skips owned modules).
func (p *Project) markOwnedFiles(b *batch) {
	if len(p.owned) == 0 {
		return
	}
	for _, c := range b.plan.Changes {
		for r, o := range p.owned {
			m := p.g.Mod(r)
			if (m.File == c.File || slices.Contains(o.files, c.File)) && !slices.Contains(b.roots, r) && !slices.Contains(b.pages, r) {
				b.markChanged(r, m)
			}
		}
	}
}

// withdrawals finds the modules the report withdraws. Those a file the
// scanner handles backs go back to the scanner (returned: fallBack scans
// them once propagation is done); the others leave the graph as deleted
// modules do: a live one propagates to its importers and is pruned once
// nothing live imports it (docs/design.md#deleted-modules).
func (p *Project) withdrawals(b *batch, rep *Report) (fallback []modgraph.Ref) {
	listed := make(map[string]bool, len(rep.Modules))
	for _, m := range rep.Modules {
		listed[m.ID] = true
	}
	gone := map[modgraph.Ref]bool{}
	for _, id := range rep.Withdraw {
		if r, ok := p.g.LookupID(id); ok && p.owned[r] != nil && p.owned[r].owner == rep.Owner {
			gone[r] = true
		}
	}
	if rep.Replace {
		for _, r := range p.ownedBy(rep.Owner) {
			if !listed[p.g.Mod(r).ID] {
				gone[r] = true
			}
		}
	}
	for _, r := range sortedRefs(gone) {
		m := p.g.Mod(r)
		if p.scannable(m) {
			fallback = append(fallback, r)
			continue
		}
		p.deleteModule(b, r)
	}
	return fallback
}

// scannable reports whether the scanner can take module m over: a file
// backs it, and the file exists.
func (p *Project) scannable(m *modgraph.Module) bool {
	if m.File == "" || m.Kind == modgraph.KindExternal {
		return false
	}
	_, err := p.fs.Stat(m.File)
	return err == nil
}

// deleteModule treats module r as deleted in this batch.
func (p *Project) deleteModule(b *batch, r modgraph.Ref) {
	if slices.Contains(b.deleted, r) {
		return
	}
	m := p.g.Mod(r)
	b.deleted = append(b.deleted, r)
	b.markChanged(r, m)
	if m.Live && m.Kind != modgraph.KindHTML {
		b.goneLive = append(b.goneLive, p.holdersOf(r))
	}
}

// changeModules applies the report's module changes: an update (or a
// create of a module the graph has) changes the module as an edit of its
// file would; a delete removes a module the owner owns. A change naming
// nothing known, and not reported in the same message, is listed in
// Plan.Unknown.
func (p *Project) changeModules(b *batch, rep *Report) {
	for _, c := range rep.Changes {
		if c.Module == "" {
			continue
		}
		b.plan.Changes = append(b.plan.Changes, Change{Module: c.Module, File: p.fileFor(c.Module), Kind: c.Kind})
		r, ok := p.g.LookupID(c.Module)
		reported := slices.ContainsFunc(rep.Modules, func(m ReportedModule) bool { return m.ID == c.Module })
		switch {
		case !ok && !reported:
			b.plan.Unknown = append(b.plan.Unknown, c.Module)
		case !ok:
			// New: nothing runs it yet; its importers pick it up when the
			// facts are installed.
		case c.Kind == ChangeDelete:
			if o := p.owned[r]; o != nil && o.owner == rep.Owner && !reported {
				p.deleteModule(b, r)
			} else if o == nil {
				b.plan.Unknown = append(b.plan.Unknown, c.Module)
			}
		default:
			if !slices.Contains(b.roots, r) && !slices.Contains(b.pages, r) {
				b.markChanged(r, p.g.Mod(r))
			}
		}
	}
}

// fallBack hands withdrawn file-backed modules back to the scanner: their
// file is scanned and its facts replace the bundler's. The running
// instance was built by the bundler, so this is no change of the module's
// code: nothing propagates, but what only the bundler's facts imported is
// pruned.
func (p *Project) fallBack(b *batch, refs []modgraph.Ref) {
	if len(refs) == 0 {
		return
	}
	reqs := make([]scanReq, len(refs))
	for i, r := range refs {
		p.disown(r)
		m := p.g.Mod(r)
		m.Scanned = false
		reqs[i] = scanReq{file: m.File, fam: familyOf(m.Kind), trusted: true}
	}
	var fresh []modgraph.Ref
	for i, sr := range p.scanMany(reqs) {
		r := refs[i]
		switch {
		case sr.missing:
			p.g.SetImports(r, nil)
		case sr.fail != nil:
			e := *sr.fail
			e.Module = p.g.Mod(r).ID
			p.errored[r] = e
			p.g.SetImports(r, nil)
		default:
			fresh = append(fresh, p.applyScan(r, &sr, b.plan)...)
		}
		b.touched[r] = true
	}
	p.discover(fresh, b.plan)
}

// installReported sets the facts of the reported modules, creating the
// modules the graph does not have, and links the imports of owned modules
// that name a module only now known.
func (p *Project) installReported(b *batch, rep *Report) {
	if len(rep.Modules) == 0 {
		return
	}
	if p.owned == nil {
		p.owned = map[modgraph.Ref]*ownership{}
	}
	refs := make([]modgraph.Ref, len(rep.Modules))
	for i := range rep.Modules {
		rm := &rep.Modules[i]
		var files []string
		for _, f := range rm.Files {
			files = append(files, p.abs(f))
		}
		file := ""
		switch {
		case len(files) > 0:
			file = files[0]
		case !rm.Virtual:
			file = p.fileFor(rm.ID)
		}
		r, ok := p.g.LookupID(rm.ID)
		if !ok {
			r, _ = p.g.Add(rm.ID, file, reportedKinds[rm.Kind])
		}
		o := p.owned[r]
		if o == nil {
			o = &ownership{}
			p.owned[r] = o
		}
		o.owner = rep.Owner
		o.files = files
		refs[i] = r
	}
	var fresh []modgraph.Ref
	for i := range rep.Modules {
		fresh = append(fresh, p.setReported(b, refs[i], &rep.Modules[i])...)
	}
	p.linkReported(b)
	p.discover(fresh, b.plan)
}

// setReported installs one module's reported facts and returns the files
// its imports reach for the first time (for the scanner).
func (p *Project) setReported(b *batch, r modgraph.Ref, rm *ReportedModule) []modgraph.Ref {
	var fresh []modgraph.Ref
	imports := make([]modgraph.Import, 0, len(rm.Imports))
	for _, ri := range rm.Imports {
		imp := modgraph.Import{Specifier: ri.Target, Kind: ri.Kind, Bindings: ri.Bindings, Target: modgraph.None}
		if len(imp.Bindings) == 0 {
			imp.Bindings = []string{"*"}
		}
		if t, ok := p.g.LookupID(ri.Target); ok {
			imp.Target = t
		} else if f := p.fileFor(ri.Target); f != "" {
			if _, err := p.fs.Stat(f); err == nil {
				t, created := p.g.Add(ri.Target, f, kindFor(f, ri.Kind))
				imp.Target = t
				if created {
					fresh = append(fresh, t)
				}
			}
		}
		imports = append(imports, imp)
	}
	p.g.SetImports(r, imports)
	m := p.g.Mod(r)
	// The module may be in the graph already with the kind its file's
	// extension suggested (a .vue or .svelte file imported from a scanned
	// module is an asset): the bundler that builds it knows better.
	if k := reportedKinds[rm.Kind]; m.Kind != k && m.Kind != modgraph.KindLinkedStyle {
		m.Kind = k
	}
	m.Exports = slices.Clone(rm.Exports)
	m.Scanned = true
	m.Hash = 0
	delete(p.errored, r)
	delete(p.awaiting, r)
	delete(p.globs.byFile, m.File)
	h := modgraph.Hot{
		SelfAccepting: rm.SelfAccepting,
		PartialAccept: len(rm.AcceptedExports) > 0 && !rm.SelfAccepting,
		Declined:      rm.Declined,
		UsesAPI:       rm.UsesHot || rm.SelfAccepting || rm.Declined || len(rm.AcceptedDeps) > 0 || len(rm.AcceptedExports) > 0,
	}
	var deps []modgraph.Ref
	for _, d := range rm.AcceptedDeps {
		for _, imp := range imports {
			if imp.Specifier == d && imp.Target != modgraph.None && !slices.Contains(deps, imp.Target) {
				deps = append(deps, imp.Target)
			}
		}
	}
	h.SetLists(deps, slices.Clone(rm.AcceptedExports), nil)
	p.g.SetHot(r, h)
	o := p.owned[r]
	switch {
	case rm.Entry && !p.g.IsEntry(r):
		p.g.SetEntry(r, true)
		o.entry = true
	case !rm.Entry && o.entry:
		p.g.SetEntry(r, false)
		o.entry = false
	}
	b.touched[r] = true
	return fresh
}

// linkReported links the unresolved imports of owned modules whose target
// is now in the graph (a virtual module reported after its importer). A
// live importer that gains a module it was built without changes, as when
// an import of a created file starts to resolve.
func (p *Project) linkReported(b *batch) {
	for _, r := range p.g.Unresolved() {
		if p.owned[r] == nil {
			continue
		}
		m := p.g.Mod(r)
		linked := false
		for i, imp := range m.Imports {
			if imp.Target != modgraph.None {
				continue
			}
			if t, ok := p.g.LookupID(imp.Specifier); ok {
				p.g.SetTarget(r, i, t)
				linked = true
			}
		}
		if linked {
			b.touched[r] = true
			if m := p.g.Mod(r); m.Live && !slices.Contains(b.stampRoots, r) {
				b.stampRoots = append(b.stampRoots, r)
			}
		}
	}
}

// disown forgets that a bundler owns module r.
func (p *Project) disown(r modgraph.Ref) {
	o := p.owned[r]
	if o == nil {
		return
	}
	if o.entry && p.g.Exists(r) {
		p.g.SetEntry(r, false)
	}
	delete(p.owned, r)
}

// noteChange records a changed path of the batch for Plan.Changes, with the
// module when exactly one backs the file.
func (p *Project) noteChange(b *batch, f string, kind ChangeKind) {
	c := Change{File: f, Kind: kind}
	if refs := p.g.ByFile(f); len(refs) == 1 {
		c.Module = p.g.Mod(refs[0]).ID
	}
	b.plan.Changes = append(b.plan.Changes, c)
}

// settleChanges marks as deleted the changes of files whose modules the
// batch deleted (classify cannot tell a removed file from a written one
// before reading it).
func (p *Project) settleChanges(b *batch) {
	for _, r := range b.deleted {
		f := p.g.Mod(r).File
		for i := range b.plan.Changes {
			if c := &b.plan.Changes[i]; c.File == f && c.Kind == ChangeUpdate {
				c.Kind = ChangeDelete
			}
		}
	}
}
