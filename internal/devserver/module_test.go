package devserver

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/hmrd/hmrd/internal/engine"
	"github.com/hmrd/hmrd/internal/scan/jsscan"
)

const preludeOf = `import { createHotContext as __hmrd_hot } from "/@hmrd/client.js"; import.meta.hot = __hmrd_hot(`

// TestRewrite: golden-ish cases for specifier rewriting, each a module
// served through the fake graph.
func TestRewrite(t *testing.T) {
	js := func(id string, v int64) engine.ImportTarget {
		return engine.ImportTarget{ID: id, Kind: "js", Version: v}
	}
	targets := map[string]engine.ImportTarget{
		"./util.js":         js("/src/util.ts", 0),
		"./fresh.js":        js("/src/fresh.js", 1700000000001),
		"./style.css":       {ID: "/src/style.css", Kind: "style"},
		"./card.module.css": {ID: "/src/card.module.css", Kind: "style-module", Version: 7},
		"./data.json":       {ID: "/src/data.json", Kind: "json", Version: 17},
		"./logo.svg":        {ID: "/src/logo.svg", Kind: "asset"},
		"react":             {ID: "/@id/react", Kind: "external"},
		"@scope/pkg/x":      {ID: "/@id/@scope/pkg/x", Kind: "external"},
		"./lazy.js":         js("/src/lazy.js", 3),
		"./dep.js":          js("/src/dep.js", 42),
		"./other.js":        js("/src/other.js", 0),
		"./odd.js":          js("/src/we#ird?.js", 0),
		"./missing.js":      {},
	}
	for _, tc := range []struct {
		name, file, src string
		want, notWant   []string
	}{
		{
			name: "relative and version",
			file: "src/main.js",
			src:  "import { a } from './util.js'\nimport { b } from \"./fresh.js\"\nconsole.log(a, b)\n",
			want: []string{`from "/src/util.ts";`, `from "/src/fresh.js?t=1700000000001";`},
		},
		{
			name: "non-js targets get ?import",
			file: "src/main.js",
			src:  "import './style.css'\nimport card from './card.module.css'\nimport data from './data.json'\nimport logo from './logo.svg'\nconsole.log(card, data, logo)\n",
			want: []string{`import "/src/style.css?import";`, `from "/src/card.module.css?import&t=7";`, `from "/src/data.json?import&t=17";`, `from "/src/logo.svg?import";`},
		},
		{
			name: "externals",
			file: "src/main.js",
			src:  "import React from 'react'\nexport * from '@scope/pkg/x'\nconsole.log(React)\n",
			want: []string{`from "/@id/react";`, `export * from "/@id/@scope/pkg/x";`},
		},
		{
			name:    "unresolved left as written",
			file:    "src/main.js",
			src:     "import './missing.js'\nimport 'not-in-graph'\n",
			want:    []string{`import "./missing.js";`, `import "not-in-graph";`},
			notWant: []string{"__hmrd_hot"},
		},
		{
			name: "dynamic import",
			file: "src/main.js",
			src:  "const m = import('./lazy.js')\nconst n = import(`./util.js`)\nconst o = import(name)\n",
			want: []string{`import("/src/lazy.js?t=3")`, `import("/src/util.ts")`, "import(name)"},
		},
		{
			name: "accept deps are bare IDs, imports versioned",
			file: "src/main.js",
			src:  "import { d } from './dep.js'\nimport.meta.hot.accept('./dep.js', () => {})\nimport.meta.hot.accept(['./other.js', './missing.js'], () => {})\nimport.meta.hot.decline('./util.js')\n",
			want: []string{`from "/src/dep.js?t=42";`, `accept("/src/dep.js",`, `accept(["/src/other.js", "./missing.js"]`, `decline("/src/util.ts")`},
		},
		{
			name:    "hot prelude when import.meta.hot is used",
			file:    "src/main.js",
			src:     "export const x = 1\nif (import.meta.hot) import.meta.hot.accept()\n",
			want:    []string{preludeOf + `"/src/main.js");const x = 1;`},
			notWant: []string{"\n" + preludeOf},
		},
		{
			name: "webpackHot prelude: both contexts, webpackHot's deps rewritten",
			file: "src/main.js",
			src:  "export const x = 1\nif (import.meta.webpackHot) import.meta.webpackHot.accept('./dep.js', () => {}, (err) => {})\n",
			want: []string{
				`import { createHotContext as __hmrd_hot, webpackHot as __hmrd_whot } from "/@hmrd/client.js"; import.meta.hot = __hmrd_hot("/src/main.js"); import.meta.webpackHot = __hmrd_whot("/src/main.js");const x = 1;`,
				`accept("/src/dep.js",`,
			},
		},
		{
			name:    "no prelude without import.meta.hot",
			file:    "src/main.js",
			src:     "export const hot = 'import.meta.hot'\n",
			notWant: []string{"__hmrd_hot", "createHotContext"},
		},
		{
			name: "hashbang stays first",
			file: "src/cli.js",
			src:  "#!/usr/bin/env node\nimport.meta.hot?.accept()\n",
			want: []string{"#!/usr/bin/env node\n" + preludeOf + `"/src/cli.js");import.meta.hot?.accept();`},
		},
		{
			name:    "tsx: types elided, classic JSX",
			file:    "src/app.tsx",
			src:     "import type { T } from './types'\nimport { a } from './util.js'\nconst x: T = a\nexport const el = <div id=\"x\">{x}</div>\n",
			want:    []string{`from "/src/util.ts";`, "React.createElement(\"div\""},
			notWant: []string{"./types", ": T"},
		},
		{
			name: "jsx pragma honoured",
			file: "src/app.jsx",
			src:  "/** @jsx h */\nimport { h } from './util.js'\nexport const el = <p/>\n",
			want: []string{`h("p", null)`},
		},
		{
			name: "IDs with # and ? are escaped",
			file: "src/main.js",
			src:  "import './odd.js'\n",
			want: []string{`import "/src/we%23ird%3F.js";`},
		},
		{
			name: "source map inline",
			file: "src/main.ts",
			src:  "import { a } from './util.js'\nconsole.log(a)\n",
			want: []string{"//# sourceMappingURL=data:application/json;base64,"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			svc := newFakeService()
			id := "/" + tc.file
			svc.add(id, "js", 0, targets)
			f := newFixture(t, svc, map[string]string{tc.file: tc.src})
			r := f.get(t, id)
			if r.status != 200 || r.header.Get("Content-Type") != jsType || r.header.Get("Cache-Control") != "no-cache" {
				t.Fatalf("status %d, headers %v, body:\n%s", r.status, r.header, r.body)
			}
			for _, w := range tc.want {
				if !strings.Contains(r.body, w) {
					t.Errorf("missing %q in:\n%s", w, r.body)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(r.body, w) {
					t.Errorf("unexpected %q in:\n%s", w, r.body)
				}
			}
			calls := svc.callsFor(id)
			if len(calls) != 1 || calls[0].project != "demo" {
				t.Errorf("ServeModule calls for %s: %+v, want exactly one for project demo", id, calls)
			}
		})
	}
}

// ServeModule is asked once, with every import and accept/decline dep.
func TestServeModuleSpecs(t *testing.T) {
	svc := newFakeService()
	svc.add("/src/main.js", "js", 0, nil)
	f := newFixture(t, svc, map[string]string{"src/main.js": "import './a.js'\nimport b from './b.js'\nimport('./c.js')\nexport * from './a.js'\nimport.meta.hot.accept(['./d.js'], () => {})\nimport.meta.hot.decline('./e.js')\nconsole.log(b)\n"})
	f.get(t, "/src/main.js")
	calls := svc.callsFor("/src/main.js")
	if len(calls) != 1 {
		t.Fatalf("calls: %+v", calls)
	}
	want := []string{"./a.js", "./b.js", "./c.js", "./d.js", "./e.js"}
	if strings.Join(calls[0].specs, " ") != strings.Join(want, " ") {
		t.Fatalf("specs %q, want %q", calls[0].specs, want)
	}
}

// A module the graph does not know is served transformed, specifiers as
// written; so is one whose lookup fails.
func TestUnknownModule(t *testing.T) {
	for _, failing := range []bool{false, true} {
		svc := newFakeService()
		if failing {
			svc.err = errFake
		}
		f := newFixture(t, svc, map[string]string{"src/x.ts": "import { a } from './a.js'\nconst n: number = a\nimport.meta.hot?.accept()\n"})
		r := f.get(t, "/src/x.ts")
		if r.status != 200 || !strings.Contains(r.body, `from "./a.js"`) || strings.Contains(r.body, ": number") {
			t.Fatalf("failing=%v: %d\n%s", failing, r.status, r.body)
		}
		if !strings.Contains(r.body, preludeOf+`"/src/x.ts");`) {
			t.Fatalf("failing=%v: no prelude:\n%s", failing, r.body)
		}
	}
}

func TestTransformError(t *testing.T) {
	f := newFixture(t, newFakeService(), map[string]string{"src/bad.ts": "export const ok = 1\nlet x = ;\n"})
	r := f.get(t, "/src/bad.ts")
	if r.status != 500 || r.header.Get("Content-Type") != jsType {
		t.Fatalf("status %d, type %q", r.status, r.header.Get("Content-Type"))
	}
	if !strings.HasPrefix(r.body, "throw new Error(") || !strings.Contains(r.body, `/src/bad.ts:2:9: Unexpected \";\"`) || !strings.Contains(r.body, "let x = ;") {
		t.Fatalf("body:\n%s", r.body)
	}
	if strings.Contains(r.body, f.root) {
		t.Fatalf("body names the absolute path:\n%s", r.body)
	}
}

// TestSourceMap: after rewriting (a longer specifier and the prelude on
// line 1), generated positions still map to the original ones.
func TestSourceMap(t *testing.T) {
	svc := newFakeService()
	svc.add("/src/main.ts", "js", 0, map[string]engine.ImportTarget{
		"./u.js": {ID: "/src/very/long/path/to/util.ts", Kind: "js", Version: 1234567890123},
	})
	src := "import { a } from './u.js'; const n: number = a; console.log(n, 'é😀', a)\nif (import.meta.hot) import.meta.hot.accept()\n"
	f := newFixture(t, svc, map[string]string{"src/main.ts": src})
	r := f.get(t, "/src/main.ts")
	code, m := splitInlineMap(t, r.body)
	segs := decodeMappings(t, m.Mappings)
	if m.Sources[0] != "/src/main.ts" || !strings.Contains(m.SourcesContent[0], "const n: number") {
		t.Fatalf("map sources %q", m.Sources)
	}
	// Each of these tokens must map back to the same token in src.
	for _, tok := range []string{"console", "log", "a)", "if", "accept"} {
		gl, gc := position(code, tok)
		ol, oc := position(src, tok)
		seg, ok := segs[[2]int{gl, gc}]
		if !ok {
			t.Errorf("%q at generated %d:%d has no mapping", tok, gl, gc)
			continue
		}
		if seg != [2]int{ol, oc} {
			t.Errorf("%q at generated %d:%d maps to %v, want %d:%d", tok, gl, gc, seg, ol, oc)
		}
	}
}

type sourceMap struct {
	Sources        []string `json:"sources"`
	SourcesContent []string `json:"sourcesContent"`
	Mappings       string   `json:"mappings"`
}

func splitInlineMap(t *testing.T, body string) (string, sourceMap) {
	t.Helper()
	const marker = "//# sourceMappingURL=data:application/json;base64,"
	i := strings.LastIndex(body, marker)
	if i < 0 {
		t.Fatalf("no inline map:\n%s", body)
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(body[i+len(marker):]))
	if err != nil {
		t.Fatal(err)
	}
	var m sourceMap
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return body[:i], m
}

// decodeMappings maps generated (line, column) to original (line, column).
func decodeMappings(t *testing.T, mappings string) map[[2]int][2]int {
	t.Helper()
	out := map[[2]int][2]int{}
	var src, ol, oc int
	for gl, line := range strings.Split(mappings, ";") {
		gc := 0
		if line == "" {
			continue
		}
		for _, seg := range strings.Split(line, ",") {
			var f []int
			for len(seg) > 0 {
				v, n, err := decodeVLQ(seg)
				if err != nil {
					t.Fatal(err)
				}
				f = append(f, v)
				seg = seg[n:]
			}
			gc += f[0]
			if len(f) >= 4 {
				src += f[1]
				ol += f[2]
				oc += f[3]
				out[[2]int{gl, gc}] = [2]int{ol, oc}
			}
		}
	}
	_ = src
	return out
}

// position is the 0-based line and UTF-16 column of the first tok in s.
func position(s, tok string) (int, int) {
	i := strings.Index(s, tok)
	line := strings.Count(s[:i], "\n")
	start := strings.LastIndex(s[:i], "\n") + 1
	return line, utf16Len([]byte(s[start:i]))
}

func TestShiftCol(t *testing.T) {
	edits := []colEdit{{start: 0, end: 0, delta: 10}, {start: 5, end: 9, delta: 3}, {start: 20, end: 22, delta: -1}}
	for _, tc := range [][2]int{{0, 10}, {4, 14}, {5, 15}, {6, 15}, {8, 15}, {9, 22}, {19, 32}, {20, 33}, {21, 33}, {22, 34}, {30, 42}} {
		if got := shiftCol(tc[0], edits); got != tc[1] {
			t.Errorf("shiftCol(%d) = %d, want %d", tc[0], got, tc[1])
		}
	}
}

func TestVLQRoundTrip(t *testing.T) {
	for _, v := range []int{0, 1, -1, 15, 16, -16, 31, 32, 1000, -123456, 1 << 28} {
		b := appendVLQ(nil, v)
		got, n, err := decodeVLQ(string(b) + "AAA")
		if err != nil || got != v || n != len(b) {
			t.Errorf("VLQ %d: %q decodes to %d, %d, %v", v, b, got, n, err)
		}
	}
	if _, _, err := decodeVLQ("g"); err == nil {
		t.Error("unterminated VLQ accepted")
	}
}

func TestQuoteJS(t *testing.T) {
	for _, tc := range []struct {
		q    byte
		s    string
		want string
	}{
		{'"', "/src/a.js", `"/src/a.js"`},
		{'\'', "/src/it's.js", `'/src/it\'s.js'`},
		{'`', "/src/${x}`.js", "`/src/\\${x}\\`.js`"},
		{'"', `/a"b\c.js`, `"/a\"b\\c.js"`},
		{'"', "/</script>/x.js", `"/\x3C/script>/x.js"`},
		{'"', "/a\u2028b", `"/a\u2028b"`},
	} {
		if got := quoteJS(tc.q, tc.s); got != tc.want {
			t.Errorf("quoteJS(%c, %q) = %s, want %s", tc.q, tc.s, got, tc.want)
		}
	}
}

func TestImportURL(t *testing.T) {
	for _, tc := range []struct {
		t    engine.ImportTarget
		want string
	}{
		{engine.ImportTarget{ID: "/src/a.ts", Kind: "js"}, "/src/a.ts"},
		{engine.ImportTarget{ID: "/src/a.ts", Kind: "js", Version: 5}, "/src/a.ts?t=5"},
		{engine.ImportTarget{ID: "/src/a.css", Kind: "style"}, "/src/a.css?import"},
		{engine.ImportTarget{ID: "/src/a.module.css", Kind: "style-module", Version: 9}, "/src/a.module.css?import&t=9"},
		{engine.ImportTarget{ID: "/src/a.json", Kind: "json"}, "/src/a.json?import"},
		{engine.ImportTarget{ID: "/a.png", Kind: "asset", Version: 2}, "/a.png?import&t=2"},
		{engine.ImportTarget{ID: "/@id/react", Kind: "external"}, "/@id/react"},
	} {
		if got := importURL(tc.t); got != tc.want {
			t.Errorf("importURL(%+v) = %q, want %q", tc.t, got, tc.want)
		}
	}
}

// Literal edits keep the quote style of what was written (inline scripts
// are not reprinted by esbuild).
func TestLiteralEditQuotes(t *testing.T) {
	code := []byte("import a from './a.js'; import(`./b.js`); import \"./c.js\"")
	res, err := jsscan.ScanUnchecked(code, jsscan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	edits := rewriteEdits(code, res, map[string]engine.ImportTarget{
		"./a.js": {ID: "/a.js", Kind: "js"}, "./b.js": {ID: "/b.js", Kind: "js"}, "./c.js": {ID: "/c.js", Kind: "js", Version: 1},
	})
	got := string(applyEdits(code, sortEdits(edits)))
	want := "import a from '/a.js'; import(`/b.js`); import \"/c.js?t=1\""
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}
