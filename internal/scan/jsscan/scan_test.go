package jsscan

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// imp is the expected form of an Import in the tables below.
type imp struct {
	spec     string
	kind     ImportKind
	bindings []string
}

func static(spec string, bindings ...string) imp { return imp{spec, ImportStatic, bindings} }
func reexport(spec string, bindings ...string) imp {
	return imp{spec, ImportReExport, bindings}
}
func dynamic(spec string) imp { return imp{spec, ImportDynamic, []string{"*"}} }

// hot is Hot with deps reduced to their specifiers.
type hot struct {
	Used, Self   bool
	Deps         []string
	Partial      bool
	Exports      []string
	Declined     bool
	DeclinedDeps []string
	API          bool
	Webpack      bool
}

type want struct {
	imports []imp
	exports []string
	hot     hot
	// diags are the expected diagnostic messages, in order.
	diags []string
	// urls are the new URL(…, import.meta.url) specifiers; globs the
	// glob patterns, "dynamic ./x/**/*.js" or "url ./i/*.png".
	urls  []string
	globs []string
}

func depSpecs(deps []Dep) []string {
	var out []string
	for _, d := range deps {
		out = append(out, d.Specifier)
	}
	return out
}

// summarize reduces a Result to the comparable shape of want.
func summarize(r *Result) want {
	var w want
	for _, i := range r.Imports {
		w.imports = append(w.imports, imp{i.Specifier, i.Kind, i.Bindings})
	}
	w.exports = r.Exports
	h := r.Hot
	w.hot = hot{
		Used: h.Used, Self: h.SelfAccepting, Deps: depSpecs(h.AcceptedDeps),
		Partial: h.PartialAccept, Exports: h.AcceptedExports,
		Declined: h.Declined, DeclinedDeps: depSpecs(h.DeclinedDeps), API: h.UsesAPI, Webpack: h.Webpack,
	}
	for _, d := range r.Diagnostics {
		w.diags = append(w.diags, d.Message)
	}
	for _, u := range r.URLs {
		w.urls = append(w.urls, u.Specifier)
	}
	for _, g := range r.Globs {
		kind := "dynamic"
		if g.Kind == ImportURL {
			kind = "url"
		}
		w.globs = append(w.globs, kind+" "+g.String())
	}
	return w
}

func (w want) String() string {
	return fmt.Sprintf("imports: %v\nexports: %q\nhot:     %+v\ndiags:   %q\nurls:    %q\nglobs:   %q", w.imports, w.exports, w.hot, w.diags, w.urls, w.globs)
}

