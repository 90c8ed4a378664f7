package jsscan

import (
	"math/rand"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"unicode/utf8"

	"github.com/evanw/esbuild/pkg/api"
)

// esbuildAccepts reports whether Scan's esbuild transform accepts src with
// no error, and the first error otherwise.
func esbuildAccepts(src []byte) (bool, string) {
	tr := api.Transform(string(src), transformOptions(Options{Loader: LoaderJS}, false))
	if len(tr.Errors) > 0 {
		return false, tr.Errors[0].Text
	}
	return true, ""
}

// syntaxFailAt is syntaxOK that also returns the offset of the last
// failure, for messages.
func syntaxFailAt(src []byte) (bool, int) {
	if !utf8.Valid(src) {
		return false, 0
	}
	p := parserPool.Get().(*parser)
	ok := p.run(src)
	at := p.failAt
	p.reset()
	parserPool.Put(p)
	return ok, at
}

// checkValid are snippets syntaxOK must accept (and esbuild too).
var checkValid = []string{
	``,
	`;`,
	"#!/usr/bin/env node\nlet a = 1",
	`let a = 1, b = 2; const c = a + b`,
	`var a; var a`,
	`import x from "m"`,
	`import x, * as ns from "m"; ns.y(x)`,
	`import x, { a, b as c, default as d, "s t" as e } from 'm'`,
	`import {} from "m"`,
	`import "m"`,
	`import j from "./x.json" with { type: "json" }`,
	`export * from "m"`,
	`export * as ns from "m"`,
	`export * as "a b" from "m"`,
	`export { a as "b c", a as d }; let a`,
	`export { default, x as y } from "m"`,
	`export { default as z, "q r" as w } from "m"`,
	`import { a } from "m"; export { a }`,
	`export default function () {}`,
	`export default function f() {} f()`,
	`export default class {}`,
	`export default async function () { await 1 }`,
	`export default async () => 1`,
	`export default 1 + 2`,
	`export const a = 1, { b, c: [d] } = e, [f = 2, ...g] = h`,
	`export function f() {} export async function g() {} export function* h() {} export class C {}`,
	`await import("m")`,
	`const m = await import("./m.js", { with: { type: "json" } })`,
	`import.meta.hot.accept(() => {}); if (import.meta.hot) import.meta.hot.dispose(d => d)`,
	`for await (const x of y) {}`,
	`async function f() { for await (const x of y) {} await x; return await y }`,
	`function* g() { yield; yield 1; yield* g(); const x = yield /re/g }`,
	`async function* ag() { yield await 1; for await (x of y) yield x }`,
	`const f = async x => x, g = async (a, b) => a + b, h = async () => { await 0 }`,
	`const f = (a, b = 1, { c, d: [e] } = {}, ...rest) => a`,
	`const f = ({ a = 1, b: { c } }) => a + c`,
	`const f = () => ({ a: 1 })`,
	`const f = a => b => c => a + b + c`,
	"x = () => {}\nfoo()",
	`let a = b ? c => c : d => d`,
	`[a, b] = [b, a]`,
	`({ a, b: c.d, e = 1, ...f } = g)`,
	`[a.b, c[0], ...d.e] = f`,
	`for ([a, b] of c) {}`,
	`for ({ a } of c) {}`,
	`for (x of y) ; for (x.y in z) ;`,
	`for (const [k, v] of Object.entries(o)) {}`,
	`for (let i = 0, n = a.length; i < n; i++) { if (i) continue; else break }`,
	`for (;;) { break }`,
	`for (var k in o) if (k in p) delete o[k]`,
	`for (let x in ("a" in b ? c : d)) {}`,
	`outer: for (;;) { inner: for (;;) { continue outer; break inner } }`,
	`a: { break a }`,
	`switch (x) { case 1: let y = 1; break; case 2: { let y } default: }`,
	`try { a() } catch { b() } finally { c() }`,
	`try {} catch (e) { let f = e } try {} catch ({ message }) {}`,
	`do x++; while (x < 10) y()`,
	`while (a) if (b) c(); else d()`,
	`if (a) {} else if (b) {} else {}`,
	`label: while (1) { continue label }`,
	`throw new Error("x")`,
	`debugger`,
	`a = b ? c : d ? e : f`,
	`a ?? b; (a || b) ?? c; a ?? (b && c); a || b && c`,
	`a ??= b; a ||= c; a &&= d; a **= 2; a >>>= 1; a /= 2`,
	`(-a) ** b; a ** -b; a ** b ** c; a++ ** 2`,
	`x = a / b / c; y = a /= 2; z = /=/g.test(s)`,
	`if (x) /re/.test(y)`,
	"a = b\n/c/g",
	"x = `a${b}c${`d${e}`}f`; y = tag`x${1}`; z = String.raw`\\n`",
	"x = `\n\\u{10FFFF}\\x41\\0`",
	`s = "\u00e9\x41\u{1F600}\0\'\"\\\n"`,
	`n = [0, 1.5, .5, 1., 1e10, 1E-5, 0x1F, 0o17, 0b101, 1_000_000, 0.000_1, 10n, 0x1fn, 0n, 1..toString()]`,
	`r = [/a/, /[/]/, /\//, /a/dgimsuy, /a/v]`,
	`o = { a, b: 1, "c": 2, 3: 4, [d]: 5, e() {}, get f() { return 1 }, set f(v) {}, async g() {}, *h() {}, async *i() {}, ...j, get: 1, set: 2, async: 3, static: 4, new: 5 }`,
	`o = { __proto__: null, a: 1 }`,
	`o = { get() {}, set() {}, async() {}, get }`,
	`class A extends B { constructor(a) { super(a); this.x = new.target } static s = 1; #p = 2; static #q; get #r() { return this.#p } set #r(v) {} #m() { return #p in this } static { this.y = 1 } m() { return super.m() } static async *gen() {} 'quoted'() {} [k]() {} 42() {} get g() { return 1 } set g(v) {} }`,
	`class A { static() {} get() {} set() {} async() {} static static() {} constructor() {} }`,
	"class A { x\n y = 1\n ['z'] = 2; static = 3; get = 4 }",
	`const C = class Named { m() { return Named } }`,
	`class A { #x; static m(o) { return o.#x ?? o?.#x } }`,
	`class A { #a; m() { class B { n(o) { return o.#a } } } }`,
	"new A; new A(); new A.b.c(); new (a?.b)(); new new A()(); new A`x`",
	`a?.b; a?.[b]; a?.(b); a?.b.c(); a?.b?.c`,
	`f(...a, ...b); [...a, , b, ,]`,
	`void 0; typeof x; delete a.b; delete a[b]; !a; ~a; -a; +a`,
	`++a; --a.b; a++; a.b--`,
	"a\n++b",
	"let x\nx = 1",
	`var yieldish, awaited, asyncFn, letter, statics, of2, lets`,
	`function f(a, b) { "use strict"; return arguments.length }`,
	"function f() { return\n1 }",
	`(function () {})(); (() => {})(); !function () {}()`,
	`a = function* () {}; b = async function () {}; c = async function* named() {}`,
	`x = { async *[Symbol.asyncIterator]() {} }`,
	`let { a: { b: [c = 1] } = {} } = d`,
	`const [, , x] = y`,
	`if (a) b; else c`,
	`x = y => y, z`,
	`x = (y)`,
	`x = (a, b)`,
	`x = a in b; x = a instanceof b`,
	`"use strict"; x = 1`,
	`function f() { "use strict" }`,
	`/* comment */ x // line\n/** doc */`,
	"x = a\n(b)",
	`x = { if: 1, class: 2, function: 3 }.if`,
	`a.if.class.function = 1`,
	`let get = 1, set = 2, from = 3, as = 4, target = 5, meta = 6, constructor = 7`,
	`x = () => {};`,
	`x = [() => {}, () => {}]`,
	`f(() => {})`,
	`(async () => { await x })()`,
	"export const f = () => {}\nexport default f",
	`function f() { return new.target }`,
	`function f() { return () => new.target }`,
	`class A { x = super.y; y = new.target; z = () => this }`,
	`class A extends B { constructor() { super(); (() => super.m())() } }`,
	"a = b\n? c\n: d",
	`export { x as default }; var x`,
	`export let a; export { a as b }`,
	`{ function f() {} } { function f() {} }`,
	`x = class { static { var a; let b } }`,
	"x = `a\r\nb`",
	`a = b; /* multi\nline */ c = d`,
	`if (a) { } /foo/.test(b)`,
	`x = y / 2 / z`,
	`x = (a) / 2`,
	`x = a[0] / 2`,
	`x = this / 2`,
	`x = 1 / 2`,
	`x = "a" / 2`,
	`x = a++ / 2`,
	`x = {} / 2`,
	`async function f() { await /re/ }`,
	`function f() { return /re/ }`,
	`function f() { typeof /re/ }`,
	`x = a ? /b/ : /c/`,
	`x = [/a/, /b/]; y = (/c/); f(/d/, /e/)`,
	`x = !/a/.test(b)`,
	"x = a => {}\n(1)",
	// esbuild only warns about these.
	`const x = 1; x = 2`,
	`import x from "m"; x = 2; x++`,
	`class A { m() { A = 1 } }`,
}

