package resolve

import (
	"fmt"
	"path"
)

// tsReplacements map an emitted-JS extension to the TypeScript sources that
// produce it: TS projects import "./x.js" meaning "./x.ts".
var tsReplacements = map[string][]string{
	".js":  {".ts", ".tsx"},
	".jsx": {".tsx"},
	".mjs": {".mts"},
	".cjs": {".cts"},
}

func notFound(p string) error { return fmt.Errorf("%s: %w", p, ErrNotFound) }

// probe resolves the candidate path p as a file, else as a directory, and
// returns the found file's key. dirOnly (a specifier ending in "/") skips
// the file step. Errors wrap ErrNotFound unless a package.json on the way is
// broken.
func (j *job) probe(p string, dirOnly bool) (string, error) {
	if !dirOnly {
		if key, ok := j.probeFile(p); ok {
			return key, nil
		}
	}
	return j.probeDir(p)
}

// probeFile tries p exactly, then its TypeScript replacements, then p with
// each extension. The TS replacement comes before appended extensions (as in
// Vite), so "./x.js" finds x.ts rather than a stray x.js.ts.
func (j *job) probeFile(p string) (string, bool) {
	k, key := j.stat(p)
	if k == kFile {
		return key, true
	}
	if k == kMissing {
		ext := path.Ext(p)
		for _, repl := range tsReplacements[ext] {
			if k, key := j.stat(p[:len(p)-len(ext)] + repl); k == kFile {
				return key, true
			}
		}
	}
	for _, e := range j.r.exts {
		if k, key := j.stat(p + e); k == kFile {
			return key, true
		}
	}
	return "", false
}

// probeDir resolves directory p through its package.json entry fields,
// then its index file.
func (j *job) probeDir(p string) (string, error) {
	if k, _ := j.stat(p); k != kDir {
		return "", notFound(p)
	}
	d, ok := j.realDir(p)
	if !ok {
		return "", notFound(p)
	}
	if k, pkey := j.stat(joinDir(d, "package.json")); k == kFile {
		pj := j.loadPackage(pkey)
		if pj.err != nil {
			return "", pj.err
		}
		// A directory imported by path is not a package import, so exports
		// is a preference here, not a fence: Node ignores it entirely, and
		// falling back keeps a directory with a stale exports usable.
		if pj.exports != nil {
			if t, err := j.resolveExports(pj, "."); err == nil && t.kind == tPath {
				if k, key := j.stat(t.s); k == kFile {
					return key, nil
				}
			}
		}
		if key, ok := j.mainFields(pj); ok {
			return key, nil
		}
	}
	if key, ok := j.probeIndex(d); ok {
		return key, nil
	}
	return "", notFound(p)
}

// mainFields tries package.json "module", "browser" (string form) and
// "main", in that order; each names a file (probed with extensions) or a
// directory with an index, as Node's legacy main resolution allows.
func (j *job) mainFields(pj *pkgJSON) (string, bool) {
	for _, f := range [...]string{pj.module, pj.browser, pj.main} {
		if f == "" {
			continue
		}
		c := path.Join(pj.dir, f)
		if key, ok := j.probeFile(c); ok {
			return key, true
		}
		if k, _ := j.stat(c); k == kDir {
			if key, ok := j.probeIndex(c); ok {
				return key, true
			}
		}
	}
	return "", false
}

// probeIndex tries dir/index + each extension.
func (j *job) probeIndex(dir string) (string, bool) {
	for _, e := range j.r.exts {
		if k, key := j.stat(joinDir(dir, "index"+e)); k == kFile {
			return key, true
		}
	}
	return "", false
}
