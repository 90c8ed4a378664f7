package devserver

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/hmrd/hmrd/internal/engine"
)

func TestStyleModule(t *testing.T) {
	f := newFixture(t, newFakeService(), map[string]string{
		"src/style.css":       "@import './base.css';\n.a { background: url(./img/a.png) }\n",
		"src/base.css":        "body { background: url(\"../bg.png?v=1#x\"), url(data:image/png;base64,AA==), url(/abs.png), url(https://cdn.test/x.png) }\n",
		"src/outside.css":     "@import '../../outside.css';\n",
		"src/denied.css":      "@import './.hidden.css';\n",
		"src/.hidden.css":     ".secret { color: red } /* CANARY_HIDDEN */\n",
		"../outside.css":      ".x { color: red } /* CANARY_OUTSIDE */\n",
		"src/theme.scss":      "$a: 1;\n",
		"src/card.module.css": ".title { color: red }\n.my-card { composes: title; }\n.default {}\n",
		"src/broken.css":      "@import './nope.css';\n",
		"src/plain-only.css":  "p { color: blue }\n",
	})
	r := f.get(t, "/src/style.css?import")
	css := "/* src/base.css */\nbody {\n  background:\n    url(/bg.png?v=1#x),\n    url(data:image/png;base64,AA==),\n    url(/abs.png),\n    url(https://cdn.test/x.png);\n}\n\n/* src/style.css */\n.a {\n  background: url(/src/img/a.png);\n}\n"
	cssJSON, _ := json.Marshal(css)
	want := `import { updateStyle as __hmrd_updateStyle, removeStyle as __hmrd_removeStyle, createHotContext as __hmrd_hot } from "/@hmrd/client.js";
import.meta.hot = __hmrd_hot("/src/style.css");
const css = ` + string(cssJSON) + `;
__hmrd_updateStyle("/src/style.css", css);
import.meta.hot.accept();
import.meta.hot.prune(() => __hmrd_removeStyle("/src/style.css"));
export default css;
`
	if r.status != 200 || r.header.Get("Content-Type") != jsType || r.body != want {
		t.Fatalf("status %d type %q body:\n%s\nwant:\n%s", r.status, r.header.Get("Content-Type"), r.body, want)
	}

	// Without ?import: the sheet itself, for <link rel=stylesheet>.
	if r := f.get(t, "/src/plain-only.css"); r.status != 200 || r.header.Get("Content-Type") != "text/css; charset=utf-8" || r.body != "p { color: blue }\n" {
		t.Fatalf("raw css: %d %q %q", r.status, r.header.Get("Content-Type"), r.body)
	}
	// ?t= alone changes nothing (hot updates of linked sheets append it).
	if r := f.get(t, "/src/plain-only.css?t=123"); r.body != "p { color: blue }\n" {
		t.Fatalf("raw css with ?t=: %q", r.body)
	}

	// @import is confined like a request: out of the root, or a dotfile.
	for _, u := range []string{"/src/outside.css?import", "/src/denied.css?import", "/src/broken.css?import"} {
		r := f.get(t, u)
		if r.status != 500 || !strings.HasPrefix(r.body, "throw new Error(") {
			t.Errorf("%s: %d\n%s", u, r.status, r.body)
		}
		if strings.Contains(r.body, "CANARY") || strings.Contains(r.body, f.parent) {
			t.Errorf("%s leaks: %s", u, r.body)
		}
	}
	if r := f.get(t, "/src/theme.scss?import"); r.status != 500 || !strings.Contains(r.body, "preprocessor") {
		t.Errorf("scss: %d %s", r.status, r.body)
	}

	// A CSS module: class map as default and named exports, no accept().
	r = f.get(t, "/src/card.module.css?import")
	for _, w := range []string{
		`__hmrd_updateStyle("/src/card.module.css", __hmrd_css);`,
		`import.meta.hot.prune(() => __hmrd_removeStyle("/src/card.module.css"));`,
		`title: "card_title"`,
		`"my-card": "card_title card_my-card"`,
		"export default card_default;",
		`export { __hmrd_c0 as title };`,
		`.card_title {`,
	} {
		if !strings.Contains(r.body, w) {
			t.Errorf("css module: missing %q in:\n%s", w, r.body)
		}
	}
	for _, nw := range []string{"accept(", "as my-card", "as default }"} {
		if strings.Contains(r.body, nw) {
			t.Errorf("css module: unexpected %q in:\n%s", nw, r.body)
		}
	}
}

