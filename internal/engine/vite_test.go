package engine

import (
	"strings"
	"testing"
	"time"

	"github.com/hmrd/hmrd/internal/vfs"
)

func TestSuffixQuery(t *testing.T) {
	for spec, want := range map[string]string{
		"./a.txt":                    "",
		"./a.txt?raw":                "raw",
		"./a.png?url":                "url",
		"./a.css?inline":             "inline",
		"./w.js?worker":              "worker",
		"./w.js?worker&inline":       "worker&inline",
		"./w.js?url&worker":          "worker&url",
		"./w.js?sharedworker":        "sharedworker",
		"./a.txt?import&raw&t=1":     "raw",
		"./a.txt?t=1":                "",
		"./a.txt?import":             "",
		"./a.txt?raw#frag":           "raw",
		"./a.txt?rawish":             "",
		"./a.txt?raw=1":              "",
		"./w.js?sharedworker&inline": "sharedworker&inline",
	} {
		if got := SuffixQuery(spec); got != want {
			t.Errorf("SuffixQuery(%q) = %q, want %q", spec, got, want)
		}
	}
}

func openNative(t *testing.T, files map[string]string) (*Project, *vfs.Mem, *Plan) {
	t.Helper()
	mem := vfs.NewMem()
	for name, body := range files {
		mem.WriteFile(caseRoot+"/"+name, []byte(body))
	}
	clock := time.UnixMilli(1_700_000_000_000)
	p, plan, err := Open(mem, Options{Root: caseRoot, NativeESM: true, Now: func() time.Time { clock = clock.Add(time.Millisecond); return clock }})
	if err != nil {
		t.Fatal(err)
	}
	return p, mem, plan
}

// An import with a query suffix is a module of its own over the file: an
// edit of the file reaches the importer through it even when the file's
// plain module accepts its own updates (Vite: a ?raw module imports
// nothing and accepts nothing).
func TestQuerySuffixModulesPropagateToTheImporter(t *testing.T) {
	for _, q := range []string{"raw", "url", "inline"} {
		t.Run(q, func(t *testing.T) {
			p, mem, _ := openNative(t, map[string]string{
				"index.html":  `<script type="module" src="/src/main.js"></script>`,
				"src/main.js": "import './b.js'\nimport text from './b.js?" + q + "'\nimport './a.css'\nimport css from './a.css?" + q + "'\n" + selfAccept,
				"src/b.js":    "export const b = 1" + selfAccept,
				"src/a.css":   "body { color: red }",
			})
			for _, f := range []string{"src/b.js", "src/a.css"} {
				mem.WriteFile(caseRoot+"/"+f, []byte("/* edited */"+selfAccept))
				plan := p.Apply([]string{caseRoot + "/" + f})
				var boundaries []string
				for _, u := range plan.Updates {
					boundaries = append(boundaries, u.Path+"<-"+u.AcceptedPath)
				}
				got := strings.Join(boundaries, " ")
				if plan.FullReload != nil || !strings.Contains(got, "/src/main.js<-/src/main.js") {
					t.Errorf("edit of %s: updates %q reload %+v; want /src/main.js to re-run (it imports the file with ?%s)", f, got, plan.FullReload, q)
				}
			}
			info, ok := p.ServeInfo("/src/main.js", []string{"./b.js?" + q, "./b.js", "./a.css?" + q})
			if !ok {
				t.Fatal("ServeInfo: unknown")
			}
			if tg := info.Targets[0]; tg.ID != "/src/b.js?"+q || tg.Query != q || tg.Kind != "asset" || tg.Version == 0 {
				t.Errorf("target of ?%s = %+v, want /src/b.js?%s, an asset with a version", q, tg, q)
			}
			if tg := info.Targets[1]; tg.ID != "/src/b.js" || tg.Query != "" || tg.Kind != "js" {
				t.Errorf("target of the plain import = %+v, want /src/b.js", tg)
			}
			if tg := info.Targets[2]; tg.ID != "/src/a.css?"+q || tg.Query != q {
				t.Errorf("target of the stylesheet ?%s = %+v", q, tg)
			}
		})
	}
}

