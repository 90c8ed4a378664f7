package jsscan

import (
	"bytes"
	"cmp"
	"math"
	"strconv"
	"strings"

	"github.com/evanw/esbuild/pkg/api"
)

// Batched transforms for a project that is opening.
//
// Every api.Transform call pays a fixed cost that dwarfs a small module:
// esbuild regenerates its runtime's source text and clones the runtime's
// linker graph per call (about 250 KB of garbage and ~0.5 ms for a 1 KB
// TypeScript file). One api.Build with code splitting links all its entry
// points together, so that cost is paid once per batch: on the benchmark's
// TypeScript modules it is 3.4× less CPU and 5× less garbage per file. The
// output differs from Transform's only in layout (the ESM format gathers
// exports into one `export { … }` clause), which the facts do not see;
// TestScanBatchAgreesWithScan holds the two to the same facts. Any item the
// batch cannot answer exactly — a syntax error anywhere in it, a shared
// chunk, a diagnostic whose position must be mapped — is scanned alone.

// batchMax bounds one Build. esbuild keeps every entry's AST alive until
// the build ends, so the heap's peak grows with the batch; past a few dozen
// files the shared cost is already amortised (64 against 512 on the 10k
// benchmark: same cold start, 15 MiB less peak RSS).
const batchMax = 64

// ScanUncheckedBatch returns, for each source, what ScanUnchecked returns
// for it (results[i], errs[i] for srcs[i] with opts[i]). Sources that need
// esbuild (TS, TSX, JSX) share batched builds.
func ScanUncheckedBatch(srcs [][]byte, opts []Options) ([]*Result, []error) {
	results := make([]*Result, len(srcs))
	errs := make([]error, len(srcs))
	var pending []int
	for i, src := range srcs {
		switch {
		case opts[i].Loader == LoaderJS || len(src) > math.MaxInt32:
			results[i], errs[i] = ScanUnchecked(src, opts[i])
		case mayReExportNamed(src):
			results[i], errs[i] = Scan(src, opts[i])
		default:
			pending = append(pending, i)
		}
	}
	// A build reads one tsconfig: items under different settings go in
	// different builds.
	for len(pending) > 0 {
		var group, rest []int
		for _, i := range pending {
			if opts[i].Tsconfig == opts[pending[0]].Tsconfig {
				group = append(group, i)
			} else {
				rest = append(rest, i)
			}
		}
		for len(group) > 0 {
			n := min(len(group), batchMax)
			scanBuild(srcs, opts, group[:n], results)
			group = group[n:]
		}
		pending = rest
	}
	for i := range srcs {
		if results[i] == nil && errs[i] == nil {
			results[i], errs[i] = Scan(srcs[i], opts[i])
		}
	}
	return results, errs
}

// mayReExportNamed reports whether src may contain `export { … } from` or
// `export * as ns from`. The ESM format turns those into an import plus an
// export clause, which would read as a plain import edge instead of a
// re-export, so such files are transformed alone. The test is textual and
// errs towards true: any "export" followed by "{", "*" then "as", or a
// comment.
func mayReExportNamed(src []byte) bool {
	for rest := src; ; {
		i := bytes.Index(rest, []byte("export"))
		if i < 0 {
			return false
		}
		rest = rest[i+len("export"):]
		j := skipSpace(rest)
		switch {
		case j < len(rest) && (rest[j] == '{' || rest[j] == '/'):
			return true
		case j < len(rest) && rest[j] == '*':
			k := j + 1 + skipSpace(rest[j+1:])
			if k >= len(rest) || rest[k] == '/' || bytes.HasPrefix(rest[k:], []byte("as")) {
				return true
			}
		}
	}
}

func skipSpace(b []byte) int {
	i := 0
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r' || b[i] == '\f' || b[i] == '\v') {
		i++
	}
	return i
}

// batchNamespace keeps esbuild away from the disk: entries are served from
// memory by the plugin below.
const batchNamespace = "hmrd-batch"

