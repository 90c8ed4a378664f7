package devserver

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"path"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/evanw/esbuild/pkg/api"
)

// serveStyleModule answers a stylesheet imported from JS (?import): a JS
// module that installs the sheet through the runtime. A plain sheet
// accepts its own updates (the new version swaps the <style>); a CSS module
// exports its class names and does not (its importer re-runs, which
// imports the new version).
func (s *Server) serveStyleModule(w http.ResponseWriter, r *http.Request, id, rel string) {
	name := strings.ToLower(path.Base(rel))
	if path.Ext(name) != ".css" {
		err := fmt.Errorf("%s: %s stylesheets need a preprocessor; hmrd serves plain CSS", id, path.Ext(name))
		s.log.Error("devserver: style module", "path", id, "err", err)
		s.writeBody(w, r, http.StatusInternalServerError, jsType, errorModule(err.Error()), "")
		return
	}
	cssModule := strings.HasSuffix(name, ".module.css")
	css, js, err := s.bundleCSS(rel, cssModule)
	if err != nil {
		s.log.Error("devserver: style module", "path", id, "err", err)
		s.writeBody(w, r, http.StatusInternalServerError, jsType, errorModule(err.Error()), "")
		return
	}
	s.lookupTargets(r.Context(), id, nil) // mark loaded
	var body []byte
	if cssModule {
		body = cssModuleJS(id, css, js)
	} else {
		body = styleModuleJS(id, css)
	}
	s.writeBody(w, r, http.StatusOK, jsType, body, "")
}

// styleModuleJS is a plain stylesheet as a self-accepting JS module.
func styleModuleJS(id, css string) []byte {
	q := jsonString(id)
	return []byte(`import { updateStyle as __hmrd_updateStyle, removeStyle as __hmrd_removeStyle, createHotContext as __hmrd_hot } from "` + ClientPath + `";
import.meta.hot = __hmrd_hot(` + q + `);
const css = ` + jsonString(css) + `;
__hmrd_updateStyle(` + q + `, css);
import.meta.hot.accept();
import.meta.hot.prune(() => __hmrd_removeStyle(` + q + `));
export default css;
`)
}

var (
	// esbuild ends the JS of a CSS module with `export { x_default as
	// default };` and prints the class map one property per line.
	cssModuleExport = regexp.MustCompile(`(?m)^export \{\s*([A-Za-z_$][\w$]*) as default\s*\};\s*\z`)
	cssModuleKey    = regexp.MustCompile(`(?m)^  ([A-Za-z_$][\w$]*): `)
)

// cssModuleJS is a CSS module: esbuild's class map as the default export
// and, for each class name that is an identifier, a named export. It does
// not accept itself.
func cssModuleJS(id, css, js string) []byte {
	q := jsonString(id)
	var b strings.Builder
	b.WriteString(`import { updateStyle as __hmrd_updateStyle, removeStyle as __hmrd_removeStyle, createHotContext as __hmrd_hot } from "` + ClientPath + `";
import.meta.hot = __hmrd_hot(` + q + `);
const __hmrd_css = ` + jsonString(css) + `;
__hmrd_updateStyle(` + q + `, __hmrd_css);
import.meta.hot.prune(() => __hmrd_removeStyle(` + q + `));
`)
	loc := cssModuleExport.FindStringSubmatchIndex(js)
	if loc == nil {
		// Not the shape expected: keep esbuild's own default export.
		b.WriteString(js)
		return []byte(b.String())
	}
	b.WriteString(js[:loc[0]])
	v := js[loc[2]:loc[3]]
	b.WriteString("export default " + v + ";\n")
	seen := map[string]bool{"default": true}
	for i, m := range cssModuleKey.FindAllStringSubmatch(js[:loc[0]], -1) {
		name := m[1]
		if seen[name] {
			continue
		}
		seen[name] = true
		// A local alias, so a class named like one of esbuild's own
		// variables cannot collide with it; export names may be any
		// identifier name, reserved words included.
		fmt.Fprintf(&b, "const __hmrd_c%d = %s[%s]; export { __hmrd_c%d as %s };\n", i, v, jsonString(name), i, name)
	}
	return []byte(b.String())
}

// bundleCSS inlines the @imports of the stylesheet rel and rewrites its
// relative url()s to root-absolute URLs (the sheet ends up in a <style> of
// the page, where relative URLs would resolve against the page). Every
// file is read through the server's confinement. For a CSS module it also
// returns esbuild's JS with the class-name map.
func (s *Server) bundleCSS(rel string, cssModule bool) (css, js string, err error) {
	opts := api.BuildOptions{
		Bundle:        true,
		Write:         false,
		Format:        api.FormatESModule,
		Target:        api.ESNext,
		Charset:       api.CharsetUTF8,
		LogLevel:      api.LogLevelSilent,
		AbsWorkingDir: s.realRoot,
		// Never written (Write is false); esbuild needs an output
		// directory for a build with a JS and a CSS output.
		Outdir:  filepath.Join(s.realRoot, "__hmrd_out"),
		Plugins: []api.Plugin{s.confinePlugin(nil)},
	}
	abs := filepath.Join(s.realRoot, filepath.FromSlash(rel))
	if cssModule {
		opts.Stdin = &api.StdinOptions{
			Contents:   "export { default } from " + jsonString("./"+path.Base(rel)) + ";\n",
			ResolveDir: filepath.Dir(abs),
			Sourcefile: "hmrd-css-module.js",
			Loader:     api.LoaderJS,
		}
	} else {
		opts.EntryPoints = []string{abs}
	}
	res := api.Build(opts)
	if len(res.Errors) > 0 {
		return "", "", buildError("/"+rel, res.Errors[0])
	}
	for _, f := range res.OutputFiles {
		switch {
		case strings.HasSuffix(f.Path, ".css"):
			css = string(f.Contents)
		case strings.HasSuffix(f.Path, ".js"):
			js = string(f.Contents)
		}
	}
	return css, js, nil
}

