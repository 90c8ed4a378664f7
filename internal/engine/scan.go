package engine

import (
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"io/fs"
	"path"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/hmrd/hmrd/internal/graph/modgraph"
	"github.com/hmrd/hmrd/internal/resolve"
	"github.com/hmrd/hmrd/internal/scan/cssscan"
	"github.com/hmrd/hmrd/internal/scan/htmlscan"
	"github.com/hmrd/hmrd/internal/scan/jsscan"
)

// family is how a file's content is read, whatever module kinds it backs.
type family uint8

const (
	famJS family = iota
	famStyle
	famJSON
	famHTML
	famAsset
)

func familyOf(k modgraph.Kind) family {
	switch k {
	case modgraph.KindJS:
		return famJS
	case modgraph.KindStyle, modgraph.KindStyleModule, modgraph.KindLinkedStyle, modgraph.KindInlineStyle:
		return famStyle
	case modgraph.KindJSON:
		return famJSON
	case modgraph.KindHTML:
		return famHTML
	}
	return famAsset
}

// rawImport is an import as scanned, with its resolution.
type rawImport struct {
	spec     string
	kind     modgraph.EdgeKind
	bindings []string
	res      resolve.Result
	err      error
	// at is the byte offset of the specifier (inside its quotes) in the
	// file, -1 when the scan read it off other text (esbuild's output, an
	// inline script); line and col are set instead when the scanner gives
	// them.
	at        int
	line, col int
}

type rawDep struct {
	spec string
	res  resolve.Result
	err  error
}

// scanResult is everything read from one file; computing it touches no
// shared state but the resolver, so files are scanned in parallel.
type scanResult struct {
	file     string
	fam      family
	missing  bool
	empty    bool // the file is there and holds nothing
	hash     uint64
	imports  []rawImport
	hot      jsscan.Hot
	accepted []rawDep
	declined []rawDep
	exports  []string
	reexAll  bool // has `export * from`: the export set is open
	refresh  bool // a Fast Refresh boundary (refresh.go)
	// globs are the module's glob imports; resolveAll appends the globN
	// imports they produce to imports (see glob.go).
	globs    []globSpec
	globN    int
	fail     *ModuleError
	warnings []ModuleError
	// unresolved is set by locate: the imports that do not resolve and
	// block an update (see blocks), positioned in the source.
	unresolved []unresolvedImport
	// code is the text a JS scan's import ranges index (the source itself,
	// or esbuild's output), until locate has used it.
	code []byte
	// batch holds the source of a trusted file whose scan needs esbuild:
	// scanMany scans all of those of one call in a shared build.
	batch []byte
}

func (p *Project) scanFile(file string, fam family, trusted bool) scanResult {
	sr := scanResult{file: file, fam: fam}
	fail := func(code, msg string) scanResult {
		sr.fail = &ModuleError{File: file, Message: msg, Code: code}
		return sr
	}
	data, info, err := p.fs.ReadFileLimit(file, p.maxSize)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			sr.missing = true
			return sr
		}
		return fail("READ_ERROR", fmt.Sprintf("read: %v", err))
	}
	if info.IsDir() {
		sr.missing = true
		return sr
	}
	if data == nil {
		// Larger than maxSize: an asset is identified by size and mtime,
		// a source is refused.
		if fam == famAsset {
			sr.hash = uint64(info.Size()) ^ uint64(info.ModTime().UnixNano())
			return sr
		}
		return fail("TOO_LARGE", fmt.Sprintf("file is %d bytes, larger than the %d-byte limit for sources", info.Size(), p.maxSize))
	}
	sr.hash = maphash.Bytes(p.seed, data)
	sr.empty = len(data) == 0
	switch fam {
	case famJS:
		if trusted {
			if loader, _ := jsscan.LoaderFor(file); loader != jsscan.LoaderJS {
				sr.batch = data
				return sr
			}
		}
		p.scanJS(&sr, data, trusted)
	case famStyle:
		p.scanStyle(&sr, data)
	case famJSON:
		if !json.Valid(data) {
			var v any
			err := json.Unmarshal(data, &v)
			line, col := 0, 0
			var se *json.SyntaxError
			if errors.As(err, &se) {
				line, col = lineCol(data, int(se.Offset))
			}
			sr.fail = &ModuleError{File: file, Line: line, Column: col, Message: fmt.Sprintf("invalid JSON: %v", err), Code: "PARSE_ERROR"}
		}
	case famHTML:
		p.scanHTML(&sr, data)
	}
	if sr.fail == nil {
		p.resolveAll(&sr)
		locate(&sr, data)
	}
	return sr
}

