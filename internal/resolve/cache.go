package resolve

import (
	"io/fs"
	"path"
	"strings"
)

// Caching model.
//
// Every filesystem fact is looked up through job.stat, keyed by a path whose
// directory part is symlink-resolved ("real-dir key"), so a change reported
// by the watcher under its real path finds the fact even when resolution went
// through a symlinked directory (a workspace package in node_modules).
//
// Finished resolutions are cached per (importer directory, specifier) along
// with the keys they looked at (deps); Invalidate(p) drops exactly the
// results that looked at p. A result depends on the importer only through
// its directory, which is why the directory is the key: every file of a
// directory shares its entries.
//
// Config facts (parsed package.json and tsconfig, nearest-config lookups) are
// not tracked per result: a config change clears them and all results, which
// is rare and cheap enough, and keeps the bookkeeping obviously correct.

// kind is what a path is, after following symlinks.
type kind uint8

const (
	kMissing kind = iota // absent, a broken link, a link loop, or unreadable
	kFile
	kDir
)

type fact struct {
	k kind
	// link says the path itself is a symlink. Its directory part is already
	// real (the key is a real-dir key), so only a link needs RealPath.
	link bool
	real string // RealPath of a linked file, filled lazily for files that win
}

type resultKey struct{ dir, spec string }

// resultEntry is a cached outcome. err is the cause without the importer's
// name, because the entry is shared by every file of the directory.
type resultEntry struct {
	res Result
	err error
}

// job is one cold resolution: it carries the cache generation it started
// from (so nothing computed across an Invalidate is stored) and collects the
// keys the result depends on.
type job struct {
	r     *Resolver
	gen   uint64
	deps  []string
	quiet bool // config lookups: not recorded as deps (config changes flush wholesale)
	// conds are conditions active for this lookup besides the resolver's:
	// the importer's tsconfig customConditions.
	conds []string
}

// quietJob returns a job sharing j's generation that records no deps.
func (j *job) quietJob() *job { return &job{r: j.r, gen: j.gen, quiet: true} }

func (j *job) dep(p string) {
	if !j.quiet {
		j.deps = append(j.deps, p)
	}
}

// stat reports what the absolute clean path p is, and the key under which
// the fact is cached (p with its directory symlink-resolved).
func (j *job) stat(p string) (kind, string) {
	if p == "/" {
		return kDir, p
	}
	dir, base := path.Split(p)
	dir = trimSlash(dir)
	rd, ok := j.realDir(dir)
	if !ok {
		j.dep(dir)
		return kMissing, p
	}
	key := p
	if rd != dir {
		key = joinDir(rd, base)
	}
	j.dep(key)
	r := j.r
	r.mu.RLock()
	f, hit := r.stats[key]
	r.mu.RUnlock()
	if hit {
		return f.k, key
	}
	// Lstat first: most candidates are plain files or missing, and for those
	// it is the only call needed (no Stat, and no RealPath later).
	k, link := kMissing, false
	if fi, err := r.fs.Lstat(key); err == nil {
		if fi.Mode()&fs.ModeSymlink != 0 {
			link = true
			fi, err = r.fs.Stat(key)
			if err != nil {
				fi = nil // a broken link or a loop: missing
			}
		}
		if fi != nil {
			k = kFile
			if fi.IsDir() {
				k = kDir
			}
		}
	}
	r.mu.Lock()
	if r.gen == j.gen {
		r.stats[key] = fact{k: k, link: link}
		r.markBelow(rd)
	}
	r.mu.Unlock()
	return k, key
}

// realDir returns the symlink-resolved form of directory d, or false when d
// is not an existing directory.
func (j *job) realDir(d string) (string, bool) {
	r := j.r
	r.mu.RLock()
	rd, hit := r.realDirs[d]
	r.mu.RUnlock()
	if !hit {
		rd = ""
		if real, err := r.fs.RealPath(d); err == nil {
			if fi, err := r.fs.Stat(real); err == nil && fi.IsDir() {
				rd = path.Clean(real)
			}
		}
		r.mu.Lock()
		if r.gen == j.gen {
			r.realDirs[d] = rd
			r.markBelow(d)
			if rd != "" {
				r.markBelow(rd)
			}
		}
		r.mu.Unlock()
	}
	if rd == "" {
		return "", false
	}
	if rd != d {
		// Resolution went through a symlink: retargeting it must invalidate.
		j.dep(d)
	}
	return rd, true
}

// realFile returns the RealPath of the file cached under key (a file that
// is itself a symlink resolves to its target).
func (j *job) realFile(key string) (string, error) {
	r := j.r
	r.mu.RLock()
	f, hit := r.stats[key]
	r.mu.RUnlock()
	if hit && !f.link {
		return key, nil
	}
	if f.real != "" {
		return f.real, nil
	}
	real, err := r.fs.RealPath(key)
	if err != nil {
		return "", err
	}
	real = path.Clean(real)
	r.mu.Lock()
	if f, ok := r.stats[key]; ok && r.gen == j.gen {
		f.real = real
		r.stats[key] = f
	}
	r.mu.Unlock()
	return real, nil
}

// storeResult caches a finished resolution with its deps.
func (r *Resolver) storeResult(k resultKey, e resultEntry, j *job) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.gen != j.gen {
		return
	}
	r.results[k] = e
	for _, d := range j.deps {
		r.deps[d] = addDep(r.deps[d], k)
	}
	r.markBelow(k.dir)
}

