package devserver

import (
	"crypto/sha256"
	"encoding/base32"
	"errors"
	"fmt"
	"maps"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/evanw/esbuild/pkg/api"
	"github.com/hmrd/hmrd/internal/scan/jsscan"
)

// Dependency pre-bundling: every bare import of the project that resolves
// into node_modules is an entry of ONE esbuild build with code splitting,
// so a package that several entries use (react under react-dom/client and
// react/jsx-dev-runtime) is one module in a shared chunk, loaded once.
// Each entry goes through a facade module that makes its exports static:
// an ES module is re-exported (export *, and its default when it has one);
// a CommonJS module is imported as a namespace and every name its text
// assigns (jsscan.LexCommonJS, following its re-exports) becomes a named
// export, beside the default export (module.exports, or exports.default
// for transpiled ESM), which is what `import { useState } from "react"`
// needs. The names that importers import from a CommonJS package are
// added to its facade too (prepareDeps), so a name the lexer cannot see
// (a UMD factory's, Object.assign's) still links, as it does under Vite's
// import-site interop.
//
// An entry is served at /@id/<spec>, the URL the graph rewrites imports
// to; chunks import each other at /@id/_hmrd/<name> (npm package names
// never start with "_", so no package is hidden by it).

// depsDir is where chunks are served, below idPrefix.
const depsDir = "_hmrd/"

// depsNamespace is the esbuild namespace of the facade modules.
const depsNamespace = "hmrd-dep"

// maxReexportFiles bounds how many files one CommonJS entry's re-exports
// may lead through.
const maxReexportFiles = 64

// depsBundle is the result of one build: immutable once built.
type depsBundle struct {
	// key is the cache key the bundle was built under (depsKey).
	key string
	// specs are the specifiers asked for, sorted.
	specs []string
	// entries maps a specifier to its module; chunks a chunk's file name
	// (no directory) to it.
	entries map[string]*depFile
	chunks  map[string]*depFile
	// failed maps a specifier that could not be bundled to why;
	// missing marks those that are no package in node_modules at all.
	failed  map[string]string
	missing map[string]bool
	// exports are the named exports of each CommonJS entry's facade;
	// names the names importers asked of it, which are among them.
	exports map[string][]string
	names   map[string][]string
}

func newDepsBundle(key string, specs []string) *depsBundle {
	return &depsBundle{
		key: key, specs: specs,
		entries: map[string]*depFile{}, chunks: map[string]*depFile{},
		failed: map[string]string{}, missing: map[string]bool{},
		exports: map[string][]string{}, names: map[string][]string{},
	}
}

// depFile is one served file of a bundle.
type depFile struct {
	name string // the output file name (no directory)
	body []byte
	etag string
}

func newDepFile(name string, body []byte) *depFile {
	sum := sha256.Sum256(body)
	return &depFile{name: name, body: body, etag: `"` + base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(sum[:15]) + `"`}
}

// has reports whether spec was part of the build (bundled or failed)
// and, for a CommonJS entry, exports every one of names.
func (b *depsBundle) has(spec string, names []string) bool {
	if b == nil {
		return false
	}
	if _, ok := b.failed[spec]; ok {
		return true
	}
	if _, ok := b.entries[spec]; !ok {
		return false
	}
	if exports, cjs := b.exports[spec]; cjs {
		for _, n := range names {
			if !slices.Contains(exports, n) {
				return false
			}
		}
	}
	return true
}

// want is what a build must include: each specifier with the names
// importers import from it (nil when none are known).
type want map[string][]string

// add merges names into w[spec], sorted and without duplicates.
func (w want) add(spec string, names []string) {
	list := append(slices.Clone(w[spec]), names...)
	slices.Sort(list)
	w[spec] = slices.Compact(list)
}

// outputName flattens a specifier into an output file name without
// extension, as Vite does: "react-dom/client" → "react-dom_client".
func outputName(spec string) string {
	r := strings.NewReplacer("/", "_", ".", "_", "@", "")
	return r.Replace(spec)
}