func (p *Project) scanJS(sr *scanResult, data []byte, trusted bool) {
	scan := jsscan.Scan
	if trusted {
		scan = jsscan.ScanUnchecked
	}
	res, err := scan(data, p.jsOptions(sr.file))
	p.takeJS(sr, res, err)
}

// jsOptions are the scan options of a JS-family file: its loader and, for
// TypeScript and JSX, the compiler options of its tsconfig (the jsx runtime,
// which unused imports stay), as esbuild reads them when it bundles. A
// broken tsconfig leaves esbuild's defaults; the resolver reports it.
func (p *Project) jsOptions(file string) jsscan.Options {
	loader, ok := jsscan.LoaderFor(file)
	if !ok {
		loader = jsscan.LoaderJS
	}
	opts := jsscan.Options{Loader: loader, Filename: file}
	if loader != jsscan.LoaderJS {
		opts.Tsconfig, _, _ = p.res.CompilerOptions(file)
	}
	return opts
}

// takeJS records the facts (or the error) of a JS-family scan on sr.
func (p *Project) takeJS(sr *scanResult, res *jsscan.Result, err error) {
	if err != nil {
		var se *jsscan.SyntaxError
		if errors.As(err, &se) {
			sr.fail = &ModuleError{File: sr.file, Line: se.Line, Column: se.Column, Message: se.Message, Frame: se.Frame, Code: "PARSE_ERROR"}
		} else {
			sr.fail = &ModuleError{File: sr.file, Message: err.Error(), Code: "PARSE_ERROR"}
		}
		return
	}
	for _, imp := range res.Imports {
		k := modgraph.EdgeStatic
		switch imp.Kind {
		case jsscan.ImportReExport:
			k = modgraph.EdgeReExport
			if len(imp.Bindings) == 1 && imp.Bindings[0] == "*" {
				sr.reexAll = true
			}
		case jsscan.ImportDynamic:
			k = modgraph.EdgeDynamic
		}
		sr.imports = append(sr.imports, rawImport{spec: imp.Specifier, kind: k, bindings: imp.Bindings, at: imp.Range.Start + 1})
	}
	for _, u := range res.URLs {
		sr.imports = append(sr.imports, rawImport{spec: u.Specifier, kind: modgraph.EdgeURL})
	}
	if len(res.Globs) > 0 {
		sr.globs = compileGlobs(sr.file, res.Globs)
	}
	if len(res.MetaGlobs) > 0 {
		sr.globs = append(sr.globs, compileMetaGlobs(sr.file, p.opts.Root, res.MetaGlobs)...)
		for _, g := range sr.globs {
			if g.meta != nil && g.meta.err != nil {
				sr.warnings = append(sr.warnings, ModuleError{File: sr.file, Message: g.meta.err.Error(), Code: "GLOB"})
			}
		}
	}
	sr.code = res.Code
	sr.hot = res.Hot
	if p.refreshBoundary(sr.file, res) {
		sr.refresh = true
		sr.hot.SelfAccepting = true
	}
	for _, d := range res.Hot.AcceptedDeps {
		sr.accepted = append(sr.accepted, rawDep{spec: d.Specifier})
	}
	for _, d := range res.Hot.DeclinedDeps {
		sr.declined = append(sr.declined, rawDep{spec: d.Specifier})
	}
	// Sorted: the batched scan of an opening project and the scan of an
	// edited file list a module's exports in different orders.
	sr.exports = slices.Sorted(slices.Values(res.Exports))
	for _, d := range res.Diagnostics {
		code := "DYNAMIC_IMPORT"
		switch {
		case strings.Contains(d.Message, "import.meta.hot"):
			code = "HOT_API"
		case strings.HasPrefix(d.Message, "import.meta.glob"):
			code = "GLOB"
		}
		sr.warnings = append(sr.warnings, ModuleError{File: sr.file, Line: d.Line, Column: d.Column, Message: d.Message, Frame: d.Frame, Code: code})
	}
}