func TestJSONAndAssetModules(t *testing.T) {
	svc := newFakeService()
	f := newFixture(t, svc, map[string]string{
		"src/data.json":  "\ufeff{ \"a\": [1, 2], \"b\": \"</script>\" }\n",
		"src/bad.json":   "{ \"a\": 1,, }\n",
		"src/logo.svg":   "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
		"src/font.woff2": "wOF2",
		"src/x.ts.txt":   "not a module",
		"src/page.html":  "<p>page</p>",
	})
	for _, tc := range []struct {
		target, ctype, body string
		status              int
	}{
		{"/src/data.json?import", jsType, "const __hmrd_json = { \"a\": [1, 2], \"b\": \"</script>\" };\nexport default __hmrd_json;\n" +
			"const __hmrd_j0 = __hmrd_json[\"a\"]; export { __hmrd_j0 as a };\nconst __hmrd_j1 = __hmrd_json[\"b\"]; export { __hmrd_j1 as b };\n", 200},
		{"/src/data.json", "application/json", "\ufeff{ \"a\": [1, 2], \"b\": \"</script>\" }\n", 200},
		{"/src/logo.svg?import", jsType, "export default \"/src/logo.svg\";\n", 200},
		{"/src/logo.svg?import&t=5", jsType, "export default \"/src/logo.svg\";\n", 200},
		{"/src/logo.svg", "image/svg+xml", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>", 200},
		{"/src/font.woff2", "font/woff2", "wOF2", 200},
		{"/src/x.ts.txt", "text/plain; charset=utf-8", "not a module", 200},
		{"/src/page.html?import", jsType, "export default \"/src/page.html\";\n", 200},
		{"/src/data.json?t=1", "application/json", "\ufeff{ \"a\": [1, 2], \"b\": \"</script>\" }\n", 200},
	} {
		r := f.get(t, tc.target)
		if r.status != tc.status || r.header.Get("Content-Type") != tc.ctype || r.body != tc.body {
			t.Errorf("%s: %d %q %q, want %d %q %q", tc.target, r.status, r.header.Get("Content-Type"), r.body, tc.status, tc.ctype, tc.body)
		}
	}
	r := f.get(t, "/src/bad.json?import")
	if r.status != 500 || !strings.HasPrefix(r.body, "throw new Error(") || !strings.Contains(r.body, "/src/bad.json: invalid JSON") {
		t.Errorf("bad json: %d %s", r.status, r.body)
	}
	if n := len(svc.callsFor("/src/data.json")); n != 1 {
		t.Errorf("json module: %d ServeModule calls, want 1 (marks it loaded)", n)
	}
	head := f.raw(t, "HEAD", "/src/data.json?import")
	if head.status != 200 || head.body != "" || head.header.Get("Content-Length") == "" {
		t.Errorf("HEAD: %d %q %v", head.status, head.body, head.header)
	}
}

// An asset's module form exports its URL with the asset's version, as
// Vite's asset plugin, so an importer re-run after an edit of the asset
// gets a URL the page has not loaded.
func TestAssetURLCarriesVersion(t *testing.T) {
	svc := newFakeService()
	svc.add("/src/logo.svg", "asset", 1764931200123, nil)
	svc.add("/src/icon.png", "asset", 0, nil)
	f := newFixture(t, svc, map[string]string{"src/logo.svg": "<svg/>", "src/icon.png": "png"})
	for target, want := range map[string]string{
		"/src/logo.svg?import":       "export default \"/src/logo.svg?t=1764931200123\";\n",
		"/src/logo.svg?import&t=5":   "export default \"/src/logo.svg?t=1764931200123\";\n",
		"/src/icon.png?import":       "export default \"/src/icon.png\";\n",
		"/src/icon.png?t=9&import=1": "export default \"/src/icon.png\";\n",
	} {
		if r := f.get(t, target); r.status != 200 || r.body != want {
			t.Errorf("%s: %d %q, want %q", target, r.status, r.body, want)
		}
	}
	if n := len(svc.callsFor("/src/logo.svg")); n != 2 {
		t.Errorf("%d ServeModule calls for the asset, want 2 (each marks it loaded)", n)
	}
}

func TestHTML(t *testing.T) {
	svc := newFakeService()
	svc.add("/index.html", "html", 0, map[string]engine.ImportTarget{
		"./src/main.ts": {ID: "/src/main.ts", Kind: "js", Version: 99},
		"./theme.css":   {ID: "/theme.css", Kind: "style"},
		"./hot.js":      {ID: "/hot.js", Kind: "js"},
	})
	const tag = `<script type="module" src="/@hmrd/client.js"></script>`
	f := newFixture(t, svc, map[string]string{
		"index.html": "<!doctype html>\n<html>\n<HEAD lang=en>\n<title>t</title>\n" +
			"<script type=\"module\">\n  import { start } from './src/main.ts'\n  import './theme.css'\n  import 'unknown-pkg'\n  start()\n</script>\n" +
			"<script type=\"module\">import './hot.js'; if (import.meta.hot) import.meta.hot.accept('./hot.js')</script>\n" +
			"<script type=\"module\" src=\"./src/main.ts\"></script>\n</HEAD><body></body></html>\n",
		"nohead/index.html": "<!DOCTYPE html><p>no head</p>",
		"bare/index.html":   "<p>bare</p>",
		"sub/page.html":     "<head><title>x</title></head>",
		"empty/readme.txt":  "x",
	})
	r := f.get(t, "/")
	want := "<!doctype html>\n<html>\n<HEAD lang=en>" + tag + "\n<title>t</title>\n" +
		"<script type=\"module\">\n  import { start } from '/src/main.ts?t=99'\n  import '/theme.css?import'\n  import 'unknown-pkg'\n  start()\n</script>\n" +
		"<script type=\"module\">import '/hot.js'; if (import.meta.hot) import.meta.hot.accept('./hot.js')</script>\n" +
		"<script type=\"module\" src=\"./src/main.ts\"></script>\n</HEAD><body></body></html>\n"
	if r.status != 200 || r.header.Get("Content-Type") != "text/html; charset=utf-8" || r.body != want {
		t.Fatalf("index: %d %q\n%s\nwant:\n%s", r.status, r.header.Get("Content-Type"), r.body, want)
	}
	if c := svc.callsFor("/index.html"); len(c) != 1 || strings.Join(c[0].specs, " ") != "./src/main.ts ./theme.css unknown-pkg ./hot.js" {
		t.Fatalf("ServeModule calls: %+v", c)
	}
	for _, tc := range []struct{ target, want string }{
		{"/index.html", want},
		{"/nohead/", "<!DOCTYPE html>" + tag + "<p>no head</p>"},
		{"/bare/", tag + "<p>bare</p>"},
		{"/sub/page.html", "<head>" + tag + "<title>x</title></head>"},
	} {
		if r := f.get(t, tc.target); r.status != 200 || r.body != tc.want {
			t.Errorf("%s: %d\n%s\nwant:\n%s", tc.target, r.status, r.body, tc.want)
		}
	}
	// A directory without the slash redirects (relative URLs need it);
	// one without index.html is not listed.
	if r := f.get(t, "/nohead"); r.status != 307 || r.header.Get("Location") != "/nohead/" {
		t.Errorf("/nohead: %d %v", r.status, r.header)
	}
	for _, u := range []string{"/empty/", "/empty", "/missing/", "/missing.html", "/index.html/"} {
		if r := f.get(t, u); r.status != 404 || strings.Contains(r.body, "readme") {
			t.Errorf("%s: %d %q", u, r.status, r.body)
		}
	}
}

func TestClientJS(t *testing.T) {
	f := newFixture(t, newFakeService(), nil)
	r := f.get(t, "/@hmrd/client.js")
	want := `const __HMRD_CONFIG__ = {"token":"tok-123","wsPath":"/@hmrd/ws","project":"demo"};` + "\n" + testClient
	if r.status != 200 || r.body != want || r.header.Get("Content-Type") != jsType || r.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("%d %v\n%s", r.status, r.header, r.body)
	}
	for _, u := range []string{"/@hmrd/ws", "/@hmrd/other.js", "/@hmrd", "/@hmrd/", "/@hmrd/client.js/",
		"/@hmrd/hot.d.ts", "/@hmrd/tsconfig.json", "/@hmrd/test/client.test.js", "/@hmrd/hot-context.js/"} {
		if r := f.get(t, u); r.status != 404 || strings.Contains(r.body, "CANARY") {
			t.Errorf("%s: %d", u, r.status)
		}
	}
}

