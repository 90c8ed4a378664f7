package resolve

import (
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"strings"
)

// maxExtendsDepth bounds "extends" chains; real ones are two or three deep,
// and the cycle check already stops loops, so this only stops absurd input.
const maxExtendsDepth = 32

// tsConfig is the part of an effective tsconfig (extends merged) that
// resolution uses.
type tsConfig struct {
	file      string
	hasBase   bool
	baseURL   string // absolute: relative to the config that set it
	hasPaths  bool
	paths     []pathRule // in written order
	pathsBase string     // dir of the config that set paths; used when no baseUrl
	// customConditions are compilerOptions.customConditions: extra
	// package.json exports/imports conditions for files under this config.
	customConditions []string
	// compile holds the compilerOptions that change how a file compiles
	// (compileOptionNames), each as its JSON value; compileJSON is the
	// tsconfig text CompilerOptions returns for them. chain lists this
	// file and every config it extends.
	compile     map[string]any
	compileJSON string
	chain       []string
	err         error
}

// compileOptionNames are the compilerOptions CompilerOptions reports, with
// the JSON type each must have: the ones esbuild honours that change what
// a TypeScript or JSX file compiles to, and so which modules it imports.
var compileOptionNames = map[string]jkind{
	"jsx":                     jString,
	"jsxFactory":              jString,
	"jsxFragmentFactory":      jString,
	"jsxImportSource":         jString,
	"importsNotUsedAsValues":  jString,
	"preserveValueImports":    jBool,
	"verbatimModuleSyntax":    jBool,
	"experimentalDecorators":  jBool,
	"useDefineForClassFields": jBool,
}

type pathRule struct {
	key     string
	star    int // index of '*' in key; -1 for an exact key
	targets []string
}

// nearestTSConfig returns the effective config of the tsconfig.json (or
// else jsconfig.json) closest above dir, or nil.
func (j *job) nearestTSConfig(dir string) (*tsConfig, error) {
	key := j.nearest(dir, j.r.nearestTS, "tsconfig.json", "jsconfig.json")
	if key == "" {
		return nil, nil
	}
	c := j.quietJob().loadTSConfig(key, nil)
	return c, c.err
}

// loadTSConfig returns the effective config of file; stack holds the files
// whose extends led here, to detect cycles. The result does not depend on
// the stack except through a cycle error, and every file that reaches a
// cycle really is broken, so caching it is sound.
func (j *job) loadTSConfig(file string, stack []string) *tsConfig {
	r := j.r
	r.mu.RLock()
	c := r.tsconfigs[file]
	r.mu.RUnlock()
	if c != nil {
		return c
	}
	c = j.parseTSConfig(file, stack)
	r.mu.Lock()
	if r.gen == j.gen {
		r.tsconfigs[file] = c
	}
	r.mu.Unlock()
	return c
}