func (p *Project) scanStyle(sr *scanResult, data []byte) {
	scan := cssscan.Scan
	if cssscan.IsModule(sr.file) {
		scan = cssscan.ScanModule
	}
	res := scan(data)
	for _, ref := range res.Refs {
		// A composes edge is an @import's kind: the sheet's exports (class
		// names) depend on the other file, which must propagate to it.
		k := modgraph.EdgeCSSImport
		if ref.Kind == cssscan.KindURL {
			k = modgraph.EdgeURL
		}
		sr.imports = append(sr.imports, rawImport{spec: ref.Specifier, kind: k, at: -1, line: ref.Line, col: ref.Column})
	}
	for _, d := range res.Diagnostics {
		sr.warnings = append(sr.warnings, ModuleError{File: sr.file, Line: d.Line, Column: d.Column, Message: d.Message, Code: "CSS"})
	}
}

func (p *Project) scanHTML(sr *scanResult, data []byte) {
	res := htmlscan.Scan(data)
	for _, s := range res.Scripts {
		if !s.Inline {
			sr.imports = append(sr.imports, rawImport{spec: pageURLSpec(s.Src), kind: modgraph.EdgeScript, at: s.SrcRange.Start})
			continue
		}
		code := data[s.Code.Start:s.Code.End]
		js, err := jsscan.Scan(code, jsscan.Options{Loader: jsscan.LoaderJS, Filename: sr.file})
		if err != nil {
			msg := err.Error()
			var se *jsscan.SyntaxError
			line, col := s.Line, s.Column
			if errors.As(err, &se) {
				msg = se.Message
				// Position inside the document: the script body starts
				// at s.Code.Start.
				l0, c0 := lineCol(data, s.Code.Start)
				line = l0 + se.Line - 1
				col = se.Column
				if se.Line == 1 {
					col = c0 + se.Column - 1
				}
			}
			sr.warnings = append(sr.warnings, ModuleError{File: sr.file, Line: line, Column: col, Message: "inline module script: " + msg, Code: "PARSE_ERROR"})
			continue
		}
		for _, imp := range js.Imports {
			k := modgraph.EdgeScript
			if imp.Kind == jsscan.ImportDynamic {
				k = modgraph.EdgeDynamic
			}
			sr.imports = append(sr.imports, rawImport{spec: imp.Specifier, kind: k, bindings: imp.Bindings, at: -1})
		}
		for _, u := range js.URLs {
			sr.imports = append(sr.imports, rawImport{spec: u.Specifier, kind: modgraph.EdgeURL})
		}
		sr.globs = append(sr.globs, compileGlobs(sr.file, js.Globs)...)
	}
	for _, l := range res.Stylesheets {
		sr.imports = append(sr.imports, rawImport{spec: pageURLSpec(l.Href), kind: modgraph.EdgeLink, at: l.HrefRange.Start})
	}
	for _, d := range res.Diagnostics {
		sr.warnings = append(sr.warnings, ModuleError{File: sr.file, Line: d.Line, Column: d.Column, Message: d.Message, Code: "HTML"})
	}
}

// pageURLSpec is the specifier of a page's script src or stylesheet href.
// Those are URLs, relative to the page unless they start with a slash: the
// browser fetches src="main.js" beside the page, so it is "./main.js",
// never a package. (The scanner has already left out URLs with a scheme.)
func pageURLSpec(u string) string {
	if strings.HasPrefix(u, "/") || strings.HasPrefix(u, "./") || strings.HasPrefix(u, "../") {
		return u
	}
	return "./" + u
}