// errDepsBuild wraps esbuild's first error for the whole build.
type errDepsBuild struct{ err error }

func (e *errDepsBuild) Error() string { return e.err.Error() }

// buildDeps bundles the specifiers of w (valid package specifiers) in one
// build. A specifier that is no package in the root's node_modules is
// recorded in failed; a build error fails the whole build (see
// bundleDeps).
func (s *Server) buildDeps(key string, w want) (*depsBundle, error) {
	specs := slices.Sorted(maps.Keys(w))
	b := newDepsBundle(key, specs)
	if len(specs) == 0 {
		return b, nil
	}
	names := map[string]string{} // output name → spec
	outName := map[string]string{}
	var entries []api.EntryPoint
	for _, spec := range specs {
		name := outputName(spec)
		for i := 2; names[name] != ""; i++ {
			name = fmt.Sprintf("%s_%d", outputName(spec), i)
		}
		names[name] = spec
		outName[spec] = name
		entries = append(entries, api.EntryPoint{InputPath: spec, OutputPath: name})
	}
	var mu sync.Mutex
	fail := func(spec string, err error) {
		mu.Lock()
		defer mu.Unlock()
		b.failed[spec] = err.Error()
		if errors.Is(err, errNoPackage) {
			b.missing[spec] = true
		}
	}
	entry := func(pb api.PluginBuild, spec string) (api.OnResolveResult, error) {
		// esbuild makes an entry that names an existing file relative
		// ("./src/x.js"); specifiers never start with ".".
		spec = strings.TrimPrefix(spec, "./")
		res, err := s.resolveDep(pb, spec, w[spec])
		if err != nil {
			// The build goes on without it: an empty module stands in.
			fail(spec, err)
			return api.OnResolveResult{Path: spec, Namespace: depsNamespace + "-failed"}, nil
		}
		if f, ok := res.PluginData.(*facade); ok && f.cjs {
			mu.Lock()
			b.exports[spec] = f.names
			if len(w[spec]) > 0 {
				b.names[spec] = w[spec]
			}
			mu.Unlock()
		}
		return res, nil
	}
	facades := api.Plugin{Name: "hmrd-deps", Setup: func(pb api.PluginBuild) {
		pb.OnLoad(api.OnLoadOptions{Filter: ".*", Namespace: depsNamespace}, func(a api.OnLoadArgs) (api.OnLoadResult, error) {
			f := a.PluginData.(*facade)
			code := f.code()
			return api.OnLoadResult{Contents: &code, ResolveDir: filepath.Dir(f.file), Loader: api.LoaderJS}, nil
		})
		pb.OnLoad(api.OnLoadOptions{Filter: ".*", Namespace: depsNamespace + "-failed"}, func(api.OnLoadArgs) (api.OnLoadResult, error) {
			empty := "export {};\n"
			return api.OnLoadResult{Contents: &empty, Loader: api.LoaderJS}, nil
		})
	}}
	res := api.Build(api.BuildOptions{
		EntryPointsAdvanced: entries,
		Bundle:              true,
		Splitting:           true,
		Write:               false,
		Format:              api.FormatESModule,
		Platform:            api.PlatformBrowser, // also defines process.env.NODE_ENV as "development"
		Conditions:          []string{"module", "development"},
		Target:              api.ESNext,
		Charset:             api.CharsetUTF8,
		LogLevel:            api.LogLevelSilent,
		AbsWorkingDir:       s.realRoot,
		Outdir:              filepath.Join(s.realRoot, "__hmrd_deps"), // never written
		ChunkNames:          "chunk-[hash]",
		PublicPath:          idPrefix + depsDir,
		Plugins:             []api.Plugin{facades, s.confinePlugin(entry)},
	})
	if len(res.Errors) > 0 {
		return nil, &errDepsBuild{buildError(idPrefix+strings.Join(specs, ","), res.Errors[0])}
	}
	out := map[string][]byte{}
	outDir := filepath.Join(s.realRoot, "__hmrd_deps")
	for _, f := range res.OutputFiles {
		rel, err := filepath.Rel(outDir, f.Path)
		if err != nil || strings.ContainsAny(filepath.ToSlash(rel), "/") {
			return nil, fmt.Errorf("dependency bundle: unexpected output %s", f.Path)
		}
		out[rel] = f.Contents
	}
	for _, spec := range specs {
		name := outName[spec]
		js, css := out[name+".js"], out[name+".css"]
		delete(out, name+".js")
		delete(out, name+".css")
		if _, bad := b.failed[spec]; bad {
			continue
		}
		id := idPrefix + spec
		var body []byte
		switch {
		case js == nil && css != nil:
			// A stylesheet entry ("pkg/dist/style.css" imported from JS).
			body = styleModuleJS(id, string(css))
		case css != nil:
			// The package imports its own CSS: install it with the module.
			body = append([]byte(`import { updateStyle as __hmrd_updateStyle } from "`+ClientPath+`"; __hmrd_updateStyle(`+jsonString(id)+`, `+jsonString(string(css))+");\n"), js...)
		case js != nil:
			body = js
		default:
			b.failed[spec] = fmt.Sprintf("%s: the bundle has no output for it", id)
			continue
		}
		b.entries[spec] = newDepFile(name+".js", body)
	}
	for name, body := range out {
		if path.Ext(name) == ".js" {
			b.chunks[name] = newDepFile(name, body)
		}
	}
	return b, nil
}

