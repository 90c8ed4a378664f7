package jsscan

import (
	"reflect"
	"strings"
	"testing"
)

// A tsconfig's compiler options change what a file imports, as esbuild's
// metafile shows them: the automatic JSX runtime is an import, unused
// imports stay under verbatimModuleSyntax or preserveValueImports.
var tsconfigCases = []struct {
	name, tsconfig string
	loader         Loader
	src            string
	want           []imp
	err            string
}{
	{"jsx automatic", `{"compilerOptions":{"jsx":"react-jsx"}}`, LoaderTSX,
		"export const A = () => <div><p/><p/></div>\n",
		[]imp{static("react/jsx-runtime", "jsx", "jsxs")}, ""},
	{"jsx automatic in .jsx", `{"compilerOptions":{"jsx":"react-jsx"}}`, LoaderJSX,
		"export const A = () => <div/>\n",
		[]imp{static("react/jsx-runtime", "jsx")}, ""},
	{"jsx dev runtime and import source", `{"compilerOptions":{"jsx":"react-jsxdev","jsxImportSource":"preact"}}`, LoaderTSX,
		"import { h } from './h'\nexport const A = () => <><b/></>\n",
		[]imp{static("preact/jsx-dev-runtime", "Fragment", "jsxDEV")}, ""},
	{"jsx import source alone is classic", `{"compilerOptions":{"jsxImportSource":"preact"}}`, LoaderTSX,
		"export const A = () => <div/>\n",
		nil, ""},
	{"jsx preserve still compiles JSX", `{"compilerOptions":{"jsx":"preserve"}}`, LoaderTSX,
		"import { x } from './x'\nexport const A = () => <div>{x}</div>\n",
		[]imp{static("./x", "x")}, ""},
	{"jsx factory", `{"compilerOptions":{"jsxFactory":"h","jsxFragmentFactory":"Fragment"}}`, LoaderTSX,
		"import { h, Fragment } from './h'\nexport const A = () => <><div/></>\n",
		[]imp{static("./h", "h", "Fragment")}, ""},
	{"jsx factory unused without it", ``, LoaderTSX,
		"import { h, Fragment } from './h'\nexport const A = () => <><div/></>\n",
		nil, ""},
	{"unused imports dropped", ``, LoaderTS,
		"import { U } from './u'\nimport D from './d'\nimport type { T } from './t'\nexport const x = 1\n",
		nil, ""},
	{"verbatimModuleSyntax keeps unused imports", `{"compilerOptions":{"verbatimModuleSyntax":true}}`, LoaderTS,
		"import { U } from './u'\nimport D from './d'\nimport type { T } from './t'\nimport { type V } from './v'\nexport const x = 1\n",
		[]imp{static("./u", "U"), static("./d", "default"), static("./v")}, ""},
	{"preserveValueImports keeps unused imports", `{"compilerOptions":{"preserveValueImports":true}}`, LoaderTS,
		"import { U } from './u'\nimport type { T } from './t'\nexport const x = 1\n",
		[]imp{static("./u", "U")}, ""},
	{"importsNotUsedAsValues preserve keeps the side effect", `{"compilerOptions":{"importsNotUsedAsValues":"preserve"}}`, LoaderTS,
		"import { U } from './u'\nexport const x = 1\n",
		[]imp{static("./u")}, ""},
	{"parameter decorators need experimentalDecorators", ``, LoaderTS,
		"import { Inject } from './di'\nexport class A { constructor(@Inject() x: number) {} }\n",
		nil, "Parameter decorators only work when experimental decorators are enabled"},
	{"experimentalDecorators", `{"compilerOptions":{"experimentalDecorators":true}}`, LoaderTS,
		"import { Inject } from './di'\nexport class A { constructor(@Inject() x: number) {} }\n",
		[]imp{static("./di", "Inject")}, ""},
}

func TestScanTsconfig(t *testing.T) {
	for _, c := range tsconfigCases {
		t.Run(c.name, func(t *testing.T) {
			r, err := Scan([]byte(c.src), Options{Loader: c.loader, Filename: "/src/a.tsx", Tsconfig: c.tsconfig})
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("error %v, want %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := summarize(r).imports; !reflect.DeepEqual(got, c.want) {
				t.Errorf("imports %v, want %v\n%s", got, c.want, r.Code)
			}
			if strings.Contains(string(r.Code), "<div") {
				t.Errorf("JSX left in the code:\n%s", r.Code)
			}
		})
	}
}

// Batched builds honour each item's settings: items under different
// tsconfigs are not built together.
func TestScanBatchTsconfig(t *testing.T) {
	var srcs [][]byte
	var opts []Options
	for range 3 {
		for _, c := range tsconfigCases {
			srcs = append(srcs, []byte(c.src))
			opts = append(opts, Options{Loader: c.loader, Filename: "/src/" + c.name + ".tsx", Tsconfig: c.tsconfig})
		}
	}
	got, errs := ScanUncheckedBatch(srcs, opts)
	for i := range srcs {
		want, wantErr := Scan(srcs[i], opts[i])
		if (errs[i] == nil) != (wantErr == nil) {
			t.Fatalf("%s: batch error %v, alone %v", opts[i].Filename, errs[i], wantErr)
		}
		if wantErr == nil && !reflect.DeepEqual(specs(got[i]), specs(want)) {
			t.Errorf("%s: batch %v, alone %v", opts[i].Filename, specs(got[i]), specs(want))
		}
	}
}