// A worker module imports its file's plain module: what the worker
// imports is in the graph, and an edit of it reaches the code that started
// the worker.
func TestWorkerQueryImportsTheWorkerModule(t *testing.T) {
	p, mem, _ := openNative(t, map[string]string{
		"index.html":    `<script type="module" src="/src/main.js"></script>`,
		"src/main.js":   "import W from './w.js?worker'\nnew W()\n" + selfAccept,
		"src/w.js":      "import { h } from './help.js'\nself.onmessage = () => postMessage(h)\n",
		"src/help.js":   "export const h = 1\n",
		"src/unused.js": "",
	})
	info, ok := p.ServeInfo("/src/w.js", []string{"./help.js"})
	if !ok || info.Targets[0].ID != "/src/help.js" {
		t.Fatalf("worker module served as %+v (known %v); want its imports known to the graph", info, ok)
	}
	mem.WriteFile(caseRoot+"/src/help.js", []byte("export const h = 2\n"))
	plan := p.Apply([]string{caseRoot + "/src/help.js"})
	if plan.FullReload != nil || len(plan.Updates) != 1 || plan.Updates[0].Path != "/src/main.js" {
		t.Errorf("edit of a module the worker imports: updates %+v reload %+v; want /src/main.js to re-run", plan.Updates, plan.FullReload)
	}
}

// Importing a .vue file from a native-ESM project is the importer's error,
// positioned at the import, and standing from the open; ?raw makes it
// fine. Without NativeESM (a bundler compiles it) nothing is wrong.
func TestUnsupportedFileTypeIsAnError(t *testing.T) {
	files := map[string]string{
		"index.html":  `<script type="module" src="/src/main.js"></script>`,
		"src/main.js": "import { x } from './x.js'\nimport App from './App.vue'\n",
		"src/x.js":    "export const x = 1\n",
		"src/App.vue": "<template><p>hi</p></template>\n",
	}
	p, mem, plan := openNative(t, files)
	if len(plan.Errors) != 1 {
		t.Fatalf("open errors = %v, want one", plan.Errors)
	}
	e := plan.Errors[0]
	if e.Module != "/src/main.js" || e.Code != "UNSUPPORTED_FILE" || e.Line != 2 || e.Column != 18 ||
		!strings.Contains(e.Message, `"./App.vue"`) || !strings.Contains(e.Message, "@vitejs/plugin-vue") || !strings.Contains(e.Frame, "2 | import App") {
		t.Errorf("error = %+v; want /src/main.js UNSUPPORTED_FILE at 2:18 naming @vitejs/plugin-vue, with a frame", e)
	}
	if got := p.Errors(); len(got) != 1 {
		t.Errorf("standing errors = %v, want the one", got)
	}
	mem.WriteFile(caseRoot+"/src/main.js", []byte("import src from './App.vue?raw'\n"))
	plan = p.Apply([]string{caseRoot + "/src/main.js"})
	if len(plan.Cleared) != 1 || len(p.Errors()) != 0 {
		t.Errorf("?raw import: cleared %v, standing %v; want the error cleared", plan.Cleared, p.Errors())
	}

	mem2 := vfs.NewMem()
	for name, body := range files {
		mem2.WriteFile(caseRoot+"/"+name, []byte(body))
	}
	if _, plan, err := Open(mem2, Options{Root: caseRoot}); err != nil || len(plan.Errors) != 0 {
		t.Errorf("without NativeESM: %v %v, want no error", plan.Errors, err)
	}
}

// A change to a root .env file reloads, naming the file; one elsewhere,
// or without NativeESM, does nothing.
func TestEnvFileChangeReloads(t *testing.T) {
	p, mem, _ := openNative(t, map[string]string{
		"index.html":  `<script type="module" src="/src/main.js"></script>`,
		"src/main.js": "console.log(import.meta.env.VITE_A)\n",
		".env":        "VITE_A=1\n",
	})
	mem.WriteFile(caseRoot+"/.env.local", []byte("VITE_A=2\n"))
	plan := p.Apply([]string{caseRoot + "/.env.local"})
	if plan.FullReload == nil || !strings.Contains(plan.FullReload.Reason, "/.env.local changed") || plan.FullReload.TriggeredBy != "/.env.local" {
		t.Errorf("plan = %+v, want a reload naming /.env.local", plan.FullReload)
	}
	mem.WriteFile(caseRoot+"/src/.env", []byte("VITE_A=3\n"))
	if plan := p.Apply([]string{caseRoot + "/src/.env"}); plan.FullReload != nil {
		t.Errorf("src/.env: %+v, want nothing (only the root's are read)", plan.FullReload)
	}
	q, mem2 := openMem(t, map[string]string{"index.html": "<p>x</p>"})
	mem2.WriteFile(caseRoot+"/.env", []byte("VITE_A=2\n"))
	if plan := q.Apply([]string{caseRoot + "/.env"}); plan.FullReload != nil {
		t.Errorf("without NativeESM: %+v, want nothing", plan.FullReload)
	}
}