// bundleDeps is buildDeps that survives a package that does not build:
// when the build of all specs fails, each is built alone to find the ones
// that fail, which are recorded in failed, and the rest are built
// together again.
func (s *Server) bundleDeps(key string, w want) (*depsBundle, error) {
	b, err := s.buildDeps(key, w)
	var be *errDepsBuild
	if err == nil || !errors.As(err, &be) || len(w) < 2 {
		return b, err
	}
	failed := map[string]string{}
	ok := want{}
	for spec, names := range w {
		if _, err := s.buildDeps(key, want{spec: names}); err != nil {
			failed[spec] = err.Error()
			continue
		}
		ok[spec] = names
	}
	if len(failed) == 0 {
		return nil, err // only the combination fails: nothing to blame
	}
	b, err = s.buildDeps(key, ok)
	if err != nil {
		return nil, err
	}
	b.specs = append(b.specs, slices.Collect(maps.Keys(failed))...)
	slices.Sort(b.specs)
	for spec, msg := range failed {
		b.failed[spec] = msg
	}
	return b, nil
}

// facade is the generated entry module of one specifier.
type facade struct {
	file       string // the module's absolute path
	cjs        bool
	hasDefault bool     // ESM: the module has a default export
	names      []string // CommonJS: the named exports found
}

// code is the facade's source.
func (f *facade) code() string {
	q := jsonString(f.file)
	var b strings.Builder
	if !f.cjs {
		b.WriteString("export * from " + q + ";\n")
		if f.hasDefault {
			b.WriteString("export { default } from " + q + ";\n")
		}
		return b.String()
	}
	// esbuild's namespace of a CommonJS module has every property of
	// module.exports, and as default module.exports itself (or
	// exports.default when the module sets __esModule).
	b.WriteString("import * as __hmrd_ns from " + q + ";\n")
	b.WriteString("export default __hmrd_ns.default;\n")
	for i, name := range f.names {
		fmt.Fprintf(&b, "var __hmrd_%d = __hmrd_ns[%s];\n", i, jsonString(name))
	}
	if len(f.names) > 0 {
		b.WriteString("export {")
		for i, name := range f.names {
			if i > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, " __hmrd_%d as %s", i, jsonString(name))
		}
		b.WriteString(" };\n")
	}
	return b.String()
}

