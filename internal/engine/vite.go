package engine

import (
	"path"
	"strings"

	"github.com/hmrd/hmrd/internal/graph/modgraph"
	"github.com/hmrd/hmrd/internal/graph/propagate"
	"github.com/hmrd/hmrd/internal/resolve"
	"github.com/hmrd/hmrd/internal/scan/jsscan"
)

// Vite's dev-server conventions that change the graph: import specifiers
// with a query suffix (?raw, ?url, ?inline, ?worker, ?sharedworker) name
// modules of their own, and a project served as native ESM (hmrd serve)
// cannot import files that need a compiler plugin, and reloads when a .env
// file changes (docs/decisions/0021-vite-dev-server-conventions.md).

// SuffixQuery returns the canonical Vite query suffix of an import
// specifier ("raw", "url", "inline", "worker", "worker&inline",
// "worker&url", "sharedworker", …), or "" when it has none. Other query
// parameters (?import, ?t=) do not count, nor "raw=…". A worker query wins
// over the others; then raw, url, inline, as Vite's plugins are ordered.
func SuffixQuery(spec string) string {
	i := strings.IndexByte(spec, '?')
	if i < 0 {
		return ""
	}
	q := spec[i+1:]
	if j := strings.IndexByte(q, '#'); j >= 0 {
		q = q[:j]
	}
	var raw, url, inline, worker, shared bool
	for p := range strings.SplitSeq(q, "&") {
		switch p { // exact, as Vite's patterns: "raw=1" is no suffix
		case "raw":
			raw = true
		case "url":
			url = true
		case "inline":
			inline = true
		case "worker":
			worker = true
		case "sharedworker":
			shared = true
		}
	}
	switch {
	case worker || shared:
		w := "worker"
		if shared {
			w = "sharedworker"
		}
		switch {
		case inline:
			return w + "&inline"
		case url:
			return w + "&url"
		}
		return w
	case raw:
		return "raw"
	case url:
		return "url"
	case inline:
		return "inline"
	}
	return ""
}

// IsWorkerQuery reports whether a canonical suffix query starts a worker.
func IsWorkerQuery(q string) bool {
	return strings.HasPrefix(q, "worker") || strings.HasPrefix(q, "sharedworker")
}

// jsImport reports whether an edge of kind k imports its target as a
// module from script (where query suffixes and file types matter), as
// opposed to a stylesheet or URL reference.
func jsImport(k modgraph.EdgeKind) bool {
	switch k {
	case modgraph.EdgeStatic, modgraph.EdgeReExport, modgraph.EdgeDynamic, modgraph.EdgeScript:
		return true
	}
	return false
}

// moduleFor is the ID and kind of the module an import of file by spec
// over an edge of kind k names. A query suffix makes a module of its own
// over the same file ("/src/a.txt?raw"): an asset, which imports nothing
// (a worker or a script's URL excepted, see runEdge; a stylesheet's ?inline
// module imports what the sheet does) and does not accept its own
// updates, so an edit of the file propagates to whoever imported it that
// way — as Vite does — while the file's plain module, if anything imports
// it, keeps its own facts.
func (p *Project) moduleFor(file, spec string, k modgraph.EdgeKind) (string, modgraph.Kind) {
	id := p.idFor(file)
	if jsImport(k) {
		switch q := SuffixQuery(spec); {
		case q == "inline" && modgraph.IsStylesheetFile(file):
			// Scanned as a sheet: what it @imports is inlined into its
			// text, so their edits must reach it (see KindInlineStyle).
			return id + "?" + q, modgraph.KindInlineStyle
		case q != "":
			return id + "?" + q, modgraph.KindAsset
		}
	}
	return id, kindFor(file, k)
}

// queryOf is the suffix query of a module ID made by moduleFor, "" for a
// plain module.
func queryOf(m *modgraph.Module) string {
	if m.Kind != modgraph.KindAsset && m.Kind != modgraph.KindInlineStyle || m.File == "" {
		return ""
	}
	i := strings.IndexByte(m.ID, '?')
	if i < 0 || m.ID[:i] != path.Clean(m.ID[:i]) {
		return ""
	}
	q := m.ID[i+1:]
	if SuffixQuery("?"+q) != q {
		return ""
	}
	return q
}

// runEdge is the import a worker module (?worker, ?sharedworker), or the
// ?url module of a script, has on the file's plain JS module: a worker (or
// whatever is given the URL, commonly `new Worker(url)`) runs that module,
// so it and what it imports are in the graph (their imports are rewritten
// when served, an edit of any of them propagates through the suffixed
// module to the code that started it). ok is false for other modules.
func (p *Project) runEdge(r modgraph.Ref) (modgraph.Import, bool) {
	m := p.g.Mod(r)
	q := queryOf(m)
	if _, script := jsscan.LoaderFor(m.File); !script || !IsWorkerQuery(q) && q != "url" {
		return modgraph.Import{}, false
	}
	t, _ := p.g.Add(p.idFor(m.File), m.File, modgraph.KindJS)
	return modgraph.Import{Specifier: "./" + path.Base(m.File), Kind: modgraph.EdgeURL, Target: t}, true
}