// checkInvalid are snippets syntaxOK must refuse. Each is also asserted to
// be an esbuild error, unless marked "(conservative)": then it is something
// esbuild accepts that the recogniser refuses on purpose.
var checkInvalid = []string{
	// A default import binding ends the clause unless a comma follows
	// (found by FuzzSyntaxOK).
	`import A0{}from''`,
	`import a * as b from "m"`,
	`import a { b } from "m"`,
	`let a; let a`,
	`let a; var a`,
	`var a; let a`,
	`const a = 1; function a() {}`,
	`{ var a } let a`,
	`let a; { var a }`,
	`class A {} class A {}`,
	`import a from "m"; let a`,
	`import a from "m"; import a from "n"`,
	`import { a, a } from "m"`,
	`function f(a, a) {}`,
	`(a, a) => 1`,
	`function f(a) { let a }`,
	`try {} catch (e) { let e }`,
	`function f() {} function f() {}`,
	`{ function f() {} function f() {} }`,
	`export { x }`,
	`export { Math }`,
	`export { x as y }; { let x }`,
	`let x; export { x as y, x as y }`,
	`export default 1; export default 2`,
	`export default 1; export { a as default }; let a`,
	`export * as a from "x"; export * as a from "y"`,
	`export let a; export { a }`,
	`return 1`,
	`break`,
	`continue`,
	`for (;;) { function f() { break } }`,
	`a: a: ;`,
	`a: { continue a }`,
	`a: b: while (1) { continue a }`,
	`break b`,
	`switch (x) { case 1: continue }`,
	`'a' = b`,
	`a + b = c`,
	`(a, b) = c`,
	`++f()`,
	`f()++`,
	`a() = 1`,
	`1 = 1`,
	`this = 1`,
	`[a + b] = c`,
	`({ a: 1 } = b)`,
	`({ a = 1 })`,
	`x = { a = 1 }`,
	`[...a,] = b`,
	`let [...a,] = b`,
	`let [...a = 1] = b`,
	`delete x`,
	`delete (x)`,
	`class A { #x; m() { delete this.#x } }`,
	`with (a) {}`,
	`08`,
	`0123`,
	`"\08"`,
	`"\1"`,
	`"\8"`,
	"`\\08`",
	"`\\1`",
	`let implements`,
	`let interface`,
	`var package`,
	`let private`,
	`let protected`,
	`let public`,
	`let static`,
	`let yield`,
	`let await`,
	`let let = 1`,
	`let eval`,
	`let arguments`,
	`eval = 1`,
	`arguments = 1`,
	`function f(eval) {}`,
	`[eval] = a`,
	`eval++`,
	`function f() { await x }`,
	`() => await x`,
	`class A { static { await 1 } }`,
	`async function f(a = await 1) {}`,
	`async (a = await 1) => a`,
	`function f() { yield 1 }`,
	`function* g() { function h() { yield 1 } }`,
	`function* g(a = yield) {}`,
	`yield = 1`,
	`new.target`,
	`() => new.target`,
	`super.x`,
	`function f() { super.x }`,
	`({ m() { super() } })`,
	`class A { constructor() { super() } }`,
	`class A extends B { m() { super() } }`,
	`x = { __proto__: 1, __proto__: 2 }`,
	`x = { __proto__: 1, "__proto__": 2 }`,
	`x = { get a(b) {} }`,
	`x = { set a() {} }`,
	`x = { set a(b, c) {} }`,
	`class A { get a(b) {} }`,
	`class A { set a() {} }`,
	`function f(a = 1) { "use strict" }`,
	`(a = 1) => { "use strict" }`,
	`({ m(a = 1) { "use strict" } })`,
	`class A { constructor() {} constructor() {} }`,
	`class A { get constructor() {} }`,
	`class A { async constructor() {} }`,
	`class A { *constructor() {} }`,
	`class A { constructor = 1 }`,
	`class A { static prototype() {} }`,
	`class A { static prototype = 1 }`,
	`class A { #constructor() {} }`,
	`class A { m() { this.#x } }`,
	`this.#x`,
	`class A { #x; #x }`,
	`class A { #x() {} get #x() {} }`,
	`class A { get #x() {} static set #x(v) {} }`,
	`class A { #x; m() { #x } }`,
	`class A { #x; m() { 1 + #x in y } }`,
	`class A { #x; m() { a < #x in y } }`,
	`import.meta = 1`,
	`import.foo`,
	`new import("x")`,
	"a?.b``",
	"a?.b.c``",
	`new a?.b()`,
	`a?.b = 1`,
	`a?.b++`,
	`for await (x in y) {}`,
	`for await (;;) {}`,
	`function f() { for await (x of y) {} }`,
	`for (let x = 1 of y) {}`,
	`for (const x = 1 in y) {}`,
	`for (let x, y of z) {}`,
	`for (a + b of c) {}`,
	`for (f() in c) {}`,
	`for (const x;;) {}`,
	`const a`,
	`return\n`,
	`throw\nnew Error()`,
	`x\n=> 1`,
	`(a)\n=> 1`,
	`async x\n=> 1`,
	`if (a) let x = 1`,
	`if (a) const x = 1`,
	`if (a) function f() {}`,
	`if (a) class A {}`,
	`while (a) let x`,
	`a: function f() {}`,
	`/a/gg`,
	`/a/x`,
	`/[/`,
	`/a`,
	"/a\n/",
	`1e`,
	`1e+`,
	`0x`,
	`0b2`,
	`0o8`,
	`1_`,
	`1__0`,
	`0_1`,
	`1._5`,
	`1.5n`,
	`1e3n`,
	`3in x`,
	`1a`,
	`"\u{110000}"`,
	`"\u{}"`,
	`"\x4"`,
	`"\u12"`,
	`"abc`,
	"'a\nb'",
	"`abc",
	"`${a`",
	"`${a}",
	`x <!-- y`,
	"x\n--> y",
	`-a ** b`,
	`typeof a ** b`,
	`await a ** b`,
	`a ?? b || c`,
	`a || b ?? c`,
	`a ?? b && c`,
	`a && b ?? c`,
	`x = <div />`,
	`/* unterminated`,
	`a b`,
	`a = 1 b = 2`,
	`if (a) else b`,
	`x = (a, b) => { } ()`,
	`x = a => {} + 1`,
	`() => {}.x`,
	`let x = 1 let y = 2`,
	`function () {}`,
	`class {}`,
	`import x from "m"; export { y }`,
	`{ import x from "m" }`,
	`function f() { export let x }`,
	`import { default } from "m"`,
	`import { if } from "m"`,
	`import { "a" } from "m"`,
	`export { "a" }`,
	`export { if }`,
	`x = { a b }`,
	`x = [a b]`,
	`f(a b)`,
	`a.#x`,
	`x = { #a: 1 }`,
	`class A { x = arguments }`,
	`class A { static { arguments } }`,
	`class A { static { return } }`,
	`switch (x) { default: default: }`,
	`try {}`,
	`a ? b`,
	`a ?`,
	`...a`,
	`x = ...a`,
	`f(a,,b)`,
	`x = (,)`,
	`x = ()`,
	`async function f() { await => 1 }`,
	`set: while (1) { a: b: while (1) continue a }`,
}

