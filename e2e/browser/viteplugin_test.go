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
	"time"

	"github.com/hmrd/hmrd/clients/go/hmrdclient"
	hmrdv1 "github.com/hmrd/hmrd/proto/hmrd/v1"
)

// pluginTemplate is one create-vite template run by Vite with the hmrd
// plugin (clients/vite): the files the test edits, and how.
type pluginTemplate struct {
	name string
	// component holds the counter's state (or renders it); heading is
	// text in it to change, and shown where the new text appears.
	component, heading, shown string
	// stylesheet has the .counter rule whose font-size the test changes.
	stylesheet string
	// entry is the module index.html loads.
	entry string
	// boundary is the module `hmrd explain component` names as the
	// boundary of an edit of it.
	boundary string
	// kept says whether the count survives the component edit. With Vite
	// alone it does for React Fast Refresh and Vue (a template edit
	// re-renders), not for Svelte 5, whose HMR creates the edited
	// component afresh.
	kept bool
}

var pluginTemplates = []pluginTemplate{
	{name: "react-ts", component: "src/App.tsx", heading: "<h1>Get started</h1>", shown: "h1",
		stylesheet: "src/App.css", entry: "src/main.tsx", boundary: "/src/App.tsx", kept: true},
	{name: "vue-ts", component: "src/components/HelloWorld.vue", heading: "<h1>Get started</h1>", shown: "h1",
		stylesheet: "src/style.css", entry: "src/main.ts", boundary: "/src/components/HelloWorld.vue", kept: true},
	{name: "svelte-ts", component: "src/lib/Counter.svelte", heading: "Count is {count}", shown: "button.counter",
		stylesheet: "src/app.css", entry: "src/main.ts", boundary: "/src/lib/Counter.svelte"},
}

// With the hmrd plugin in a create-vite template's vite.config.ts, Vite
// transforms and hmrd propagates: the counter clicked three times keeps
// its count through an edit of the component whose new text shows (as
// with Vite alone), a stylesheet edit applies in place, an edit of the
// entry module reloads the page with hmrd's reason in the console, and
// `hmrd explain` on the component names its boundary. The daemon starts
// with another project; the plugin adds Vite's root as a second one. The
// default run tests react-ts, HMRD_TEMPLATE_TESTS=all vue-ts and
// svelte-ts too.
func TestVitePluginTemplates(t *testing.T) {
	needBrowser(t)
	needNPM(t)
	needPluginPackages(t)
	templates := pluginTemplates[:1]
	if os.Getenv("HMRD_TEMPLATE_TESTS") == "all" {
		templates = pluginTemplates
	}
	for _, tpl := range templates {
		t.Run(tpl.name, func(t *testing.T) {
			root := pluginTemplateDir(t, tpl.name)
			socket := filepath.Join(shortTemp(t), "s")
			startBareDaemon(t, socket, shortTemp(t))
			url := startVite(t, root, socket)

			p := openVitePage(t, tpl.name, url)
			counter := inTemplate("button.counter", "textContent")
			p.waitValue(counter, "Count is 0")
			waitFacts(t, socket, root, tpl.boundary)
			for i := 1; i <= 3; i++ {
				p.clickJS(inTemplateElement("button.counter"))
				p.waitValue(counter, fmt.Sprintf("Count is %d", i))
			}
			p.setMarker()

			// The edit changes the text the component shows: the heading, or
			// the counter's own label.
			edited, count := strings.Replace(tpl.heading, "Get started", "Get going", 1), "Count is 3"
			if tpl.heading == "Count is {count}" {
				edited, count = "Clicks: {count}", "Clicks: 3"
			}
			if !tpl.kept {
				count = strings.Replace(count, "3", "0", 1)
			}
			editFile(t, root, tpl.component, tpl.heading, edited)
			if tpl.shown == "h1" {
				p.waitValue(inTemplate("h1", "textContent"), "Get going")
				p.expectValue("the count after the component edit", counter, count)
			} else {
				p.waitValue(counter, count)
			}
			p.expectNoReload()

			editFile(t, root, tpl.stylesheet, ".counter {\n  font-size: 16px;", ".counter {\n  font-size: 23px;")
			p.waitValue(`getComputedStyle(`+inTemplateElement("button.counter")+`).fontSize`, "23px")
			p.expectNoReload()

			out := hmrdCLI(t, socket, root, "explain", "--project", root, filepath.Join(root, tpl.component))
			if !strings.Contains(out, tpl.boundary) || !strings.Contains(strings.ToLower(out), "boundary") {
				t.Errorf("hmrd explain %s does not name the boundary %s:\n%s", tpl.component, tpl.boundary, out)
			}

			from := p.consoleLen()
			editFile(t, root, tpl.entry, "import App from", "console.log('entry v2')\nimport App from")
			p.waitTrue("the page reloads", reloaded)
			p.waitConsole(from, "[hmrd] page reload: ", strings.TrimPrefix(tpl.entry, "src/"))
			p.expectNoErrors()
		})
	}
}