// unsupportedTypes are the file types a browser cannot import as they are
// and hmrd serve does not compile, with what does.
var unsupportedTypes = map[string]string{
	".vue":    ".vue single-file components; run Vite with @hmrd/vite (the hmrd Vite plugin) and @vitejs/plugin-vue",
	".svelte": ".svelte components; run Vite with @hmrd/vite (the hmrd Vite plugin) and @sveltejs/vite-plugin-svelte",
	".astro":  ".astro components; run `astro dev` (Astro's own dev server, built on Vite) with @hmrd/vite",
	".mdx":    ".mdx documents; run Vite with @hmrd/vite (the hmrd Vite plugin) and @mdx-js/rollup",
	".marko":  ".marko templates; run Vite with @hmrd/vite (the hmrd Vite plugin) and @marko/vite",
	".elm":    ".elm modules; run Vite with @hmrd/vite (the hmrd Vite plugin) and vite-plugin-elm",
	".coffee": ".coffee (CoffeeScript) modules; run Vite with @hmrd/vite (the hmrd Vite plugin) and a CoffeeScript plugin",
	// Vite compiles these itself once the preprocessor is installed.
	".scss":   ".scss stylesheets, which need a preprocessor; run Vite with @hmrd/vite (the hmrd Vite plugin) and the sass package",
	".sass":   ".sass stylesheets, which need a preprocessor; run Vite with @hmrd/vite (the hmrd Vite plugin) and the sass package",
	".less":   ".less stylesheets, which need a preprocessor; run Vite with @hmrd/vite (the hmrd Vite plugin) and the less package",
	".styl":   ".styl stylesheets, which need a preprocessor; run Vite with @hmrd/vite (the hmrd Vite plugin) and the stylus package",
	".stylus": ".stylus stylesheets, which need a preprocessor; run Vite with @hmrd/vite (the hmrd Vite plugin) and the stylus package",
}

// UnsupportedError is an import of a file type hmrd serve cannot compile.
type UnsupportedError struct {
	Ext, Hint string
}

func (e *UnsupportedError) Error() string {
	return "hmrd serve cannot compile " + e.Hint
}

// UnsupportedFile returns the error of importing file from script as a
// module, nil when a browser can run what hmrd serve makes of it. A query
// suffix (?raw, ?url) makes any file importable, except ?inline on a
// stylesheet, whose text must be compiled CSS.
func UnsupportedFile(file, spec string) error {
	if q := SuffixQuery(spec); q != "" && (q != "inline" || !modgraph.IsStylesheetFile(file)) {
		return nil
	}
	ext := strings.ToLower(path.Ext(file))
	if hint, ok := unsupportedTypes[ext]; ok {
		return &UnsupportedError{Ext: ext, Hint: hint}
	}
	return nil
}

// resolveImport resolves spec, imported from file over an edge of kind k.
// When the project is served as native ESM, importing a file type that
// needs a compiler plugin is an error like an unresolved import: the
// module cannot run, and the error stands (with the importing line) until
// the import goes.
func (p *Project) resolveImport(file, spec string, k modgraph.EdgeKind) (resolve.Result, error) {
	res, err := p.res.Resolve(file, spec)
	if err == nil && p.opts.NativeESM && !res.External && jsImport(k) {
		if uerr := UnsupportedFile(res.Path, spec); uerr != nil {
			return resolve.Result{}, uerr
		}
	}
	return res, err
}

const codeUnsupported = "UNSUPPORTED_FILE"

// envFiles are the .env files a native-ESM project's import.meta.env is
// read from (Vite's, for mode "development"), lowest precedence first.
var envFiles = []string{".env", ".env.local", ".env.development", ".env.development.local"}

// EnvFiles returns envFiles: the names, in the root, import.meta.env is
// read from, lowest precedence first.
func EnvFiles() []string { return append([]string(nil), envFiles...) }

// envFile reports whether f (absolute) is one of the root's .env files.
func (p *Project) envFile(f string) bool {
	if !p.opts.NativeESM || path.Dir(f) != p.opts.Root {
		return false
	}
	base := path.Base(f)
	for _, n := range envFiles {
		if n == base {
			return true
		}
	}
	return false
}

// envReload is the full reload a changed .env file causes: every served
// module had its import.meta.env written in, so every one is stale (Vite
// restarts its server).
func envReload(id string) *propagate.FullReload {
	return &propagate.FullReload{
		Cause:       propagate.CauseConfig,
		Reason:      id + " changed: import.meta.env is written into every module that reads it",
		TriggeredBy: id,
		Path:        "*",
	}
}