// The runtime's other modules are served as they are, next to client.js,
// revalidated on every use.
func TestRuntimeModules(t *testing.T) {
	f := newFixture(t, newFakeService(), nil)
	r := f.get(t, "/@hmrd/hot-context.js")
	etag := r.header.Get("ETag")
	if r.status != 200 || r.body != testModule || r.header.Get("Content-Type") != jsType ||
		r.header.Get("Cache-Control") != "no-cache" || !strings.HasPrefix(etag, `"`) ||
		r.header.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("%d %v\n%s", r.status, r.header, r.body)
	}
	if r := f.get(t, "/@hmrd/hot-context.js", "If-None-Match: "+etag); r.status != 304 || r.body != "" {
		t.Errorf("revalidation: %d %v %q", r.status, r.header, r.body)
	}
	if r := f.get(t, "/@hmrd/hot-context.js", `If-None-Match: "stale"`); r.status != 200 || r.body != testModule {
		t.Errorf("stale revalidation: %d %q", r.status, r.body)
	}
	if r := f.raw(t, "HEAD", "/@hmrd/hot-context.js"); r.status != 200 || r.body != "" || r.header.Get("Content-Length") != fmt.Sprint(len(testModule)) {
		t.Errorf("HEAD: %d %v %q", r.status, r.header, r.body)
	}
	// A runtime without its entry is refused.
	if _, err := New(newFakeService(), Options{Root: f.root, Guard: f.guard, Runtime: fstest.MapFS{"other.js": {}}}); err == nil {
		t.Error("New accepted a runtime without client.js")
	}
}

