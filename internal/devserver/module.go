package devserver

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/evanw/esbuild/pkg/api"
	"github.com/hmrd/hmrd/internal/engine"
	"github.com/hmrd/hmrd/internal/scan/jsscan"
)

// serveJS answers a JavaScript or TypeScript module.
func (s *Server) serveJS(w http.ResponseWriter, r *http.Request, id, name string, data []byte) {
	loader, _ := jsscan.LoaderFor(name)
	body, err := s.transformModule(r.Context(), id, data, loader)
	if err != nil {
		s.log.Error("devserver: transform", "path", id, "err", err)
		s.writeBody(w, r, http.StatusInternalServerError, jsType, errorModule(err.Error()), "")
		return
	}
	s.writeBody(w, r, http.StatusOK, jsType, body, "")
}

// transformModule turns a source file into the module the browser runs:
// esbuild's transform (TS and JSX to JS, nothing lowered), import
// specifiers rewritten to module URLs, the hot-context prelude when the
// module uses import.meta.hot, and a source map of the original inline.
func (s *Server) transformModule(ctx context.Context, id string, src []byte, loader jsscan.Loader) ([]byte, error) {
	to := transformOptions(id, loader)
	s.moduleTSOptions(id, loader, src).apply(&to)
	tr := api.Transform(string(src), to)
	if len(tr.Errors) > 0 {
		return nil, transformError(id, tr.Errors[0])
	}
	res, err := jsscan.ScanUnchecked(tr.Code, jsscan.Options{Loader: jsscan.LoaderJS, Filename: id})
	if err != nil {
		return nil, fmt.Errorf("scan %s: %w", id, err)
	}
	hotID, targets, info := s.lookupModule(ctx, id, moduleSpecs(res))
	s.prepareDeps(ctx, res, targets)
	edits := rewriteEdits(tr.Code, res, targets)
	refresh, accepts := refreshEdits(info.Refresh, hotID, tr.Code)
	edits = append(edits, refresh...)
	at := preludeOffset(tr.Code)
	if res.Hot.Used || accepts {
		edits = append(edits, edit{start: at, end: at, text: hotPrelude(hotID, res.Hot.Webpack)})
	}
	if len(res.MetaGlobs) > 0 {
		edits = append(edits, globEdits(tr.Code, res.MetaGlobs, info.Globs, at)...)
	}
	if usesEnv.Match(tr.Code) {
		edits = append(edits, edit{start: at, end: at, text: s.envPrelude()})
	}
	return withSourceMap(tr.Code, tr.Map, edits), nil
}

// transformOptions: esbuild as jsscan runs it (so the import specifiers
// are the ones the graph recorded), plus ESM output and a source map.
// Classic JSX (React.createElement, no added import) unless the file's
// tsconfig or package.json says otherwise (moduleTSOptions, applied by
// transformModule) or the file has a pragma; esbuild honours @jsx,
// @jsxFrag, @jsxRuntime and @jsxImportSource comments.
func transformOptions(id string, loader jsscan.Loader) api.TransformOptions {
	to := api.TransformOptions{
		Sourcefile: id, // devtools show the original under its module ID
		Target:     api.ESNext,
		Format:     api.FormatESModule,
		Charset:    api.CharsetUTF8,
		JSX:        api.JSXTransform,
		Sourcemap:  api.SourceMapExternal, // adjusted for the rewrites, then inlined
		LogLevel:   api.LogLevelSilent,
	}
	switch loader {
	case jsscan.LoaderJSX:
		to.Loader = api.LoaderJSX
	case jsscan.LoaderTS:
		to.Loader = api.LoaderTS
	case jsscan.LoaderTSX:
		to.Loader = api.LoaderTSX
	default:
		to.Loader = api.LoaderJS
	}
	return to
}

// transformError renders esbuild's first error with its position and the
// offending line (the file is one the page may read anyway).
func transformError(id string, m api.Message) error {
	loc := m.Location
	if loc == nil {
		return fmt.Errorf("%s: %s", id, m.Text)
	}
	line := loc.LineText
	col := loc.Column
	if len(line) > 200 {
		start := max(0, min(col-100, len(line)-200))
		line = line[start : start+200]
		col -= start
	}
	col = max(0, min(col, len(line)))
	return fmt.Errorf("%s:%d:%d: %s\n\n  %s\n  %s^", id, loc.Line, loc.Column+1, m.Text, line, strings.Repeat(" ", col))
}