func (j *job) parseTSConfig(file string, stack []string) *tsConfig {
	c := &tsConfig{file: file, chain: []string{file}}
	defer c.finishCompile()
	for i, s := range stack {
		if s == file {
			chain := append(append([]string(nil), stack[i:]...), file)
			c.err = fmt.Errorf("tsconfig extends cycle: %s", strings.Join(chain, " -> "))
			return c
		}
	}
	if len(stack) >= maxExtendsDepth {
		c.err = fmt.Errorf("%s: extends chain deeper than %d", file, maxExtendsDepth)
		return c
	}
	data, err := j.r.fs.ReadFile(file)
	if err != nil {
		c.err = fmt.Errorf("read %s: %w", file, err)
		return c
	}
	v, err := parseJSONC(data)
	if err != nil {
		c.err = fmt.Errorf("parse %s: %w", file, err)
		return c
	}
	if v.kind != jObject {
		c.err = fmt.Errorf("parse %s: top level is not an object", file)
		return c
	}
	dir := path.Dir(file)

	var extends []string
	switch e := v.get("extends"); {
	case e == nil || e.kind == jNull:
	case e.kind == jString:
		extends = []string{e.str}
	case e.kind == jArray:
		for _, x := range e.arr {
			if x.kind != jString {
				c.err = fmt.Errorf("%s: extends entries must be strings", file)
				return c
			}
			extends = append(extends, x.str)
		}
	default:
		c.err = fmt.Errorf("%s: extends must be a string or an array of strings", file)
		return c
	}
	// Later entries override earlier ones, and the file itself overrides all.
	stack = append(stack[:len(stack):len(stack)], file)
	for _, e := range extends {
		p, err := j.findExtends(dir, e)
		if err != nil {
			c.err = fmt.Errorf("%s: extends %q: %w", file, e, err)
			return c
		}
		parent := j.loadTSConfig(p, stack)
		if parent.err != nil {
			c.err = parent.err
			return c
		}
		if parent.hasBase {
			c.hasBase, c.baseURL = true, parent.baseURL
		}
		if parent.hasPaths {
			c.hasPaths, c.paths, c.pathsBase = true, parent.paths, parent.pathsBase
		}
		if parent.customConditions != nil {
			c.customConditions = parent.customConditions
		}
		c.chain = append(c.chain, parent.chain...)
		for k, v := range parent.compile {
			c.setCompile(k, v)
		}
	}

	// Wrongly typed options are ignored, as tsc reports and carries on.
	co := v.get("compilerOptions")
	if b := co.get("baseUrl"); b != nil && b.kind == jString {
		c.hasBase, c.baseURL = true, absJoin(dir, b.str)
	}
	for name, kind := range compileOptionNames {
		if o := co.get(name); o != nil && o.kind == kind {
			var v any = o.str
			if kind == jBool {
				v = o.str == "true"
			}
			c.setCompile(name, v)
		}
	}
	if cc := co.get("customConditions"); cc != nil && cc.kind == jArray {
		c.customConditions = []string{}
		for _, x := range cc.arr {
			if x.kind == jString {
				c.customConditions = append(c.customConditions, x.str)
			}
		}
	}
	if p := co.get("paths"); p != nil && p.kind == jObject {
		c.hasPaths, c.pathsBase, c.paths = true, dir, nil
		for i, k := range p.keys {
			star := strings.IndexByte(k, '*')
			if star >= 0 && strings.IndexByte(k[star+1:], '*') >= 0 {
				continue // tsc rejects patterns with two stars
			}
			rule := pathRule{key: k, star: star}
			if arr := p.vals[i]; arr.kind == jArray {
				for _, t := range arr.arr {
					if t.kind == jString {
						rule.targets = append(rule.targets, t.str)
					}
				}
			}
			c.paths = append(c.paths, rule)
		}
	}
	return c
}

func (c *tsConfig) setCompile(name string, v any) {
	if c.compile == nil {
		c.compile = map[string]any{}
	}
	c.compile[name] = v
}

// finishCompile renders the compile options once, when parsing is done.
func (c *tsConfig) finishCompile() {
	if len(c.compile) == 0 || c.err != nil {
		return
	}
	// Map keys are written sorted: equal settings give equal text.
	data, err := json.Marshal(map[string]any{"compilerOptions": c.compile})
	if err == nil {
		c.compileJSON = string(data)
	}
}

// CompilerOptions returns the compiler options that decide how the source
// file compiles, from the nearest tsconfig.json (else jsconfig.json) above
// it, extends merged, as the text of a tsconfig: {"compilerOptions":{…}}
// holding only jsx, jsxFactory, jsxFragmentFactory, jsxImportSource,
// importsNotUsedAsValues, preserveValueImports, verbatimModuleSyntax,
// experimentalDecorators and useDefineForClassFields, in a canonical form
// (equal settings, equal text). It is "" when no config applies or it sets
// none of them. configs lists the files the answer comes from: the nearest
// config, then those it extends. A broken config is an error, with the
// files read so far.
func (r *Resolver) CompilerOptions(file string) (raw string, configs []string, err error) {
	r.mu.RLock()
	gen := r.gen
	r.mu.RUnlock()
	j := &job{r: r, gen: gen, quiet: true}
	c, err := j.nearestTSConfig(path.Dir(path.Clean(file)))
	if c == nil {
		return "", nil, err
	}
	return c.compileJSON, c.chain, err
}