// checkConservative are valid for esbuild but deliberately refused.
var checkConservative = []string{
	`class A { x = await 1 }`,
	`for (let [a];;) {}`,
	`let [a]`,
	`var { a }`,
	`@dec class A {}`,
	`let async = 1`,
	`var of = 1`,
	`(a) = 1`,
	`[(a)] = 1`,
	`var \u0061 = 1`,
	`var é = 1`,
	"a\u2028b",
	`class A { accessor x = 1 }`,
	`import j from "./x" with { type: "json", other: "x" }`,
	`a-->b`,
	`function g(f) { function f() {} }`,
	`var f; function f() {}`,
	`try {} catch (e) { var e }`,
	`/a/uv`,
	`x = { 1n: 2 }`,
}

func TestSyntaxOKTable(t *testing.T) {
	for _, s := range checkValid {
		if ok, msg := esbuildAccepts([]byte(s)); !ok {
			t.Errorf("table entry %q is not valid for esbuild: %s", s, msg)
		}
		if ok, at := syntaxFailAt([]byte(s)); !ok {
			t.Errorf("syntaxOK(%q) = false at %d, want true", s, at)
		}
	}
	for _, s := range checkInvalid {
		if ok, _ := esbuildAccepts([]byte(s)); ok {
			// Invalid in a module but accepted by esbuild in a script:
			// retry as a module.
			if ok, _ := esbuildAccepts([]byte("export {};" + s)); ok {
				t.Errorf("table entry %q is accepted by esbuild", s)
			}
		}
		if syntaxOK([]byte(s)) {
			t.Errorf("syntaxOK(%q) = true, want false", s)
		}
	}
	for _, s := range checkConservative {
		if ok, msg := esbuildAccepts([]byte(s)); !ok {
			t.Errorf("conservative entry %q is not valid for esbuild: %s", s, msg)
		}
		if syntaxOK([]byte(s)) {
			t.Errorf("syntaxOK(%q) = true, want false (conservative)", s)
		}
	}
}

