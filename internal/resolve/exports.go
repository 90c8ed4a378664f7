package resolve

import (
	"fmt"
	"path"
	"strings"
)

// targetKind is the outcome of matching package.json exports/imports.
type targetKind uint8

const (
	tUndefined targetKind = iota // nothing matched (for these conditions)
	tNull                        // matched a null target: deliberately blocked
	tPath                        // an absolute file path inside the package
	tBare                        // an imports target naming another package
	tExternal                    // an imports target that is a URL ("node:fs")
)

type target struct {
	kind targetKind
	s    string
}

// resolveExports maps sub ("." or "./x") through pj.exports, following
// Node's PACKAGE_EXPORTS_RESOLVE.
func (j *job) resolveExports(pj *pkgJSON, sub string) (target, error) {
	exp := pj.exports
	if exp.kind == jObject && len(exp.keys) > 0 {
		dots := 0
		for _, k := range exp.keys {
			if strings.HasPrefix(k, ".") {
				dots++
			}
		}
		if dots == len(exp.keys) {
			return j.matchSubpath(pj, exp, sub, false)
		}
		if dots > 0 {
			return target{}, fmt.Errorf("%s: exports mixes subpath keys and condition keys", pj.file)
		}
	}
	// A string, an array or a conditions object is sugar for {".": exports}.
	if sub != "." {
		return target{}, nil
	}
	return j.resolveTarget(pj, exp, "", false, false)
}

// matchSubpath finds key in an exports subpath map or an imports map: an
// exact key first, else the most specific "*" pattern (longest part before
// the star, then longest key; the first written wins a tie).
func (j *job) matchSubpath(pj *pkgJSON, m *jvalue, key string, isImports bool) (target, error) {
	if !strings.Contains(key, "*") {
		if v := m.get(key); v != nil {
			return j.resolveTarget(pj, v, "", false, isImports)
		}
	}
	best, bestStar := -1, 0
	for i, k := range m.keys {
		star := strings.IndexByte(k, '*')
		if star < 0 || strings.IndexByte(k[star+1:], '*') >= 0 {
			continue // Node only expands keys with exactly one star
		}
		base, trailer := k[:star], k[star+1:]
		if !strings.HasPrefix(key, base) || key == base {
			continue
		}
		if trailer != "" && (len(key) < len(k) || !strings.HasSuffix(key, trailer)) {
			continue
		}
		if best < 0 || star > bestStar || (star == bestStar && len(k) > len(m.keys[best])) {
			best, bestStar = i, star
		}
	}
	if best < 0 {
		return target{}, nil
	}
	trailer := len(m.keys[best]) - bestStar - 1
	match := key[bestStar : len(key)-trailer]
	return j.resolveTarget(pj, m.vals[best], match, true, isImports)
}

// resolveTarget evaluates an exports/imports target: a string (with "*"
// replaced by match for patterns), a condition object (first active key in
// written order wins), an array of fallbacks, or null.
//
// Arrays: Node falls back only past invalid targets; we also fall back past
// targets whose file does not exist, as TypeScript does, so an array reads
// as the list of alternatives it looks like.
func (j *job) resolveTarget(pj *pkgJSON, v *jvalue, match string, pattern, isImports bool) (target, error) {
	switch v.kind {
	case jString:
		s := v.str
		if !strings.HasPrefix(s, "./") {
			if isImports && !strings.HasPrefix(s, "../") && !strings.HasPrefix(s, "/") {
				if hasScheme(s) {
					return target{kind: tExternal, s: s}, nil
				}
				if pattern {
					s = strings.ReplaceAll(s, "*", match)
				}
				return target{kind: tBare, s: s}, nil
			}
			return target{}, fmt.Errorf("%s: invalid target %q: must start with \"./\"", pj.file, s)
		}
		if badSegments(s[2:]) {
			return target{}, fmt.Errorf("%s: invalid target %q: empty, \".\", \"..\" or node_modules segment", pj.file, s)
		}
		if pattern {
			if badSegments(match) {
				return target{}, fmt.Errorf("%s: %q matched by a pattern has an invalid segment: %w", pj.file, match, ErrNotFound)
			}
			s = strings.ReplaceAll(s, "*", match)
		}
		return target{kind: tPath, s: path.Join(pj.dir, s)}, nil
	case jObject:
		for i, k := range v.keys {
			if !j.active(k) {
				continue
			}
			t, err := j.resolveTarget(pj, v.vals[i], match, pattern, isImports)
			if err != nil || t.kind != tUndefined {
				return t, err
			}
		}
		return target{}, nil
	case jArray:
		var (
			lastErr     error
			missing     target
			sawNull     bool
			sawProblems bool
		)
		for _, e := range v.arr {
			t, err := j.resolveTarget(pj, e, match, pattern, isImports)
			switch {
			case err != nil:
				lastErr, sawProblems = err, true
			case t.kind == tNull:
				sawNull = true
			case t.kind == tUndefined:
			case t.kind == tPath:
				if k, _ := j.stat(t.s); k == kFile {
					return t, nil
				}
				if missing.kind == tUndefined {
					missing = t
				}
			default:
				return t, nil
			}
		}
		switch {
		case missing.kind == tPath:
			return missing, nil // the caller reports it as not found
		case sawProblems:
			return target{}, lastErr
		case sawNull || len(v.arr) == 0:
			return target{kind: tNull}, nil
		}
		return target{}, nil
	case jNull:
		return target{kind: tNull}, nil
	}
	return target{}, fmt.Errorf("%s: invalid target %s: not a string, object, array or null", pj.file, v.str)
}

// badSegments reports whether a target path (after its leading "./") or a
// pattern match has an empty, ".", ".." or node_modules segment, which Node
// rejects so a package cannot point outside itself.
func badSegments(s string) bool {
	for {
		i := strings.IndexAny(s, "/\\")
		seg := s
		if i >= 0 {
			seg = s[:i]
		}
		if seg == "" || seg == "." || seg == ".." || strings.EqualFold(seg, "node_modules") {
			return true
		}
		if i < 0 {
			return false
		}
		s = s[i+1:]
	}
}
