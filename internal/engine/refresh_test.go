package engine

import (
	"strings"
	"testing"
)

// reactApp is a React project as create-vite makes it: the refresh
// runtime is the one @vitejs/plugin-react ships.
func reactApp() map[string]string {
	return map[string]string{
		"index.html":                        `<script type="module" src="/src/main.tsx"></script>`,
		"tsconfig.json":                     `{ "compilerOptions": { "jsx": "react-jsx" } }`,
		"node_modules/react/package.json":   `{ "name": "react", "exports": { ".": "./index.js", "./jsx-runtime": "./jsx-runtime.js" } }`,
		"node_modules/react/index.js":       "export const useState = () => {}\n",
		"node_modules/react/jsx-runtime.js": "export const jsx = () => {}\n",
		"node_modules/@vitejs/plugin-react/dist/refresh-runtime.js": "export function register() {}\n",
		"src/main.tsx":  "import { App } from './App'\nimport { Badge } from './mixed'\nimport './helper'\nexport const root = <App><Badge /></App>\n",
		"src/App.tsx":   "import { useState } from 'react'\nexport function App() {\n  const [n] = useState(0)\n  return <p>{n}</p>\n}\n",
		"src/mixed.tsx": "export const color = 'red'\nexport function Badge() { return <b>{color}</b> }\n",
		"src/helper.ts": "export function Format() { return 1 }\n",
	}
}

// A module whose exports are all components accepts itself once the
// project has a Fast Refresh runtime: an edit updates it alone, and
// explain says why. One that exports anything else is no boundary.
func TestRefreshBoundary(t *testing.T) {
	p, mem := openMem(t, reactApp())
	ex := p.Explain("/src/App.tsx")
	if len(ex.Result.Updates) != 1 || ex.Result.Updates[0].Path != "/src/App.tsx" || ex.Result.FullReload != nil {
		t.Fatalf("App.tsx: %+v, want an update of itself", ex.Result)
	}
	if !strings.Contains(ex.Note, "Fast Refresh") {
		t.Errorf("App.tsx: note %q does not say why it accepts itself", ex.Note)
	}
	if ex := p.Explain("/src/mixed.tsx"); ex.Result.FullReload == nil {
		t.Errorf("mixed.tsx exports a string: %+v, want a full reload (no boundary)", ex.Result)
	}
	info, ok := p.ServeInfo("/src/App.tsx", nil)
	if !ok || info.Refresh.Runtime != RefreshReact || !info.Refresh.Boundary || !strings.HasSuffix(info.Refresh.Module, "/@vitejs/plugin-react/dist/refresh-runtime.js") {
		t.Errorf("ServeInfo(App.tsx).Refresh = %+v", info.Refresh)
	}
	if info, _ := p.ServeInfo("/src/mixed.tsx", nil); info.Refresh.Runtime != RefreshReact || info.Refresh.Boundary {
		t.Errorf("ServeInfo(mixed.tsx).Refresh = %+v, want the runtime and no boundary", info.Refresh)
	}
	if info, _ := p.ServeInfo("/index.html", nil); info.Refresh.Runtime != RefreshReact {
		t.Errorf("ServeInfo(index.html).Refresh = %+v, want the runtime (the page loads it)", info.Refresh)
	}

	mem.WriteFile(caseRoot+"/src/App.tsx", []byte(reactApp()["src/App.tsx"]+"export const Other = () => <i />\n"))
	plan := p.Apply([]string{caseRoot + "/src/App.tsx"})
	if len(plan.Updates) != 1 || plan.Updates[0].Path != "/src/App.tsx" {
		t.Errorf("edit of App.tsx: %+v, want an update of itself", plan)
	}

	// An edit that makes it export a number: the running instance took
	// the update as a boundary and finds the new exports do not fit; its
	// invalidate reaches the importers although the facts changed.
	mem.WriteFile(caseRoot+"/src/App.tsx", []byte(reactApp()["src/App.tsx"]+"export const version = 2\n"))
	if plan := p.Apply([]string{caseRoot + "/src/App.tsx"}); len(plan.Updates) != 1 || plan.Updates[0].Path != "/src/App.tsx" {
		t.Errorf("edit of App.tsx that adds a number: %+v, want an update of itself (the running instance decides)", plan)
	}
	if plan := p.Invalidate("/src/App.tsx", ""); plan.FullReload == nil {
		t.Errorf("invalidate from App.tsx: %+v, want a full reload (main accepts nothing)", plan)
	}

	// An edit that makes the module export something else: the facts
	// follow (the running instance decides this update; the next sees
	// no boundary).
	files := reactApp()
	files["src/App.tsx"] += "export const version = 2\n"
	p2, _ := openMem(t, files)
	if ex := p2.Explain("/src/App.tsx"); ex.Result.FullReload == nil {
		t.Errorf("App.tsx exporting a number: %+v, want no boundary", ex.Result)
	}
}

// Without a refresh runtime in node_modules nothing changes: the same
// component module is no boundary.
func TestRefreshNeedsRuntime(t *testing.T) {
	files := reactApp()
	delete(files, "node_modules/@vitejs/plugin-react/dist/refresh-runtime.js")
	p, _ := openMem(t, files)
	ex := p.Explain("/src/App.tsx")
	if ex.Result.FullReload == nil || ex.Note != "" {
		t.Errorf("App.tsx without a runtime: %+v, note %q, want a full reload", ex.Result, ex.Note)
	}
	if info, _ := p.ServeInfo("/src/App.tsx", nil); info.Refresh != (Refresh{}) {
		t.Errorf("ServeInfo(App.tsx).Refresh = %+v, want none", info.Refresh)
	}
}

// Preact with prefresh installed gets the prefresh runtime.
func TestRefreshPreact(t *testing.T) {
	files := reactApp()
	delete(files, "node_modules/@vitejs/plugin-react/dist/refresh-runtime.js")
	files["node_modules/preact/package.json"] = `{ "name": "preact" }`
	files["node_modules/@prefresh/core/package.json"] = `{ "name": "@prefresh/core" }`
	files["node_modules/@prefresh/utils/package.json"] = `{ "name": "@prefresh/utils" }`
	p, _ := openMem(t, files)
	info, _ := p.ServeInfo("/src/App.tsx", nil)
	if info.Refresh != (Refresh{Runtime: RefreshPreact, Module: "@prefresh/core", Boundary: true}) {
		t.Errorf("ServeInfo(App.tsx).Refresh = %+v", info.Refresh)
	}
}
