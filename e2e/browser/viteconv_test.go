package browser

import (
	"encoding/base64"
	"testing"
)

// import.meta.env holds Vite's built-in keys and the VITE_ and HMRD_
// variables of the root's .env files (later files winning, references
// expanded), never the others; an edit of .env.local reloads the page,
// naming the file, and the page then shows the new value.
func TestImportMetaEnvFromDotenvFiles(t *testing.T) {
	needBrowser(t)
	d := serveFixture(t, "viteenv")
	p := openPage(t, "a", d.url)
	want := `{"MODE":"development","DEV":true,"PROD":false,"SSR":false,"BASE_URL":"/",` +
		`"VITE_GREETING":"hello from .env","VITE_WHO":"local v1","HMRD_ANSWER":"local v1-42","SECRET":null}`
	p.waitText("#env", want)
	p.setMarker()
	from := p.consoleLen()

	d.edit(writeInPlace, ".env.local", "local v1", "local v2")
	p.waitConsole(from, "full reload", "/.env.local changed")
	p.waitTrue("the page reloads", reloaded)
	p.waitText("#env", `{"MODE":"development","DEV":true,"PROD":false,"SSR":false,"BASE_URL":"/",`+
		`"VITE_GREETING":"hello from .env","VITE_WHO":"local v2","HMRD_ANSWER":"local v2-42","SECRET":null}`)
}

// Every query suffix gives what Vite's gives: ?raw the text, ?url the URL
// (of an asset, a JSON file and a worker), ?inline a stylesheet's text
// (not applied) and an asset's data: URL, ?worker and ?sharedworker
// constructors of workers that answer messages; a JSON file has named
// exports. An edit of a raw file reaches the callback of the module that
// accepts the ?raw import; an edit of the raw file, of a sheet the ?inline
// sheet @imports, or of a module the workers import, re-runs the importer
// (it accepts itself); no reload.
func TestQuerySuffixesAndJSONNamedImports(t *testing.T) {
	needBrowser(t)
	d := serveFixture(t, "vitequery")
	p := openPage(t, "a", d.url)
	p.waitText("#raw", "note v1")
	p.waitText("#url", "/src/logo.svg")
	p.waitText("#jsonurl", "/src/data.json")
	p.waitText("#css", "/* src/base.css */\n.base {\n  margin: 1px;\n}\n\n/* src/card.css */\n.card {\n  color: rgb(255, 0, 0);\n}")
	p.waitText("#dot", "data:image/svg+xml;base64,"+base64.StdEncoding.EncodeToString([]byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`)))
	p.waitText("#workerurl", "/src/worker.js")
	p.waitText("#json", "vitequery-fixture@1.2.3 private=true")
	p.waitText("#worker", "worker answer v1: ping")
	p.waitText("#shared", "shared answer v1: ping")
	p.waitText("#shader", "void main() { /* shader v1 */ }")
	p.expectValue("the ?inline sheet is not applied", computed("#card", "color"), "rgb(0, 0, 0)")
	p.setMarker()

	d.edit(saveAtomic, "src/shader.glsl", "shader v1", "shader v2")
	p.waitText("#shader", "void main() { /* shader v2 */ }")
	p.expectValue("runs of shader.js (it accepts the ?raw import)", `window.__shaderRuns`, 1)
	p.expectValue("runs of main.js", `window.__mainRuns`, 1)

	d.edit(saveAtomic, "src/note.txt", "note v1", "note v2")
	p.waitText("#raw", "note v2")
	p.expectValue("runs of main.js", `window.__mainRuns`, 2)

	d.edit(saveAtomic, "src/base.css", "margin: 1px", "margin: 2px")
	p.waitTrue("the ?inline text has the edit of the sheet it @imports", `document.getElementById('css').textContent.includes('margin: 2px')`)
	p.expectValue("runs of main.js", `window.__mainRuns`, 3)

	d.edit(saveAtomic, "src/answer.js", "answer v1", "answer v2")
	p.waitText("#worker", "worker answer v2: ping")
	p.waitText("#shared", "shared answer v2: ping")
	p.expectNoReload()
}

// A module importing a .vue file: the page shows, from the moment it
// loads, an overlay naming the integration that compiles it, at the
// importing line, with its code frame.
func TestUnsupportedFileTypeOverlayAtLoad(t *testing.T) {
	needBrowser(t)
	d := serveFixture(t, "unsupported")
	p := openPage(t, "a", d.url)
	p.poll("the overlay names the .vue import and what compiles it", overlayText, func(v any) bool {
		s, _ := v.(string)
		return containsAll(s, []string{"UNSUPPORTED_FILE", "src/main.js:2:", `"./App.vue"`,
			"hmrd serve cannot compile .vue single-file components", "@hmrd/vite", "@vitejs/plugin-vue", "import App from './App.vue'"})
	})
	p.expectValue("main.js did not run", text("#out"), "not run")
}
