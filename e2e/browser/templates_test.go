package browser

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"
)

// createVite is the create-vite release whose templates are tested.
const createVite = "create-vite@9.3.0"

// viteTemplates are the templates tested; the default run tests the
// first two, HMRD_TEMPLATE_TESTS=all every one.
var viteTemplates = []string{"react-ts", "vanilla", "vanilla-ts", "react", "preact-ts", "lit-ts"}

// Every tested create-vite template renders under `hmrd serve` as npm
// creates and installs it: the heading and the counter show, clicking the
// counter counts, and the console has no error (failed requests included:
// Chromium logs them there), nor does the page report a failed resource.
// Each template is created with npx and installed with npm once per run,
// under the run's temporary directory. Without npm the test skips, unless
// HMRD_BROWSER_TESTS=required.
func TestCreateViteTemplates(t *testing.T) {
	needBrowser(t)
	needNPM(t)
	templates := viteTemplates[:2]
	if os.Getenv("HMRD_TEMPLATE_TESTS") == "all" {
		templates = viteTemplates
	}
	for _, tpl := range templates {
		t.Run(tpl, func(t *testing.T) {
			root := viteTemplate(t, tpl)
			d := serve(t, root, filepath.Join(shortTemp(t), "s"), "127.0.0.1:0")
			p := openPage(t, tpl, d.url)
			p.waitValue(inTemplate("h1", "textContent"), "Get started")
			p.waitValue(inTemplate("button.counter", "textContent"), "Count is 0")
			p.clickJS(inTemplateElement("button.counter"))
			p.waitValue(inTemplate("button.counter", "textContent"), "Count is 1")
			p.clickJS(inTemplateElement("button.counter"))
			p.waitValue(inTemplate("button.counter", "textContent"), "Count is 2")
			// Images the page shows loaded (the imported SVGs and PNG).
			p.waitTrue("images loaded", `(() => {
				const root = document.querySelector('my-element')?.shadowRoot ?? document;
				const imgs = [...root.querySelectorAll('img')];
				return imgs.length > 0 && imgs.every((i) => i.complete && i.naturalWidth > 0);
			})()`)
			p.expectNoErrors()
			failed := p.eval(`performance.getEntriesByType('resource').filter((e) => e.responseStatus >= 400).map((e) => e.name + ' ' + e.responseStatus)`)
			if list, _ := failed.([]any); len(list) > 0 {
				t.Errorf("failed requests: %s", jsonText(list))
			}
		})
	}
}

// inTemplateElement finds sel in the page, or in the shadow root of lit's
// <my-element>.
func inTemplateElement(sel string) string {
	q := jsonText(sel)
	return fmt.Sprintf(`(document.querySelector(%s) ?? document.querySelector('my-element')?.shadowRoot?.querySelector(%s))`, q, q)
}

// inTemplate is a property of inTemplateElement(sel), its white space
// collapsed.
func inTemplate(sel, prop string) string {
	return fmt.Sprintf(`(%s?.%s ?? '').replace(/\s+/g, ' ').trim()`, inTemplateElement(sel), prop)
}

// clickJS clicks the element expr finds with the mouse, wherever it is
// (a shadow root included).
func (p *page) clickJS(expr string) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, waitFor)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.JSPath(expr))); err != nil {
		p.t.Fatalf("tab %s: click %s: %v", p.name, expr, err)
	}
}

// expectNoErrors fails the test for each console error or exception.
func (p *page) expectNoErrors() {
	p.t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, m := range p.console {
		if m.Type == chromedp.ConsoleException || m.Type == "error" {
			p.t.Errorf("tab %s: console %s: %s", p.name, m.Type, m.Text)
		}
	}
}

// needNPM skips the test without npm and npx, or fails it when
// HMRD_BROWSER_TESTS=required.
func needNPM(t *testing.T) {
	t.Helper()
	for _, tool := range []string{"npm", "npx"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("HMRD_BROWSER_TESTS") == "required" {
				t.Fatalf("HMRD_BROWSER_TESTS=required, but %s is not installed", tool)
			}
			t.Skipf("%s is not installed (HMRD_BROWSER_TESTS=required makes this a failure)", tool)
		}
	}
}

var templates struct {
	mu   sync.Mutex
	dirs map[string]string
}

// viteTemplate creates the create-vite template tpl and installs its
// dependencies, once per run, and returns its directory.
func viteTemplate(t *testing.T, tpl string) string {
	t.Helper()
	templates.mu.Lock()
	defer templates.mu.Unlock()
	if dir, ok := templates.dirs[tpl]; ok {
		return dir
	}
	parent := filepath.Join(workDir, "templates")
	if err := os.MkdirAll(parent, 0o755); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(parent, tpl)
	run := func(dir string, name string, args ...string) {
		t.Helper()
		cmd := exec.Command(name, args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "npm_config_update_notifier=false", "npm_config_fund=false", "npm_config_audit=false")
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out.String())
		}
	}
	run(parent, "npx", "--yes", createVite, tpl, "--template", tpl, "--no-interactive")
	// Everything, as `npm install` does: the Fast Refresh runtimes come
	// with the framework's Vite plugin, a dev dependency.
	run(dir, "npm", "install", "--no-audit", "--no-fund", "--loglevel=error")
	if templates.dirs == nil {
		templates.dirs = map[string]string{}
	}
	templates.dirs[tpl] = dir
	return dir
}