// resolveDep resolves an entry specifier as an import from the root would
// be, to a file in a node_modules directory inside the root, and decides
// its facade; names are the names importers import from it.
func (s *Server) resolveDep(pb api.PluginBuild, spec string, names []string) (api.OnResolveResult, error) {
	id := idPrefix + spec
	res := pb.Resolve(spec, api.ResolveOptions{Kind: api.ResolveJSImportStatement, ResolveDir: s.realRoot})
	rel, ok := s.relOf(res.Path)
	switch {
	case len(res.Errors) > 0:
		return api.OnResolveResult{}, fmt.Errorf("%w: %s: %s", errNoPackage, id, res.Errors[0].Text)
	case res.External || !ok || !inNodeModules(rel):
		return api.OnResolveResult{}, fmt.Errorf("%w: %s resolves elsewhere", errNoPackage, id)
	}
	switch path.Ext(res.Path) {
	case ".js", ".mjs", ".cjs", ".jsx", ".ts", ".mts", ".cts", ".tsx":
	default:
		// CSS, JSON and the rest: esbuild's own output for them.
		return api.OnResolveResult{Path: res.Path}, nil
	}
	data, err := s.readConfined(res.Path)
	if err != nil {
		return api.OnResolveResult{}, fmt.Errorf("%s: %w", id, err)
	}
	f := &facade{file: res.Path}
	if lx := jsscan.LexCommonJS(data); lx.ModuleSyntax || path.Ext(res.Path) == ".mjs" {
		f.hasDefault = s.esmHasDefault(data)
	} else {
		f.cjs = true
		f.names = s.commonJSNames(pb, res.Path, lx)
		for _, n := range names {
			if n != "default" && n != "*" && utf8.ValidString(n) && !slices.Contains(f.names, n) {
				f.names = append(f.names, n)
			}
		}
	}
	// The facade is named by its specifier: esbuild prints the name in
	// a comment, and absolute paths stay out of what pages read.
	return api.OnResolveResult{Path: spec, Namespace: depsNamespace, PluginData: f}, nil
}

// esmHasDefault reports whether an ES module exports a default of its own
// (export * never passes one on).
func (s *Server) esmHasDefault(src []byte) bool {
	res, err := jsscan.ScanUnchecked(src, jsscan.Options{Loader: jsscan.LoaderJS})
	return err == nil && slices.Contains(res.Exports, "default")
}

// commonJSNames collects the named exports of the CommonJS module file
// (already lexed as lx), following its re-exports the way Node does.
func (s *Server) commonJSNames(pb api.PluginBuild, file string, lx jsscan.CommonJS) []string {
	seen := map[string]bool{file: true}
	var names []string
	have := map[string]bool{}
	add := func(list []string) {
		for _, n := range list {
			if !have[n] && utf8.ValidString(n) {
				have[n] = true
				names = append(names, n)
			}
		}
	}
	type item struct {
		file string
		lx   jsscan.CommonJS
	}
	queue := []item{{file, lx}}
	for len(queue) > 0 && len(seen) <= maxReexportFiles {
		it := queue[0]
		queue = queue[1:]
		add(it.lx.Exports)
		for _, spec := range it.lx.Reexports {
			r := pb.Resolve(spec, api.ResolveOptions{Kind: api.ResolveJSRequireCall, ResolveDir: filepath.Dir(it.file)})
			if len(r.Errors) > 0 || r.External || r.Path == "" || seen[r.Path] {
				continue
			}
			seen[r.Path] = true
			data, err := s.readConfined(r.Path)
			if err != nil {
				continue
			}
			next := jsscan.LexCommonJS(data)
			if next.ModuleSyntax {
				// An ES module required from CommonJS: its own exports.
				if res, err := jsscan.ScanUnchecked(data, jsscan.Options{Loader: jsscan.LoaderJS}); err == nil {
					add(slices.DeleteFunc(slices.Clone(res.Exports), func(n string) bool { return n == "default" }))
				}
				continue
			}
			queue = append(queue, item{r.Path, next})
		}
	}
	return names
}