// moduleSpecs lists every specifier the module's rewrite needs: imports,
// then accept and decline deps, without duplicates.
func moduleSpecs(res *jsscan.Result) []string {
	var specs []string
	add := func(s string) {
		if !slices.Contains(specs, s) {
			specs = append(specs, s)
		}
	}
	for _, imp := range res.Imports {
		add(imp.Specifier)
	}
	for _, d := range res.Hot.AcceptedDeps {
		add(d.Specifier)
	}
	for _, d := range res.Hot.DeclinedDeps {
		add(d.Specifier)
	}
	return specs
}

// lookupTargets asks the graph (once) where each specifier of module id
// leads, which also marks the module loaded: a lazily imported module
// takes part in propagation once a runtime fetched it. It returns the
// module's canonical ID and the targets. It never fails the request: when
// the graph does not know the module, or cannot be asked, specifiers stay
// as written (relative ones still work natively).
func (s *Server) lookupTargets(ctx context.Context, id string, specs []string) (string, map[string]engine.ImportTarget) {
	id, targets, _ := s.lookupModule(ctx, id, specs)
	return id, targets
}

// lookupModule is lookupTargets that also returns what else the graph
// says of the module, from the same call: its import.meta.glob calls as
// the graph expanded them, and how it takes part in Fast Refresh
// (refresh.go).
func (s *Server) lookupModule(ctx context.Context, id string, specs []string) (string, map[string]engine.ImportTarget, engine.ServeInfo) {
	info, ok, err := s.svc.ServeModule(ctx, s.project, id, specs)
	if err != nil {
		s.log.Warn("devserver: graph lookup failed; serving imports as written", "path", id, "err", err)
		return id, nil, engine.ServeInfo{}
	}
	if !ok {
		return id, nil, engine.ServeInfo{}
	}
	targets := make(map[string]engine.ImportTarget, len(specs))
	for i, spec := range specs {
		if i < len(info.Targets) {
			targets[spec] = info.Targets[i]
		}
	}
	if info.ID != "" {
		id = info.ID
	}
	return id, targets, info
}

// assetURL is the URL the ?import form of the asset id exports, as Vite's
// asset plugin: its path, with ?t=<version> once it changed, so an importer
// re-run after an edit of the asset gets a URL the page has not loaded yet
// (an <img> shows the new image). Asking the graph marks it loaded.
func (s *Server) assetURL(ctx context.Context, id string) string {
	u := escapeURLPath(id)
	info, ok, err := s.svc.ServeModule(ctx, s.project, id, nil)
	if err != nil {
		s.log.Warn("devserver: graph lookup failed; serving the asset URL without a version", "path", id, "err", err)
		return u
	}
	if !ok || info.Version == 0 {
		return u
	}
	return u + "?t=" + strconv.FormatInt(info.Version, 10)
}

// edit replaces code[start:end] with text; start == end inserts.
type edit struct {
	start, end int
	text       string
}

// rewriteEdits rewrites each import literal to its target's module URL
// and each accept/decline dep literal to the bare target ID (the runtime
// matches those against the paths of updates, which carry no query).
// Unresolved specifiers (no ID) are left as written.
func rewriteEdits(code []byte, res *jsscan.Result, targets map[string]engine.ImportTarget) []edit {
	var edits []edit
	for _, imp := range res.Imports {
		if t := targets[imp.Specifier]; t.ID != "" {
			if e, ok := literalEdit(code, imp.Range, importURL(t)); ok {
				edits = append(edits, e)
			}
		}
	}
	for _, deps := range [][]jsscan.Dep{res.Hot.AcceptedDeps, res.Hot.DeclinedDeps} {
		for _, d := range deps {
			if t := targets[d.Specifier]; t.ID != "" {
				if e, ok := literalEdit(code, d.Range, t.ID); ok {
					edits = append(edits, e)
				}
			}
		}
	}
	return edits
}

// importURL is the URL an import of t is rewritten to: the target ID, then
// "import" for targets that are not JavaScript (a stylesheet, JSON or
// asset imported from JS must be answered as a JS module, while the same
// URL without it is the file itself), then "t=<version>" once the target
// changed, so the re-import after an update fetches fresh code.
func importURL(t engine.ImportTarget) string {
	if t.Query != "" {
		return suffixURL(t)
	}
	u := escapeURLPath(t.ID)
	var q []string
	if t.Kind != "js" && t.Kind != "external" && t.Kind != "" {
		q = append(q, "import")
	}
	if t.Version != 0 {
		q = append(q, "t="+strconv.FormatInt(t.Version, 10))
	}
	if len(q) == 0 {
		return u
	}
	sep := "?"
	if strings.Contains(u, "?") {
		sep = "&"
	}
	return u + sep + strings.Join(q, "&")
}

