package devserver

import (
	"regexp"
	"strings"
	"testing"

	"github.com/hmrd/hmrd/internal/engine"
)

// depsPackages are small packages in node_modules: a CommonJS package
// whose entry re-exports another file (as react's index.js does), an ES
// module package, and two packages (one with a subpath) sharing a third.
var depsPackages = map[string]string{
	"package.json":                      `{ "name": "app", "dependencies": { "cjs": "1", "esm": "1", "a": "1", "b": "1" } }`,
	"package-lock.json":                 `{ "lockfileVersion": 3 }`,
	"node_modules/cjs/package.json":     `{ "name": "cjs", "main": "index.js" }`,
	"node_modules/cjs/index.js":         "'use strict';\nif (process.env.NODE_ENV === 'production') {\n  module.exports = require('./cjs/prod.js');\n} else {\n  module.exports = require('./cjs/dev.js');\n}\n",
	"node_modules/cjs/cjs/dev.js":       "'use strict';\nexports.useThing = function () { return 'dev' };\nexports['odd-name'] = 2;\nexports.version = '1';\n",
	"node_modules/cjs/cjs/prod.js":      "'use strict';\nexports.useThing = function () { return 'prod' };\nexports.version = '1';\n",
	"node_modules/esm/package.json":     `{ "name": "esm", "type": "module", "exports": { ".": "./index.js", "./extra": "./extra.js" } }`,
	"node_modules/esm/index.js":         "export const named = 1;\nexport default function esmDefault() {}\nexport * from './more.js';\n",
	"node_modules/esm/more.js":          "export const more = 2;\n",
	"node_modules/esm/extra.js":         "export const extra = 3;\n",
	"node_modules/shared/package.json":  `{ "name": "shared", "main": "index.js" }`,
	"node_modules/shared/index.js":      "let instances = 0;\nexports.instance = ++instances;\nexports.SHARED_MARKER = 'SHARED_MARKER';\n",
	"node_modules/a/package.json":       `{ "name": "a", "type": "module", "exports": { ".": "./index.js", "./sub": "./sub.js" } }`,
	"node_modules/a/index.js":           "import { instance } from 'shared';\nexport const a = instance;\n",
	"node_modules/a/sub.js":             "import { instance } from 'shared';\nexport const sub = instance;\n",
	"node_modules/b/package.json":       `{ "name": "b", "main": "index.js" }`,
	"node_modules/b/index.js":           "const shared = require('shared');\nexports.b = shared.instance;\n",
	"node_modules/c/package.json":       `{ "name": "c", "type": "module", "main": "index.js" }`,
	"node_modules/c/index.js":           "import { instance } from 'shared';\nexport const c = instance;\n",
	"node_modules/broken/package.json":  `{ "name": "broken", "main": "index.js" }`,
	"node_modules/broken/index.js":      "export const = ;\n",
	"node_modules/styled/package.json":  `{ "name": "styled", "type": "module", "main": "index.js" }`,
	"node_modules/styled/index.js":      "import './styled.css';\nexport const styled = 1;\n",
	"node_modules/styled/styled.css":    ".styled { color: green }\n",
	"src/main.js":                       "import { useThing } from 'cjs'\nimport esmDefault, { named } from 'esm'\nconsole.log(useThing, esmDefault, named)\n",
	"node_modules/dotfile/package.json": `{ "name": "dotfile", "main": "index.js" }`,
	"node_modules/dotfile/index.js":     "module.exports = require('./.hidden.js');\n",
	"node_modules/dotfile/.hidden.js":   "exports.CANARY_HIDDEN = 1;\n",
}

// A CommonJS package gets a named export for each name its text assigns,
// following `module.exports = require(...)` as Node does, and its
// module.exports as default.
func TestDepsCommonJSNamedExports(t *testing.T) {
	f := newFixture(t, newFakeService(), depsPackages)
	r := f.get(t, "/@id/cjs")
	if r.status != 200 || r.header.Get("Content-Type") != jsType {
		t.Fatalf("/@id/cjs: %d %v\n%s", r.status, r.header, r.body)
	}
	exports := exportNames(r.body)
	for _, w := range []string{"useThing", "odd-name", "version", "default"} {
		if !exports[w] {
			t.Errorf("/@id/cjs: no export %q in:\n%s", w, r.body)
		}
	}
	if strings.Contains(r.body, f.parent) {
		t.Errorf("/@id/cjs names an absolute path:\n%s", r.body)
	}
	// The development build, as NODE_ENV is "development".
	chunks := f.chunksOf(t, r.body)
	if !strings.Contains(r.body+chunks, "return \"dev\"") {
		t.Errorf("/@id/cjs: not the development build:\n%s\n%s", r.body, chunks)
	}
}

