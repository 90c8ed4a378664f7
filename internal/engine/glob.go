package engine

import (
	"io/fs"
	"maps"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/hmrd/hmrd/internal/graph/modgraph"
	"github.com/hmrd/hmrd/internal/scan/jsscan"
)

// Glob imports: `import(`./locales/${lang}.js`)` and
// `new URL(`./img/${name}.png`, import.meta.url)` name every file the
// pattern matches (jsscan.Glob has the rules). A scan expands each glob
// into one resolved import per matching file, appended after the module's
// own imports; the module's globs are kept in p.globs so that a batch that
// creates or deletes a matching file can grow or shrink the list without
// the importer changing. Such an importer is a propagation root, as Vite
// updates the modules whose import.meta.glob a created or deleted file
// matches.

// globSpec is one glob of a module, ready to match paths.
type globSpec struct {
	base      string // absolute directory every match lies in or below
	rel       string // base as the pattern spells it: "./locales/"
	re        *regexp.Regexp
	recursive bool
	kind      modgraph.EdgeKind
	// meta is set for an import.meta.glob call (metaglob.go), which
	// matches and expands by its own rules; the fields above are unused.
	meta *metaGlob
}

// globImporter is what p.globs keeps of a module with globs.
type globImporter struct {
	globs []globSpec
	// n counts the trailing imports of the module that its globs produced.
	n int
}

// globIndex holds the globs of every scanned module that has some, by the
// module's file, and the importers a batch must expand again.
type globIndex struct {
	byFile  map[string]*globImporter
	pending []modgraph.Ref
}

func compileGlobs(importer string, globs []jsscan.Glob) []globSpec {
	out := make([]globSpec, 0, len(globs))
	for _, g := range globs {
		kind := modgraph.EdgeDynamic
		if g.Kind == jsscan.ImportURL {
			kind = modgraph.EdgeURL
		}
		rel := g.Dir()
		out = append(out, globSpec{
			base:      path.Join(path.Dir(importer), rel),
			rel:       rel,
			re:        g.Regexp(),
			recursive: g.Recursive(),
			kind:      kind,
		})
	}
	return out
}

// match reports whether the absolute path file matches g.
func (g *globSpec) match(file string) bool {
	if g.meta != nil {
		return g.meta.match(file)
	}
	below, ok := strings.CutPrefix(file, g.base+"/")
	if g.base == "/" {
		below, ok = strings.CutPrefix(file, "/")
	}
	if !ok || below == "" || !g.recursive && strings.Contains(below, "/") {
		return false
	}
	return g.re.MatchString(g.rel + below)
}

// globImports lists the imports the globs of the module in file produce
// now: one per matching file, resolved, in directory order, the first glob
// that matches a file naming it.
func (p *Project) globImports(file string, globs []globSpec) []rawImport {
	var out []rawImport
	seen := map[string]bool{}
	for i := range globs {
		g := &globs[i]
		if g.meta != nil {
			for _, ri := range p.metaGlobImports(file, g.meta) {
				if k := ri.spec + "\x00" + ri.kind.String(); !seen[k] {
					seen[k] = true
					out = append(out, ri)
				}
			}
			continue
		}
		p.walkGlob(g, g.base, g.rel, func(rel string) {
			if seen[rel] {
				return
			}
			seen[rel] = true
			ri := rawImport{spec: rel, kind: g.kind}
			if g.kind == modgraph.EdgeDynamic {
				ri.bindings = []string{"*"}
			}
			ri.res, ri.err = p.res.Resolve(file, rel)
			if ri.err == nil && !ri.res.External {
				out = append(out, ri)
			}
		})
	}
	return out
}

// walkGlob calls fn with the pattern spelling (rel) of every file in dir,
// and below it for a recursive glob, that g matches. As esbuild, it does
// not follow symlinked directories; it also skips the directories the
// project ignores (node_modules, dot-directories…), whose files the
// watcher never reports.
func (p *Project) walkGlob(g *globSpec, dir, rel string, fn func(rel string)) {
	ents, err := p.fs.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range ents {
		name := e.Name()
		full := dir + "/" + name
		if dir == "/" {
			full = "/" + name
		}
		isDir := e.IsDir()
		if e.Type()&fs.ModeSymlink != 0 {
			info, err := p.fs.Stat(full)
			if err != nil || info.IsDir() {
				continue
			}
		}
		switch {
		case isDir:
			if g.recursive && !p.opts.ignoredDir(name) {
				p.walkGlob(g, full, rel+name+"/", fn)
			}
		case g.re.MatchString(rel + name):
			fn(rel + name)
		}
	}
}

