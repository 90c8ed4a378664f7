package jsscan

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// batchCorpus is TypeScript, TSX and JSX as projects write it, including
// what makes esbuild's output differ in layout between Transform and a
// split Build (exports gathered at the end, default exports renamed) and
// what needs runtime helpers (decorators), plus the engine's golden cases.
func batchCorpus(t *testing.T) (names []string, srcs [][]byte, opts []Options) {
	add := func(name string, src string) {
		loader, ok := LoaderFor(name)
		if !ok {
			t.Fatalf("no loader for %s", name)
		}
		names = append(names, name)
		srcs = append(srcs, []byte(src))
		opts = append(opts, Options{Loader: loader, Filename: "/src/" + name})
	}
	add("types.ts", "import type { A } from './a'\nimport { type B, c } from './b'\nexport type { S } from './s'\nexport interface I { a: A; b: B }\nexport const v: number = c\n")
	add("elided.ts", "import { OnlyType } from './t'\nimport { used } from './u'\nlet x: OnlyType = used()\nexport { x }\n")
	add("defaults.ts", "export default function (a: number): number { return a }\nexport const k = 1\n")
	add("default-expr.ts", "const base = 2\nexport default base * 2\nexport let later = 3\n")
	add("class.ts", "export class Store<T> {\n  private items: T[] = []\n  constructor(public readonly name: string, protected n = 1) {}\n  add(x: T): this { this.items.push(x); return this }\n  static create<U>(): Store<U> { return new Store<U>('s') }\n}\n")
	add("enum.ts", "export enum Color { Red, Green = 'g' }\nexport const enum Dir { Up }\nexport namespace NS { export const q = Dir.Up }\n")
	add("decorators.ts", "function dec(t: any) { return t }\n@dec\nexport class Deco { @dec m() {} }\n")
	add("reexports.ts", "export * from './all'\nexport * as ns from './ns'\nexport { a as b, default } from './some'\nimport { x } from './x'\nexport { x }\n")
	add("hot.ts", "import { dep } from './dep'\nexport const n: number = dep\nif (import.meta.hot) {\n  import.meta.hot.accept('./dep', (m: any) => {})\n  import.meta.hot.acceptExports(['n'])\n  import.meta.hot.dispose((data: { n: number }) => {})\n}\n")
	add("dynamic.ts", "export async function load(name: string) {\n  const a = await import('./lazy')\n  return import(`./pages/${name}`)\n}\n")
	add("component.tsx", "import { useState } from 'react'\nimport type { FC } from 'react'\nexport const C: FC<{ n: number }> = ({ n }) => { const [s] = useState(n); return <div title={String(s)}>{n}</div> }\nexport default C\n")
	add("automatic.tsx", "/** @jsxRuntime automatic */\nexport const App = () => <main><p>hi</p></main>\n")
	add("plain.jsx", "import React from 'react'\nimport { Button } from './button.jsx'\nexport function App() { return <Button onClick={() => {}}>ok</Button> }\n")
	add("broken.ts", "export const x: = 1\n")
	add("broken.tsx", "export const y = <div>\n")
	add("sideeffects.ts", "import './polyfill'\nimport {} from './empty'\nimport './styles.css'\nexport {}\n")
	add("generics.ts", "export function id<T extends object = {}>(x: T): T { return x }\nexport const f = <T,>(x: T) => x\nexport abstract class Base { abstract run(): void }\nexport let u = id<{ a: 1 }>({ a: 1 }) satisfies object\n")
	add("globs.ts", "export const load = (n: string) => import(`./locales/${n}.js`)\nexport const page = (p: string) => import('./pages/' + p)\nexport const w = new Worker(new URL('./w.ts', import.meta.url))\nexport const img = new URL(`./img/${p}.png`, import.meta.url)\n")
	add("mts.mts", "import { readFile } from 'node:fs/promises'\nexport const r = await readFile('x', 'utf8')\n")

	// The TypeScript, TSX and JSX files of the engine's golden cases.
	cases, _ := filepath.Glob("../../engine/testdata/cases/*.txt")
	for _, c := range cases {
		data, err := os.ReadFile(c)
		if err != nil {
			t.Fatal(err)
		}
		for _, sec := range strings.Split("\n"+string(data), "\n-- ")[1:] {
			head, body, _ := strings.Cut(sec, " --\n")
			name := strings.TrimPrefix(head, "step: write ")
			if _, ok := LoaderFor(name); ok && !strings.HasSuffix(name, ".js") && !strings.HasSuffix(name, ".mjs") && !strings.HasSuffix(name, ".cjs") && !strings.Contains(name, " ") {
				add(filepath.Base(c)+"/"+name, body)
			}
		}
	}
	return names, srcs, opts
}

// The batch must read exactly the facts, and report exactly the errors,
// that scanning each file alone does: the engine uses the batch when a
// project opens and Scan when a file changes.
func TestScanBatchAgreesWithScan(t *testing.T) {
	names, srcs, opts := batchCorpus(t)
	if len(names) < 30 {
		t.Fatalf("corpus has %d files; the engine's cases were not found", len(names))
	}
	got, gotErrs := ScanUncheckedBatch(srcs, opts)
	for i, name := range names {
		want, wantErr := ScanUnchecked(srcs[i], opts[i])
		if (gotErrs[i] == nil) != (wantErr == nil) || (wantErr != nil && gotErrs[i].Error() != wantErr.Error()) {
			t.Errorf("%s: batch error %v, alone %v", name, gotErrs[i], wantErr)
			continue
		}
		if wantErr != nil {
			continue
		}
		if !reflect.DeepEqual(specs(got[i]), specs(want)) {
			t.Errorf("%s: imports differ:\n batch %v\n alone %v", name, specs(got[i]), specs(want))
		}
		if g, w := slices.Sorted(slices.Values(got[i].Exports)), slices.Sorted(slices.Values(want.Exports)); !reflect.DeepEqual(g, w) {
			t.Errorf("%s: exports differ: batch %q, alone %q", name, g, w)
		}
		if !reflect.DeepEqual(hotFacts(got[i].Hot), hotFacts(want.Hot)) {
			t.Errorf("%s: hot facts differ:\n batch %+v\n alone %+v", name, hotFacts(got[i].Hot), hotFacts(want.Hot))
		}
		if !reflect.DeepEqual(got[i].Diagnostics, want.Diagnostics) {
			t.Errorf("%s: diagnostics differ:\n batch %+v\n alone %+v", name, got[i].Diagnostics, want.Diagnostics)
		}
	}
}

