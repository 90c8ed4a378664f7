package devserver

import (
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"sync"

	"github.com/evanw/esbuild/pkg/api"
)

// maxExternals bounds the bundle cache; past it the cache starts over
// (a project imports a few dozen packages, not hundreds).
const maxExternals = 256

// externals caches the /@id/ package bundles. Packages are not watched, so
// a bundle is built once per specifier and daemon start; failures are not
// cached, so installing the package and reloading fixes them.
type externals struct {
	mu    sync.Mutex
	cache map[string]*externalBundle
}

type externalBundle struct {
	once sync.Once
	body []byte
	err  error
}

func (e *externals) get(spec string) *externalBundle {
	e.mu.Lock()
	defer e.mu.Unlock()
	if b, ok := e.cache[spec]; ok {
		return b
	}
	if e.cache == nil || len(e.cache) >= maxExternals {
		e.cache = map[string]*externalBundle{}
	}
	b := &externalBundle{}
	e.cache[spec] = b
	return b
}

func (e *externals) drop(spec string, b *externalBundle) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.cache[spec] == b {
		delete(e.cache, spec)
	}
}

// serveExternal answers /@id/<spec>: the package entry bundled by esbuild
// into one ES module (its own imports included), resolved from the root's
// node_modules. CommonJS packages get only a default export, and two
// bundles that include the same package each have their own copy of it;
// a real dependency optimizer (Vite's) is out of scope.
func (s *Server) serveExternal(w http.ResponseWriter, r *http.Request, spec string) {
	if !validPackageSpec(spec) {
		notFound(w, r)
		return
	}
	b := s.ext.get(spec)
	b.once.Do(func() { b.body, b.err = s.bundlePackage(spec) })
	if b.err != nil {
		s.ext.drop(spec, b)
		s.log.Error("devserver: package bundle", "path", idPrefix+spec, "err", b.err)
		if errors.Is(b.err, errNoPackage) {
			plain(w, r, http.StatusNotFound, "hmrd: no such package in the project's node_modules (see the daemon log)\n")
			return
		}
		s.writeBody(w, r, http.StatusInternalServerError, jsType, errorModule(b.err.Error()), "")
		return
	}
	s.writeBody(w, r, http.StatusOK, jsType, b.body, "")
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

// bundlePackage builds the bundle of one package specifier.
func (s *Server) bundlePackage(spec string) ([]byte, error) {
	id := idPrefix + spec
	var resolveErr error
	// The entry resolves as an import from the root would (not as a
	// path, which is what esbuild tries first for an entry point), and
	// only to a file in a node_modules directory inside the root.
	entry := func(b api.PluginBuild, spec string) (api.OnResolveResult, error) {
		res := b.Resolve(spec, api.ResolveOptions{Kind: api.ResolveJSImportStatement, ResolveDir: s.realRoot})
		rel, ok := s.relOf(res.Path)
		switch {
		case len(res.Errors) > 0:
			resolveErr = fmt.Errorf("%w: %s: %s", errNoPackage, id, res.Errors[0].Text)
		case res.External || !ok || !inNodeModules(rel):
			resolveErr = fmt.Errorf("%w: %s resolves elsewhere", errNoPackage, id)
		default:
			return api.OnResolveResult{Path: res.Path}, nil
		}
		return api.OnResolveResult{}, resolveErr
	}
	res := api.Build(api.BuildOptions{
		EntryPoints:   []string{spec},
		Bundle:        true,
		Write:         false,
		Format:        api.FormatESModule,
		Platform:      api.PlatformBrowser, // also defines process.env.NODE_ENV as "development"
		Target:        api.ESNext,
		Charset:       api.CharsetUTF8,
		LogLevel:      api.LogLevelSilent,
		AbsWorkingDir: s.realRoot,
		Outdir:        filepath.Join(s.realRoot, "__hmrd_out"), // never written
		Plugins:       []api.Plugin{s.confinePlugin(entry)},
	})
	if resolveErr != nil {
		return nil, resolveErr
	}
	if len(res.Errors) > 0 {
		return nil, buildError(id, res.Errors[0])
	}
	var js, css string
	for _, f := range res.OutputFiles {
		switch {
		case strings.HasSuffix(f.Path, ".js"):
			js = string(f.Contents)
		case strings.HasSuffix(f.Path, ".css"):
			css = string(f.Contents)
		}
	}
	if js == "" {
		// A stylesheet entry ("pkg/dist/style.css" imported from JS).
		return styleModuleJS(id, css), nil
	}
	if css != "" {
		// The package imports its own CSS: install it with the module.
		js = `import { updateStyle as __hmrd_updateStyle } from "` + ClientPath + `"; __hmrd_updateStyle(` + jsonString(id) + `, ` + jsonString(css) + ");\n" + js
	}
	return []byte(js), nil
}
