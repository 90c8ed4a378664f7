package devserver

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/evanw/esbuild/pkg/api"
	"github.com/hmrd/hmrd/internal/scan/jsscan"
)

// The TypeScript and JSX options of each module come from the tsconfig
// that includes it, found as Vite finds it (tsconfck): the nearest
// tsconfig.json up from the module's directory; when that one has
// "references" and does not include the module itself (create-vite's
// tsconfig.json has "files": [] and references tsconfig.app.json), the
// first referenced config that includes it. "extends" is followed
// (relative paths and packages, one or several), and compiler options
// merge over the extended ones.
//
// Used: jsx ("react-jsx" and "react-jsxdev" select the automatic runtime,
// in its development form as Vite does in dev; "react" the classic one
// with jsxFactory and jsxFragmentFactory; "preserve" is compiled as
// classic, since browsers cannot run JSX), jsxImportSource,
// experimentalDecorators, useDefineForClassFields (and the target that
// decides its default), verbatimModuleSyntax, preserveValueImports and
// importsNotUsedAsValues (passed to esbuild as its tsconfig).
//
// Without a tsconfig, or with one that sets no jsx: a project whose
// package.json depends on react or preact gets the automatic runtime
// from that package, as the frameworks' Vite plugins configure it;
// otherwise classic JSX (React.createElement). Pragma comments in a file
// (@jsx, @jsxImportSource, @jsxRuntime) win over all of these.
//
// Resolved configs are cached per directory and revalidated on every use
// by the stamps (size, time) of each file the answer depends on, those
// looked for and missing included: an edited, added or removed
// tsconfig.json applies from the next request.

// tsOptions are the transform options a module gets from its config.
type tsOptions struct {
	jsx          api.JSX
	jsxDev       bool
	importSource string
	factory      string
	fragment     string
	// raw is the tsconfig JSON given to esbuild ("" for none).
	raw string
	// jsxSet: the config chose the JSX mode (else package.json may);
	// fromPackage: package.json chose it.
	jsxSet, fromPackage bool
}

// apply sets o on esbuild's transform options.
func (o *tsOptions) apply(to *api.TransformOptions) {
	if o == nil {
		return
	}
	to.JSX = o.jsx
	to.JSXDev = o.jsxDev
	if o.jsx == api.JSXAutomatic {
		to.JSXImportSource = o.importSource
	}
	to.JSXFactory = o.factory
	to.JSXFragment = o.fragment
	to.TsconfigRaw = o.raw
}

// tsconfigs caches resolved configs.
type tsconfigs struct {
	mu    sync.Mutex
	byDir map[string]*tsDir
}

// maxTSDirs bounds the cache; past it, it starts over.
const maxTSDirs = 4096

// tsDir is what applies to the modules of one directory.
type tsDir struct {
	// deps are the files the answer depends on; stamps their state then.
	deps   []string
	stamps []fileStamp
	// root is the nearest tsconfig.json (nil: none); refs its references.
	root *tsConfig
	refs []*tsConfig
	// pkg is the fallback without a jsx setting: from package.json.
	pkg *tsOptions
	err error
}

// tsConfig is one config with its extends chain merged.
type tsConfig struct {
	file string
	// compilerOptions merged over the extended configs'.
	options map[string]json.RawMessage
	// files, include and exclude are absolute slash paths or patterns, as
	// the config that set them (or the one it extends) gives them; nil
	// when unset.
	files, include, exclude []string
	filesSet                bool
	references              []string
	opts                    *tsOptions
	allowJS                 bool
	matchers                []globMatcher
	excludes                []*regexp.Regexp
}

// globMatcher is one include pattern; wild ones match only the
// extensions TypeScript compiles.
type globMatcher struct {
	re   *regexp.Regexp
	wild bool
}

// tsExt reports an extension an include wildcard matches.
func (c *tsConfig) tsExt(f string) bool {
	switch path.Ext(f) {
	case ".ts", ".tsx", ".mts", ".cts":
		return true
	case ".js", ".jsx", ".mjs", ".cjs":
		return c.allowJS
	}
	return false
}