// noteGlobs records the globs of module r, whose facts sr now holds.
func (p *Project) noteGlobs(r modgraph.Ref, sr *scanResult) {
	file := p.g.Mod(r).File
	if len(sr.globs) == 0 {
		delete(p.globs.byFile, file)
		return
	}
	if p.globs.byFile == nil {
		p.globs.byFile = map[string]*globImporter{}
	}
	p.globs.byFile[file] = &globImporter{globs: sr.globs, n: sr.globN}
}

// relinkGlobs finds the modules whose globs match a file the batch created
// or deleted, to expand them again in regrowGlobs, and makes the live ones
// propagation roots. A module edited in the batch is left out: its new
// scan expanded its globs against the tree as it is now.
func (p *Project) relinkGlobs(b *batch) {
	p.globs.pending = p.globs.pending[:0]
	if len(p.globs.byFile) == 0 || len(b.created) == 0 && len(b.deleted) == 0 {
		return
	}
	var paths []string
	for _, f := range b.created {
		paths = p.appendGlobCandidates(paths, f)
	}
	for _, r := range b.deleted {
		paths = append(paths, p.g.Mod(r).File)
	}
	if len(paths) == 0 {
		return
	}
	for _, file := range slices.Sorted(maps.Keys(p.globs.byFile)) {
		r, ok := p.globModule(file)
		if !ok {
			delete(p.globs.byFile, file)
			continue
		}
		if b.edited(r) || slices.Contains(b.deleted, r) {
			continue
		}
		gi := p.globs.byFile[file]
		if !slices.ContainsFunc(paths, func(f string) bool {
			return slices.ContainsFunc(gi.globs, func(g globSpec) bool { return g.match(f) })
		}) {
			continue
		}
		p.globs.pending = append(p.globs.pending, r)
		if m := p.g.Mod(r); m.Live && !slices.Contains(b.roots, r) && !slices.Contains(b.pages, r) {
			b.markChanged(r, m)
		}
	}
}

// appendGlobCandidates appends the created path f, or every file below it
// when it is a directory that a glob may reach into. Paths in ignored
// directories are left out: globs do not search those.
func (p *Project) appendGlobCandidates(out []string, f string) []string {
	if p.opts.Ignored(f) {
		return out
	}
	info, err := p.fs.Stat(f)
	if err != nil {
		return out
	}
	if !info.IsDir() {
		return append(out, f)
	}
	reaches := false
	for _, gi := range p.globs.byFile {
		for _, g := range gi.globs {
			if g.meta != nil && g.meta.reaches(f) || g.meta == nil && (within(f, g.base) || within(g.base, f)) {
				reaches = true
			}
		}
	}
	if !reaches {
		return out
	}
	var walk func(dir string)
	walk = func(dir string) {
		ents, err := p.fs.ReadDir(dir)
		if err != nil {
			return
		}
		for _, e := range ents {
			full := dir + "/" + e.Name()
			switch {
			case e.IsDir():
				if !p.opts.ignoredDir(e.Name()) {
					walk(full)
				}
			default:
				out = append(out, full)
			}
		}
	}
	walk(f)
	return out
}

// globModule returns the scanned module of file that can have globs (a JS
// module or a page with inline scripts).
func (p *Project) globModule(file string) (modgraph.Ref, bool) {
	for _, r := range p.g.ByFile(file) {
		m := p.g.Mod(r)
		if (m.Kind == modgraph.KindJS || m.Kind == modgraph.KindHTML) && m.Scanned {
			return r, true
		}
	}
	return modgraph.None, false
}

// regrowGlobs expands again the globs of the modules relinkGlobs found,
// now that deleted modules are gone: their own imports stay, the glob
// imports are replaced. It returns the modules imported for the first time.
func (p *Project) regrowGlobs(b *batch) []modgraph.Ref {
	var fresh []modgraph.Ref
	for _, r := range p.globs.pending {
		if !p.g.Exists(r) {
			continue
		}
		m := p.g.Mod(r)
		gi := p.globs.byFile[m.File]
		if gi == nil || gi.n > len(m.Imports) {
			continue
		}
		own := m.Imports[:len(m.Imports)-gi.n]
		raw := p.globImports(m.File, gi.globs)
		imports := make([]modgraph.Import, 0, len(own)+len(raw))
		imports = append(imports, own...)
		for _, ri := range raw {
			imp := modgraph.Import{Specifier: ri.spec, Kind: ri.kind, Bindings: ri.bindings}
			t := p.targetFor(ri.res, imp)
			if p.g.Mod(t).File != "" && !p.g.Mod(t).Scanned && !slices.Contains(fresh, t) {
				fresh = append(fresh, t)
			}
			imp.Target = t
			imports = append(imports, imp)
		}
		p.g.SetImports(r, imports)
		gi.n = len(raw)
		b.touched[r] = true
	}
	p.globs.pending = p.globs.pending[:0]
	return fresh
}

// within reports whether p is dir or below it.
func within(p, dir string) bool {
	return p == dir || strings.HasPrefix(p, dir+"/") || dir == "/"
}