// An ES module package keeps its exports, those of export * included.
func TestDepsESMExports(t *testing.T) {
	f := newFixture(t, newFakeService(), depsPackages)
	r := f.get(t, "/@id/esm")
	if r.status != 200 {
		t.Fatalf("/@id/esm: %d\n%s", r.status, r.body)
	}
	exports := exportNames(r.body)
	for _, w := range []string{"named", "more", "default"} {
		if !exports[w] {
			t.Errorf("/@id/esm: no export %q in:\n%s", w, r.body)
		}
	}
	if r := f.get(t, "/@id/esm/extra"); r.status != 200 || !exportNames(r.body)["extra"] {
		t.Errorf("/@id/esm/extra: %d\n%s", r.status, r.body)
	}
}

// Packages that import the same package share one copy of it, in a chunk
// they all import: a, its subpath a/sub (ESM) and b (CommonJS) see one
// instance of shared.
func TestDepsSharedInstance(t *testing.T) {
	svc := newFakeService()
	svc.add("/src/main.js", "js", 0, map[string]engine.ImportTarget{
		"a": {ID: "/@id/a", Kind: "external"}, "a/sub": {ID: "/@id/a/sub", Kind: "external"}, "b": {ID: "/@id/b", Kind: "external"},
	})
	files := map[string]string{"src/main.js": "import { a } from 'a'\nimport { sub } from 'a/sub'\nimport { b } from 'b'\nconsole.log(a, sub, b)\n"}
	for k, v := range depsPackages {
		if k != "src/main.js" {
			files[k] = v
		}
	}
	f := newFixture(t, svc, files)
	if r := f.get(t, "/src/main.js"); r.status != 200 {
		t.Fatalf("/src/main.js: %d\n%s", r.status, r.body)
	}
	var shared string
	for _, spec := range []string{"a", "a/sub", "b"} {
		r := f.get(t, "/@id/"+spec)
		if r.status != 200 {
			t.Fatalf("/@id/%s: %d\n%s", spec, r.status, r.body)
		}
		if strings.Contains(r.body, "SHARED_MARKER") {
			t.Errorf("/@id/%s has its own copy of shared:\n%s", spec, r.body)
		}
		chunk := ""
		for _, u := range chunkURLs(r.body) {
			if c := f.get(t, u); strings.Contains(c.body, "SHARED_MARKER") {
				if strings.Count(c.body, "SHARED_MARKER = ") != 1 {
					t.Errorf("%s: shared twice:\n%s", u, c.body)
				}
				chunk = u
			}
		}
		if chunk == "" {
			t.Fatalf("/@id/%s imports no chunk with shared:\n%s", spec, r.body)
		}
		if shared != "" && chunk != shared {
			t.Errorf("/@id/%s imports shared from %s, another from %s", spec, chunk, shared)
		}
		shared = chunk
	}
	c := f.get(t, shared)
	if c.status != 200 || !strings.Contains(c.header.Get("Cache-Control"), "immutable") {
		t.Errorf("%s: %d %v", shared, c.status, c.header)
	}
	// One build served all three: they were discovered with main.js.
	if n := f.srv.ext.builds.Load(); n != 1 {
		t.Errorf("%d builds, want 1", n)
	}
}

// A package that does not build fails alone; the others are still served.
// Files on the deny list stay unreadable to the bundler.
func TestDepsFailuresAreIsolated(t *testing.T) {
	svc := newFakeService()
	svc.add("/src/main.js", "js", 0, map[string]engine.ImportTarget{
		"broken": {ID: "/@id/broken", Kind: "external"}, "esm": {ID: "/@id/esm", Kind: "external"},
		"dotfile": {ID: "/@id/dotfile", Kind: "external"}, "nope": {ID: "/@id/nope", Kind: "external"},
	})
	f := newFixture(t, svc, depsPackages)
	f.get(t, "/src/main.js")
	if r := f.get(t, "/@id/esm"); r.status != 200 || !exportNames(r.body)["named"] {
		t.Errorf("/@id/esm: %d\n%s", r.status, r.body)
	}
	if r := f.get(t, "/@id/broken"); r.status != 500 || !strings.Contains(r.body, "node_modules/broken/index.js:1") {
		t.Errorf("/@id/broken: %d\n%s", r.status, r.body)
	}
	if r := f.get(t, "/@id/nope"); r.status != 404 {
		t.Errorf("/@id/nope: %d\n%s", r.status, r.body)
	}
	r := f.get(t, "/@id/dotfile")
	if strings.Contains(r.body, "CANARY") {
		t.Errorf("/@id/dotfile leaks the dotfile: %d\n%s", r.status, r.body)
	}
	for _, u := range []string{"/@id/_hmrd/chunk-NOPE.js", "/@id/_hmrd/../package.json", "/@id/_hmrd/"} {
		if r := f.get(t, u); r.status != 404 && r.status != 400 {
			t.Errorf("%s: %d", u, r.status)
		}
	}
}