// moduleTSOptions are the options for the module id (root-relative) with
// loader and source src: nil for plain JavaScript, which no tsconfig
// changes.
func (s *Server) moduleTSOptions(id string, loader jsscan.Loader, src []byte) *tsOptions {
	if loader == jsscan.LoaderJS || !strings.HasPrefix(id, "/") {
		return nil
	}
	o := s.tsOptionsFor(filepath.Join(s.realRoot, filepath.FromSlash(id[1:])))
	if o != nil && o.fromPackage && bytes.Contains(src, []byte("@jsx ")) && !bytes.Contains(src, []byte("@jsxRuntime")) {
		// A classic pragma in a project that only gets the automatic
		// runtime from its dependencies: classic for this file (in
		// automatic mode esbuild ignores @jsx).
		c := *o
		c.jsx, c.jsxDev = api.JSXTransform, false
		return &c
	}
	return o
}

// tsOptionsFor returns the options for the module file (absolute), or nil
// for esbuild's defaults (classic JSX).
func (s *Server) tsOptionsFor(file string) *tsOptions {
	dir := filepath.Dir(file)
	t := &s.tsc
	t.mu.Lock()
	d := t.byDir[dir]
	t.mu.Unlock()
	if d == nil || !slices.Equal(stampFiles(d.deps), d.stamps) {
		d = s.resolveTSDir(dir)
		t.mu.Lock()
		if t.byDir == nil || len(t.byDir) >= maxTSDirs {
			t.byDir = map[string]*tsDir{}
		}
		t.byDir[dir] = d
		t.mu.Unlock()
		if d.err != nil {
			s.log.Warn("devserver: tsconfig", "dir", dir, "err", d.err)
		}
	}
	cfg := d.root
	if cfg != nil && len(d.refs) > 0 && !cfg.includes(file) {
		for _, ref := range d.refs {
			if ref.includes(file) {
				cfg = ref
				break
			}
		}
	}
	if cfg != nil && cfg.opts.jsxSet {
		return cfg.opts
	}
	if d.pkg == nil {
		if cfg != nil {
			return cfg.opts
		}
		return nil
	}
	o := *d.pkg
	if cfg != nil {
		o.raw = cfg.opts.raw
		if cfg.opts.importSource != "" {
			o.importSource = cfg.opts.importSource
		}
	}
	return &o
}

// resolveTSDir finds and reads the config of dir.
func (s *Server) resolveTSDir(dir string) *tsDir {
	d := &tsDir{}
	read := map[string]bool{}
	dep := func(f string) {
		if !read[f] {
			read[f] = true
			d.deps = append(d.deps, f)
		}
	}
	var nearest string
	for cur := dir; ; {
		p := filepath.Join(cur, "tsconfig.json")
		dep(p)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
			nearest = p
			break
		}
		parent := filepath.Dir(cur)
		if parent == cur {
			break
		}
		cur = parent
	}
	if nearest != "" {
		d.root, d.err = loadTSConfig(nearest, dep, 0)
		if d.root != nil {
			for _, ref := range d.root.references {
				c, err := loadTSConfig(ref, dep, 0)
				if err != nil {
					d.err = errors.Join(d.err, err)
					continue
				}
				d.refs = append(d.refs, c)
			}
		}
	}
	d.pkg = s.packageJSX(dir, dep)
	d.stamps = stampFiles(d.deps)
	return d
}

// packageJSX is the JSX runtime a project gets from its dependencies:
// react or preact in the nearest package.json (inside the root) selects
// its automatic runtime.
func (s *Server) packageJSX(dir string, dep func(string)) *tsOptions {
	for cur := dir; ; {
		p := filepath.Join(cur, "package.json")
		dep(p)
		if data, err := os.ReadFile(p); err == nil {
			var pkg struct {
				Dependencies, DevDependencies, PeerDependencies map[string]string
			}
			if json.Unmarshal(data, &pkg) != nil {
				return nil
			}
			for _, name := range []string{"react", "preact"} {
				for _, m := range []map[string]string{pkg.Dependencies, pkg.DevDependencies, pkg.PeerDependencies} {
					if _, ok := m[name]; ok {
						return &tsOptions{jsx: api.JSXAutomatic, jsxDev: true, importSource: name, fromPackage: true}
					}
				}
			}
			return nil
		}
		if cur == s.realRoot || cur == s.rootDir {
			return nil
		}
		parent := filepath.Dir(cur)
		if parent == cur {
			return nil
		}
		cur = parent
	}
}

// maxExtends bounds an extends chain.
const maxExtends = 16