// escapeURLPath escapes the two characters that would end a path in a
// URL. Everything else is left for the browser to encode, so the URL
// reads like the module ID.
func escapeURLPath(id string) string {
	if !strings.ContainsAny(id, "#?") {
		return id
	}
	return strings.NewReplacer("#", "%23", "?", "%3F").Replace(id)
}

// literalEdit replaces the string literal at rg (quotes included) with
// value, keeping the quote style. Literals spanning lines are left alone:
// every edit stays within one line, which keeps the source map's lines.
func literalEdit(code []byte, rg jsscan.Range, value string) (edit, bool) {
	if rg.Start < 0 || rg.End > len(code) || rg.End-rg.Start < 2 {
		return edit{}, false
	}
	q := code[rg.Start]
	if q != '"' && q != '\'' && q != '`' || code[rg.End-1] != q {
		return edit{}, false
	}
	if bytes.ContainsAny(code[rg.Start:rg.End], "\r\n\u2028\u2029") {
		return edit{}, false
	}
	text := quoteJS(q, value)
	if text == string(code[rg.Start:rg.End]) {
		return edit{}, false
	}
	return edit{start: rg.Start, end: rg.End, text: text}, true
}

// quoteJS writes s as a JS string literal with quote q. "<" is escaped so
// that a literal inside an inline <script> can never close it.
func quoteJS(q byte, s string) string {
	var b strings.Builder
	b.WriteByte(q)
	for _, r := range s {
		switch {
		case r == rune(q) || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case q == '`' && r == '$':
			b.WriteString(`\$`)
		case r == '<':
			b.WriteString(`\x3C`)
		case r < 0x20 || r == 0x7f || r == 0x2028 || r == 0x2029:
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte(q)
	return b.String()
}

// hotPrelude gives the module its import.meta.hot. It goes on the first
// line, before the first statement and without a newline, so only the
// columns of line 1 move and the source map stays exact (withSourceMap
// shifts them). Imports are hoisted, so its position among them does not
// matter. A module that mentions import.meta.webpackHot gets it too, for
// the same instance: webpackHot must follow createHotContext.
func hotPrelude(id string, webpack bool) string {
	if webpack {
		return `import { createHotContext as __hmrd_hot, webpackHot as __hmrd_whot } from "` + ClientPath + `"; import.meta.hot = __hmrd_hot(` + jsonString(id) + `); import.meta.webpackHot = __hmrd_whot(` + jsonString(id) + `);`
	}
	return `import { createHotContext as __hmrd_hot } from "` + ClientPath + `"; import.meta.hot = __hmrd_hot(` + jsonString(id) + `);`
}

// preludeOffset is where the prelude goes: the start of the code, or
// after a hashbang line, which must stay first.
func preludeOffset(code []byte) int {
	if bytes.HasPrefix(code, []byte("#!")) {
		if i := bytes.IndexByte(code, '\n'); i >= 0 {
			return i + 1
		}
		return len(code)
	}
	return 0
}

// sortEdits orders edits by position and drops any overlapping an
// earlier one (the scanner's ranges do not overlap; this keeps a bug
// there from corrupting output).
func sortEdits(edits []edit) []edit {
	slices.SortStableFunc(edits, func(a, b edit) int {
		if a.start != b.start {
			return a.start - b.start
		}
		return a.end - b.end
	})
	out := edits[:0]
	last := 0
	for _, e := range edits {
		if e.start < last || e.end < e.start {
			continue
		}
		out = append(out, e)
		last = e.end
	}
	return out
}

// applyEdits returns code with edits applied. The edits' ranges all refer
// to the original code: the output is built front to back from it, which
// is the same as editing back to front in place.
func applyEdits(code []byte, edits []edit) []byte {
	var b bytes.Buffer
	b.Grow(len(code) + 256)
	last := 0
	for _, e := range edits {
		b.Write(code[last:e.start])
		b.WriteString(e.text)
		last = e.end
	}
	b.Write(code[last:])
	return b.Bytes()
}

// withSourceMap applies edits to esbuild's output and appends its source
// map, shifted for the edits, inline. If the map cannot be adjusted it is
// left out: a wrong map is worse than none.
func withSourceMap(code, sourceMap []byte, edits []edit) []byte {
	edits = sortEdits(edits)
	out := applyEdits(code, edits)
	if len(sourceMap) == 0 {
		return out
	}
	m, err := shiftSourceMap(sourceMap, code, edits)
	if err != nil {
		return out
	}
	if len(out) > 0 && out[len(out)-1] != '\n' {
		out = append(out, '\n')
	}
	out = append(out, "//# sourceMappingURL=data:application/json;base64,"...)
	out = base64.StdEncoding.AppendEncode(out, m)
	return append(out, '\n')
}