// batchIndex finds which item an esbuild message is about.
func batchIndex(loc *api.Location) (int, bool) {
	if loc == nil {
		return 0, false
	}
	_, num, ok := strings.Cut(loc.File, batchNamespace+"/")
	if !ok {
		return 0, false
	}
	i, err := strconv.Atoi(num)
	return i, err == nil
}

// scanBuild transforms the items idx in one Build and fills results for
// those it can answer; the rest stay nil for the caller to scan alone.
func scanBuild(srcs [][]byte, opts []Options, idx []int, results []*Result) {
	if len(idx) == 1 {
		return // nothing to share: Transform is as fast
	}
	entries := make([]api.EntryPoint, len(idx))
	for k, i := range idx {
		entries[k] = api.EntryPoint{InputPath: batchNamespace + "/" + strconv.Itoa(i), OutputPath: strconv.Itoa(i)}
	}
	serve := api.Plugin{Name: batchNamespace, Setup: func(b api.PluginBuild) {
		b.OnResolve(api.OnResolveOptions{Filter: "^" + batchNamespace + "/"}, func(a api.OnResolveArgs) (api.OnResolveResult, error) {
			return api.OnResolveResult{Path: a.Path, Namespace: batchNamespace}, nil
		})
		b.OnLoad(api.OnLoadOptions{Filter: ".*", Namespace: batchNamespace}, func(a api.OnLoadArgs) (api.OnLoadResult, error) {
			i, err := strconv.Atoi(strings.TrimPrefix(a.Path, batchNamespace+"/"))
			if err != nil || i < 0 || i >= len(srcs) {
				return api.OnLoadResult{}, err
			}
			contents := string(srcs[i])
			return api.OnLoadResult{Contents: &contents, Loader: transformOptions(opts[i], false).Loader}, nil
		})
	}}
	res := api.Build(api.BuildOptions{
		EntryPointsAdvanced: entries,
		Plugins:             []api.Plugin{serve},
		// Splitting links all entries together (the point of batching);
		// it needs the ESM format. Bundle is off: imports stay as written.
		Splitting:     true,
		Format:        api.FormatESModule,
		Bundle:        false,
		Write:         false,
		Outdir:        "/out",
		AbsWorkingDir: "/",
		LogLevel:      api.LogLevelSilent,
		Target:        api.ESNext,
		Charset:       api.CharsetUTF8,
		JSX:           api.JSXTransform,
		// As Transform: no tsconfig file is read, only the items' settings.
		TsconfigRaw: cmp.Or(opts[idx[0]].Tsconfig, "{}"),
	})
	if len(res.Errors) > 0 {
		// A syntax error stops the whole build. Leave the files it names to
		// be scanned alone (for Transform's own message) and batch the rest
		// again; an error naming no file of ours gives the batch up.
		bad := make(map[int]bool)
		for _, e := range res.Errors {
			i, ok := batchIndex(e.Location)
			if !ok {
				return
			}
			bad[i] = true
		}
		rest := make([]int, 0, len(idx))
		for _, i := range idx {
			if !bad[i] {
				rest = append(rest, i)
			}
		}
		if len(rest) < len(idx) {
			scanBuild(srcs, opts, rest, results)
		}
		return
	}
	if len(res.OutputFiles) != len(idx) {
		// Shared chunks (runtime helpers Transform would have inlined):
		// the entries' imports would name them. Scan each alone.
		return
	}
	byPath := make(map[string][]byte, len(res.OutputFiles))
	for _, f := range res.OutputFiles {
		byPath[f.Path] = f.Contents
	}
	for _, i := range idx {
		code, ok := byPath["/out/"+strconv.Itoa(i)+".js"]
		if !ok {
			continue
		}
		r, _ := scanCode(code)
		if len(r.Diagnostics) > 0 {
			continue // positions are mapped by Scan's own path
		}
		results[i] = r
	}
}