// findExtends locates an "extends" entry: a path relative to the config
// (".json" may be omitted), or a package in node_modules: "pkg" means its
// package.json "tsconfig" field or tsconfig.json, "pkg/sub" a file (".json"
// optional) or a directory's tsconfig.json.
func (j *job) findExtends(dir, e string) (string, error) {
	if e == "" {
		return "", errors.New("empty extends")
	}
	if e == "." || e == ".." || strings.HasPrefix(e, "./") || strings.HasPrefix(e, "../") || strings.HasPrefix(e, "/") {
		p := absJoin(dir, e)
		if k, key := j.stat(p); k == kFile {
			return key, nil
		}
		if !strings.HasSuffix(p, ".json") {
			if k, key := j.stat(p + ".json"); k == kFile {
				return key, nil
			}
		}
		return "", notFound(p)
	}
	name, sub, ok := splitPackage(e)
	if !ok {
		return "", fmt.Errorf("invalid package specifier: %w", ErrNotFound)
	}
	for d := dir; ; d = path.Dir(d) {
		if path.Base(d) != "node_modules" {
			cand := joinDir(joinDir(d, "node_modules"), name)
			if k, _ := j.stat(cand); k == kDir {
				if pd, ok := j.realDir(cand); ok {
					return j.extendsInPackage(pd, sub)
				}
			}
		}
		if d == "/" || d == "." {
			break
		}
	}
	return "", fmt.Errorf("package %q not found in node_modules: %w", name, ErrNotFound)
}

func (j *job) extendsInPackage(pd, sub string) (string, error) {
	var cands []string
	if sub == "." {
		c := "tsconfig.json"
		if k, pkey := j.stat(joinDir(pd, "package.json")); k == kFile {
			if pj := j.loadPackage(pkey); pj.err == nil && pj.tsconfig != "" {
				c = pj.tsconfig
			}
		}
		p := path.Join(pd, c)
		cands = append(cands, p, p+".json")
	} else {
		p := path.Join(pd, sub)
		cands = append(cands, p, p+".json", joinDir(p, "tsconfig.json"))
	}
	for _, p := range cands {
		if k, key := j.stat(p); k == kFile {
			return key, nil
		}
	}
	return "", notFound(cands[0])
}

// match finds the paths rule for spec: an exact key first, else the
// pattern with the longest prefix before its star (first written wins a
// tie), as TypeScript's matchPatternOrExact does. It returns the text the
// star matched.
func (c *tsConfig) match(spec string) (*pathRule, string) {
	for i := range c.paths {
		if c.paths[i].star < 0 && c.paths[i].key == spec {
			return &c.paths[i], ""
		}
	}
	best := -1
	for i := range c.paths {
		p := &c.paths[i]
		if p.star < 0 || (best >= 0 && p.star <= c.paths[best].star) {
			continue
		}
		prefix, suffix := p.key[:p.star], p.key[p.star+1:]
		if len(spec) >= len(prefix)+len(suffix) && strings.HasPrefix(spec, prefix) && strings.HasSuffix(spec, suffix) {
			best = i
		}
	}
	if best < 0 {
		return nil, ""
	}
	p := &c.paths[best]
	return p, spec[p.star : len(spec)-(len(p.key)-p.star-1)]
}

// resolveTSPaths applies the nearest tsconfig's "paths", then (if withBase)
// "baseUrl", to a non-relative specifier. found is false when neither
// produced a file, so the caller falls through to node_modules, as tsc does.
func (j *job) resolveTSPaths(dir, spec string, withBase bool) (res Result, found bool, err error) {
	c, err := j.nearestTSConfig(dir)
	if err != nil || c == nil {
		return Result{}, false, err
	}
	if c.hasPaths {
		if rule, match := c.match(spec); rule != nil {
			base := c.pathsBase
			if c.hasBase {
				base = c.baseURL
			}
			for _, t := range rule.targets {
				if rule.star >= 0 {
					t = strings.Replace(t, "*", match, 1)
				}
				res, found, err := j.tryCandidate(absJoin(base, t), strings.HasSuffix(t, "/"))
				if found || err != nil {
					return res, found, err
				}
			}
		}
	}
	if withBase && c.hasBase {
		return j.tryCandidate(absJoin(c.baseURL, spec), strings.HasSuffix(spec, "/"))
	}
	return Result{}, false, nil
}

// tryCandidate probes p; a miss is not an error, a broken config on the way is.
func (j *job) tryCandidate(p string, dirOnly bool) (Result, bool, error) {
	key, err := j.probe(p, dirOnly)
	if errors.Is(err, ErrNotFound) {
		return Result{}, false, nil
	}
	if err != nil {
		return Result{}, false, err
	}
	res, err := j.finish(key)
	return res, err == nil, err
}

// absJoin resolves p against dir unless it is already absolute.
func absJoin(dir, p string) string {
	if path.IsAbs(p) {
		return path.Clean(p)
	}
	return path.Join(dir, p)
}