// addDep adds k to the results that read one key. A slice rather than a set:
// most keys are read by one or two results, and a map per key was over half
// of the resolver's memory at 10k modules. Small lists stay duplicate-free;
// a long one (a package imported from many directories) may collect
// duplicates from re-resolutions, so it is compacted whenever it doubles.
func addDep(list []resultKey, k resultKey) []resultKey {
	if len(list) < 32 {
		for _, x := range list {
			if x == k {
				return list
			}
		}
		return append(list, k)
	}
	list = append(list, k)
	if n := len(list); n&(n-1) == 0 {
		seen := make(map[resultKey]struct{}, n)
		out := list[:0]
		for _, x := range list {
			if _, dup := seen[x]; !dup {
				seen[x] = struct{}{}
				out = append(out, x)
			}
		}
		list = out
	}
	return list
}

// markBelow records that something is cached at or below d, so Invalidate
// of d (or an ancestor) knows a subtree sweep is needed. Caller holds mu.
func (r *Resolver) markBelow(d string) {
	for {
		if _, ok := r.below[d]; ok {
			return
		}
		r.below[d] = struct{}{}
		if d == "/" || d == "." || d == "" {
			return
		}
		d = path.Dir(d)
	}
}

// Invalidate drops every cached fact that depends on p: p was created,
// deleted or changed (a source file, a directory, a package.json, a
// tsconfig.json/jsconfig.json, or any config a tsconfig extends).
//
// A plain file change costs a few map operations; a directory (anything with
// cached facts below it) costs a sweep of the caches; a config change clears
// the config caches and all cached results, keeping the filesystem facts.
func (r *Resolver) Invalidate(p string) {
	if p == "" {
		return
	}
	p = path.Clean(p)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.gen++
	config := IsConfigFile(p)
	if _, ok := r.pkgs[p]; ok {
		config = true
	}
	if _, ok := r.tsconfigs[p]; ok {
		config = true
	}
	// The watcher may name p through a symlinked directory; drop the
	// real-dir key too.
	if dir := path.Dir(p); dir != p {
		if rd, ok := r.realDirs[dir]; ok && rd != "" && rd != dir {
			r.dropOne(joinDir(rd, path.Base(p)))
		}
	}
	r.dropOne(p)
	if _, ok := r.below[p]; ok {
		config = r.dropTree(p) || config
	}
	// A created path implies its ancestors exist now: forget any ancestor
	// cached as missing (or as a file that became a directory).
	for q := path.Dir(p); q != p; q = path.Dir(q) {
		stale := false
		if rd, ok := r.realDirs[q]; ok && rd == "" {
			stale = true
		}
		if f, ok := r.stats[q]; ok && f.k != kDir {
			stale = true
		}
		if stale {
			config = r.dropTree(q) || config
		}
		if q == "/" || q == "." {
			break
		}
	}
	if config {
		r.clearConfigs()
	}
}

// dropOne forgets the facts about exactly p and every result that read them.
func (r *Resolver) dropOne(p string) {
	delete(r.stats, p)
	delete(r.realDirs, p)
	r.dropDeps(p)
}

func (r *Resolver) dropDeps(p string) {
	for _, k := range r.deps[p] {
		delete(r.results, k)
	}
	delete(r.deps, p)
}

// dropTree forgets everything cached at or below directory p, including
// directories whose real path lies there (symlinks into it). It reports
// whether a parsed config file was among them.
func (r *Resolver) dropTree(p string) (config bool) {
	under := func(s string) bool { return within(s, p) }
	for k := range r.stats {
		if under(k) {
			delete(r.stats, k)
		}
	}
	for k, v := range r.realDirs {
		if under(k) || (v != "" && under(v)) {
			delete(r.realDirs, k)
			r.dropDeps(k)
		}
	}
	for k := range r.deps {
		if under(k) {
			r.dropDeps(k)
		}
	}
	for k := range r.results {
		if under(k.dir) {
			delete(r.results, k)
		}
	}
	for k := range r.nearestPkg {
		if under(k) {
			delete(r.nearestPkg, k)
		}
	}
	for k := range r.nearestTS {
		if under(k) {
			delete(r.nearestTS, k)
		}
	}
	for k := range r.pkgs {
		if under(k) {
			config = true
		}
	}
	for k := range r.tsconfigs {
		if under(k) {
			config = true
		}
	}
	for k := range r.below {
		if under(k) {
			delete(r.below, k)
		}
	}
	return config
}

// clearConfigs drops every parsed config, nearest-config lookup and cached
// result; filesystem facts stay.
func (r *Resolver) clearConfigs() {
	clear(r.pkgs)
	clear(r.tsconfigs)
	clear(r.nearestPkg)
	clear(r.nearestTS)
	clear(r.results)
	clear(r.deps)
}

// within reports whether p is dir or below it.
func within(p, dir string) bool {
	if dir == "/" {
		return strings.HasPrefix(p, "/")
	}
	return p == dir || (strings.HasPrefix(p, dir) && len(p) > len(dir) && p[len(dir)] == '/')
}

// joinDir joins a clean absolute directory and a name without path.Join's
// re-cleaning.
func joinDir(dir, name string) string {
	if dir == "/" {
		return "/" + name
	}
	return dir + "/" + name
}

// trimSlash turns path.Split's "dir/" into "dir" (keeping "/").
func trimSlash(d string) string {
	if len(d) > 1 && d[len(d)-1] == '/' {
		return d[:len(d)-1]
	}
	return d
}
