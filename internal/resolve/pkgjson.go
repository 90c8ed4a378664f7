package resolve

import (
	"fmt"
	"path"
	"strings"
)

// pkgJSON is what resolution reads from a package.json.
type pkgJSON struct {
	file, dir string // file is the real-dir key; dir its directory
	name      string // for self-reference: a package importing itself by name
	main      string
	module    string
	browser   string  // string form only; the replacement-map form is not applied
	tsconfig  string  // for tsconfig "extends": "<package>"
	exports   *jvalue // nil when absent or null
	imports   *jvalue // nil when absent or not an object
	err       error   // unreadable or malformed: every use fails with it
}

// loadPackage returns the parsed package.json cached under key.
func (j *job) loadPackage(key string) *pkgJSON {
	r := j.r
	r.mu.RLock()
	pj := r.pkgs[key]
	r.mu.RUnlock()
	if pj != nil {
		return pj
	}
	pj = &pkgJSON{file: key, dir: path.Dir(key)}
	if data, err := r.fs.ReadFile(key); err != nil {
		pj.err = fmt.Errorf("read %s: %w", key, err)
	} else if v, err := parseJSON(data); err != nil {
		pj.err = fmt.Errorf("parse %s: %w", key, err)
	} else if v.kind != jObject {
		pj.err = fmt.Errorf("parse %s: top level is not an object", key)
	} else {
		pj.name = v.getString("name")
		pj.main = v.getString("main")
		pj.module = v.getString("module")
		pj.browser = v.getString("browser")
		pj.tsconfig = v.getString("tsconfig")
		if e := v.get("exports"); e != nil && e.kind != jNull {
			pj.exports = e
		}
		if i := v.get("imports"); i != nil && i.kind == jObject {
			pj.imports = i
		}
	}
	r.mu.Lock()
	if r.gen == j.gen {
		r.pkgs[key] = pj
	}
	r.mu.Unlock()
	return pj
}

// nearestPackage returns the package.json closest above dir (Node's
// "package scope"), or nil.
func (j *job) nearestPackage(dir string) (*pkgJSON, error) {
	key := j.nearest(dir, j.r.nearestPkg, "package.json")
	if key == "" {
		return nil, nil
	}
	pj := j.loadPackage(key)
	if pj.err != nil {
		return nil, pj.err
	}
	return pj, nil
}

// nearest finds the first of names existing as a file in dir or an
// ancestor and memoizes the answer for every directory walked. Its lookups
// are not deps: a config file appearing or vanishing flushes everything.
func (j *job) nearest(dir string, memo map[string]string, names ...string) string {
	r := j.r
	q := j.quietJob()
	var walked []string
	found := ""
walk:
	for d := dir; ; d = path.Dir(d) {
		r.mu.RLock()
		v, hit := memo[d]
		r.mu.RUnlock()
		if hit {
			found = v
			break
		}
		walked = append(walked, d)
		for _, n := range names {
			if k, key := q.stat(joinDir(d, n)); k == kFile {
				found = key
				break walk
			}
		}
		if d == "/" || d == "." {
			break
		}
	}
	if len(walked) > 0 {
		r.mu.Lock()
		if r.gen == j.gen {
			for _, d := range walked {
				memo[d] = found
			}
		}
		r.mu.Unlock()
	}
	return found
}

// splitPackage splits a bare specifier into a package name and a subpath
// ("." or "./rest"). It refuses names Node refuses and subpaths with "." or
// ".." segments, which would climb out of the package directory.
func splitPackage(spec string) (name, sub string, ok bool) {
	end := strings.IndexByte(spec, '/')
	if strings.HasPrefix(spec, "@") {
		if end < 0 {
			return "", "", false
		}
		if e := strings.IndexByte(spec[end+1:], '/'); e >= 0 {
			end += 1 + e
		} else {
			end = -1
		}
	}
	name, rest := spec, ""
	if end >= 0 {
		name, rest = spec[:end], spec[end:]
	}
	for _, seg := range strings.Split(name, "/") {
		if seg == "" || seg == "@" || seg[0] == '.' || strings.ContainsAny(seg, "\\%") {
			return "", "", false
		}
	}
	for _, seg := range strings.Split(rest, "/") {
		if seg == "." || seg == ".." {
			return "", "", false
		}
	}
	return name, "." + rest, true
}

// nodeModules finds the package of spec in node_modules directories from
// dir upward and resolves the subpath inside it. The first package
// directory found decides: a miss inside it does not continue upward, as in
// Node.
func (j *job) nodeModules(dir, spec string) (string, error) {
	name, sub, ok := splitPackage(spec)
	if !ok {
		return "", fmt.Errorf("invalid package specifier %q: %w", spec, ErrNotFound)
	}
	for d := dir; ; d = path.Dir(d) {
		if path.Base(d) != "node_modules" {
			cand := joinDir(joinDir(d, "node_modules"), name)
			if k, _ := j.stat(cand); k == kDir {
				if pd, ok := j.realDir(cand); ok {
					return j.loadFromPackage(pd, sub)
				}
			}
		}
		if d == "/" || d == "." {
			break
		}
	}
	return "", fmt.Errorf("package %q not found in node_modules: %w", name, ErrNotFound)
}

// loadFromPackage resolves subpath sub inside the package at real dir pd:
// through "exports" only when present, else entry fields/index for the
// package itself and file probing for deeper subpaths.
func (j *job) loadFromPackage(pd, sub string) (string, error) {
	var pj *pkgJSON
	if k, pkey := j.stat(joinDir(pd, "package.json")); k == kFile {
		pj = j.loadPackage(pkey)
		if pj.err != nil {
			return "", pj.err
		}
	}
	if pj != nil && pj.exports != nil {
		t, err := j.resolveExports(pj, sub)
		if err != nil {
			return "", err
		}
		switch t.kind {
		case tPath:
			if k, key := j.stat(t.s); k == kFile {
				return key, nil
			}
			return "", fmt.Errorf("%s: exports maps %q to %s, which does not exist: %w", pj.file, sub, t.s, ErrNotFound)
		case tNull:
			return "", fmt.Errorf("%s: exports blocks %q: %w", pj.file, sub, ErrNotFound)
		case tUndefined:
			return "", fmt.Errorf("%s: exports has no %q for the active conditions: %w", pj.file, sub, ErrNotFound)
		}
		return "", fmt.Errorf("%s: exports target for %q is not a path", pj.file, sub)
	}
	if sub == "." {
		if pj != nil {
			if key, ok := j.mainFields(pj); ok {
				return key, nil
			}
		}
		if key, ok := j.probeIndex(pd); ok {
			return key, nil
		}
		return "", notFound(pd)
	}
	return j.probe(path.Join(pd, sub), strings.HasSuffix(sub, "/"))
}

// finishTarget finishes a package-import target that must be an existing file.
func (j *job) finishTarget(pj *pkgJSON, spec, p string) (Result, error) {
	if k, key := j.stat(p); k == kFile {
		return j.finish(key)
	}
	return Result{}, fmt.Errorf("%s: imports maps %q to %s, which does not exist: %w", pj.file, spec, p, ErrNotFound)
}
