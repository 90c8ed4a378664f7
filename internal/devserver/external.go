package devserver

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hmrd/hmrd/internal/engine"
	"github.com/hmrd/hmrd/internal/scan/jsscan"
)

// externals is the dependency optimizer's state: the current bundle of
// the project's npm dependencies (deps.go), the build in progress, and
// which of the bundle's files pages have loaded. The zero value is ready:
// the first request that needs a dependency discovers them all from the
// graph and builds (or loads the on-disk cache).
type externals struct {
	mu  sync.Mutex
	cur *depsBundle
	// prev is the bundle cur replaced: its chunks are still served, for a
	// page that is about to reload.
	prev *depsBundle
	// building is closed when the build in progress ends.
	building chan struct{}
	// The cache key: the files it hashes, their stamps when it was last
	// computed, and each file's content hash.
	keyFiles []string
	stamps   []fileStamp
	key      string
	perFile  map[string]string
	// served holds the files of cur that a page loaded, with their ETags:
	// a rebuild that changes one of them must reload the pages.
	served map[string]string
	// builds counts esbuild runs (not cache loads), for tests and logs.
	builds atomic.Int64
}

// prepareDeps makes sure the bundle includes every package a module
// being served imports, with the names it imports from each, before the
// module reaches the page: a new dependency is bundled (and pages that run
// the old bundle reload) before any of its files is requested. res is the
// module's scan, targets its import targets.
func (s *Server) prepareDeps(ctx context.Context, res *jsscan.Result, targets map[string]engine.ImportTarget) {
	need := want{}
	for _, imp := range res.Imports {
		t := targets[imp.Specifier]
		if t.Kind != "external" {
			continue
		}
		if spec, ok := strings.CutPrefix(t.ID, idPrefix); ok && validPackageSpec(spec) {
			var names []string
			for _, n := range imp.Bindings {
				if n != "default" && n != "*" {
					names = append(names, n)
				}
			}
			need.add(spec, names)
		}
	}
	if len(need) == 0 {
		return
	}
	if _, err := s.depsBundle(ctx, need); err != nil && ctx.Err() == nil {
		s.log.Error("devserver: dependency bundle", "err", err)
	}
}