// loadTSConfig reads file and what it extends.
func loadTSConfig(file string, dep func(string), depth int) (*tsConfig, error) {
	if depth > maxExtends {
		return nil, fmt.Errorf("%s: extends nests more than %d deep", file, maxExtends)
	}
	dep(file)
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var raw struct {
		Extends         json.RawMessage            `json:"extends"`
		CompilerOptions map[string]json.RawMessage `json:"compilerOptions"`
		Files           *[]string                  `json:"files"`
		Include         *[]string                  `json:"include"`
		Exclude         *[]string                  `json:"exclude"`
		References      []struct {
			Path string `json:"path"`
		} `json:"references"`
	}
	if err := json.Unmarshal(jsonc(data), &raw); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	c := &tsConfig{file: file, options: map[string]json.RawMessage{}}
	var bases []string
	if len(raw.Extends) > 0 {
		var one string
		if json.Unmarshal(raw.Extends, &one) == nil {
			bases = []string{one}
		} else if err := json.Unmarshal(raw.Extends, &bases); err != nil {
			return nil, fmt.Errorf("%s: extends: %w", file, err)
		}
	}
	var errs []error
	for _, b := range bases {
		p := resolveExtends(filepath.Dir(file), b, dep)
		if p == "" {
			errs = append(errs, fmt.Errorf("%s: extends %q: not found", file, b))
			continue
		}
		base, err := loadTSConfig(p, dep, depth+1)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for k, v := range base.options {
			c.options[k] = v
		}
		if base.filesSet {
			c.files, c.filesSet = base.files, true
		}
		if base.include != nil {
			c.include = base.include
		}
		if base.exclude != nil {
			c.exclude = base.exclude
		}
	}
	for k, v := range raw.CompilerOptions {
		c.options[k] = v
	}
	dir := filepath.ToSlash(filepath.Dir(file))
	abs := func(list []string) []string {
		out := make([]string, 0, len(list))
		for _, p := range list {
			out = append(out, path.Join(dir, filepath.ToSlash(p)))
		}
		return out
	}
	if raw.Files != nil {
		c.files, c.filesSet = abs(*raw.Files), true
	}
	if raw.Include != nil {
		c.include = abs(*raw.Include)
	}
	if raw.Exclude != nil {
		c.exclude = abs(*raw.Exclude)
	}
	for _, r := range raw.References {
		p := filepath.Join(filepath.Dir(file), filepath.FromSlash(r.Path))
		if fi, err := os.Stat(p); err == nil && fi.IsDir() {
			p = filepath.Join(p, "tsconfig.json")
		}
		c.references = append(c.references, p)
	}
	c.compile()
	return c, errors.Join(errs...)
}

// resolveExtends finds the file an "extends" names: a path relative to
// the config, or a package in a node_modules above it.
func resolveExtends(dir, spec string, dep func(string)) string {
	try := func(p string) string {
		for _, cand := range []string{p, p + ".json", filepath.Join(p, "tsconfig.json")} {
			dep(cand)
			if fi, err := os.Stat(cand); err == nil && fi.Mode().IsRegular() {
				return cand
			}
		}
		return ""
	}
	if strings.HasPrefix(spec, "./") || strings.HasPrefix(spec, "../") || filepath.IsAbs(spec) {
		if !filepath.IsAbs(spec) {
			spec = filepath.Join(dir, filepath.FromSlash(spec))
		}
		return try(spec)
	}
	for cur := dir; ; {
		if p := try(filepath.Join(cur, "node_modules", filepath.FromSlash(spec))); p != "" {
			return p
		}
		parent := filepath.Dir(cur)
		if parent == cur {
			return ""
		}
		cur = parent
	}
}

// compile derives the transform options and the include matchers.
func (c *tsConfig) compile() {
	str := func(k string) string {
		var v string
		json.Unmarshal(c.options[k], &v)
		return v
	}
	o := &tsOptions{jsx: api.JSXTransform, importSource: str("jsxImportSource")}
	switch strings.ToLower(str("jsx")) {
	case "react-jsx", "react-jsxdev":
		o.jsx, o.jsxDev, o.jsxSet = api.JSXAutomatic, true, true
	case "react":
		o.factory, o.fragment, o.jsxSet = str("jsxFactory"), str("jsxFragmentFactory"), true
	case "":
	default:
		o.jsxSet = true // "preserve", "react-native": compiled as classic
	}
	raw := map[string]json.RawMessage{}
	for _, k := range []string{"experimentalDecorators", "useDefineForClassFields", "target", "verbatimModuleSyntax", "preserveValueImports", "importsNotUsedAsValues", "alwaysStrict", "strict"} {
		if v, ok := c.options[k]; ok {
			raw[k] = v
		}
	}
	if len(raw) > 0 {
		b, _ := json.Marshal(map[string]any{"compilerOptions": raw})
		o.raw = string(b)
	}
	c.opts = o
	json.Unmarshal(c.options["allowJs"], &c.allowJS)
	include := c.include
	if include == nil && !c.filesSet {
		include = []string{path.Join(filepath.ToSlash(filepath.Dir(c.file)), "**/*")}
	}
	for _, p := range include {
		re, wild := globRegexp(p)
		c.matchers = append(c.matchers, globMatcher{re, wild})
	}
	for _, p := range c.exclude {
		re, _ := globRegexp(p)
		c.excludes = append(c.excludes, re)
	}
}

