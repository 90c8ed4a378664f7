package resolve

import (
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"
	"sync"

	"github.com/hmrd/hmrd/internal/vfs"
)

// ErrNotFound is wrapped by every error for a specifier that leads nowhere
// (as opposed to one that cannot be resolved because a config is broken).
var ErrNotFound = errors.New("module not found")

// Options configure a Resolver.
type Options struct {
	// Root is the project root, absolute and symlink-resolved. Root-absolute
	// specifiers ("/src/x.js") are relative to it, as in a browser URL.
	Root string
	// WatchedRoots are absolute real paths of trees treated as source besides
	// Root: a bare import whose package lies in one of them (a workspace
	// package symlinked into node_modules) resolves to its file instead of
	// being external.
	WatchedRoots []string
	// Conditions are the package.json exports/imports conditions that are
	// active. Their order does not matter: the first active key of each
	// condition object wins, in the object's own order, as in Node.
	// "default" is always active. Default: browser, import, module, default.
	Conditions []string
	// ExtraConditions are active besides Conditions (or their default):
	// the user's --condition flags.
	ExtraConditions []string
	// Extensions are appended to extensionless candidates, in this order.
	// Default: Vite's .mjs .js .mts .ts .jsx .tsx .json — matching the bundler
	// the conformance cases pin us against; .css is not probed (Vite does not
	// either: CSS imports carry their extension). A file named exactly as
	// imported always wins over any probed one.
	Extensions []string
}

var defaultConditions = []string{"browser", "import", "module", "default"}

var defaultExtensions = []string{".mjs", ".js", ".mts", ".ts", ".jsx", ".tsx", ".json"}

// Resolver resolves import specifiers. It is safe for concurrent use by
// multiple goroutines; Invalidate must not race with Resolve calls whose
// results the caller relies on (it is meant to run between batches).
type Resolver struct {
	fs      vfs.FS
	root    string
	sources []string // Root and WatchedRoots, clean
	conds   map[string]bool
	exts    []string

	mu         sync.RWMutex
	gen        uint64 // bumped by Invalidate; stale computations are not stored
	results    map[resultKey]resultEntry
	deps       map[string][]resultKey // looked-up key → results that read it (see addDep)
	stats      map[string]fact        // real-dir key → what it is
	realDirs   map[string]string      // dir → its real path, "" if not a directory
	below      map[string]struct{}    // dirs with something cached at or below them
	pkgs       map[string]*pkgJSON    // package.json key → parsed
	tsconfigs  map[string]*tsConfig   // tsconfig key → effective (extends merged)
	nearestPkg map[string]string      // dir → nearest package.json key, "" if none
	nearestTS  map[string]string      // dir → nearest tsconfig/jsconfig key, "" if none
}

// New returns a Resolver reading through fsys.
func New(fsys vfs.FS, opts Options) *Resolver {
	r := &Resolver{
		fs:         fsys,
		conds:      map[string]bool{"default": true},
		exts:       opts.Extensions,
		results:    map[resultKey]resultEntry{},
		deps:       map[string][]resultKey{},
		stats:      map[string]fact{},
		realDirs:   map[string]string{},
		below:      map[string]struct{}{},
		pkgs:       map[string]*pkgJSON{},
		tsconfigs:  map[string]*tsConfig{},
		nearestPkg: map[string]string{},
		nearestTS:  map[string]string{},
	}
	if opts.Root != "" {
		r.root = path.Clean(opts.Root)
		r.sources = append(r.sources, r.root)
	}
	for _, w := range opts.WatchedRoots {
		if w != "" {
			r.sources = append(r.sources, path.Clean(w))
		}
	}
	conds := opts.Conditions
	if conds == nil {
		conds = defaultConditions
	}
	for _, c := range append(conds[:len(conds):len(conds)], opts.ExtraConditions...) {
		r.conds[c] = true
	}
	if r.exts == nil {
		r.exts = defaultExtensions
	}
	return r
}

// IsConfigFile reports whether a change to p can change resolution results
// of other files: package.json, tsconfig*.json, jsconfig*.json. A config
// reached only through "extends" under another name is not recognised here
// (Resolver.IsConfigFile knows those once loaded).
func IsConfigFile(p string) bool {
	base := path.Base(p)
	if base == "package.json" {
		return true
	}
	return strings.HasSuffix(base, ".json") &&
		(strings.HasPrefix(base, "tsconfig") || strings.HasPrefix(base, "jsconfig"))
}

