package engine

import (
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/evanw/esbuild/pkg/api"
	"github.com/hmrd/hmrd/internal/graph/modgraph"
	"github.com/hmrd/hmrd/internal/scan/cssscan"
	"github.com/hmrd/hmrd/internal/scan/jsscan"
	"github.com/hmrd/hmrd/internal/vfs"
)

// esbuildTree is a project whose every edge the graph must share with the
// metafile of an esbuild bundle of it: per-directory tsconfigs (automatic
// JSX runtime, jsxImportSource, verbatimModuleSyntax), imports esbuild
// drops (used only as types), re-exports, glob imports, CSS modules with
// composes and url().
var esbuildTree = map[string]string{
	"tsconfig.json":                      `{ "compilerOptions": { "jsx": "react-jsx", "strict": true } }`,
	"node_modules/react/package.json":    `{ "name": "react", "exports": { ".": "./index.js", "./jsx-runtime": "./jsx-runtime.js" } }`,
	"node_modules/react/index.js":        "export default {}\n",
	"node_modules/react/jsx-runtime.js":  "export const jsx = () => {}, jsxs = jsx\n",
	"node_modules/preact/package.json":   `{ "name": "preact", "exports": { "./jsx-runtime": "./jsx-runtime.js" } }`,
	"node_modules/preact/jsx-runtime.js": "export const jsx = () => {}\n",
	"src/main.tsx": `import { App } from './App'
import type { Props } from './types'
import { Unused } from './unused'
import styles from './styles/app.module.css'
import { W } from './widgets/W'
import { v } from './verbatim/v'
export * from './reexp'
export { x as y } from './named'
export const lazy = () => import('./lazy')
export const load = (l: string) => import(` + "`./locales/${l}.js`" + `)
export const page = (p: string) => import('./pages/p-' + p + '.ts')
export const root = <App title={styles.root as Props['title']}><W />{v}</App>
`,
	"src/App.tsx":                "import React from 'react'\nexport const App = (p: { title: string, children?: unknown }) => <main title={p.title}>{React ? p.children : null}</main>\n",
	"src/types.ts":               "export type Props = { title: string }\n",
	"src/unused.ts":              "export class Unused {}\nexport type U = Unused\n",
	"src/reexp.ts":               "export const r = 1\n",
	"src/named.ts":               "export const x = 1\n",
	"src/lazy.ts":                "export default 1\n",
	"src/locales/en.js":          "export default { hi: 'hi' }\n",
	"src/locales/regional/fr.js": "export default { hi: 'allô' }\n",
	"src/locales/README.md":      "not matched\n",
	"src/pages/p-a.ts":           "export default 'a'\n",
	"src/pages/sub/p-b.ts":       "export default 'not matched: the wildcard is inside a name'\n",
	"src/widgets/tsconfig.json":  `{ "extends": "../../tsconfig.json", "compilerOptions": { "jsxImportSource": "preact" } }`,
	"src/widgets/W.tsx":          "export const W = () => <b>w</b>\n",
	"src/verbatim/tsconfig.json": `{ "compilerOptions": { "verbatimModuleSyntax": true } }`,
	"src/verbatim/v.ts":          "import { Kept } from './kept'\nimport type { Gone } from './gone'\nexport const v: Gone | 1 = 1\n",
	"src/verbatim/kept.ts":       "export class Kept {}\n",
	"src/verbatim/gone.ts":       "export type Gone = 2\n",
	"src/styles/app.module.css":  ".root { composes: base from './base.module.css'; background: url(./bg.png); }\n",
	"src/styles/base.module.css": ".base { color: red; }\n",
	"src/styles/bg.png":          "png\n",
}