// needPluginPackages skips the test unless clients/node and clients/vite
// have their dependencies (npm ci in each), or fails it when
// HMRD_BROWSER_TESTS=required.
func needPluginPackages(t *testing.T) {
	t.Helper()
	for _, dep := range []string{"../../clients/node/node_modules/@grpc/grpc-js", "../../clients/vite/node_modules/@hmrd/client"} {
		if _, err := os.Stat(filepath.Join(dep, "package.json")); err != nil {
			dir := filepath.Dir(filepath.Dir(filepath.Dir(dep)))
			msg := fmt.Sprintf("%s has no node_modules (npm ci there)", dir)
			if os.Getenv("HMRD_BROWSER_TESTS") == "required" {
				t.Fatalf("HMRD_BROWSER_TESTS=required, but %s", msg)
			}
			t.Skip(msg + " (HMRD_BROWSER_TESTS=required makes this a failure)")
		}
	}
}

// pluginTemplateDir creates the create-vite template tpl with every
// dependency (Vite and the framework plugin included), installs the
// plugin from this repository (a file: dependency on clients/vite) and
// adds hmrd() to its vite.config.ts. Each test gets its own copy.
func pluginTemplateDir(t *testing.T, tpl string) string {
	t.Helper()
	parent := shortTemp(t)
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
	dir := filepath.Join(parent, tpl)
	plugin, err := filepath.Abs("../../clients/vite")
	if err != nil {
		t.Fatal(err)
	}
	run(dir, "npm", "install", "--no-audit", "--no-fund", "--loglevel=error")
	run(dir, "npm", "install", "--no-audit", "--no-fund", "--loglevel=error", "--save-dev", "file:"+plugin)
	config := filepath.Join(dir, "vite.config.ts")
	data, err := os.ReadFile(config)
	if err != nil {
		t.Fatal(err)
	}
	s := "import hmrd from '@hmrd/vite'\n" + string(data)
	i := strings.Index(s, "plugins: [")
	if i < 0 {
		t.Fatalf("%s has no plugins list:\n%s", config, data)
	}
	s = s[:i] + "plugins: [hmrd(), " + s[i+len("plugins: ["):]
	if err := os.WriteFile(config, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// editFile replaces old with new in root/rel and saves it atomically.
func editFile(t *testing.T, root, rel, old, new string) {
	t.Helper()
	path := filepath.Join(root, filepath.FromSlash(rel))
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), old) {
		t.Fatalf("edit %s: %q is not in it:\n%s", rel, old, data)
	}
	saveAtomic(t, path, []byte(strings.Replace(string(data), old, new, 1)))
}

// startBareDaemon runs `hmrd serve` without its dev server, on dir, and
// waits for "hmrd ready".
func startBareDaemon(t *testing.T, socket, dir string) {
	t.Helper()
	cmd := exec.Command(hmrdBin, "serve", "--http", "off", "--socket", socket, "--log-level", "debug", dir)
	startProcess(t, "hmrd serve", cmd, "hmrd ready")
}