// IsConfigFile is the package-level IsConfigFile, plus any file this
// resolver has loaded as a config (a tsconfig extended under another name).
func (r *Resolver) IsConfigFile(p string) bool {
	if IsConfigFile(p) {
		return true
	}
	p = path.Clean(p)
	r.mu.RLock()
	defer r.mu.RUnlock()
	_, ok := r.tsconfigs[p]
	return ok
}

// Resolve resolves specifier as imported from the file importer (absolute).
// A specifier that leads nowhere gives an error wrapping ErrNotFound, naming
// specifier and importer.
func (r *Resolver) Resolve(importer, specifier string) (Result, error) {
	if hasScheme(specifier) || strings.HasPrefix(specifier, "//") {
		return Result{External: true}, nil
	}
	spec := stripSuffix(specifier)
	dir := path.Dir(importer)
	key := resultKey{dir, spec}
	r.mu.RLock()
	e, hit := r.results[key]
	gen := r.gen
	r.mu.RUnlock()
	if !hit {
		if !path.IsAbs(importer) {
			return Result{}, fmt.Errorf("resolve %q from %q: importer is not an absolute path", specifier, importer)
		}
		j := &job{r: r, gen: gen}
		e.res, e.err = j.resolve(dir, spec)
		r.storeResult(key, e, j)
	}
	if e.err != nil {
		return Result{}, fmt.Errorf("resolve %q from %s: %w", specifier, importer, e.err)
	}
	return e.res, nil
}

// stripSuffix drops a ?query and a #hash ("./a.css?inline", "./x.js#top").
// A leading '#' is a package import, not a hash.
func stripSuffix(spec string) string {
	if i := strings.IndexByte(spec, '?'); i >= 0 {
		spec = spec[:i]
	}
	if len(spec) > 1 {
		if i := strings.IndexByte(spec[1:], '#'); i >= 0 {
			spec = spec[:i+1]
		}
	}
	return spec
}

// hasScheme reports whether spec starts with a URL scheme ("https:",
// "data:", "node:", "virtual:"). Single letters are not taken as schemes,
// so a Windows drive letter never looks like one; npm package names cannot
// contain ':'.
func hasScheme(spec string) bool {
	for i := 0; i < len(spec); i++ {
		c := spec[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		case i > 0 && ('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.'):
		case c == ':':
			return i >= 2
		default:
			return false
		}
	}
	return false
}

// resolve dispatches on the specifier's shape.
func (j *job) resolve(dir, spec string) (Result, error) {
	switch {
	case spec == "":
		return Result{}, fmt.Errorf("empty specifier: %w", ErrNotFound)
	case spec == "." || spec == ".." || strings.HasPrefix(spec, "./") || strings.HasPrefix(spec, "../"):
		return j.resolveFile(path.Join(dir, spec), strings.HasSuffix(spec, "/"))
	case spec[0] == '/':
		return j.resolveAbsolute(spec)
	}
	// Package exports and imports see the importer's tsconfig
	// customConditions too. A broken tsconfig is reported by the paths
	// lookup, not here.
	if c, _ := j.nearestTSConfig(dir); c != nil {
		j.conds = c.customConditions
	}
	if spec[0] == '#' {
		return j.resolveImports(dir, spec)
	}
	return j.resolveBare(dir, spec)
}

// active reports whether an exports/imports condition applies.
func (j *job) active(cond string) bool {
	return j.r.conds[cond] || slices.Contains(j.conds, cond)
}

// resolveFile probes the candidate path p and returns its real path.
func (j *job) resolveFile(p string, dirOnly bool) (Result, error) {
	key, err := j.probe(p, dirOnly)
	if err != nil {
		return Result{}, err
	}
	return j.finish(key)
}

// finish turns a found key into a Result with its real path.
func (j *job) finish(key string) (Result, error) {
	real, err := j.realFile(key)
	if err != nil {
		return Result{}, fmt.Errorf("real path of %s: %w", key, err)
	}
	return Result{Path: real}, nil
}

