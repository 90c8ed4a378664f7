package devserver

import (
	"strings"
	"testing"
)

// create-vite's layout: tsconfig.json has no files of its own and
// references tsconfig.app.json (src) and tsconfig.node.json
// (vite.config.ts); each module gets the options of the one that
// includes it.
func TestTSConfigReferences(t *testing.T) {
	f := newFixture(t, newFakeService(), map[string]string{
		"tsconfig.json": `{
  "files": [],
  "references": [
    { "path": "./tsconfig.app.json" },
    { "path": "./tsconfig.node.json" }
  ]
}`,
		"tsconfig.app.json": `{
  "compilerOptions": {
    /* Bundler mode */
    "jsx": "react-jsx",
    "jsxImportSource": "preact",
    "verbatimModuleSyntax": true, // trailing commas, comments: tsconfig's JSON
  },
  "include": ["src"],
}`,
		"tsconfig.node.json": `{ "compilerOptions": { "jsx": "react", "jsxFactory": "nodeH" }, "include": ["vite.config.ts", "tools/*.tsx"] }`,
		"src/app.tsx":        "import { unused } from './util.ts'\nexport const App = () => <p>hi</p>\n",
		"src/util.ts":        "export const unused = 1\n",
		"tools/gen.tsx":      "export const x = <p/>\n",
	})
	r := f.get(t, "/src/app.tsx")
	for _, w := range []string{`from "preact/jsx-dev-runtime"`, `jsxDEV("p"`, `from "./util.ts"`} {
		if !strings.Contains(r.body, w) {
			t.Errorf("/src/app.tsx: no %q in:\n%s", w, r.body)
		}
	}
	if r := f.get(t, "/tools/gen.tsx"); !strings.Contains(r.body, `nodeH("p"`) {
		t.Errorf("/tools/gen.tsx: want the node config's factory:\n%s", r.body)
	}
}

// extends (relative, and a package in node_modules) merges compiler
// options: experimentalDecorators compiles lit's decorators the
// TypeScript way, and useDefineForClassFields: false assigns fields in
// the constructor.
func TestTSConfigExtendsAndDecorators(t *testing.T) {
	files := map[string]string{
		"tsconfig.json":                          `{ "extends": ["@my/tsconfig/base.json", "./tsconfig.deco"], "include": ["src/**/*"] }`,
		"tsconfig.deco.json":                     `{ "compilerOptions": { "experimentalDecorators": true } }`,
		"node_modules/@my/tsconfig/base.json":    `{ "compilerOptions": { "useDefineForClassFields": false, "target": "es2023" } }`,
		"node_modules/@my/tsconfig/package.json": `{ "name": "@my/tsconfig" }`,
		"src/el.ts":                              "function prop(_a: unknown, _b: string) {}\nexport class El {\n  @prop count = 0\n}\n",
	}
	f := newFixture(t, newFakeService(), files)
	r := f.get(t, "/src/el.ts")
	if !strings.Contains(r.body, "__decorateClass") || !strings.Contains(r.body, "this.count = 0") {
		t.Errorf("/src/el.ts: want TypeScript decorators and a constructor assignment:\n%s", r.body)
	}
	// Without the config: JavaScript decorators.
	delete(files, "tsconfig.json")
	g := newFixture(t, newFakeService(), files)
	if r := g.get(t, "/src/el.ts"); strings.Contains(r.body, "__decorateClass") {
		t.Errorf("/src/el.ts without a tsconfig:\n%s", r.body)
	}
}

// A changed tsconfig applies from the next request.
func TestTSConfigChangeApplies(t *testing.T) {
	f := newFixture(t, newFakeService(), map[string]string{
		"tsconfig.json": `{ "compilerOptions": { "jsx": "react", "jsxFactory": "h" } }`,
		"src/a.tsx":     "export const a = <p/>\n",
	})
	if r := f.get(t, "/src/a.tsx"); !strings.Contains(r.body, `h("p"`) {
		t.Fatalf("/src/a.tsx:\n%s", r.body)
	}
	writeFiles(t, f.root, map[string]string{"tsconfig.json": `{ "compilerOptions": { "jsx": "react", "jsxFactory": "createEl" } }`})
	if r := f.get(t, "/src/a.tsx"); !strings.Contains(r.body, `createEl("p"`) {
		t.Errorf("/src/a.tsx after the change:\n%s", r.body)
	}
	// A nearer tsconfig.json that appears wins.
	writeFiles(t, f.root, map[string]string{"src/tsconfig.json": `{ "compilerOptions": { "jsx": "react-jsx" } }`})
	if r := f.get(t, "/src/a.tsx"); !strings.Contains(r.body, `from "react/jsx-dev-runtime"`) {
		t.Errorf("/src/a.tsx with src/tsconfig.json:\n%s", r.body)
	}
}

// Without a jsx setting, a project that depends on react gets React's
// automatic runtime (what @vitejs/plugin-react configures); pragmas still
// win; a project without react keeps classic JSX.
func TestJSXFromPackageJSON(t *testing.T) {
	f := newFixture(t, newFakeService(), map[string]string{
		"package.json":   `{ "dependencies": { "react": "^19" } }`,
		"src/App.jsx":    "export const App = () => <p>hi</p>\n",
		"src/pragma.jsx": "/** @jsx h */\nimport { h } from './h.js'\nexport const x = <p/>\n",
	})
	if r := f.get(t, "/src/App.jsx"); !strings.Contains(r.body, `from "react/jsx-dev-runtime"`) {
		t.Errorf("/src/App.jsx:\n%s", r.body)
	}
	if r := f.get(t, "/src/pragma.jsx"); !strings.Contains(r.body, `h("p"`) {
		t.Errorf("/src/pragma.jsx:\n%s", r.body)
	}
	g := newFixture(t, newFakeService(), map[string]string{
		"package.json": `{ "dependencies": { "lit": "^3" } }`,
		"src/App.jsx":  "export const App = () => <p>hi</p>\n",
	})
	if r := g.get(t, "/src/App.jsx"); !strings.Contains(r.body, `React.createElement("p"`) {
		t.Errorf("/src/App.jsx without react:\n%s", r.body)
	}
}

func TestGlobRegexp(t *testing.T) {
	for _, tt := range []struct {
		pattern, file string
		want          bool
	}{
		{"/p/src", "/p/src/a.ts", true},
		{"/p/src", "/p/src/deep/er/a.tsx", true},
		{"/p/src", "/p/srcx/a.ts", false},
		{"/p/src/**/*", "/p/src/a/b.ts", true},
		{"/p/src/*.ts", "/p/src/a.ts", true},
		{"/p/src/*.ts", "/p/src/a/b.ts", false},
		{"/p/vite.config.ts", "/p/vite.config.ts", true},
		{"/p/a?.ts", "/p/ab.ts", true},
		{"/p/a.b/c", "/p/a.b/c/d.ts", true},
	} {
		re, _ := globRegexp(tt.pattern)
		if got := re.MatchString(tt.file); got != tt.want {
			t.Errorf("globRegexp(%q) on %q = %v, want %v (%s)", tt.pattern, tt.file, got, tt.want, re)
		}
	}
}

func TestJSONC(t *testing.T) {
	in := `{ // c
  "a": "x // not a comment, /* nor this */", /* block
  */ "b": [1, 2,],
  "c": "\"quoted\\",
}`
	want := `{ 
  "a": "x // not a comment, /* nor this */",   "b": [1, 2],
  "c": "\"quoted\\"
}`
	if got := string(jsonc([]byte(in))); got != want {
		t.Errorf("jsonc:\n%s\nwant\n%s", got, want)
	}
}