// startVite runs Vite's dev server in root on a free port, with
// HMRD_SOCKET naming the daemon, and waits until the plugin is connected
// and Vite listens. It returns the page URL.
func startVite(t *testing.T, root, socket string) string {
	t.Helper()
	addr := freeAddr(t)
	port := addr[strings.LastIndexByte(addr, ':')+1:]
	cmd := exec.Command("node", "node_modules/vite/bin/vite.js", "--host", "127.0.0.1", "--port", port, "--strictPort", "--clearScreen", "false")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "HMRD_SOCKET="+socket, "NO_COLOR=1")
	log := startProcess(t, "vite", cmd, "[hmrd] propagation by hmrd")
	log.wait(t, "http://127.0.0.1:"+port+"/")
	return "http://127.0.0.1:" + port + "/"
}

// procLog is a process's output, with a way to wait for a line.
type procLog struct {
	name    string
	mu      sync.Mutex
	b       strings.Builder
	changed chan struct{}
	done    chan struct{}
}

func (l *procLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.b.Write(p)
	close(l.changed)
	l.changed = make(chan struct{})
	return len(p), nil
}

func (l *procLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// wait waits until the output contains s.
func (l *procLog) wait(t *testing.T, s string) {
	t.Helper()
	deadline := time.After(60 * time.Second)
	for {
		l.mu.Lock()
		has, changed := strings.Contains(l.b.String(), s), l.changed
		l.mu.Unlock()
		if has {
			return
		}
		select {
		case <-changed:
		case <-l.done:
			t.Fatalf("%s exited before printing %q:\n%s", l.name, s, l.String())
		case <-deadline:
			t.Fatalf("%s did not print %q within 60s:\n%s", l.name, s, l.String())
		}
	}
}

// startProcess starts cmd, stops it (SIGINT, then SIGKILL) when the test
// ends, and waits until its output contains ready.
func startProcess(t *testing.T, name string, cmd *exec.Cmd, ready string) *procLog {
	t.Helper()
	l := &procLog{name: name, changed: make(chan struct{}), done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = l, l
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { cmd.Wait(); close(l.done) }()
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		select {
		case <-l.done:
		case <-time.After(waitFor):
			cmd.Process.Kill()
			<-l.done
		}
		if t.Failed() || os.Getenv("HMRD_BROWSER_VERBOSE") != "" {
			t.Logf("output of %s:\n%s", name, l.String())
		}
	})
	l.wait(t, ready)
	return l
}

// waitFacts waits until the plugin has reported module id to the daemon:
// an edit made before that would be judged by the daemon's own scan of
// the source, which has no accept calls (the framework plugins add them).
// Vite transforms the modules, and the plugin reports them, when a page
// first imports them.
func waitFacts(t *testing.T, socket, root, id string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c, err := hmrdclient.Dial(ctx, socket)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var last *hmrdv1.Module
	for ctx.Err() == nil {
		g, err := c.GetGraph(ctx, root)
		if err == nil {
			for _, m := range g.GetModules() {
				if m.GetId() == id {
					last = m
				}
			}
			if last.GetRegistration() != "" {
				return
			}
		}
		select {
		case <-ctx.Done():
		case <-time.After(50 * time.Millisecond):
		}
	}
	t.Fatalf("the plugin did not report %s within 60s (last seen: %v)", id, last)
}

// hmrdCLI runs the hmrd CLI against the daemon at socket, in dir, and
// returns its output.
func hmrdCLI(t *testing.T, socket, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command(hmrdBin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "HMRD_SOCKET="+socket)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("hmrd %s: %v\n%s", strings.Join(args, " "), err, out.String())
	}
	return out.String()
}

// openVitePage opens url in a new tab and waits until Vite's client is
// connected.
func openVitePage(t *testing.T, name, url string) *page {
	t.Helper()
	p := openTab(t, name, url)
	p.waitConsole(0, "[vite] connected.")
	return p
}