// The engine's edges of every JS, TS and CSS-module file are the imports
// esbuild's metafile lists for it when it bundles the same tree, and its
// glob imports reach exactly the files esbuild's do.
func TestEdgesMatchEsbuildMetafile(t *testing.T) {
	root, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for name, body := range esbuildTree {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	proj, plan, err := Open(vfs.OS{}, Options{Root: root, Entries: []string{"src/main.tsx"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Errors)+len(plan.Warnings) > 0 {
		t.Fatalf("open: %+v %+v", plan.Errors, plan.Warnings)
	}

	n := compareWithMetafile(t, proj, root, []string{"src/main.tsx"})
	if n < 14 {
		t.Errorf("esbuild bundled only %d files", n)
	}
}

// compareWithMetafile bundles the entries (root-relative) of the project
// under root with esbuild, packages external, and checks that the engine's
// edges of every JS, TS and CSS-module input are the imports the metafile
// lists for it, and that its glob imports reach exactly the files
// esbuild's do. It returns the number of inputs esbuild bundled.
func compareWithMetafile(t *testing.T, proj *Project, root string, entries []string) int {
	t.Helper()
	var entryPaths []string
	for _, e := range entries {
		entryPaths = append(entryPaths, filepath.Join(root, e))
	}
	res := api.Build(api.BuildOptions{
		EntryPoints:   entryPaths,
		AbsWorkingDir: root,
		Bundle:        true,
		Write:         false,
		Metafile:      true,
		Outdir:        filepath.Join(root, "out"),
		Format:        api.FormatESModule,
		Splitting:     true,
		Packages:      api.PackagesExternal,
		Loader:        map[string]api.Loader{".png": api.LoaderFile},
		LogLevel:      api.LogLevelSilent,
	})
	if len(res.Errors) > 0 {
		t.Fatalf("esbuild: %v", res.Errors)
	}
	var meta struct {
		Inputs map[string]struct {
			Imports []struct {
				Path     string
				Kind     string
				External bool
			}
		}
	}
	if err := json.Unmarshal([]byte(res.Metafile), &meta); err != nil {
		t.Fatal(err)
	}

	// The engine's module for an input, and its edges as "kind target"
	// (targets as the metafile names them), glob edges apart.
	edges := func(input string) (own, globbed []string) {
		r, ok := proj.g.LookupID("/" + input)
		if !ok {
			t.Fatalf("%s: not in the graph", input)
		}
		m := proj.g.Mod(r)
		n := 0
		if gi := proj.globs.byFile[m.File]; gi != nil {
			n = gi.n
		}
		for i, imp := range m.Imports {
			if imp.Target == modgraph.None {
				t.Errorf("%s: %q does not resolve", input, imp.Specifier)
				continue
			}
			tm := proj.g.Mod(imp.Target)
			target := strings.TrimPrefix(tm.ID, "/")
			if tm.Kind == modgraph.KindExternal {
				target = strings.TrimPrefix(tm.ID, "/@id/")
			}
			kind := map[modgraph.EdgeKind]string{
				modgraph.EdgeStatic: "import-statement", modgraph.EdgeReExport: "import-statement",
				modgraph.EdgeDynamic: "dynamic-import", modgraph.EdgeURL: "url-token",
			}[imp.Kind]
			if imp.Kind == modgraph.EdgeCSSImport {
				kind = "composes-from"
			}
			if i >= len(m.Imports)-n {
				globbed = append(globbed, target)
				continue
			}
			own = append(own, kind+" "+target)
		}
		return own, globbed
	}

	var imported, globTargets []string
	for _, input := range slices.Sorted(maps.Keys(meta.Inputs)) {
		var want []string
		for _, imp := range meta.Inputs[input].Imports {
			if strings.Contains(imp.Path, "*") {
				continue // a glob: compared below, by what it reached
			}
			if imp.External && (strings.HasPrefix(imp.Path, "./") || strings.HasPrefix(imp.Path, "../")) {
				// A TypeScript import esbuild dropped (its bindings are
				// used only as types) is listed as written, not followed.
				continue
			}
			want = append(want, imp.Kind+" "+imp.Path)
			imported = append(imported, imp.Path)
		}
		if _, js := jsscan.LoaderFor(input); !js && !cssscan.IsModule(input) {
			continue
		}
		own, globbed := edges(input)
		globTargets = append(globTargets, globbed...)
		slices.Sort(want)
		slices.Sort(own)
		if !slices.Equal(own, want) {
			t.Errorf("%s:\n engine  %q\n esbuild %q", input, own, want)
		}
	}
	// What esbuild bundles but nothing imports by name, it reached by glob.
	var wantGlob []string
	for input := range meta.Inputs {
		if !slices.Contains(entries, input) && !slices.Contains(imported, input) {
			wantGlob = append(wantGlob, input)
		}
	}
	slices.Sort(wantGlob)
	slices.Sort(globTargets)
	if !slices.Equal(globTargets, wantGlob) {
		t.Errorf("glob imports reach\n engine  %q\n esbuild %q", globTargets, wantGlob)
	}
	return len(meta.Inputs)
}