// A syntax error in one file of a batch leaves the others' facts intact.
func TestScanBatchIsolatesErrors(t *testing.T) {
	srcs := [][]byte{[]byte("import { a } from './a'\nexport const x: number = a\n"), []byte("export const = 1\n"), []byte("import './c'\n")}
	opts := []Options{{Loader: LoaderTS, Filename: "/a.ts"}, {Loader: LoaderTS, Filename: "/b.ts"}, {Loader: LoaderTS, Filename: "/c.ts"}}
	res, errs := ScanUncheckedBatch(srcs, opts)
	if errs[0] != nil || errs[2] != nil || errs[1] == nil {
		t.Fatalf("errors = %v", errs)
	}
	if len(res[0].Imports) != 1 || res[0].Imports[0].Specifier != "./a" || len(res[2].Imports) != 1 || res[2].Imports[0].Specifier != "./c" {
		t.Fatalf("facts = %+v / %+v", res[0].Imports, res[2].Imports)
	}
	if !strings.Contains(errs[1].Error(), "/b.ts:1:") {
		t.Fatalf("error %q does not name /b.ts with its position", errs[1])
	}
}

// The batch really answers: every valid item it is given (other than
// those with diagnostics, positioned by Scan's own path) is read off the
// one Build, with Scan's facts.
func TestScanBatchAnswersValidItems(t *testing.T) {
	names, srcs, opts := batchCorpus(t)
	var idx []int
	for i := range names {
		if _, err := Scan(srcs[i], opts[i]); err == nil && opts[i].Loader != LoaderJS && !mayReExportNamed(srcs[i]) {
			idx = append(idx, i)
		}
	}
	if len(idx) < 20 {
		t.Fatalf("only %d batchable files in the corpus", len(idx))
	}
	results := make([]*Result, len(srcs))
	scanBuild(srcs, opts, idx, results)
	for _, i := range idx {
		want, _ := Scan(srcs[i], opts[i])
		got := results[i]
		if got == nil {
			if len(want.Diagnostics) == 0 {
				t.Errorf("%s: not answered by the batch", names[i])
			}
			continue
		}
		if !reflect.DeepEqual(specs(got), specs(want)) {
			t.Errorf("%s: imports differ:\n batch %v\n alone %v", names[i], specs(got), specs(want))
		}
		if g, w := slices.Sorted(slices.Values(got.Exports)), slices.Sorted(slices.Values(want.Exports)); !reflect.DeepEqual(g, w) {
			t.Errorf("%s: exports differ: batch %q, alone %q", names[i], g, w)
		}
		if !reflect.DeepEqual(hotFacts(got.Hot), hotFacts(want.Hot)) {
			t.Errorf("%s: hot facts differ:\n batch %+v\n alone %+v", names[i], hotFacts(got.Hot), hotFacts(want.Hot))
		}
	}
}

func TestMayReExportNamed(t *testing.T) {
	for src, want := range map[string]bool{
		"export { a } from './a'":              true,
		"export {a}":                           true, // errs towards true
		"export * as ns from './ns'":           true,
		"export *as ns from './ns'":            true,
		"export * /* c */ as ns from './ns'":   true,
		"export /* c */ { a } from './a'":      true,
		"export\n{ a } from './a'":             true,
		"export * from './all'":                false,
		"export const a = 1":                   false,
		"export default function () {}":        false,
		"export type { T } from './t'":         false, // type-only: gone in both
		"import { a } from './a'; use(a)":      false,
		"const exported = 1; export let b = 2": false,
		"export":                               false,
		"export *":                             true,
	} {
		if got := mayReExportNamed([]byte(src)); got != want {
			t.Errorf("mayReExportNamed(%q) = %v, want %v", src, got, want)
		}
	}
}

// A broken file costs the batch only itself: the other items are still
// answered by a Build.
func TestScanBatchRetriesWithoutBrokenFiles(t *testing.T) {
	srcs := [][]byte{[]byte("export const a: number = 1\n"), []byte("export const = 1\n"), []byte("import { c } from './c'\nexport const d: string = c\n"), []byte("let x: = \n")}
	opts := []Options{{Loader: LoaderTS, Filename: "/a.ts"}, {Loader: LoaderTS, Filename: "/b.ts"}, {Loader: LoaderTS, Filename: "/c.ts"}, {Loader: LoaderTS, Filename: "/d.ts"}}
	results := make([]*Result, len(srcs))
	scanBuild(srcs, opts, []int{0, 1, 2, 3}, results)
	if results[0] == nil || results[2] == nil || results[1] != nil || results[3] != nil {
		t.Fatalf("answered: %v %v %v %v; want the two valid files only", results[0] != nil, results[1] != nil, results[2] != nil, results[3] != nil)
	}
}