func TestNewOptions(t *testing.T) {
	f := newFixture(t, newFakeService(), nil)
	for _, o := range []Options{
		{Root: f.root},                     // no guard
		{Root: "relative", Guard: f.guard}, // not absolute
		{Root: f.root + "/missing", Guard: f.guard},
	} {
		if _, err := New(newFakeService(), o); err == nil {
			t.Errorf("New(%+v) accepted", o)
		}
	}
	if _, err := New(nil, Options{Root: f.root, Guard: f.guard}); err == nil {
		t.Error("New without a service accepted")
	}
	// Without a runtime the stand-in is served, config line first.
	s, err := New(newFakeService(), Options{Project: `a"b`, Root: f.root, Guard: f.guard, Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if !strings.HasPrefix(string(s.client), `const __HMRD_CONFIG__ = {"token":"tok-123","wsPath":"/@hmrd/ws","project":"a\"b"};`+"\nconsole.warn(") {
		t.Fatalf("client: %s", s.client)
	}
}

func TestExternal(t *testing.T) {
	f := newFixture(t, newFakeService(), map[string]string{
		"node_modules/lib/package.json":   `{ "name": "lib", "exports": { ".": { "browser": "./browser.js", "default": "./index.js" }, "./style.css": "./style.css" } }`,
		"node_modules/lib/browser.js":     "import { helper } from './helper.js'\nimport './own.css'\nexport const lib = helper('browser') + (process.env.NODE_ENV === 'development' ? '-dev' : '')\nexport default lib\n",
		"node_modules/lib/helper.js":      "export const helper = (s) => s.toUpperCase()\n",
		"node_modules/lib/own.css":        ".lib { color: red }\n",
		"node_modules/lib/style.css":      ".lib-style { color: blue }\n",
		"node_modules/leaky/package.json": `{ "name": "leaky", "main": "../../../outside.js" }`,
		"node_modules/dotty/package.json": `{ "name": "dotty", "main": "./.secret.js" }`,
		"node_modules/dotty/.secret.js":   "export default 'CANARY_DOTTY'\n",
		"../outside.js":                   "export default 'CANARY_OUTSIDE_JS'\n",
		"src/not-a-package.js":            "export default 1\n",
	})
	r := f.get(t, "/@id/lib")
	for _, w := range []string{`__hmrd_updateStyle("/@id/lib", "/* node_modules/lib/own.css */\n.lib {`, `helper("browser")`, `(true ? "-dev"`, "browser_default as default"} {
		if !strings.Contains(r.body, w) {
			t.Errorf("/@id/lib: missing %q in:\n%s", w, r.body)
		}
	}
	if r.status != 200 || r.header.Get("Content-Type") != jsType {
		t.Errorf("/@id/lib: %d %v", r.status, r.header)
	}
	if again := f.get(t, "/@id/lib"); again.body != r.body {
		t.Error("cached bundle differs")
	}
	r = f.get(t, "/@id/lib/style.css")
	if r.status != 200 || !strings.Contains(r.body, `__hmrd_hot("/@id/lib/style.css")`) || !strings.Contains(r.body, "lib-style") {
		t.Errorf("/@id/lib/style.css: %d\n%s", r.status, r.body)
	}
	for _, u := range []string{"/@id/not-installed", "/@id/src/not-a-package.js", "/@id/leaky", "/@id/dotty"} {
		r := f.get(t, u)
		if r.status != 404 && r.status != 500 {
			t.Errorf("%s: %d, want 404 or 500", u, r.status)
		}
		if strings.Contains(r.body, "CANARY") || strings.Contains(r.body, f.parent) {
			t.Errorf("%s leaks: %s", u, r.body)
		}
	}
	if r := f.get(t, "/@id/not-installed"); r.status != 404 || !strings.Contains(r.body, "no such package") {
		t.Errorf("not installed: %d %q", r.status, r.body)
	}
}

// Concurrent requests share the root handle and the bundle cache (run
// with -race).
func TestConcurrentRequests(t *testing.T) {
	svc := newFakeService()
	svc.add("/src/main.js", "js", 0, map[string]engine.ImportTarget{"lib": {ID: "/@id/lib", Kind: "external"}})
	f := newFixture(t, svc, map[string]string{
		"index.html":                    "<head></head>",
		"src/main.js":                   "import { lib } from 'lib'\nimport.meta.hot?.accept()\nconsole.log(lib)\n",
		"src/a.css":                     "a { color: red }",
		"node_modules/lib/package.json": `{"name": "lib", "module": "./index.js"}`,
		"node_modules/lib/index.js":     "export const lib = 1\n",
	})
	urls := []string{"/", "/src/main.js", "/@id/lib", "/src/a.css?import", "/.env", "/missing.js"}
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for i := range 16 {
		wg.Go(func() {
			for j := range 4 {
				u := urls[(i+j)%len(urls)]
				resp, err := http.Get("http://" + f.addr + u)
				if err != nil {
					errs <- err.Error()
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				want := 200
				if u == "/.env" || u == "/missing.js" {
					want = 404
				}
				if resp.StatusCode != want {
					errs <- fmt.Sprintf("%s: %d", u, resp.StatusCode)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}