func readCorpus(t testing.TB) map[string][]byte {
	t.Helper()
	files, err := filepath.Glob("testdata/check/valid/*.js")
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus: %v", err)
	}
	out := make(map[string][]byte, len(files))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out[f] = b
	}
	return out
}

func TestSyntaxOKCorpus(t *testing.T) {
	for name, src := range readCorpus(t) {
		if ok, msg := esbuildAccepts(src); !ok {
			t.Errorf("%s: esbuild: %s", name, msg)
		}
		if ok, at := syntaxFailAt(src); !ok {
			t.Errorf("%s: syntaxOK = false at %q", name, src[max(at-40, 0):at])
		}
	}
}

// mutationBytes are the characters single-byte mutants insert or substitute.
const mutationBytes = "(){}[];,.=+'\"`/*<>!?:\\ \nax0_#$-"

// mutants returns n deterministic single-byte mutations of src: deletions,
// insertions and replacements at random offsets.
func mutants(src []byte, n int, rng *rand.Rand) [][]byte {
	out := make([][]byte, 0, n)
	for range n {
		if len(src) == 0 {
			out = append(out, []byte{mutationBytes[rng.Intn(len(mutationBytes))]})
			continue
		}
		i := rng.Intn(len(src))
		c := mutationBytes[rng.Intn(len(mutationBytes))]
		var m []byte
		switch rng.Intn(3) {
		case 0:
			m = append(append(m, src[:i]...), src[i+1:]...)
		case 1:
			m = append(append(append(m, src[:i]...), c), src[i:]...)
		default:
			m = append(m, src...)
			m[i] = c
		}
		out = append(out, m)
	}
	return out
}

