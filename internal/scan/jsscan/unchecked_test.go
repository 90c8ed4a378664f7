package jsscan

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// ScanUnchecked must read the same facts as Scan from valid plain JS: the
// engine uses it when a project opens and Scan when a file changes, and the
// two must not disagree about edges or boundaries.
func TestScanUncheckedAgreesWithScan(t *testing.T) {
	srcs := map[string]string{
		"comments":       "// import 'nope'\n/* import('x') */\nimport a from './a.js' // trailing\nexport { a }\n",
		"regex":          "const r = /import\\('x'\\)/g; import './b.js'\nconst d = 4 / 2 / 1\n",
		"template":       "const t = `import './no.js' ${`nested ${1}`}`\nimport * as ns from './ns.js'\nexport const v = ns.x\n",
		"hot":            "import { x } from './dep.js'\nif (import.meta.hot) {\n  import.meta.hot.accept('./dep.js', (m) => {})\n  import.meta.hot?.dispose(() => {})\n  import.meta.hot.decline('./other.js')\n}\n",
		"accept exports": "export const a = 1\nexport function b() {}\nimport.meta.hot.acceptExports(['a'])\n",
		"dynamic":        "const p = import('./lazy.js')\nconst q = import(`./pages/${name}.js`)\nexport default p\n",
		"globs":          "const a = import('./a/' + x + '.js')\nconst b = import(`./x${y}`)\nimport(/* @vite-ignore */ z)\n",
		"urls":           "const w = new Worker(new URL('./w.js', import.meta.url), { type: 'module' })\nconst i = new URL(`./i/${n}.png`, import.meta.url)\n",
		"reexport":       "export * from './all.js'\nexport { x as y, default } from './some.js'\nexport * as ns from './ns.js'\n",
		"strings":        "const s = \"import './no.js'\"; const u = 'export * from \"x\"'\nimport './yes.js'\n",
	}
	// Every JS source of the engine's golden cases too.
	files, _ := filepath.Glob("../../engine/testdata/conformance/*/src/*.js")
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		srcs[f] = string(data)
	}
	for name, src := range srcs {
		t.Run(name, func(t *testing.T) {
			want, err := Scan([]byte(src), Options{Loader: LoaderJS, Filename: "/x.js"})
			if err != nil {
				t.Fatalf("Scan: %v", err)
			}
			got, err := ScanUnchecked([]byte(src), Options{Loader: LoaderJS, Filename: "/x.js"})
			if err != nil {
				t.Fatalf("ScanUnchecked: %v", err)
			}
			if !reflect.DeepEqual(specs(got), specs(want)) {
				t.Errorf("imports differ:\n unchecked %v\n scan      %v", specs(got), specs(want))
			}
			if !reflect.DeepEqual(got.Exports, want.Exports) {
				t.Errorf("exports differ: %v vs %v", got.Exports, want.Exports)
			}
			if !reflect.DeepEqual(hotFacts(got.Hot), hotFacts(want.Hot)) {
				t.Errorf("hot facts differ:\n unchecked %+v\n scan      %+v", hotFacts(got.Hot), hotFacts(want.Hot))
			}
			if len(got.Diagnostics) != len(want.Diagnostics) {
				t.Errorf("diagnostics differ: %v vs %v", got.Diagnostics, want.Diagnostics)
			}
			for i := range got.Diagnostics {
				if i < len(want.Diagnostics) && (got.Diagnostics[i].Line != want.Diagnostics[i].Line || got.Diagnostics[i].Column != want.Diagnostics[i].Column) {
					t.Errorf("diagnostic %d at %d:%d, Scan says %d:%d", i, got.Diagnostics[i].Line, got.Diagnostics[i].Column, want.Diagnostics[i].Line, want.Diagnostics[i].Column)
				}
			}
		})
	}
}

func specs(r *Result) []string {
	var out []string
	for _, imp := range r.Imports {
		out = append(out, string(rune('0'+imp.Kind))+" "+imp.Specifier+" "+strings.Join(imp.Bindings, ","))
	}
	for _, u := range r.URLs {
		out = append(out, "url "+u.Specifier)
	}
	for _, g := range r.Globs {
		out = append(out, "glob "+string(rune('0'+g.Kind))+" "+g.String())
	}
	return out
}

// hotFacts drops ranges (they index different Code).
func hotFacts(h Hot) Hot {
	h.AcceptedDeps = stripDeps(h.AcceptedDeps)
	h.DeclinedDeps = stripDeps(h.DeclinedDeps)
	return h
}

func stripDeps(ds []Dep) []Dep {
	var out []Dep
	for _, d := range ds {
		out = append(out, Dep{Specifier: d.Specifier})
	}
	return out
}
