package devserver

import (
	"strings"
	"testing"

	"github.com/evanw/esbuild/pkg/api"
	"github.com/hmrd/hmrd/internal/engine"
	"github.com/hmrd/hmrd/internal/vfs"
)

// A React project with the refresh runtime @vitejs/plugin-react ships:
// the page gets the preamble that installs it, a component module the
// transform and its accept, a module exporting something else the
// transform without the accept, a plain module nothing.
func TestFastRefreshTransform(t *testing.T) {
	files := map[string]string{
		"index.html":                        "<!doctype html><head></head>\n<script type=\"module\" src=\"/src/main.tsx\"></script>\n",
		"tsconfig.json":                     `{ "compilerOptions": { "jsx": "react-jsx" } }`,
		"src/main.tsx":                      "import { App } from './App'\nimport { Badge } from './mixed'\nimport { two } from './util'\nexport const root = <App><Badge />{two}</App>\n",
		"src/App.tsx":                       "import { useState } from 'react'\nexport function App() {\n  const [n, setN] = useState(0)\n  return <p onClick={() => setN(n + 1)}>{n}</p>\n}\n",
		"src/mixed.tsx":                     "export const color = 'red'\nexport function Badge() { return <b>{color}</b> }\n",
		"src/util.ts":                       "export const two = 2\n",
		"node_modules/react/package.json":   `{ "name": "react", "exports": { ".": "./index.js", "./jsx-runtime": "./jsx-runtime.js" } }`,
		"node_modules/react/index.js":       "export const useState = () => {}\n",
		"node_modules/react/jsx-runtime.js": "export const jsx = () => {}\n",
		"node_modules/@vitejs/plugin-react/dist/refresh-runtime.js": "export function register() {}\n",
	}
	parent, root := newTree(t, files)
	p, _, err := engine.Open(vfs.OS{}, engine.Options{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	f := serveTree(t, &engineService{fakeService: newFakeService(), p: p}, parent, root)

	page := f.get(t, "/").body
	want := `<script type="module">import * as rt from "/node_modules/@vitejs/plugin-react/dist/refresh-runtime.js"; import { install } from "/@hmrd/refresh.js"; install("react", rt);</script>`
	if !strings.Contains(page, clientTag+want) {
		t.Errorf("page: no preamble right after the client:\n%s", page)
	}
	if r := f.get(t, "/node_modules/@vitejs/plugin-react/dist/refresh-runtime.js"); r.status != 200 || !strings.Contains(r.body, "register") {
		t.Errorf("runtime: %d %s", r.status, r.body)
	}

	app := f.get(t, "/src/App.tsx").body
	for _, w := range []string{
		`import * as __hmrd_refresh from "/@hmrd/refresh.js";`,
		`_s0$();`,
		`_s0$(App, "useState{[n, setN](0)}");`,
		`$RefreshReg$(App, "App");`,
		`__hmrd_refresh.register(type, "/src/App.tsx" + " " + id)`,
		`if (import.meta.hot) __hmrd_refresh.accept(import.meta.hot, "/src/App.tsx", import.meta.url);`,
		`import.meta.hot = __hmrd_hot("/src/App.tsx");`,
	} {
		if !strings.Contains(app, w) {
			t.Errorf("App.tsx: no %q in\n%s", w, app)
		}
	}
	mixed := f.get(t, "/src/mixed.tsx").body
	if !strings.Contains(mixed, `$RefreshReg$(Badge, "Badge");`) || strings.Contains(mixed, "accept(") || strings.Contains(mixed, "import.meta.hot") {
		t.Errorf("mixed.tsx: want the registration and no accept:\n%s", mixed)
	}
	if util := f.get(t, "/src/util.ts").body; strings.Contains(util, "Refresh") {
		t.Errorf("util.ts: has no component, want it untouched:\n%s", util)
	}
	// What is served parses, source map included.
	for name, body := range map[string]string{"App.tsx": app, "mixed.tsx": mixed} {
		if r := api.Transform(body, api.TransformOptions{Loader: api.LoaderJS, Format: api.FormatESModule}); len(r.Errors) > 0 {
			t.Errorf("%s does not parse: %s\n%s", name, r.Errors[0].Text, body)
		}
	}
}

// Without a runtime in node_modules nothing is added.
func TestFastRefreshNeedsRuntime(t *testing.T) {
	files := map[string]string{
		"index.html":  "<!doctype html><head></head>\n<script type=\"module\" src=\"/src/App.jsx\"></script>\n",
		"src/App.jsx": "export function App() { return <p /> }\n",
	}
	parent, root := newTree(t, files)
	p, _, err := engine.Open(vfs.OS{}, engine.Options{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	f := serveTree(t, &engineService{fakeService: newFakeService(), p: p}, parent, root)
	if page := f.get(t, "/").body; strings.Contains(page, "refresh") {
		t.Errorf("page has a preamble:\n%s", page)
	}
	if app := f.get(t, "/src/App.jsx").body; strings.Contains(app, "Refresh") {
		t.Errorf("App.jsx was transformed:\n%s", app)
	}
}

// With react-refresh installed (older @vitejs/plugin-react, other tools),
// the runtime is that package, through the dependency bundle: the
// preamble imports its entry, which exports what the glue calls.
func TestFastRefreshReactRefreshPackage(t *testing.T) {
	files := map[string]string{
		"index.html":                              "<!doctype html><head></head>\n<script type=\"module\" src=\"/src/App.jsx\"></script>\n",
		"src/App.jsx":                             "export function App() { return <p /> }\n",
		"node_modules/react/package.json":         `{ "name": "react", "main": "index.js" }`,
		"node_modules/react/index.js":             "exports.createElement = function () {}\n",
		"node_modules/react-refresh/package.json": `{ "name": "react-refresh", "main": "runtime.js" }`,
		"node_modules/react-refresh/runtime.js": "'use strict';\nexports.injectIntoGlobalHook = function () {};\nexports.register = function () {};\n" +
			"exports.createSignatureFunctionForTransform = function () { return function (t) { return t } };\nexports.performReactRefresh = function () {};\n",
	}
	parent, root := newTree(t, files)
	p, _, err := engine.Open(vfs.OS{}, engine.Options{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	f := serveTree(t, &engineService{fakeService: newFakeService(), p: p}, parent, root)
	page := f.get(t, "/").body
	if !strings.Contains(page, `import * as rt from "/@id/react-refresh/runtime"; import { install } from "/@hmrd/refresh.js"; install("react", rt);`) {
		t.Fatalf("page: no preamble with the package:\n%s", page)
	}
	rt := f.get(t, "/@id/react-refresh/runtime")
	for _, name := range []string{"injectIntoGlobalHook", "register", "createSignatureFunctionForTransform", "performReactRefresh"} {
		if rt.status != 200 || !strings.Contains(rt.body, name) {
			t.Errorf("/@id/react-refresh/runtime does not export %s: %d\n%s", name, rt.status, rt.body)
		}
	}
	if app := f.get(t, "/src/App.jsx").body; !strings.Contains(app, "__hmrd_refresh.accept(") {
		t.Errorf("App.jsx: no accept:\n%s", app)
	}
}
