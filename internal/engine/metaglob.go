package engine

import (
	"io/fs"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/hmrd/hmrd/internal/graph/modgraph"
	"github.com/hmrd/hmrd/internal/scan/jsscan"
)

// import.meta.glob: each call names every file its patterns match, and each
// match is an edge of the importer — static for `eager: true`, dynamic
// otherwise (so a lazy match takes part in propagation once a runtime
// loaded it, as any import() target). The calls ride on the glob machinery
// of glob.go: a globSpec with meta set expands into the call's edges, and
// a batch that creates or deletes a matching file re-links the importer
// and makes it a propagation root, as Vite invalidates the importer.

// metaGlob is one import.meta.glob call of a module, compiled.
type metaGlob struct {
	call     jsscan.MetaGlob
	importer string
	root     string
	pos, neg []jsscan.GlobPattern
	// relative: keys are relative to the importer (every pattern starts
	// with "." or "!"); otherwise they are root-relative ("/src/a.js").
	relative bool
	// baseDir is the directory of the call's base option ("" without).
	baseDir string
	// err says why the call has no matches: a pattern that does not
	// compile or reaches outside the root.
	err error
	// files are the call's matches as its edges were last made
	// (metaGlobImports): what a server expands it to, without a walk.
	files []string
}

// GlobMatch is one file an import.meta.glob call matches.
type GlobMatch struct {
	// Key is the object key, as Vite writes it: "./dir/a.js" (relative to
	// the importer, or to the base option), or "/src/dir/a.js".
	Key string
	// Spec is the import specifier, with the call's query.
	Spec string
	// Target is where Spec leads.
	Target ImportTarget
}

// GlobCall is what an import.meta.glob call of a served module expands to.
type GlobCall struct {
	// Signature pairs the call with a server's own scan of the module
	// (jsscan.MetaGlob.Signature).
	Signature string
	// Matches in the order Vite lists them (by path).
	Matches []GlobMatch
	// Err is why the call has no matches ("" when it has, or none exist).
	Err string
}

func compileMetaGlobs(importer, root string, calls []jsscan.MetaGlob) []globSpec {
	out := make([]globSpec, 0, len(calls))
	for _, c := range calls {
		out = append(out, globSpec{meta: compileMetaGlob(importer, root, c)})
	}
	return out
}

func compileMetaGlob(importer, root string, c jsscan.MetaGlob) *metaGlob {
	mg := &metaGlob{call: c, importer: importer, root: root, relative: true}
	dir := path.Dir(importer)
	if c.Base != "" {
		if strings.HasPrefix(c.Base, "/") {
			mg.baseDir = path.Join(root, c.Base)
		} else {
			mg.baseDir = path.Join(dir, c.Base)
		}
		if !within(mg.baseDir, root) {
			mg.err = jsscanErr("base " + c.Base + " reaches outside the project root")
			return mg
		}
		dir = mg.baseDir
	}
	for _, p := range c.Patterns {
		if p == "" || p[0] != '.' && p[0] != '!' {
			mg.relative = false
		}
		g, err := jsscan.CompileGlobPattern(p, dir, root)
		if err != nil {
			mg.err = err
			return mg
		}
		if g.Negative {
			mg.neg = append(mg.neg, g)
		} else {
			mg.pos = append(mg.pos, g)
		}
	}
	return mg
}

type jsscanErr string

func (e jsscanErr) Error() string { return "invalid import.meta.glob: " + string(e) }

// match reports whether the call matches the absolute path file: a
// positive pattern matches it, no negative one excludes it, and it is not
// the importer itself (Vite leaves the importer out).
func (mg *metaGlob) match(file string) bool {
	if mg.err != nil || file == mg.importer || !within(file, mg.root) {
		return false
	}
	ex := mg.call.Exhaustive
	if !slices.ContainsFunc(mg.pos, func(g jsscan.GlobPattern) bool { return g.Match(file, ex) }) {
		return false
	}
	return !slices.ContainsFunc(mg.neg, func(g jsscan.GlobPattern) bool { return g.Match(file, ex) })
}