// includes reports whether the config includes file (absolute), as
// tsconfck decides it: listed in files, or matched by include and not by
// exclude.
func (c *tsConfig) includes(file string) bool {
	f := filepath.ToSlash(file)
	if slices.Contains(c.files, f) {
		return true
	}
	for _, m := range c.matchers {
		if m.re.MatchString(f) && (!m.wild || c.tsExt(f)) {
			for _, x := range c.excludes {
				if x.MatchString(f) {
					return false
				}
			}
			return true
		}
	}
	return false
}

// globRegexp compiles a tsconfig include or exclude pattern: "*" within
// a path segment, "?" one character, "**/" any directories. A pattern
// whose last segment has no wildcard and no extension is a directory:
// everything below it. wild reports a wildcard in the last segment, whose
// matches an include limits to TypeScript's extensions.
func globRegexp(p string) (re *regexp.Regexp, wild bool) {
	last := path.Base(p)
	if !strings.ContainsAny(last, "*?") && path.Ext(last) == "" {
		p = strings.TrimSuffix(p, "/") + "/**/*"
	}
	var b strings.Builder
	b.WriteString("^")
	for i := 0; i < len(p); i++ {
		switch {
		case strings.HasPrefix(p[i:], "**/"):
			b.WriteString("(?:[^/]+/)*")
			i += 2
		case p[i] == '*':
			b.WriteString("[^/]*")
		case p[i] == '?':
			b.WriteString("[^/]")
		default:
			b.WriteString(regexp.QuoteMeta(p[i : i+1]))
		}
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String()), strings.ContainsAny(path.Base(p), "*?")
}

// jsonc turns JSON with comments and trailing commas (tsconfig's syntax)
// into JSON.
func jsonc(src []byte) []byte {
	var out bytes.Buffer
	out.Grow(len(src))
	n := len(src)
	for i := 0; i < n; i++ {
		c := src[i]
		switch {
		case c == '"':
			j := i + 1
			for j < n && src[j] != '"' {
				if src[j] == '\\' {
					j++
				}
				j++
			}
			if j >= n {
				j = n - 1
			}
			out.Write(src[i : j+1])
			i = j
		case c == '/' && i+1 < n && src[i+1] == '/':
			for i < n && src[i] != '\n' {
				i++
			}
			out.WriteByte('\n')
		case c == '/' && i+1 < n && src[i+1] == '*':
			i += 2
			for i+1 < n && !(src[i] == '*' && src[i+1] == '/') {
				i++
			}
			i++
			out.WriteByte(' ')
		case c == ',':
			// A trailing comma: the next significant byte closes.
			j := i + 1
			for j < n {
				switch {
				case src[j] == ' ' || src[j] == '\t' || src[j] == '\n' || src[j] == '\r':
					j++
					continue
				case src[j] == '/' && j+1 < n && src[j+1] == '/':
					for j < n && src[j] != '\n' {
						j++
					}
					continue
				case src[j] == '/' && j+1 < n && src[j+1] == '*':
					j += 2
					for j+1 < n && !(src[j] == '*' && src[j+1] == '/') {
						j++
					}
					j += 2
					continue
				}
				break
			}
			if j < n && (src[j] == '}' || src[j] == ']') {
				continue
			}
			out.WriteByte(c)
		default:
			out.WriteByte(c)
		}
	}
	return out.Bytes()
}

// jsxRuntimes lists the JSX runtime modules that the given JSX and TSX
// files import once transformed, for the dependency bundle.
func (s *Server) jsxRuntimes(files []string) []string {
	var out []string
	for _, f := range files {
		o := s.tsOptionsFor(f)
		if o == nil || o.jsx != api.JSXAutomatic {
			continue
		}
		src := o.importSource
		if src == "" {
			src = "react"
		}
		rt := src + "/jsx-runtime"
		if o.jsxDev {
			rt = src + "/jsx-dev-runtime"
		}
		if !slices.Contains(out, rt) {
			out = append(out, rt)
		}
	}
	return out
}