// depsBundle returns a bundle that includes what need asks for, building
// one when the current bundle lacks a specifier or a name of one, or was
// built under another key (the lockfile or package.json changed).
// Concurrent callers share one build: a caller that waited for another's
// build checks again.
func (s *Server) depsBundle(ctx context.Context, need want) (*depsBundle, error) {
	e := &s.ext
	for {
		e.mu.Lock()
		if ch := e.building; ch != nil {
			e.mu.Unlock()
			select {
			case <-ch:
				continue
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		changed := e.refreshKey(s)
		missing := want{}
		for spec, names := range need {
			if !e.cur.has(spec, names) {
				missing.add(spec, names)
			}
		}
		if e.cur != nil && e.cur.key == e.key && len(missing) == 0 {
			b := e.cur
			e.mu.Unlock()
			return b, nil
		}
		ch := make(chan struct{})
		e.building = ch
		prev, key := e.cur, e.key
		e.mu.Unlock()

		b, added := s.rebuildDeps(ctx, prev, key, missing)

		e.mu.Lock()
		e.building = nil
		close(ch)
		reason := ""
		if prev != nil {
			reason = e.staleReason(b, prev.key != key, changed, added)
		}
		if reason != "" {
			e.served = nil
		}
		e.prev, e.cur = prev, b
		e.mu.Unlock()
		if reason != "" {
			s.log.Info("devserver: " + reason)
			if _, err := s.svc.Reload(context.WithoutCancel(ctx), s.project, reason); err != nil {
				s.log.Warn("devserver: reload after the dependency bundle changed", "err", err)
			}
		}
		// One build per call: what it could not provide (a build that
		// failed as a whole) is not retried until something changes.
		return b, nil
	}
}

// PathsChanged is told the paths of each batch the project's watcher
// reports. When one is a file of the dependency cache key (the lockfile,
// package.json) and pages loaded the bundle, the bundle is checked now, in
// the background, rather than on the next request: pages reload with the
// new one as soon as it is built. It does not block.
func (s *Server) PathsChanged(paths []string) {
	e := &s.ext
	e.mu.Lock()
	active := e.cur != nil && len(e.served) > 0
	relevant := false
	for _, p := range paths {
		relevant = relevant || slices.Contains(e.keyFiles, p)
	}
	e.mu.Unlock()
	if active && relevant {
		go s.depsBundle(context.Background(), nil)
	}
}

// refreshKey recomputes the cache key when a key file's stamp changed
// and returns the names of the files whose content changed. Called with
// e.mu held.
func (e *externals) refreshKey(s *Server) []string {
	if e.keyFiles == nil {
		e.keyFiles = s.depsKeyFiles()
	}
	stamps := stampFiles(e.keyFiles)
	if e.key != "" && slices.Equal(stamps, e.stamps) {
		return nil
	}
	e.stamps = stamps
	key, perFile := depsKey(e.keyFiles)
	var changed []string
	if e.key != "" {
		for _, f := range e.keyFiles {
			if perFile[f] != e.perFile[f] {
				changed = append(changed, filepath.Base(f))
			}
		}
	}
	e.key, e.perFile = key, perFile
	return changed
}

// staleReason says why pages must reload after b replaced the current
// bundle, "" when every file they loaded is still the same. Called with
// e.mu held.
func (e *externals) staleReason(b *depsBundle, keyChanged bool, changed, added []string) string {
	stale := false
	for name, etag := range e.served {
		if f := b.file(name); f == nil || f.etag != etag {
			stale = true
			break
		}
	}
	switch {
	case !stale:
		return ""
	case keyChanged && len(changed) > 0:
		return fmt.Sprintf("dependencies changed (%s): re-optimized, reloading", strings.Join(changed, ", "))
	case keyChanged:
		return "dependencies changed: re-optimized, reloading"
	default:
		return fmt.Sprintf("new dependencies optimized: %s, reloading", strings.Join(added, ", "))
	}
}

// file finds a served file of the bundle by its served name: a
// specifier's entry ("spec:react") or a chunk ("chunk:chunk-X.js").
func (b *depsBundle) file(name string) *depFile {
	if spec, ok := strings.CutPrefix(name, "spec:"); ok {
		return b.entries[spec]
	}
	return b.chunks[strings.TrimPrefix(name, "chunk:")]
}

// rebuildDeps builds the bundle for prev's specifiers plus missing ones
// (on the first build: plus every dependency the graph knows), or loads
// it from the disk cache when that has them all. It never fails: what
// does not build is recorded in the bundle's failed specifiers. added
// lists what is new since prev: specifiers, and "spec (names)" for names
// asked of a CommonJS entry.
func (s *Server) rebuildDeps(ctx context.Context, prev *depsBundle, key string, missing want) (b *depsBundle, added []string) {
	w := want{}
	keep := func(old *depsBundle) {
		for _, spec := range old.specs {
			w.add(spec, old.names[spec])
		}
	}
	if prev != nil {
		keep(prev)
	}
	for spec, names := range missing {
		w.add(spec, names)
	}
	dir := s.depsCacheDir()
	if prev == nil {
		for _, spec := range s.discoverDeps(ctx) {
			w.add(spec, nil)
		}
		if dir != "" {
			cached, err := loadDeps(dir, key)
			if err == nil {
				all := true
				for spec, names := range w {
					all = all && cached.has(spec, names)
				}
				if all {
					s.log.Info("devserver: dependencies from the cache", "dir", dir, "packages", len(cached.entries))
					return cached, nil
				}
				keep(cached) // keep what was bundled before
			}
		}
	}
	specs := slices.Sorted(maps.Keys(w))
	for _, spec := range specs {
		switch {
		case !prev.has(spec, nil):
			added = append(added, spec)
		case !prev.has(spec, w[spec]):
			var names []string
			for _, n := range w[spec] {
				if !slices.Contains(prev.exports[spec], n) {
					names = append(names, n)
				}
			}
			added = append(added, spec+" ("+strings.Join(names, ", ")+")")
		}
	}
	start := time.Now()
	s.ext.builds.Add(1)
	b, err := s.bundleDeps(key, w)
	if err != nil {
		// Only the combination fails: keep what was bundled, and record
		// the new specifiers as failed so that they are not retried until
		// the key changes.
		s.log.Error("devserver: dependency bundle", "packages", added, "err", err)
		b = newDepsBundle(key, specs)
		if prev != nil && prev.key == key {
			for spec, f := range prev.entries {
				b.entries[spec] = f
			}
			for name, f := range prev.chunks {
				b.chunks[name] = f
			}
			for spec, msg := range prev.failed {
				b.failed[spec] = msg
			}
			for spec, names := range prev.exports {
				b.exports[spec] = names
			}
			for spec, names := range prev.names {
				b.names[spec] = names
			}
		}
		for _, spec := range specs {
			if !b.has(spec, nil) {
				b.failed[spec] = err.Error()
			}
			if ex, cjs := b.exports[spec]; cjs && !b.has(spec, w[spec]) {
				// Names the old facade lacks: counted as asked, so that
				// each request does not retry the failing build.
				b.exports[spec] = append(slices.Clone(ex), w[spec]...)
			}
		}
		return b, added
	}
	s.log.Info("devserver: dependencies optimized", "packages", len(b.entries), "new", added, "failed", len(b.failed), "took", time.Since(start).Round(time.Millisecond))
	for spec, msg := range b.failed {
		if !b.missing[spec] {
			s.log.Error("devserver: dependency bundle", "path", idPrefix+spec, "err", msg)
		}
	}
	if dir != "" {
		if err := saveDeps(dir, b); err != nil {
			s.log.Warn("devserver: dependency cache not written", "dir", dir, "err", err)
		}
	}
	return b, added
}

// discoverDeps lists the packages the project imports: the graph's
// externals that are package specifiers, and the JSX runtimes its JSX and
// TSX modules import once transformed.
func (s *Server) discoverDeps(ctx context.Context) []string {
	// Not cancelled with the request: other requests wait for this build.
	snap, err := s.svc.Graph(context.WithoutCancel(ctx), s.project)
	if err != nil {
		return nil
	}
	var specs []string
	var jsxFiles []string
	for _, m := range snap.Modules {
		switch {
		case m.Kind == "external":
			if spec, ok := strings.CutPrefix(m.ID, idPrefix); ok && validPackageSpec(spec) {
				specs = append(specs, spec)
			}
		case m.Kind == "js" && (strings.HasSuffix(m.File, ".jsx") || strings.HasSuffix(m.File, ".tsx")):
			jsxFiles = append(jsxFiles, m.File)
		}
	}
	return append(specs, s.jsxRuntimes(jsxFiles)...)
}

// serveExternal answers /@id/<spec>, a package's entry in the dependency
// bundle, and /@id/_hmrd/<chunk>, the bundle's shared chunks.
func (s *Server) serveExternal(w http.ResponseWriter, r *http.Request, spec string) {
	if name, ok := strings.CutPrefix(spec, depsDir); ok {
		s.serveDepChunk(w, r, name)
		return
	}
	if !validPackageSpec(spec) {
		notFound(w, r)
		return
	}
	b, err := s.depsBundle(r.Context(), want{spec: nil})
	if err != nil {
		return // the request was cancelled
	}
	f := b.entries[spec]
	if f == nil {
		msg := b.failed[spec]
		if b.missing[spec] {
			s.log.Warn("devserver: no such package", "path", idPrefix+spec, "err", msg)
			plain(w, r, http.StatusNotFound, "hmrd: no such package in the project's node_modules (see the daemon log)\n")
			return
		}
		s.writeBody(w, r, http.StatusInternalServerError, jsType, errorModule(msg), "")
		return
	}
	s.ext.markServed(b, "spec:"+spec, f)
	s.serveDepFile(w, r, f, "")
}

// serveDepChunk answers a chunk of the current (or the previous) bundle;
// chunk names carry their content hash, so they are cached for good.
func (s *Server) serveDepChunk(w http.ResponseWriter, r *http.Request, name string) {
	e := &s.ext
	e.mu.Lock()
	var f *depFile
	b := e.cur
	for _, cand := range []*depsBundle{e.cur, e.prev} {
		if cand != nil && cand.chunks[name] != nil {
			f, b = cand.chunks[name], cand
			break
		}
	}
	e.mu.Unlock()
	if f == nil {
		notFound(w, r)
		return
	}
	e.markServed(b, "chunk:"+name, f)
	s.serveDepFile(w, r, f, "max-age=31536000, immutable")
}

// markServed records that a page loaded f of bundle b.
func (e *externals) markServed(b *depsBundle, name string, f *depFile) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if b != e.cur {
		return
	}
	if e.served == nil {
		e.served = map[string]string{}
	}
	e.served[name] = f.etag
}

func (s *Server) serveDepFile(w http.ResponseWriter, r *http.Request, f *depFile, cache string) {
	h := w.Header()
	h.Set("ETag", f.etag)
	if cache != "" {
		h.Set("Cache-Control", cache)
	}
	if match := r.Header.Get("If-None-Match"); match != "" && match == f.etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	s.writeBody(w, r, http.StatusOK, jsType, f.body, "")
}

// validPackageSpec accepts a bare specifier ("react", "@scope/pkg/sub")
// that also passes the file deny list: no dot segments or dotfiles, no
// scheme ("node:fs", "data:"), nothing relative or absolute.
func validPackageSpec(spec string) bool {
	if spec == "" || spec[0] == '.' || strings.ContainsAny(spec, ":") || checkRel(spec) != nil {
		return false
	}
	if spec[0] == '@' {
		return strings.Contains(spec, "/")
	}
	return true
}

// errNoPackage: the specifier does not resolve to a file in the root's
// node_modules.
var errNoPackage = errors.New("no such package in the project's node_modules")