// A package that imports its own CSS installs it with its module.
func TestDepsOwnCSS(t *testing.T) {
	f := newFixture(t, newFakeService(), depsPackages)
	r := f.get(t, "/@id/styled")
	if r.status != 200 || !strings.Contains(r.body, `__hmrd_updateStyle("/@id/styled", `) || !strings.Contains(r.body, ".styled") {
		t.Errorf("/@id/styled: %d\n%s", r.status, r.body)
	}
}

// The bundle starts with every package the graph knows, and with the
// JSX runtime its TSX modules import once transformed.
func TestDepsDiscoveredFromGraph(t *testing.T) {
	svc := newFakeService()
	svc.graph = &engine.Snapshot{Modules: []engine.ModuleInfo{
		{ID: "/@id/a", Kind: "external"}, {ID: "/@id/b", Kind: "external"},
		{ID: "/@id/node:fs", Kind: "external"}, {ID: "/src/view.tsx", Kind: "js"},
	}}
	files := map[string]string{
		"tsconfig.json":                       `{ "compilerOptions": { "jsx": "react-jsx", "jsxImportSource": "esm" } }`,
		"node_modules/esm/jsx-dev-runtime.js": "export const jsxDEV = () => {};\n",
		"node_modules/esm/package.json":       `{ "name": "esm", "type": "module", "exports": { ".": "./index.js", "./jsx-dev-runtime": "./jsx-dev-runtime.js" } }`,
		"src/view.tsx":                        "export const v = <p/>\n",
		"node_modules/esm/index.js":           depsPackages["node_modules/esm/index.js"],
		"node_modules/esm/more.js":            depsPackages["node_modules/esm/more.js"],
		"node_modules/a/package.json":         depsPackages["node_modules/a/package.json"],
		"node_modules/a/index.js":             depsPackages["node_modules/a/index.js"],
		"node_modules/b/package.json":         depsPackages["node_modules/b/package.json"],
		"node_modules/b/index.js":             depsPackages["node_modules/b/index.js"],
		"node_modules/shared/package.json":    depsPackages["node_modules/shared/package.json"],
		"node_modules/shared/index.js":        depsPackages["node_modules/shared/index.js"],
		"node_modules/unused/package.json":    `{ "name": "unused" }`,
		"node_modules/unused/index.js":        "export const u = 1\n",
	}
	f := newFixture(t, svc, files)
	svc.mu.Lock()
	svc.graph.Modules[3].File = f.root + "/src/view.tsx"
	svc.mu.Unlock()
	for _, u := range []string{"/@id/a", "/@id/b", "/@id/esm/jsx-dev-runtime"} {
		if r := f.get(t, u); r.status != 200 {
			t.Errorf("%s: %d\n%s", u, r.status, r.body)
		}
	}
	if n := f.srv.ext.builds.Load(); n != 1 {
		t.Errorf("%d builds, want 1", n)
	}
}

// chunksOf fetches every chunk a module imports and returns them joined.
func (f *fixture) chunksOf(t *testing.T, body string) string {
	t.Helper()
	var b strings.Builder
	for _, u := range chunkURLs(body) {
		b.WriteString(f.get(t, u).body)
	}
	return b.String()
}

var chunkURL = regexp.MustCompile(`"(/@id/_hmrd/chunk-[A-Z0-9]+\.js)"`)

func chunkURLs(body string) []string {
	var out []string
	for _, m := range chunkURL.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

var exportClause = regexp.MustCompile(`export\s*\{([^}]*)\}`)

// exportNames reads the names of esbuild's export clauses.
func exportNames(body string) map[string]bool {
	out := map[string]bool{}
	for _, m := range exportClause.FindAllStringSubmatch(body, -1) {
		for part := range strings.SplitSeq(m[1], ",") {
			fields := strings.Fields(part)
			if len(fields) == 0 {
				continue
			}
			name := fields[len(fields)-1]
			out[strings.Trim(name, `"`)] = true
		}
	}
	return out
}
