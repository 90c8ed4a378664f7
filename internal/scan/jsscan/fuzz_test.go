package jsscan

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// fuzzSeeds are the table sources plus inputs aimed at the lexer's corners.
func fuzzSeeds() [][]byte {
	var seeds [][]byte
	for _, c := range scanCases {
		seeds = append(seeds, []byte(c.src))
	}
	for _, s := range []string{
		"\x00\xff\xfe\x01",
		"`${`${`${",
		"}}}`${}`)]",
		"/[/",
		"/\\",
		"'\\",
		"import.meta.hot.accept([",
		"import.meta.hot.accept([`${x}`, import('y')",
		"import(import(import(",
		"export const {a: [b, {c = `${",
		"export {a as",
		"import {a as} from",
		"#!",
		"\\u{",
		"a\u2028/x/",
		"class A { import(x) {} }",
		"import(`./a/${`${",
		"import('./a/' + (",
		"import(`./${x}`",
		"new URL(`./${a}`, import.meta.url)",
		"new URL(`./${a}}${b}`, import.meta.url)",
		"}`, import.meta.url)",
		"new URL(import.meta.url, import.meta.url)",
		"import.meta.glob([",
		"import.meta.glob(['./a/*.js', ], { query: { a: 1, }, eager: true, })",
		"import.meta.glob('./a/*.js', { query: {",
		"import.meta.glob(`./${import.meta.glob('./x')}`)",
	} {
		seeds = append(seeds, []byte(s))
	}
	return seeds
}

// checkResult asserts the invariants every Result must hold, whatever the
// input: ranges inside Code covering the literal the specifier came from,
// positive diagnostic positions.
func checkResult(t *testing.T, r *Result) {
	t.Helper()
	inCode := func(rg Range, spec string) {
		t.Helper()
		if rg.Start < 0 || rg.Start > rg.End || rg.End > len(r.Code) {
			t.Fatalf("range %v of %q outside code of %d bytes", rg, spec, len(r.Code))
		}
		if v, ok := literalValue(r.Code[rg.Start:rg.End]); !ok || v != spec {
			t.Fatalf("range %v covers %q, not the literal of %q", rg, r.Code[rg.Start:rg.End], spec)
		}
	}
	for _, i := range r.Imports {
		inCode(i.Range, i.Specifier)
		if i.Kind > ImportDynamic {
			t.Fatalf("kind %d", i.Kind)
		}
	}
	for _, u := range r.URLs {
		inCode(u.Range, u.Specifier)
		if u.Kind != ImportURL {
			t.Fatalf("url kind %d", u.Kind)
		}
	}
	for _, g := range r.Globs {
		if g.Range.Start < 0 || g.Range.Start >= g.Range.End || g.Range.End > len(r.Code) {
			t.Fatalf("glob %s: range %v outside code of %d bytes", g, g.Range, len(r.Code))
		}
		if g.Dir() == "" {
			t.Fatalf("glob %s: no directory", g)
		}
		for i, p := range g.Parts {
			if p.Wildcard == GlobNone && i < len(g.Parts)-1 {
				t.Fatalf("glob %s: parts %+v", g, g.Parts)
			}
		}
		g.Regexp() // must compile
	}
	for _, g := range r.MetaGlobs {
		rg := g.Range
		if rg.Start < 0 || rg.Start >= rg.End || rg.End > len(r.Code) ||
			!strings.HasPrefix(string(r.Code[rg.Start:rg.End]), "import") || r.Code[rg.End-1] != ')' || len(g.Patterns) == 0 {
			t.Fatalf("import.meta.glob %+v: range %v does not cover a call in code of %d bytes", g, rg, len(r.Code))
		}
	}
	for _, d := range r.Hot.AcceptedDeps {
		inCode(d.Range, d.Specifier)
	}
	for _, d := range r.Hot.DeclinedDeps {
		inCode(d.Range, d.Specifier)
	}
	for _, d := range r.Diagnostics {
		if d.Line < 1 || d.Column < 1 {
			t.Fatalf("diagnostic at %d:%d", d.Line, d.Column)
		}
	}
	seen := map[string]bool{}
	for _, e := range r.Exports {
		if seen[e] {
			t.Fatalf("duplicate export %q", e)
		}
		seen[e] = true
	}
}

// FuzzScan runs arbitrary bytes through esbuild and the scanner with every
// loader: no panic, a *SyntaxError or a consistent Result, and the same
// answer twice.
func FuzzScan(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		for _, loader := range []Loader{LoaderJS, LoaderJSX, LoaderTS, LoaderTSX} {
			r1, err1 := Scan(src, Options{Loader: loader, Filename: "fuzz"})
			r2, err2 := Scan(src, Options{Loader: loader, Filename: "fuzz"})
			if err1 != nil {
				var se *SyntaxError
				if !errors.As(err1, &se) {
					t.Fatalf("loader %d: error %T %v, want *SyntaxError", loader, err1, err1)
				}
				if !reflect.DeepEqual(err1, err2) {
					t.Fatalf("loader %d: errors differ: %v / %v", loader, err1, err2)
				}
				continue
			}
			if err2 != nil {
				t.Fatalf("loader %d: second scan failed: %v", loader, err2)
			}
			checkResult(t, r1)
			if !reflect.DeepEqual(r1, r2) {
				t.Fatalf("loader %d: results differ:\n%+v\n%+v", loader, r1, r2)
			}
		}
	})
}

// FuzzLex feeds arbitrary bytes straight to the lexer and extractor (esbuild
// would reject most of them): no panic, well-formed tokens, a consistent
// Result, and the same answer twice.
func FuzzLex(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		toks, _ := lex(src, nil, nil)
		prevEnd := int32(0)
		for i, tk := range toks {
			if tk.start < prevEnd || tk.end <= tk.start || int(tk.end) > len(src) {
				t.Fatalf("token %d [%d,%d) after %d in %d bytes", i, tk.start, tk.end, prevEnd, len(src))
			}
			prevEnd = tk.end
			if tk.match > 0 && (int(tk.match) <= i || int(tk.match) >= len(toks) || toks[tk.match].depth != tk.depth) {
				t.Fatalf("token %d matches %d", i, tk.match)
			}
		}
		r1, _ := scanCode(src)
		r2, _ := scanCode(src)
		checkResult(t, r1)
		if !reflect.DeepEqual(r1, r2) {
			t.Fatalf("results differ:\n%+v\n%+v", r1, r2)
		}
		// ScanUnchecked is scanCode plus positioned diagnostics.
		u, err := ScanUnchecked(src, Options{Loader: LoaderJS, Filename: "fuzz"})
		if err != nil {
			t.Fatalf("ScanUnchecked: %v", err)
		}
		for _, d := range u.Diagnostics {
			if d.Line < 1 || d.Column < 1 || d.Column > len(src)+1 {
				t.Fatalf("diagnostic at %d:%d in %d bytes", d.Line, d.Column, len(src))
			}
		}
	})
}