// checkRanges asserts that every Range lies in Code and covers a literal
// whose value, parsed independently of the scanner, is the specifier.
func checkRanges(t testing.TB, r *Result) {
	t.Helper()
	check := func(what string, rg Range, spec string) {
		t.Helper()
		if rg.Start < 0 || rg.Start > rg.End || rg.End > len(r.Code) {
			t.Fatalf("%s %q: range %v outside code of %d bytes", what, spec, rg, len(r.Code))
		}
		lit := string(r.Code[rg.Start:rg.End])
		var got string
		var err error
		switch {
		case strings.HasPrefix(lit, `"`):
			got, err = strconv.Unquote(lit)
		case strings.HasPrefix(lit, "'"), strings.HasPrefix(lit, "`"):
			// Only plain literals occur in these tests.
			if len(lit) < 2 || strings.Contains(lit, `\`) {
				t.Fatalf("%s %q: unexpected literal %s", what, spec, lit)
			}
			got = lit[1 : len(lit)-1]
		default:
			t.Fatalf("%s %q: range covers %q, not a literal", what, spec, lit)
		}
		if err != nil || got != spec {
			t.Fatalf("%s: range covers %s = %q (err %v), want %q", what, lit, got, err, spec)
		}
	}
	for _, i := range r.Imports {
		check("import", i.Range, i.Specifier)
	}
	for _, u := range r.URLs {
		check("url", u.Range, u.Specifier)
	}
	for _, d := range r.Hot.AcceptedDeps {
		check("accepted dep", d.Range, d.Specifier)
	}
	for _, d := range r.Hot.DeclinedDeps {
		check("declined dep", d.Range, d.Specifier)
	}
}

// expectScan scans src and compares imports, exports, Hot and diagnostic
// messages with want.
func expectScan(t *testing.T, loader Loader, src string, w want) {
	t.Helper()
	r, err := Scan([]byte(src), Options{Loader: loader, Filename: "test"})
	if err != nil {
		t.Fatalf("Scan: %v", err)
	}
	checkRanges(t, r)
	got := summarize(r)
	if !reflect.DeepEqual(got, w) {
		t.Errorf("scan of\n%s\n--- code\n%s\n--- got\n%v\n--- want\n%v", src, r.Code, got, w)
	}
}

type scanCase struct {
	name   string
	loader Loader
	src    string
	want   want
}

const acceptMsg = "import.meta.hot.accept() can only accept string literals or an Array of string literals"

var scanCases = []scanCase{
	// Static imports.
	{"default import", LoaderJS, `import x from './a'; x()`,
		want{imports: []imp{static("./a", "default")}}},
	{"named imports", LoaderJS, `import {a, b as c, default as d, "str name" as e} from './a'; f(a, c, d, e)`,
		want{imports: []imp{static("./a", "a", "b", "default", "str name")}}},
	{"namespace import", LoaderJS, `import * as ns from 'pkg'; ns.x`,
		want{imports: []imp{static("pkg", "*")}}},
	{"default and namespace", LoaderJS, `import x, * as ns from 'pkg'; f(x, ns)`,
		want{imports: []imp{static("pkg", "default", "*")}}},
	{"default and named", LoaderJS, `import x, {a} from 'pkg'; f(x, a)`,
		want{imports: []imp{static("pkg", "default", "a")}}},
	{"side effect import", LoaderJS, `import './style.css'`,
		want{imports: []imp{static("./style.css")}}},
	{"empty named list", LoaderJS, `import {} from './empty'`,
		want{imports: []imp{static("./empty")}}},
	{"import attributes with", LoaderJS, `import data from './d.json' with { type: 'json' }; import './e.json' with { type: 'json' }; f(data)`,
		want{imports: []imp{static("./d.json", "default"), static("./e.json")}}},
	{"import attributes assert", LoaderJS, `import data from './d.json' assert { type: 'json' }; f(data)`,
		want{imports: []imp{static("./d.json", "default")}}},
	{"escaped specifier", LoaderJS, `import a from "./\u0061\x62"; a()`,
		want{imports: []imp{static("./ab", "default")}}},
	{"imports in source order", LoaderJS, "import a from './a'\nimport('./b')\nimport {c} from './c'\nf(a, c)",
		want{imports: []imp{static("./a", "default"), dynamic("./b"), static("./c", "c")}}},
	{"duplicate binding", LoaderJS, `import {a, a as b} from './a'; f(a, b)`,
		want{imports: []imp{static("./a", "a")}}},
	{"import named from", LoaderJS, `import from from './from'; f(from)`,
		want{imports: []imp{static("./from", "default")}}},

	// Re-exports.
	{"export star", LoaderJS, `export * from './a'`,
		want{imports: []imp{reexport("./a", "*")}}},
	{"export star as", LoaderJS, `export * as ns from './a'`,
		want{imports: []imp{reexport("./a", "*")}, exports: []string{"ns"}}},
	{"export named from", LoaderJS, `export {a, b as c, default} from './a'`,
		want{imports: []imp{reexport("./a", "a", "b", "default")}, exports: []string{"a", "c", "default"}}},
	{"export default as from", LoaderJS, `export { default as Foo } from './Foo'`,
		want{imports: []imp{reexport("./Foo", "default")}, exports: []string{"Foo"}}},
	{"export string name from", LoaderJS, `export { a as "string name" } from './a'`,
		want{imports: []imp{reexport("./a", "a")}, exports: []string{"string name"}}},
	{"barrel", LoaderJS, "export * from './x'\nexport * as y from './y'\nexport { z } from './z'",
		want{imports: []imp{reexport("./x", "*"), reexport("./y", "*"), reexport("./z", "z")}, exports: []string{"y", "z"}}},

	// Dynamic imports.
	{"dynamic import", LoaderJS, `const m = import('./lazy')`,
		want{imports: []imp{dynamic("./lazy")}}},
	{"dynamic import template", LoaderJS, "const m = import(`./lazy`)",
		want{imports: []imp{dynamic("./lazy")}}},
	{"dynamic import with options", LoaderJS, `const m = await import('./d.json', { with: { type: 'json' } })`,
		want{imports: []imp{dynamic("./d.json")}}},
	{"dynamic import nested in template", LoaderJS, "const s = `a ${`b ${import('x')}`} c`",
		want{imports: []imp{dynamic("x")}}},
	{"dynamic import deep", LoaderJS, "function f() {\n  if (a) {\n    return import('./deep').then((m) => m.x)\n  }\n}",
		want{imports: []imp{dynamic("./deep")}}},
	{"dynamic import in arrow in object", LoaderJS, "export const routes = { home: () => import('./Home'), about: () => import('./About') }",
		want{imports: []imp{dynamic("./Home"), dynamic("./About")}, exports: []string{"routes"}}},
	{"non-literal dynamic import", LoaderJS, `const m = import(name)`,
		want{diags: []string{"non-literal dynamic import cannot be analysed: import(name)"}}},
	{"dynamic import long expression", LoaderJS, "const m = import(veryLongFunctionNameForTesting(argumentNumberOne, argumentNumberTwo))",
		want{diags: []string{"non-literal dynamic import cannot be analysed: import(veryLongFunctionNameForTesting(argumentN…)"}}},
	{"dynamic import of a non-relative template", LoaderJS, "const m = import(`${base}/x.js`)",
		want{diags: []string{"non-literal dynamic import cannot be analysed: import(`${base}/x.js`)"}}},
	{"dynamic import of a non-relative concatenation", LoaderJS, "const m = import(x + './a.js')",
		want{diags: []string{"non-literal dynamic import cannot be analysed: import(x + './a.js')"}}},
	{"dynamic import of a conditional", LoaderJS, "const m = import('./a/' + x ? 'b' : 'c')",
		want{diags: []string{"non-literal dynamic import cannot be analysed: import('./a/' + x ? 'b' : 'c')"}}},
	{"dynamic import of a difference", LoaderJS, "const m = import('./a/' + x - 1)",
		want{diags: []string{"non-literal dynamic import cannot be analysed: import('./a/' + x - 1)"}}},
	{"dynamic import with vite-ignore", LoaderJS, "const m = import(/* @vite-ignore */ url)\nconst n = import(/*@vite-ignore*/`${base}/x.js`)",
		want{}},
	{"dynamic import with vite-ignore, TS", LoaderTS, "const m = import(\n  /* @vite-ignore */\n  url as string)",
		want{}},
	{"dynamic import with another comment", LoaderJS, "const m = import(/* webpackChunkName: 'x' */ url)",
		want{diags: []string{"non-literal dynamic import cannot be analysed: import(url)"}}},

	// Glob imports: a computed specifier with a known relative start.
	{"dynamic import with substitution", LoaderJS, "const m = import(`./locales/${lang}.js`)",
		want{globs: []string{"dynamic ./locales/**/*.js"}}},
	{"dynamic import with substitution, TS", LoaderTS, "const m = import(`./locales/${lang as string}.js`)",
		want{globs: []string{"dynamic ./locales/**/*.js"}}},
	{"dynamic import with substitution in a name", LoaderJS, "const m = import(`./x${q}.js`)",
		want{globs: []string{"dynamic ./x*.js"}}},
	{"dynamic import with substitution at the end", LoaderJS, "const m = import(`../pages/${p}`)",
		want{globs: []string{"dynamic ../pages/**/*"}}},
	{"dynamic import with adjacent substitutions", LoaderJS, "const m = import(`./a/${x}${y}-${z}/b.js`)",
		want{globs: []string{"dynamic ./a/**/*-*/b.js"}}},
	{"dynamic import with a constant substitution", LoaderJS, "const m = import(`./a/${'en' + `-${'GB'}`}.js`)",
		want{globs: []string{"dynamic ./a/en-GB.js"}}},
	{"dynamic import with a nested template", LoaderJS, "const m = import(`./a/${`x${y}`}.js`)",
		want{globs: []string{"dynamic ./a/x*.js"}}},
	{"dynamic import of concatenation", LoaderJS, "const m = import('./a' + b)",
		want{globs: []string{"dynamic ./a*"}}},
	{"dynamic import of concatenation, TS", LoaderTS, "const m = import('./a' + b)",
		want{globs: []string{"dynamic ./a*"}}},
	{"dynamic import of a longer concatenation", LoaderJS, "const m = import('./pages/' + name.toLowerCase() + '.js', { with: {} })",
		want{globs: []string{"dynamic ./pages/**/*.js"}}},
	{"dynamic import of a parenthesised concatenation", LoaderJS, "const m = import(('./pages/' + (p)) + ('-' + q + '.js'))",
		want{globs: []string{"dynamic ./pages/**/*-*.js"}}},
	{"dynamic import of concatenation with unary operands", LoaderJS, "const m = import('./n/' + -x + '/' + typeof y + '.js')",
		want{globs: []string{"dynamic ./n/**/*/**/*.js"}}},
	{"dynamic import of a tagged template", LoaderJS, "const m = import('./t/' + tag`x`)",
		want{globs: []string{"dynamic ./t/**/*"}}},
	{"new URL", LoaderJS, `const u = new URL('./x.png', import.meta.url)`,
		want{urls: []string{"./x.png"}}},
	{"new URL of a worker", LoaderJS, "const w = new Worker(new URL('./w.js', import.meta.url), { type: 'module' })\nnew SharedWorker(new URL(`./s.js`, import.meta.url,))",
		want{urls: []string{"./w.js", "./s.js"}}},
	{"new URL, TS", LoaderTS, "const u: URL = new URL('../a/x.svg?raw', import.meta.url)",
		want{urls: []string{"../a/x.svg?raw"}}},
	{"new URL with substitution", LoaderJS, "const u = new URL(`./img/${name}.png`, import.meta.url).href",
		want{globs: []string{"url ./img/**/*.png"}}},
	{"new URL of no file", LoaderJS, "new URL('data:text/plain,x', import.meta.url); new URL('https://a.b/c', import.meta.url); new URL('#x', import.meta.url)",
		want{}},
	{"new URL that is not relative to the module", LoaderJS, "new URL('./x.png', base); new URL('./y.png', location.href); URL('./z.png', import.meta.url); new URL(a + 'b', import.meta.url)",
		want{}},
	{"new URL with vite-ignore", LoaderJS, "new URL(/* @vite-ignore */ './x.png', import.meta.url)",
		want{}},
	{"import.meta.url alone", LoaderJS, "const here = import.meta.url; f(import.meta.url)",
		want{}},
	{"import as property", LoaderJS, `loader.import('./not'); loader?.import('./not2')`,
		want{}},
	{"method named import", LoaderJS, "class A { import(x) { return x } }\nconst o = { import(y) { return y } }",
		want{}},

	// Exports.
	{"export const", LoaderJS, `export const a = 1, b = 2`,
		want{exports: []string{"a", "b"}}},
	{"export let var", LoaderJS, "export let a\nexport var b = 2",
		want{exports: []string{"a", "b"}}},
	{"export object destructuring", LoaderJS, `export const {a, b: [c, d = 1], ...e} = o`,
		want{exports: []string{"a", "c", "d", "e"}}},
	{"export array destructuring", LoaderJS, `export let [x, , y = f(1, 2), ...z] = arr`,
		want{exports: []string{"x", "y", "z"}}},
	{"export nested destructuring", LoaderJS, `export const { a: { b = { c: 1 }, ["k"]: k2 }, 'q': q2 } = o`,
		want{exports: []string{"b", "k2", "q2"}}},
	{"export initializers with commas", LoaderJS, "export const f = (a = 1, b) => a, g = { k: [1, 2] }, h = `${x, y}`",
		want{exports: []string{"f", "g", "h"}}},
	{"export ended by a new statement without a semicolon", LoaderJS, "export const a = 1\nvar b, c = 2\nlet d, e\nif (x) y(1, 2)",
		want{exports: []string{"a"}}},
	{"export continued on the next line", LoaderJS, "export const f =\n  function () {}\nexport const g = 1\n  , h = o\n  .if, k = 2",
		want{exports: []string{"f", "g", "h", "k"}}},
	{"export functions and classes", LoaderJS, "export function f() {}\nexport async function g() {}\nexport function* h() {}\nexport class C {}",
		want{exports: []string{"f", "g", "h", "C"}}},
	{"export default anonymous function", LoaderJS, `export default function () {}`,
		want{exports: []string{"default"}}},
	{"export default class", LoaderJS, `export default class Foo {}`,
		want{exports: []string{"default"}}},
	{"export default expression", LoaderJS, `export default 42`,
		want{exports: []string{"default"}}},
	{"export as default", LoaderJS, "const x = 1\nexport { x as default }",
		want{exports: []string{"default"}}},
	{"export local list", LoaderJS, "const a = 1, b = 2\nexport { a, b as c }",
		want{exports: []string{"a", "c"}}},
	{"export string name", LoaderJS, "const a = 1\nexport { a as \"string name\" }",
		want{exports: []string{"string name"}}},
	{"export duplicates", LoaderJS, "export const a = 1\nexport { a as b, a as c }\nexport { a as d }",
		want{exports: []string{"a", "b", "c", "d"}}},
	{"nested export keyword is not an export", LoaderJS, "const o = { export: 1 }\nfunction f() { return o.export }",
		want{}},

	// TypeScript.
	{"ts import type", LoaderTS, "import type {T} from './t'\nlet x: T",
		want{}},
	{"ts inline type specifier", LoaderTS, "import {type T, v} from './v'\nlet x: T = v",
		want{imports: []imp{static("./v", "v")}}},
	{"ts export type from", LoaderTS, `export type {T} from './t'`,
		want{}},
	{"ts import used only as type", LoaderTS, "import {T} from './t'\nexport let x: T",
		want{exports: []string{"x"}}},
	{"ts unused import elided", LoaderTS, `import {v} from './v'`,
		want{}},
	{"ts side effect import kept", LoaderTS, `import './polyfill'`,
		want{imports: []imp{static("./polyfill")}}},
	{"ts type import expression is not an edge", LoaderTS, "let y: typeof import('./zz') = 1\nexport type Z = import('./zz').Z",
		want{}},
	{"ts enum and namespace", LoaderTS, "export enum E { A, B }\nexport namespace N { export const q = 1 }\nexport type T = 1\nexport interface I {}",
		want{exports: []string{"E", "N"}}},
	{"ts generics and hot", LoaderTS, "import {ref} from './ref'\nexport function id<T extends object>(x: T): T { return ref<T>(x) }\nif (import.meta.hot) {\n  import.meta.hot.accept((m: unknown) => {})\n}",
		want{imports: []imp{static("./ref", "ref")}, exports: []string{"id"}, hot: hot{Used: true, Self: true}}},
	{"ts export import alias", LoaderTS, "import * as M from './m'\nexport import X = M.X",
		want{imports: []imp{static("./m", "*")}, exports: []string{"X"}}},

	// JSX and TSX.
	{"tsx apostrophe in text", LoaderTSX, "import React from 'react'\nimport Foo from './Foo'\nexport const App = () => <div>don't <Foo /></div>\nimport('./after')",
		want{imports: []imp{static("react", "default"), static("./Foo", "default"), dynamic("./after")}, exports: []string{"App"}}},
	{"jsx attribute with slashes", LoaderJSX, "import Link from './Link'\nexport default () => <Link href=\"http://x//y\" title='it\"s'>/* not a comment */</Link>\nimport('./b')",
		want{imports: []imp{static("./Link", "default"), dynamic("./b")}, exports: []string{"default"}}},
	{"jsx comment child with import text", LoaderJSX, "export default () => <div>{/* import x from 'y' */}import('z')</div>",
		want{exports: []string{"default"}}},
	{"jsx automatic runtime pragma", LoaderJSX, "/* @jsxRuntime automatic */\nexport default () => <div />",
		want{imports: []imp{static("react/jsx-runtime", "jsx")}, exports: []string{"default"}}},

	// Lexing traps.
	{"string containing import", LoaderJS, `const s = "import x from 'y'"; const t = 'import("z")'`,
		want{}},
	{"comments containing imports", LoaderJS, "// import a from 'b'\n/* import('c')\nexport const d = 1 */\nconst e = 1",
		want{}},
	{"regex with comment opener and quotes", LoaderJS, "const r = /'\"\\/*/g\nimport('./a')",
		want{imports: []imp{dynamic("./a")}}},
	{"regex class with slash", LoaderJS, "const r = /[/]import('x')/\nimport('./real')",
		want{imports: []imp{dynamic("./real")}}},
	{"division chain", LoaderJS, "const q = a / b / c\nimport('./after')",
		want{imports: []imp{dynamic("./after")}}},
	{"division then regex", LoaderJS, "x = y / 2; /re/.test(s); import('./z')",
		want{imports: []imp{dynamic("./z")}}},
	{"regex after block", LoaderJS, "if (a) { b() }\n/import('no')/.test(s)\nimport('./yes')",
		want{imports: []imp{dynamic("./yes")}}},
	{"division after object literal", LoaderJS, "let z = { a: 4 }.a / 2\nimport('./q')\nlet w = z / 2",
		want{imports: []imp{dynamic("./q")}}},
	{"postfix increment then division", LoaderJS, "let i = 0\nlet j = i++ / 2\nimport('./p')",
		want{imports: []imp{dynamic("./p")}}},
	{"regex after keyword", LoaderJS, "function f(s) { return /import('no')/.test(s) }\nimport('./yes')",
		want{imports: []imp{dynamic("./yes")}}},
	{"template with braces", LoaderJS, "const s = `${ {a: `}`}.a } import('no') ${ `${ '}' }` }`\nimport('./yes')",
		want{imports: []imp{dynamic("./yes")}}},
	{"hashbang", LoaderJS, "#!/usr/bin/env node\nimport a from './a'\na()",
		want{imports: []imp{static("./a", "default")}}},
	{"private names", LoaderJS, "class A { #x = 1; #m() { return this.#x / 2 } static { import('./s') } }",
		want{imports: []imp{dynamic("./s")}}},
	{"unicode identifiers", LoaderJS, "const café = 1, $ü_ = café / 2\nimport('./ü')",
		want{imports: []imp{dynamic("./ü")}}},
	{"empty file", LoaderJS, ``,
		want{}},

	// import.meta.hot.
	{"hot used", LoaderJS, `if (import.meta.hot) {}`,
		want{hot: hot{Used: true}}},
	{"hot accept no args", LoaderJS, `import.meta.hot.accept()`,
		want{hot: hot{Used: true, Self: true}}},
	{"hot optional accept", LoaderJS, `import.meta.hot?.accept()`,
		want{hot: hot{Used: true, Self: true}}},
	{"hot accept arrow", LoaderJS, `import.meta.hot.accept((mod) => { if (mod) render(mod) })`,
		want{hot: hot{Used: true, Self: true}}},
	{"hot accept identifier", LoaderJS, `import.meta.hot.accept(onUpdate)`,
		want{hot: hot{Used: true, Self: true}}},
	{"hot accept dep", LoaderJS, `import.meta.hot.accept('./dep', (m) => {})`,
		want{hot: hot{Used: true, Deps: []string{"./dep"}}}},
	{"hot accept dep template", LoaderJS, "import.meta.hot.accept(`./dep`)",
		want{hot: hot{Used: true, Deps: []string{"./dep"}}}},
	{"hot accept array", LoaderJS, `import.meta.hot.accept(['./a', './b'], ([a, b]) => {})`,
		want{hot: hot{Used: true, Deps: []string{"./a", "./b"}}}},
	{"hot accept template substitution", LoaderJS, "import.meta.hot.accept(`./x${y}`)",
		want{hot: hot{Used: true}, diags: []string{acceptMsg}}},
	{"hot accept identifier in array", LoaderJS, `import.meta.hot.accept([dep, f(1, 2), './ok'], () => {})`,
		want{hot: hot{Used: true, Deps: []string{"./ok"}}, diags: []string{acceptMsg, acceptMsg}}},
	{"hot accept exports one", LoaderJS, `export const a = 1; import.meta.hot.acceptExports('a')`,
		want{exports: []string{"a"}, hot: hot{Used: true, Partial: true, Exports: []string{"a"}}}},
	{"hot accept exports array", LoaderJS, `import.meta.hot.acceptExports(['a', 'default'], (m) => {})`,
		want{hot: hot{Used: true, Partial: true, Exports: []string{"a", "default"}}}},
	{"hot accept exports empty", LoaderJS, `import.meta.hot.acceptExports([])`,
		want{hot: hot{Used: true, Partial: true}}},
	{"hot accept exports non-literal", LoaderJS, `import.meta.hot.acceptExports(names)`,
		want{hot: hot{Used: true, Partial: true}, diags: []string{"import.meta.hot.acceptExports() can only accept string literals or an Array of string literals"}}},
	{"hot decline", LoaderJS, `import.meta.hot.decline()`,
		want{hot: hot{Used: true, Declined: true}}},
	{"hot decline dep", LoaderJS, `import.meta.hot.decline('./d')`,
		want{hot: hot{Used: true, DeclinedDeps: []string{"./d"}}}},
	{"hot decline deps", LoaderJS, `import.meta.hot?.decline(['./d', "./e"])`,
		want{hot: hot{Used: true, DeclinedDeps: []string{"./d", "./e"}}}},
	{"hot dispose", LoaderJS, `import.meta.hot.dispose((data) => { data.x = 1 })`,
		want{hot: hot{Used: true, API: true}}},
	{"hot on", LoaderJS, `import.meta.hot.on('vite:beforeUpdate', () => {})`,
		want{hot: hot{Used: true, API: true}}},
	{"hot data and invalidate", LoaderJS, "import.meta.hot.data.count = (import.meta.hot.data.count || 0) + 1\nimport.meta.hot.invalidate('why')",
		want{hot: hot{Used: true, API: true}}},
	{"hot prune off send", LoaderJS, "import.meta.hot.prune(() => {}); import.meta.hot.off('e', f); import.meta.hot.send('e', {})",
		want{hot: hot{Used: true, API: true}}},
	{"hot alias not followed", LoaderJS, "const hot = import.meta.hot\nhot.accept()",
		want{hot: hot{Used: true}}},
	{"hot accept without call", LoaderJS, "const acc = import.meta.hot.accept",
		want{hot: hot{Used: true}}},
	{"hot accept and dep accept", LoaderJS, "import.meta.hot.accept()\nimport.meta.hot.accept('./dep', () => {})",
		want{hot: hot{Used: true, Self: true, Deps: []string{"./dep"}}}},
	{"webpackHot self-accept", LoaderJS, `import.meta.webpackHot.accept()`,
		want{hot: hot{Used: true, Self: true, Webpack: true}}},
	{"webpackHot self-accept with error handler", LoaderJS, `import.meta.webpackHot.accept((err, { moduleId }) => {})`,
		want{hot: hot{Used: true, Self: true, Webpack: true}}},
	{"webpackHot dep accept with callback and error handler", LoaderJS, `if (import.meta.webpackHot) import.meta.webpackHot.accept(['./a', './b'], () => {}, (err) => {})`,
		want{hot: hot{Used: true, Deps: []string{"./a", "./b"}, Webpack: true}}},
	{"webpackHot decline", LoaderJS, `import.meta.webpackHot.decline()`,
		want{hot: hot{Used: true, Declined: true, Webpack: true}}},
	{"webpackHot decline dep", LoaderJS, `import.meta.webpackHot?.decline('./b')`,
		want{hot: hot{Used: true, DeclinedDeps: []string{"./b"}, Webpack: true}}},
	{"webpackHot management API", LoaderJS, "import.meta.webpackHot.addStatusHandler(s => {}); import.meta.webpackHot.check(true)",
		want{hot: hot{Used: true, API: true, Webpack: true}}},
	{"webpackHot and hot side by side", LoaderJS, "import.meta.hot.accept('./a', () => {}); import.meta.webpackHot.accept('./b')",
		want{hot: hot{Used: true, Deps: []string{"./a", "./b"}, Webpack: true}}},
	{"hot in string is not hot", LoaderJS, `const s = "import.meta.hot.accept()"`,
		want{}},
	{"hot accept in tsx component", LoaderTSX, "import {useState} from 'react'\nexport function App(): JSX.Element { const [n] = useState<number>(0); return <p>{n}</p> }\nimport.meta.hot?.accept()",
		want{imports: []imp{static("react", "useState")}, exports: []string{"App"}, hot: hot{Used: true, Self: true}}},
}

func TestScan(t *testing.T) {
	if len(scanCases) < 60 {
		t.Fatalf("only %d cases", len(scanCases))
	}
	for _, c := range scanCases {
		t.Run(c.name, func(t *testing.T) {
			expectScan(t, c.loader, c.src, c.want)
		})
	}
}

func TestLoaderFor(t *testing.T) {
	for name, want := range map[string]Loader{
		"a.ts": LoaderTS, "a.mts": LoaderTS, "a.cts": LoaderTS, "dir.x/a.tsx": LoaderTSX,
		"a.jsx": LoaderJSX, "a.js": LoaderJS, "a.mjs": LoaderJS, "a.cjs": LoaderJS, `C:\src\A.TS`: LoaderTS,
	} {
		if got, ok := LoaderFor(name); !ok || got != want {
			t.Errorf("LoaderFor(%q) = %v, %v; want %v, true", name, got, ok, want)
		}
	}
	for _, name := range []string{"a.css", "a.d", "Makefile", "a.ts.map", ""} {
		if _, ok := LoaderFor(name); ok {
			t.Errorf("LoaderFor(%q) ok, want not a script", name)
		}
	}
}

// expectSyntaxError scans src and checks the reported position and frame.
func expectSyntaxError(t *testing.T, loader Loader, src string, line, col int, frame string) {
	t.Helper()
	_, err := Scan([]byte(src), Options{Loader: loader, Filename: "src/x.js"})
	var se *SyntaxError
	if !errors.As(err, &se) {
		t.Fatalf("Scan(%q) error = %v, want *SyntaxError", src, err)
	}
	if se.Line != line || se.Column != col {
		t.Errorf("position %d:%d, want %d:%d (%v)", se.Line, se.Column, line, col, se)
	}
	if frame != "" && se.Frame != frame {
		t.Errorf("frame:\n%s\nwant:\n%s", se.Frame, frame)
	}
	if want := fmt.Sprintf("src/x.js:%d:%d: %s", line, col, se.Message); se.Error() != want {
		t.Errorf("Error() = %q, want %q", se.Error(), want)
	}
}

func TestSyntaxErrors(t *testing.T) {
	t.Run("missing expression", func(t *testing.T) {
		expectSyntaxError(t, LoaderJS, "const x = ;", 1, 11, "  1 | const x = ;\n    |           ^")
	})
	t.Run("third line", func(t *testing.T) {
		expectSyntaxError(t, LoaderTS, "let a = 1\nlet b = 2\n\tconst x = ;", 3, 12, "  3 | \tconst x = ;\n    | \t          ^")
	})
	t.Run("unterminated string", func(t *testing.T) {
		// esbuild reports it where the line ends.
		expectSyntaxError(t, LoaderJS, "import a from './a'\nconst s = 'abc\n", 2, 15, "")
	})
	t.Run("jsx in js", func(t *testing.T) {
		expectSyntaxError(t, LoaderJS, "const a = <div/>", 1, 11, "")
	})
	t.Run("binary garbage", func(t *testing.T) {
		expectSyntaxError(t, LoaderJS, "\x00\xff\xfe\x01garbage", 1, 1, "")
	})
	t.Run("utf8 before error", func(t *testing.T) {
		// Column counts bytes: "é" is two.
		expectSyntaxError(t, LoaderJS, "const é = ;", 1, 12, "  1 | const é = ;\n    |           ^")
	})
	t.Run("huge single line", func(t *testing.T) {
		line := strings.Repeat("a = a + 1;", 100_000) + "const x = ;"
		_, err := Scan([]byte(line), Options{Loader: LoaderJS})
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Fatalf("error = %v", err)
		}
		if se.Line != 1 || se.Column != len(line) {
			t.Errorf("position %d:%d, want 1:%d", se.Line, se.Column, len(line))
		}
		if len(se.Frame) > 3*frameWidth || !strings.HasSuffix(se.Frame, "^") {
			t.Errorf("frame of %d bytes:\n%s", len(se.Frame), se.Frame)
		}
		if strings.HasPrefix(se.Error(), ":") {
			t.Errorf("Error() without file = %q", se.Error())
		}
	})
}

func TestHugeSingleLine(t *testing.T) {
	src := "import a from './a';" + strings.Repeat("a.b = a.c / 2 + `x${a}` + /re/g.source;", 50_000) + "import('./end')"
	r, err := Scan([]byte(src), Options{Loader: LoaderJS})
	if err != nil {
		t.Fatal(err)
	}
	checkRanges(t, r)
	if got := summarize(r).imports; !reflect.DeepEqual(got, []imp{static("./a", "default"), dynamic("./end")}) {
		t.Errorf("imports %v", got)
	}
}

// TestDiagnosticPositions checks that diagnostics point into the original
// source although esbuild reformats it.
func TestDiagnosticPositions(t *testing.T) {
	src := "// header\nconst   a =    1\n\n  if (a) {  const m = import(  name + 'x' )  }\nimport.meta.hot.accept( [ './ok', dep ] , () => {})\n" +
		"const é = 'ü'; import.meta.hot.accept(`./${é}`)\n"
	r, err := Scan([]byte(src), Options{Loader: LoaderJS, Filename: "a.js"})
	if err != nil {
		t.Fatal(err)
	}
	type pos struct{ line, col int }
	var got []pos
	for _, d := range r.Diagnostics {
		got = append(got, pos{d.Line, d.Column})
		if d.Severity != SeverityWarning {
			t.Errorf("severity %v", d.Severity)
		}
	}
	want := []pos{
		{4, strings.Index("  if (a) {  const m = import(  name + 'x' )  }", "name") + 1},
		{5, strings.Index("import.meta.hot.accept( [ './ok', dep ] , () => {})", "dep") + 1},
		{6, strings.Index("const é = 'ü'; import.meta.hot.accept(`./${é}`)", "`") + 1},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("positions %v, want %v\n%v", got, want, r.Diagnostics)
	}
	line4 := "  if (a) {  const m = import(  name + 'x' )  }"
	if f, want := r.Diagnostics[0].Frame, "  4 | "+line4+"\n    | "+strings.Repeat(" ", strings.Index(line4, "name"))+"^"; f != want {
		t.Errorf("frame:\n%s\nwant:\n%s", f, want)
	}
}

func TestTSXComponent(t *testing.T) {
	r, err := Scan(tsxComponent(3), Options{Loader: LoaderTSX})
	if err != nil {
		t.Fatal(err)
	}
	checkRanges(t, r)
	w := summarize(r)
	wantImports := []imp{
		static("react", "default", "useState", "useEffect"),
		static("./api", "fetchItems"),
		static("./Row", "default"),
		static("./styles.module.css", "default"),
		dynamic("./Chart"),
	}
	if !reflect.DeepEqual(w.imports, wantImports) {
		t.Errorf("imports %v\nwant %v", w.imports, wantImports)
	}
	if !w.hot.Self || !reflect.DeepEqual(w.hot.Deps, []string{"./api"}) {
		t.Errorf("hot %+v", w.hot)
	}
	if len(w.exports) == 0 || w.exports[0] != "List0" {
		t.Errorf("exports %v", w.exports)
	}
}