// accept('./a.txt?raw') names the ?raw module: an edit of the file is
// accepted there (the Vite idiom for shaders and other text).
func TestAcceptingASuffixedImport(t *testing.T) {
	p, mem, _ := openNative(t, map[string]string{
		"index.html":  `<script type="module" src="/src/main.js"></script>`,
		"src/main.js": "import src from './a.glsl?raw'\nimport.meta.hot.accept('./a.glsl?raw', () => {})\n",
		"src/a.glsl":  "void main() {}\n",
	})
	mem.WriteFile(caseRoot+"/src/a.glsl", []byte("void main() { }\n"))
	plan := p.Apply([]string{caseRoot + "/src/a.glsl"})
	if plan.FullReload != nil || len(plan.Updates) != 1 || plan.Updates[0].Path != "/src/main.js" || plan.Updates[0].AcceptedPath != "/src/a.glsl?raw" {
		t.Errorf("updates %+v reload %+v; want /src/main.js accepting /src/a.glsl?raw", plan.Updates, plan.FullReload)
	}
}

// A stylesheet's ?inline module imports what the sheet @imports: an edit
// of such a sheet reaches the importer of the text, and does not install
// the sheet (no style module of it becomes a boundary).
func TestInlineSheetTracksItsImports(t *testing.T) {
	p, mem, _ := openNative(t, map[string]string{
		"index.html":  `<script type="module" src="/src/main.js"></script>`,
		"src/main.js": "import css from './a.css?inline'\n" + selfAccept,
		"src/a.css":   "@import './b.css';\n.a { color: red }\n",
		"src/b.css":   ".b { color: blue }\n",
	})
	mem.WriteFile(caseRoot+"/src/b.css", []byte(".b { color: green }\n"))
	plan := p.Apply([]string{caseRoot + "/src/b.css"})
	var paths []string
	for _, u := range plan.Updates {
		paths = append(paths, u.Path)
	}
	if plan.FullReload != nil || strings.Join(paths, " ") != "/src/main.js" {
		t.Errorf("edit of the @imported sheet: updates %v reload %+v; want only /src/main.js", paths, plan.FullReload)
	}
	if info, _ := p.ServeInfo("/src/main.js", []string{"./a.css?inline"}); info.Targets[0].Kind != "inline-style" || info.Targets[0].Query != "inline" {
		t.Errorf("target = %+v, want an inline-style module with query inline", info.Targets[0])
	}
}

// The ?url of a script is commonly given to new Worker(): the script's
// module is in the graph, so its imports are rewritten when it is served.
func TestURLOfAScriptImportsItsModule(t *testing.T) {
	p, _, _ := openNative(t, map[string]string{
		"index.html":  `<script type="module" src="/src/main.js"></script>`,
		"src/main.js": "import u from './w.js?url'\nimport d from './d.json?url'\nnew Worker(u, { type: 'module' })\n",
		"src/w.js":    "import { h } from './h.js'\npostMessage(h)\n",
		"src/h.js":    "export const h = 1\n",
		"src/d.json":  "{}\n",
	})
	if info, ok := p.ServeInfo("/src/w.js", []string{"./h.js"}); !ok || info.Targets[0].ID != "/src/h.js" {
		t.Errorf("the script of a ?url import is not in the graph: %+v %v", info, ok)
	}
	if _, ok := p.ServeInfo("/src/d.json", nil); ok {
		t.Errorf("the JSON file of a ?url import is in the graph; want only its ?url module")
	}
}

// Preprocessor stylesheets are unsupported too, imported or as ?inline
// text; as ?raw text they are fine.
func TestPreprocessorStylesheetsAreUnsupported(t *testing.T) {
	_, _, plan := openNative(t, map[string]string{
		"index.html":  `<script type="module" src="/src/main.js"></script>`,
		"src/main.js": "import './a.scss'\nimport css from './b.less?inline'\nimport src from './a.scss?raw'\n",
		"src/a.scss":  "$c: red;\n",
		"src/b.less":  "@c: red;\n",
	})
	if len(plan.Errors) != 1 {
		t.Fatalf("errors = %v, want one", plan.Errors)
	}
	e := plan.Errors[0]
	for _, part := range []string{`"./a.scss": hmrd serve cannot compile .scss stylesheets`, "the sass package", `(and 1 more: "./b.less?inline" at 2:18)`} {
		if !strings.Contains(e.Message, part) {
			t.Errorf("message %q lacks %q", e.Message, part)
		}
	}
}