// buildError renders esbuild's first build error. Locations are relative to
// the root; no absolute path is shown.
func buildError(id string, m api.Message) error {
	loc := m.Location
	if loc == nil || loc.File == "" || strings.HasPrefix(loc.File, "<") {
		return fmt.Errorf("%s: %s", id, m.Text)
	}
	file := filepath.ToSlash(loc.File)
	if !strings.HasPrefix(file, "/") {
		file = "/" + file
	}
	return fmt.Errorf("%s: %s:%d:%d: %s", id, file, loc.Line, loc.Column+1, m.Text)
}

// confinePlugin makes esbuild read every file through Server.open and
// rewrites CSS url()s. When entry is set, it resolves the entry points
// (the /@id/ bundles' package specifiers).
func (s *Server) confinePlugin(entry func(b api.PluginBuild, spec string) (api.OnResolveResult, error)) api.Plugin {
	return api.Plugin{Name: "hmrd-confine", Setup: func(b api.PluginBuild) {
		b.OnResolve(api.OnResolveOptions{Filter: ".*"}, func(a api.OnResolveArgs) (api.OnResolveResult, error) {
			switch {
			case a.Kind == api.ResolveCSSURLToken:
				return api.OnResolveResult{Path: s.cssURL(a.Importer, a.Path), External: true}, nil
			case entry != nil && a.Kind == api.ResolveEntryPoint:
				return entry(b, a.Path)
			}
			return api.OnResolveResult{}, nil // esbuild resolves; onLoad confines
		})
		b.OnLoad(api.OnLoadOptions{Filter: ".*", Namespace: "file"}, func(a api.OnLoadArgs) (api.OnLoadResult, error) {
			data, err := s.readConfined(a.Path)
			if err != nil {
				return api.OnLoadResult{}, err
			}
			str := string(data)
			return api.OnLoadResult{Contents: &str, Loader: api.LoaderDefault}, nil
		})
	}}
}

// inNodeModules reports whether a root-relative path lies in a
// node_modules directory.
func inNodeModules(rel string) bool {
	parts := strings.Split(rel, "/")
	for _, p := range parts[:len(parts)-1] {
		if p == "node_modules" {
			return true
		}
	}
	return false
}

// readConfined reads an absolute path esbuild asks for, through open.
// Errors name the file relative to the root, never absolutely.
func (s *Server) readConfined(abs string) ([]byte, error) {
	rel, ok := s.relOf(abs)
	if !ok {
		return nil, errors.New("refused: the file is outside the project root")
	}
	f, fi, err := s.open(rel)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("/%s: no such file", rel)
		}
		s.refusals.Warn("devserver: bundler read refused", "path", rel, "err", err)
		return nil, fmt.Errorf("refused: /%s may not be served", rel)
	}
	defer f.Close()
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("/%s is not a file", rel)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxModuleSize+1))
	if err != nil {
		return nil, fmt.Errorf("read /%s: %w", rel, errors.Unwrap(err))
	}
	if len(data) > maxModuleSize {
		return nil, fmt.Errorf("/%s is larger than %d bytes", rel, maxModuleSize)
	}
	return data, nil
}

// cssURL rewrites a url() of the sheet at importer (absolute) to a
// root-absolute URL. Absolute URLs, URLs with a scheme (data:, https:),
// fragments and references that would leave the root stay as written.
func (s *Server) cssURL(importer, u string) string {
	if u == "" || u[0] == '/' || u[0] == '#' || hasScheme(u) {
		return u
	}
	rel, ok := s.relOf(importer)
	if !ok {
		return u
	}
	p, suffix := u, ""
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		p, suffix = u[:i], u[i:]
	}
	joined := path.Join(path.Dir(rel), p)
	if !filepath.IsLocal(filepath.FromSlash(joined)) {
		return u
	}
	return "/" + joined + suffix
}

func hasScheme(u string) bool {
	i := strings.IndexByte(u, ':')
	if i <= 0 {
		return false
	}
	for j := 0; j < i; j++ {
		c := u[j]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || j > 0 && (c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.')) {
			return false
		}
	}
	return true
}

// serveJSONModule answers a JSON file imported from JS.
func (s *Server) serveJSONModule(w http.ResponseWriter, r *http.Request, id string, data []byte) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	var v json.RawMessage
	if err := json.Unmarshal(data, &v); err != nil {
		err = fmt.Errorf("%s: invalid JSON: %w", id, err)
		s.log.Error("devserver: json module", "path", id, "err", err)
		s.writeBody(w, r, http.StatusInternalServerError, jsType, errorModule(err.Error()), "")
		return
	}
	s.lookupTargets(r.Context(), id, nil) // mark loaded
	s.writeBody(w, r, http.StatusOK, jsType, jsonModule(data), "")
}
