package devserver

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hmrd/hmrd/internal/engine"
	"github.com/hmrd/hmrd/internal/vfs"
)

// Each query suffix answers the module Vite's plugins make of the file,
// for any file type; the deny list still refuses.
func TestQuerySuffixes(t *testing.T) {
	svc := newFakeService()
	svc.add("/src/logo.png?url", "asset", 42, nil)
	f := newFixture(t, svc, map[string]string{
		"src/note.txt":    "hello </script>\n",
		"src/w.js":        "import { h } from './h.js'\nself.onmessage = () => postMessage(h)\n",
		"src/data.json":   "{\"a\": 1}\n",
		"src/base.css":    ".b { color: blue }\n",
		"src/sheet.css":   "@import './base.css';\n.a { background: url(./logo.png) }\n",
		"src/sheet.scss":  "$c: red;\n",
		"src/logo.png":    "\x89PNG",
		"src/App.vue":     "<template><p/></template>\n",
		".env":            "SECRET=1\n",
		"src/.env.local":  "SECRET=2\n",
		"src/id_rsa":      "key\n",
		"src/page.html":   "<p>page</p>",
		"src/notajs.text": "x",
	})
	for _, tc := range []struct {
		target string
		status int
		body   string // the whole body, or with "~" first a part of it
	}{
		{"/src/note.txt?raw", 200, "export default \"hello \\u003c/script\\u003e\\n\";\n"},
		{"/src/w.js?raw", 200, "export default \"import { h } from './h.js'\\nself.onmessage = () =\\u003e postMessage(h)\\n\";\n"},
		{"/src/App.vue?raw", 200, "export default \"\\u003ctemplate\\u003e\\u003cp/\\u003e\\u003c/template\\u003e\\n\";\n"},
		{"/src/note.txt?import&raw&t=3", 200, "export default \"hello \\u003c/script\\u003e\\n\";\n"},
		{"/src/data.json?url", 200, "export default \"/src/data.json\";\n"},
		{"/src/w.js?url", 200, "export default \"/src/w.js\";\n"},
		{"/src/logo.png?url", 200, "export default \"/src/logo.png?t=42\";\n"},
		{"/src/sheet.css?inline", 200, "~.b {\\n  color: blue;\\n}"},
		{"/src/sheet.css?inline", 200, "~url(/src/logo.png)"},
		{"/src/sheet.scss?inline", 500, "~need a preprocessor"},
		{"/src/logo.png?inline", 200, "export default \"data:image/png;base64," + base64.StdEncoding.EncodeToString([]byte("\x89PNG")) + "\";\n"},
		{"/src/w.js?worker", 200, "export default function WorkerWrapper(options) {\n  return new Worker(new URL(\"/src/w.js\", import.meta.url), { type: \"module\", name: options?.name });\n}\n"},
		{"/src/w.js?worker&inline", 200, "~new Worker(new URL(\"/src/w.js\", import.meta.url)"},
		{"/src/w.js?sharedworker", 200, "~return new SharedWorker(new URL(\"/src/w.js\", import.meta.url), { type: \"module\""},
		{"/src/w.js?worker&url", 200, "export default \"/src/w.js\";\n"},
		{"/src/data.json?worker", 500, "~needs a JavaScript or TypeScript module"},
		{"/src/App.vue?import", 500, "~hmrd serve cannot compile .vue single-file components; run Vite with @hmrd/vite (the hmrd Vite plugin) and @vitejs/plugin-vue"},
		{"/src/App.vue", 200, "<template><p/></template>\n"},
		{"/.env?raw", 404, "~not served"},
		{"/.env?url", 404, "~not served"},
		{"/src/.env.local?raw", 404, "~not served"},
		{"/src/id_rsa?inline", 404, "~not served"},
		{"/src/missing.txt?raw", 404, "404 not found\n"},
	} {
		r := f.get(t, tc.target)
		ok := r.status == tc.status
		if part, isPart := strings.CutPrefix(tc.body, "~"); isPart {
			ok = ok && strings.Contains(r.body, part)
		} else {
			ok = ok && r.body == tc.body
		}
		if !ok {
			t.Errorf("%s: %d %q, want %d %q", tc.target, r.status, r.body, tc.status, tc.body)
		}
		if tc.status == 200 && r.header.Get("Content-Type") != jsType && tc.target != "/src/App.vue" {
			t.Errorf("%s: Content-Type %q, want %q", tc.target, r.header.Get("Content-Type"), jsType)
		}
	}
	if r := f.get(t, "/src/sheet.css?inline"); strings.Contains(r.body, "updateStyle") {
		t.Errorf("?inline installs the sheet:\n%s", r.body)
	}
	if n := len(svc.callsFor("/src/note.txt?raw")); n != 2 {
		t.Errorf("%d ServeModule calls for /src/note.txt?raw, want 2 (each fetch marks it loaded)", n)
	}
}