// resolveAbsolute handles "/..." specifiers: "/@fs/<abs>" is that path;
// otherwise the root-relative reading (browser URL semantics, as Vite) comes
// first and a real absolute filesystem path second. A path already under
// Root is taken as a filesystem path directly, as Vite does.
func (j *job) resolveAbsolute(spec string) (Result, error) {
	dirOnly := strings.HasSuffix(spec, "/")
	if rest, ok := strings.CutPrefix(spec, "/@fs/"); ok {
		return j.resolveFile(path.Clean("/"+rest), dirOnly)
	}
	clean := path.Clean(spec) // "/../x" stays inside the root, as in a URL
	if j.r.root != "" && !within(clean, j.r.root) {
		res, err := j.resolveFile(path.Join(j.r.root, clean), dirOnly)
		if !errors.Is(err, ErrNotFound) {
			return res, err
		}
	}
	return j.resolveFile(clean, dirOnly)
}

// resolveImports resolves a "#name" package import through the nearest
// package.json's "imports". If nothing there matches, tsconfig "paths" get
// a chance ("#/*" aliases are sometimes declared only there).
func (j *job) resolveImports(dir, spec string) (Result, error) {
	pj, err := j.nearestPackage(dir)
	if err != nil {
		return Result{}, err
	}
	if pj != nil && pj.imports != nil {
		t, err := j.matchSubpath(pj, pj.imports, spec, true)
		if err != nil {
			return Result{}, err
		}
		switch t.kind {
		case tPath:
			return j.finishTarget(pj, spec, t.s)
		case tBare:
			return j.resolvePackage(pj.dir, t.s)
		case tExternal:
			return Result{External: true}, nil
		case tNull:
			return Result{}, fmt.Errorf("%s: imports block %q: %w", pj.file, spec, ErrNotFound)
		}
	}
	if res, ok, err := j.resolveTSPaths(dir, spec, false); ok || err != nil {
		return res, err
	}
	if pj == nil {
		return Result{}, fmt.Errorf("no package.json declares imports: %w", ErrNotFound)
	}
	return Result{}, fmt.Errorf("%s: imports has no %q: %w", pj.file, spec, ErrNotFound)
}

// resolveBare resolves a bare specifier: tsconfig paths, then baseUrl, then
// node_modules, then Node built-ins. Built-ins come last (unlike the order a
// browser would suggest) so a baseUrl folder or a browser polyfill package
// named "events" or "util" still resolves to its file, as in TypeScript and
// Vite; a built-in that nothing shadows is external all the same.
func (j *job) resolveBare(dir, spec string) (Result, error) {
	if res, ok, err := j.resolveTSPaths(dir, spec, true); ok || err != nil {
		return res, err
	}
	return j.resolvePackage(dir, spec)
}

// resolvePackage looks spec up in node_modules from dir upward; a built-in
// name that no package shadows is external.
func (j *job) resolvePackage(dir, spec string) (Result, error) {
	if hasScheme(spec) {
		return Result{External: true}, nil
	}
	key, self, err := j.selfReference(dir, spec)
	if !self {
		key, err = j.nodeModules(dir, spec)
	}
	if err != nil {
		if isBuiltin(spec) {
			return Result{External: true}, nil
		}
		return Result{}, err
	}
	real, err := j.realFile(key)
	if err != nil {
		return Result{}, fmt.Errorf("real path of %s: %w", key, err)
	}
	if !j.r.isSource(real) {
		return Result{External: true}, nil
	}
	return Result{Path: real}, nil
}

// selfReference resolves a package importing itself by name: when the
// nearest package.json (the importer's package scope) has that "name" and an
// "exports" field, spec goes through those exports, as in Node, TypeScript
// and Vite. self is false when the rule does not apply and node_modules
// decides; when it applies, its answer is final (a subpath the exports do
// not grant is an error, not a node_modules lookup).
func (j *job) selfReference(dir, spec string) (key string, self bool, err error) {
	name, sub, ok := splitPackage(spec)
	if !ok {
		return "", false, nil
	}
	pj, err := j.nearestPackage(dir)
	if err != nil || pj == nil || pj.name != name || pj.exports == nil {
		return "", false, nil
	}
	key, err = j.loadFromPackage(pj.dir, sub)
	return key, true, err
}

// isSource reports whether real lies in Root or a watched root, outside any
// node_modules below it (node_modules is never watched).
func (r *Resolver) isSource(real string) bool {
	for _, root := range r.sources {
		if !within(real, root) {
			continue
		}
		rel := strings.TrimPrefix(real[len(root):], "/")
		if rel == "node_modules" || strings.HasPrefix(rel, "node_modules/") || strings.Contains(rel, "/node_modules/") || strings.HasSuffix(rel, "/node_modules") {
			continue
		}
		return true
	}
	return false
}