func (p *Project) resolveAll(sr *scanResult) {
	for i := range sr.imports {
		imp := &sr.imports[i]
		imp.res, imp.err = p.resolveImport(sr.file, imp.spec, imp.kind)
	}
	for i := range sr.accepted {
		d := &sr.accepted[i]
		d.res, d.err = p.res.Resolve(sr.file, d.spec)
	}
	for i := range sr.declined {
		d := &sr.declined[i]
		d.res, d.err = p.res.Resolve(sr.file, d.spec)
	}
	if len(sr.globs) > 0 {
		globbed := p.globImports(sr.file, sr.globs)
		sr.imports = append(sr.imports, globbed...)
		sr.globN = len(globbed)
	}
}

type scanReq struct {
	file string
	fam  family
	// trusted: the file is read as the tree stands (discovery), not
	// because it changed; plain JS is then lexed without a syntax check
	// (see jsscan.ScanUnchecked).
	trusted bool
}

// scanMany scans files in parallel; results are in request order. Trusted
// files that need esbuild (TS, TSX, JSX) are read in parallel, then scanned
// together in batched builds (see jsscan.ScanUncheckedBatch), then resolved
// in parallel.
func (p *Project) scanMany(reqs []scanReq) []scanResult {
	out := make([]scanResult, len(reqs))
	p.parallel(len(reqs), func(i int) {
		out[i] = p.scanFile(reqs[i].file, reqs[i].fam, reqs[i].trusted)
	})
	var batched []int
	for i := range out {
		if out[i].batch != nil {
			batched = append(batched, i)
		}
	}
	if len(batched) == 0 {
		return out
	}
	srcs := make([][]byte, len(batched))
	opts := make([]jsscan.Options, len(batched))
	for k, i := range batched {
		srcs[k], opts[k] = out[i].batch, p.jsOptions(out[i].file)
	}
	results, errs := jsscan.ScanUncheckedBatch(srcs, opts)
	p.parallel(len(batched), func(k int) {
		sr := &out[batched[k]]
		src := sr.batch
		sr.batch = nil
		p.takeJS(sr, results[k], errs[k])
		if sr.fail == nil {
			p.resolveAll(sr)
			locate(sr, src)
		}
	})
	return out
}

// parallel runs fn(0..n-1) on up to p.workers goroutines.
func (p *Project) parallel(n int, fn func(i int)) {
	workers := min(p.workers, n)
	if workers <= 1 {
		for i := range n {
			fn(i)
		}
		return
	}
	var wg sync.WaitGroup
	next := make(chan int, n)
	for i := range n {
		next <- i
	}
	close(next)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				fn(i)
			}
		}()
	}
	wg.Wait()
}

func defaultWorkers() int { return runtime.GOMAXPROCS(0) }

// kindFor decides the module kind of a resolved file from how it is
// referenced: a sheet linked by a page is updated as css, the same sheet
// imported from JS is a style module, url() targets are assets — except a
// JS or TS file, which a URL names to run it (a worker, a worklet) — and a
// CSS module stays a CSS module whoever references it (composes).
func kindFor(file string, edge modgraph.EdgeKind) modgraph.Kind {
	ext := path.Ext(file)
	style := modgraph.IsStylesheetFile(file)
	switch edge {
	case modgraph.EdgeLink:
		if style {
			return modgraph.KindLinkedStyle
		}
		return modgraph.KindAsset
	case modgraph.EdgeCSSImport:
		switch {
		case style && cssscan.IsModule(file):
			return modgraph.KindStyleModule
		case style:
			return modgraph.KindStyle
		}
		return modgraph.KindAsset
	case modgraph.EdgeURL:
		if _, ok := jsscan.LoaderFor(file); ok {
			return modgraph.KindJS
		}
		return modgraph.KindAsset
	}
	switch {
	case style && cssscan.IsModule(file):
		return modgraph.KindStyleModule
	case style:
		return modgraph.KindStyle
	case ext == ".json":
		return modgraph.KindJSON
	}
	if _, ok := jsscan.LoaderFor(file); ok {
		return modgraph.KindJS
	}
	return modgraph.KindAsset
}

// lineCol converts a byte offset to a 1-based line and column.
func lineCol(data []byte, off int) (int, int) {
	if off > len(data) {
		off = len(data)
	}
	line, col := 1, 1
	for _, c := range data[:off] {
		if c == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return line, col
}