// Through the real engine: each suffixed import is rewritten to its own
// module URL, and after an edit of the file to a new version of it.
func TestQuerySuffixRewrites(t *testing.T) {
	files := map[string]string{
		"index.html": "<script type=\"module\" src=\"/src/main.js\"></script>\n",
		"src/main.js": "import text from './note.txt?raw'\n" +
			"import u from './data.json?url'\n" +
			"import css from './a.css?inline'\n" +
			"import W from './w.js?worker'\n" +
			"import data, { version } from './data.json'\n" +
			"console.log(text, u, css, W, data, version)\n",
		"src/note.txt":  "hi\n",
		"src/data.json": "{\"version\": \"1.2.3\"}\n",
		"src/a.css":     "p { color: red }\n",
		"src/w.js":      "import { h } from './h.js'\npostMessage(h)\n",
		"src/h.js":      "export const h = 1\n",
	}
	parent, root := newTree(t, files)
	p, plan, err := engine.Open(vfs.OS{}, engine.Options{Root: root, NativeESM: true})
	if err != nil || len(plan.Errors) > 0 {
		t.Fatalf("open: %v %v", err, plan.Errors)
	}
	svc := &engineService{fakeService: newFakeService(), p: p}
	f := serveTree(t, svc, parent, root)

	r := f.get(t, "/src/main.js")
	for _, w := range []string{`from "/src/note.txt?raw"`, `from "/src/data.json?url"`, `from "/src/a.css?inline"`, `from "/src/w.js?worker"`, `from "/src/data.json?import"`} {
		if !strings.Contains(r.body, w) {
			t.Errorf("main.js lacks %s:\n%s", w, r.body)
		}
	}
	if r := f.get(t, "/src/w.js"); !strings.Contains(r.body, `from "/src/h.js"`) {
		t.Errorf("the worker's module is not known to the graph:\n%s", r.body)
	}
	if err := os.WriteFile(filepath.Join(root, "src/note.txt"), []byte("edited\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	svc.mu.Lock()
	plan = p.Apply([]string{filepath.Join(root, "src/note.txt")})
	svc.mu.Unlock()
	if plan.FullReload == nil || !strings.Contains(plan.FullReload.Reason, "/src/note.txt?raw") {
		t.Errorf("edit of note.txt: %+v %+v; want the change to reach main.js (no boundary: a reload)", plan.Updates, plan.FullReload)
	}
	if r := f.get(t, "/src/main.js"); !strings.Contains(r.body, `from "/src/note.txt?raw&t=`) {
		t.Errorf("after the edit, main.js imports note.txt?raw without a version:\n%s", r.body)
	}
}

// A JSON file exports its top-level keys that are identifiers by name
// (Vite's json plugin), besides the default export.
func TestJSONNamedExports(t *testing.T) {
	got := string(jsonModule([]byte(`{"name": "app", "version": "1.0.0", "my-key": 1, "default": 2, "class": 3, "name": "again"}`)))
	want := `const __hmrd_json = {"name": "app", "version": "1.0.0", "my-key": 1, "default": 2, "class": 3, "name": "again"};
export default __hmrd_json;
const __hmrd_j0 = __hmrd_json["name"]; export { __hmrd_j0 as name };
const __hmrd_j1 = __hmrd_json["version"]; export { __hmrd_j1 as version };
const __hmrd_j4 = __hmrd_json["class"]; export { __hmrd_j4 as class };
`
	if got != want {
		t.Errorf("jsonModule:\n%s\nwant:\n%s", got, want)
	}
	for _, v := range []string{`[1, 2]`, `"s"`, `null`} {
		if got, want := string(jsonModule([]byte(v))), "const __hmrd_json = "+v+";\nexport default __hmrd_json;\n"; got != want {
			t.Errorf("jsonModule(%s) = %q, want %q", v, got, want)
		}
	}
}

// A module that reads import.meta.env gets Vite's object written in on
// its first line, from the root's .env files in Vite's order of
// precedence, with references expanded and only VITE_ and HMRD_ variables
// exposed; the daemon's VITE_ variables win over the files, and its own
// HMRD_ configuration (its token!) never reaches a page, not even through a
// reference.
func TestImportMetaEnv(t *testing.T) {
	t.Setenv("HMRD_TOKEN", "daemon-secret")
	t.Setenv("VITE_FROM_PROCESS", "process")
	t.Setenv("VITE_OVERRIDDEN", "by process")
	t.Setenv("HOME_DIR_FOR_TEST", "/home/x")
	svc := newFakeService()
	f := newFixture(t, svc, map[string]string{
		".env": "# base\nVITE_A=from .env\nVITE_B=from .env\nVITE_C=from .env\nVITE_D=from .env\nSECRET=hunter2\n" +
			"VITE_OVERRIDDEN=by file\nHMRD_X='single $VITE_A'\n",
		".env.local":             "VITE_B=from .env.local\nVITE_REF=${SECRET}-$VITE_A-${NOPE:-dflt}-${HOME_DIR_FOR_TEST}\nVITE_TOK=x${HMRD_TOKEN}y\n",
		".env.development":       "VITE_C=from .env.development\nexport VITE_Q=\"two\\nlines\" # comment\n",
		".env.development.local": "VITE_D=from .env.development.local\n",
		".env.production":        "VITE_A=from .env.production\n",
		"src/.env":               "VITE_A=from src/.env\n",
		"src/main.js":            "console.log(import.meta.env.VITE_A, import.meta.env)\n",
		"src/plain.js":           "console.log(import.meta.url)\n",
		"index.html": "<!doctype html><head></head>\n<script type=\"module\">document.title = import.meta.env.VITE_A</script>\n" +
			"<script type=\"module\">console.log(1)</script>\n",
	})
	page := f.get(t, "/")
	if n := strings.Count(page.body, "import.meta.env = "); n != 1 || !strings.Contains(page.body, `<script type="module">import.meta.env = {"BASE_URL":"/"`) {
		t.Errorf("index.html: want the one inline script that reads import.meta.env to get it (%d):\n%s", n, page.body)
	}
	r := f.get(t, "/src/main.js")
	want := `import.meta.env = {"BASE_URL":"/","MODE":"development","DEV":true,"PROD":false,"SSR":false,` +
		`"HMRD_X":"single $VITE_A","VITE_A":"from .env","VITE_B":"from .env.local","VITE_C":"from .env.development",` +
		`"VITE_D":"from .env.development.local","VITE_FROM_PROCESS":"process","VITE_OVERRIDDEN":"by process",` +
		`"VITE_Q":"two\nlines","VITE_REF":"hunter2-from .env-dflt-/home/x","VITE_TOK":"xy"};console.log(import.meta.env.VITE_A`
	if r.status != 200 || !strings.HasPrefix(r.body, want) {
		t.Errorf("main.js:\n%s\nwant it to start with\n%s", r.body, want)
	}
	if strings.Contains(r.body, `"SECRET"`) || strings.Contains(r.body, "daemon-secret") {
		t.Errorf("a variable without an exposed prefix reached the page:\n%s", r.body)
	}
	if r := f.get(t, "/src/plain.js"); strings.Contains(r.body, "import.meta.env =") {
		t.Errorf("a module that does not read import.meta.env got it:\n%s", r.body)
	}
	if r := f.get(t, "/.env.local"); r.status != 404 {
		t.Errorf("/.env.local: %d, want it refused", r.status)
	}
}

func TestParseDotenv(t *testing.T) {
	src := "# comment\n" +
		"A=1\n" +
		"  B = spaced value   \n" +
		"export C=exported\n" +
		"D='single # not a comment'\n" +
		"E=\"double\\nnewline\"\n" +
		"F=unquoted # comment\n" +
		"G=`back\ntick`\n" +
		"H='multi\nline'\n" +
		"I: colon\n" +
		"not an assignment\n" +
		"J=\r\n" +
		"K=\"unclosed\n" +
		"L=\"a\" trailing\n" +
		"M.N-O=dots\n" +
		"A=2\n"
	var got []string
	for _, v := range parseDotenv(src) {
		got = append(got, v.key+"="+v.value)
	}
	want := []string{"A=1", "B=spaced value", "C=exported", "D=single # not a comment", "E=double\nnewline", "F=unquoted",
		"G=back\ntick", "H=multi\nline", "I=colon", "J=", `K="unclosed`, `L="a" trailing`, "M.N-O=dots", "A=2"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("parseDotenv:\n%q\nwant\n%q", got, want)
	}
}

func TestExpandEnv(t *testing.T) {
	vars := map[string]envVar{}
	for _, v := range parseDotenv("A=a\nB=$A-b\nC=${B}c\nLOOP=$LOOP+\nL='$A'\nESC=\\$A\nE=\n") {
		vars[v.key] = v
	}
	x := envExpander{vars: vars, lookup: func(k string) (string, bool) {
		if k == "ENV" {
			return "env", true
		}
		return "", false
	}}
	for in, want := range map[string]string{
		"$A":               "a",
		"${C}":             "a-bc",
		"$ENV/$NOPE/":      "env//",
		"${NOPE:-d}":       "d",
		"${E:-d}":          "d",
		"${E-d}":           "",
		"${NOPE-d}":        "d",
		"$L":               "$A",
		"\\$A":             "$A",
		"$":                "$",
		"${unclosed":       "${unclosed",
		"cost $5":          "cost ",
		"$LOOP":            "++++++++",
		"$ESC":             "$A",
		"price: 5$ and $A": "price: 5$ and a",
	} {
		if got := x.expand(in); got != want {
			t.Errorf("expand(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzParseDotenv: any input parses, in time linear in its size, to keys
// made of key bytes, and expanding any value ends within the bounds.
func FuzzParseDotenv(f *testing.F) {
	for _, s := range []string{
		"A=1\nB='2'\nC=\"3\\n\"\nD=`4`\n", "export X = y # c\n", "A=$A$A$A$A\nB=${A:-${A}}\n",
		"K=\"unterminated\n", "=novalue\n", "A: b\r\nC=d\r", "A='x' y\n", "A=\\$B\n", "A=${B-${C-${D}}}\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		vars := map[string]envVar{}
		for _, v := range parseDotenv(src) {
			if v.key == "" || strings.IndexFunc(v.key, func(r rune) bool { return r > 0x7f || !isEnvKeyByte(byte(r)) }) >= 0 {
				t.Fatalf("key %q", v.key)
			}
			if len(v.value) > len(src) {
				t.Fatalf("value longer than the input: %q", v.value)
			}
			vars[v.key] = v
		}
		x := envExpander{vars: vars}
		for _, v := range vars {
			if got := x.expand(v.value); len(got) > maxExpanded {
				t.Fatalf("expanded to %d bytes", len(got))
			}
		}
	})
}