// TestSyntaxOKDifferential checks soundness on mutants of the corpus and
// the table's valid snippets: whenever syntaxOK accepts, esbuild must too.
func TestSyntaxOKDifferential(t *testing.T) {
	rng := rand.New(rand.NewSource(20240601))
	var inputs [][]byte
	corpus := readCorpus(t)
	names := make([]string, 0, len(corpus))
	for name := range corpus {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		inputs = append(inputs, mutants(corpus[name], 200, rng)...)
	}
	for _, s := range checkValid {
		inputs = append(inputs, mutants([]byte(s), 12, rng)...)
	}
	valid, accepted := 0, 0
	for _, m := range inputs {
		ok := syntaxOK(m)
		esOK, msg := esbuildAccepts(m)
		if ok && !esOK {
			t.Errorf("unsound: syntaxOK accepts %q; esbuild: %s", m, msg)
		}
		if esOK {
			valid++
			if ok {
				accepted++
			}
		}
	}
	t.Logf("%d mutants, %d valid for esbuild, %d of those accepted (%.1f%%)",
		len(inputs), valid, accepted, 100*float64(accepted)/float64(max(valid, 1)))
}

// smallModule is a ~400-byte module typical of an edited app file.
const smallModule = `import { render } from './render.js'
import state from './state.js'

const items = state.items.filter((it) => it.visible && !it.deleted)

export function view(root, { title = 'List' } = {}) {
  root.textContent = ''
  const h1 = document.createElement('h1')
  h1.textContent = ` + "`${title} (${items.length})`" + `
  root.append(h1, ...items.map((it, i) => render(it, i)))
}

if (import.meta.hot) import.meta.hot.accept()
`

