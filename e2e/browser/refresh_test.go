package browser

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// refreshTemplates are the create-vite templates whose components keep
// their state across edits, with the file of their main component; the
// default run tests the first, HMRD_TEMPLATE_TESTS=all every one.
var refreshTemplates = []struct{ name, app string }{
	{"react-ts", "src/App.tsx"},
	{"react", "src/App.jsx"},
	{"preact-ts", "src/app.tsx"},
}

// Fast Refresh on create-vite templates, as under Vite: an edit of the
// component's markup updates it in place and the count clicked up stays;
// a changed hook signature (a useState added) remounts it, so the count
// starts over, still without a reload; an edit that makes the module
// export something that is not a component cannot be refreshed: the page
// reloads (the module's importer, main, accepts nothing). No console error
// on the way.
func TestFastRefresh(t *testing.T) {
	needBrowser(t)
	needNPM(t)
	templates := refreshTemplates[:1]
	if os.Getenv("HMRD_TEMPLATE_TESTS") == "all" {
		templates = refreshTemplates
	}
	for _, tpl := range templates {
		t.Run(tpl.name, func(t *testing.T) {
			root := linkTree(t, viteTemplate(t, tpl.name))
			d := serve(t, root, filepath.Join(shortTemp(t), "s"), "127.0.0.1:0")
			p := openPage(t, tpl.name, d.url)
			heading := inTemplate("h1", "textContent")
			counter := inTemplate("button.counter", "textContent")
			p.waitValue(heading, "Get started")
			for i := 1; i <= 3; i++ {
				p.clickJS(inTemplateElement("button.counter"))
				p.waitValue(counter, "Count is "+string(rune('0'+i)))
			}
			p.setMarker()

			// Each step is one save (a second save while the page fetches
			// the first could be read half-written).
			d.edit(saveAtomic, tpl.app, "<h1>Get started</h1>", "<h1>Get refreshed</h1>")
			p.waitValue(heading, "Get refreshed")
			p.expectValue("count after a markup edit", counter, "Count is 3")
			p.expectNoReload()

			// A new hook: the signature changed, the component remounts.
			src := readFile(t, filepath.Join(root, tpl.app))
			src = strings.Replace(src, "const [count, setCount] = useState(0)", "const [count, setCount] = useState(0)\n  const [extra] = useState('!')", 1)
			d.write(saveAtomic, tpl.app, strings.Replace(src, "<h1>Get refreshed</h1>", "<h1>Get remounted{extra}</h1>", 1))
			p.waitValue(heading, "Get remounted!")
			p.expectValue("count after a hook was added", counter, "Count is 0")
			p.expectNoReload()
			p.expectNoErrors()

			// A non-component export: no longer a boundary, the edit
			// reaches main, which accepts nothing: a reload.
			src = readFile(t, filepath.Join(root, tpl.app))
			src = strings.Replace(src, "<h1>Get remounted{extra}</h1>", "<h1>Get reloaded{extra}</h1>", 1)
			d.write(saveAtomic, tpl.app, src+"\nexport const answer = 42\n")
			p.waitTrue("reloaded", reloaded)
			p.waitValue(heading, "Get reloaded!")
			p.expectNoErrors()
		})
	}
}

// lit-ts under Vite: a custom element cannot be defined twice, so an edit
// of it has no boundary and reloads the page. The same here.
func TestLitEditReloads(t *testing.T) {
	needBrowser(t)
	needNPM(t)
	if os.Getenv("HMRD_TEMPLATE_TESTS") != "all" {
		t.Skip("HMRD_TEMPLATE_TESTS=all runs the lit-ts template")
	}
	root := linkTree(t, viteTemplate(t, "lit-ts"))
	d := serve(t, root, filepath.Join(shortTemp(t), "s"), "127.0.0.1:0")
	p := openPage(t, "lit-ts", d.url)
	counter := inTemplate("button.counter", "textContent")
	p.waitValue(counter, "Count is 0")
	p.clickJS(inTemplateElement("button.counter"))
	p.waitValue(counter, "Count is 1")
	p.setMarker()
	d.edit(saveAtomic, "src/my-element.ts", "and save to test", "and save to reload")
	p.waitTrue("reloaded", reloaded)
	p.waitTrue("new text", `document.querySelector('my-element')?.shadowRoot?.textContent.includes('save to reload') === true`)
	p.expectValue("count after the reload", counter, "Count is 0")
	p.expectNoErrors()
}

// linkTree makes a copy of the tree at src that a test may edit: the
// project's own files copied, node_modules hard-linked (it is large, and a
// symlink to it would lead out of the root the server is confined to).
func linkTree(t *testing.T, src string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), filepath.Base(src))
	err := filepath.WalkDir(src, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		to := filepath.Join(dst, rel)
		switch {
		case e.IsDir():
			return os.MkdirAll(to, 0o755)
		case e.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return os.Symlink(target, to)
		case strings.HasPrefix(rel, "node_modules"+string(filepath.Separator)):
			return os.Link(p, to)
		default:
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			return os.WriteFile(to, data, 0o644)
		}
	})
	if err != nil {
		t.Fatalf("copy %s: %v", src, err)
	}
	return dst
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