// reaches reports whether a created directory d may hold matches.
func (mg *metaGlob) reaches(d string) bool {
	for _, g := range mg.pos {
		if within(d, g.Dir) || within(g.Dir, d) {
			return true
		}
	}
	return false
}

// files lists the files the call matches now, sorted by path.
func (p *Project) metaGlobFiles(mg *metaGlob) []string {
	if mg.err != nil {
		return nil
	}
	seen := map[string]bool{}
	var out []string
	for i := range mg.pos {
		g := &mg.pos[i]
		p.walkMeta(mg, g, g.Dir, func(file string) {
			if !seen[file] && mg.match(file) {
				seen[file] = true
				out = append(out, file)
			}
		})
	}
	slices.Sort(out)
	return out
}

// walkMeta calls fn with the files in dir, and below it when g is
// recursive. Unless the call is exhaustive it does not enter node_modules
// or, unless the pattern spells one, dot-directories. Symlinked
// directories are not followed (a cycle would never end).
func (p *Project) walkMeta(mg *metaGlob, g *jsscan.GlobPattern, dir string, fn func(string)) {
	ents, err := p.fs.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range ents {
		name := e.Name()
		full := path.Join(dir, name)
		isDir := e.IsDir()
		if e.Type()&fs.ModeSymlink != 0 {
			info, err := p.fs.Stat(full)
			if err != nil || info.IsDir() {
				continue
			}
		}
		if !isDir {
			fn(full)
			continue
		}
		if !g.Recursive {
			continue
		}
		if !mg.call.Exhaustive && (name == "node_modules" || strings.HasPrefix(name, ".") && !g.SpellsDot()) {
			continue
		}
		p.walkMeta(mg, g, full, fn)
	}
}

// paths returns the object key and the import specifier of file, as Vite
// computes them.
func (mg *metaGlob) paths(file string) (key, spec string) {
	spec = relSpec(path.Dir(mg.importer), file)
	switch {
	case mg.baseDir != "":
		key = relSpec(mg.baseDir, file)
		if strings.HasPrefix(mg.call.Base, "/") {
			spec = "/" + strings.TrimPrefix(file, mg.root+"/")
		}
	case mg.relative:
		key = spec
	default:
		key = "/" + strings.TrimPrefix(file, mg.root+"/")
	}
	return key, spec + mg.call.Query
}

// relSpec is the relative specifier of file from dir: "./a.js", "../b/c.js".
func relSpec(dir, file string) string {
	rel, err := filepath.Rel(dir, file)
	if err != nil {
		return file
	}
	rel = filepath.ToSlash(rel)
	if !strings.HasPrefix(rel, ".") {
		rel = "./" + rel
	}
	return rel
}

// metaGlobImports lists the edges the call produces now.
func (p *Project) metaGlobImports(file string, mg *metaGlob) []rawImport {
	kind := modgraph.EdgeDynamic
	if mg.call.Eager {
		kind = modgraph.EdgeStatic
	}
	binding := "*"
	if mg.call.Import != "" {
		binding = mg.call.Import
	}
	var out []rawImport
	mg.files = p.metaGlobFiles(mg)
	for _, f := range mg.files {
		_, spec := mg.paths(f)
		ri := rawImport{spec: spec, kind: kind, bindings: []string{binding}, at: -1}
		ri.res, ri.err = p.res.Resolve(file, spec)
		if ri.err == nil && !ri.res.External {
			out = append(out, ri)
		}
	}
	return out
}

// globCalls expands the import.meta.glob calls of module m for a server,
// from the matches their edges were made of.
func (p *Project) globCalls(m *modgraph.Module) []GlobCall {
	gi := p.globs.byFile[m.File]
	if gi == nil {
		return nil
	}
	var out []GlobCall
	for _, g := range gi.globs {
		mg := g.meta
		if mg == nil {
			continue
		}
		gc := GlobCall{Signature: mg.call.Signature()}
		if mg.err != nil {
			gc.Err = mg.err.Error()
		}
		for _, f := range mg.files {
			key, spec := mg.paths(f)
			gc.Matches = append(gc.Matches, GlobMatch{Key: key, Spec: spec, Target: p.targetOf(m, spec)})
		}
		out = append(out, gc)
	}
	return out
}