func BenchmarkSyntaxOK(b *testing.B) {
	corpus := readCorpus(b)
	names := make([]string, 0, len(corpus))
	for name := range corpus {
		names = append(names, name)
	}
	sort.Strings(names)
	files := [][]byte{[]byte(smallModule)}
	small := files
	for _, name := range names {
		files = append(files, corpus[name])
	}
	for _, f := range files {
		if !syntaxOK(f) {
			b.Fatalf("refused: %.60q", f)
		}
	}
	bench := func(name string, srcs [][]byte, check func([]byte)) {
		n := 0
		for _, s := range srcs {
			n += len(s)
		}
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(n))
			b.ReportAllocs()
			for b.Loop() {
				for _, s := range srcs {
					check(s)
				}
			}
		})
	}
	// small is one ~400-byte module; corpus is every file of
	// testdata/check/valid per operation.
	bench("small/syntaxOK", small, func(s []byte) { syntaxOK(s) })
	bench("small/esbuild", small, func(s []byte) { esbuildAccepts(s) })
	bench("corpus/syntaxOK", files[1:], func(s []byte) { syntaxOK(s) })
	bench("corpus/esbuild", files[1:], func(s []byte) { esbuildAccepts(s) })
}

func TestSyntaxOKAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items at random under the race detector")
	}
	src := []byte(smallModule)
	syntaxOK(src)
	if n := testing.AllocsPerRun(100, func() { syntaxOK(src) }); n > 0 {
		t.Errorf("syntaxOK allocates %.1f times per call", n)
	}
}
