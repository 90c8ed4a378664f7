package engine

import (
	"errors"
	"testing"
	"time"

	"github.com/hmrd/hmrd/internal/vfs"
)

func entryFiles() map[string]string {
	return map[string]string{
		"index.html":     `<script type="module" src="/src/main.js"></script>`,
		"src/main.js":    "import './app.js'\n",
		"src/app.js":     "export const app = () => import('./lazy.js')\n" + selfAccept,
		"src/lazy.js":    "export const lazy = 1\n",
		"src/server.js":  "import './shared.js'\n",
		"src/worker.js":  "import './job.js'\nimport './shared.js'\n",
		"src/job.js":     "export const job = 1\n",
		"src/shared.js":  "export const shared = 1\n",
		"src/unused.css": "",
	}
}

func openEntries(t *testing.T, opts Options) (*Project, *vfs.Mem) {
	t.Helper()
	mem := vfs.NewMem()
	for name, body := range entryFiles() {
		mem.WriteFile(caseRoot+"/"+name, []byte(body))
	}
	clock := time.UnixMilli(1_700_000_000_000)
	opts.Root = caseRoot
	opts.Now = func() time.Time { clock = clock.Add(time.Millisecond); return clock }
	p, plan, err := Open(mem, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Errors) > 0 {
		t.Fatalf("open: %v", plan.Errors)
	}
	return p, mem
}

func wantEntry(t *testing.T, p *Project, id string, entry, live bool) {
	t.Helper()
	ex := p.Explain(id)
	if ex.Entry != entry || ex.Live != live {
		t.Fatalf("%s: entry=%v live=%v, want entry=%v live=%v", id, ex.Entry, ex.Live, entry, live)
	}
}

// Entries a subscriber holds are counted: the module stops being an entry
// when the last hold is given back, unless the configuration names it too.
func TestHeldEntriesAreCounted(t *testing.T) {
	p, _ := openEntries(t, Options{Entries: []string{"src/server.js"}})
	for range 2 {
		if id, _, err := p.HoldEntry("src/worker.js"); err != nil || id != "/src/worker.js" {
			t.Fatalf("HoldEntry = %q, %v", id, err)
		}
	}
	if _, _, err := p.HoldEntry("/src/server.js"); err != nil {
		t.Fatal(err)
	}
	wantEntry(t, p, "/src/job.js", false, true)
	p.ReleaseEntry("src/worker.js")
	wantEntry(t, p, "/src/worker.js", true, true)
	p.ReleaseEntry("src/worker.js")
	wantEntry(t, p, "/src/worker.js", false, false)
	wantEntry(t, p, "/src/job.js", false, false)
	wantEntry(t, p, "/src/shared.js", false, true) // the server imports it too
	p.ReleaseEntry("src/worker.js")                // one release too many: nothing
	p.ReleaseEntry("/src/server.js")
	wantEntry(t, p, "/src/server.js", true, true) // configured
	if _, _, err := p.HoldEntry("src/missing.js"); !errors.As(err, new(*EntryError)) {
		t.Fatalf("HoldEntry of a missing file: %v, want an *EntryError", err)
	}
}

// An entry belongs to whoever named it, not to its file: deleted and
// created again, it is an entry again.
func TestEntriesSurviveDeleteAndRecreate(t *testing.T) {
	p, mem := openEntries(t, Options{Entries: []string{"src/server.js"}})
	if _, _, err := p.HoldEntry("src/worker.js"); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"src/server.js", "src/worker.js"} {
		abs := caseRoot + "/" + f
		body, _ := mem.ReadFile(abs)
		mem.Remove(abs)
		p.Apply([]string{abs})
		if p.Has("/" + f) {
			t.Fatalf("%s still in the graph after its delete", f)
		}
		mem.WriteFile(abs, body)
		p.Apply([]string{abs})
		wantEntry(t, p, "/"+f, true, true)
	}
	wantEntry(t, p, "/src/job.js", false, true)
}

// A configured entry that does not resolve is an error when asked for,
// naming the entry; otherwise it is reported in the plan, and becomes an
// entry once its file appears.
func TestConfiguredEntryThatDoesNotResolve(t *testing.T) {
	mem := vfs.NewMem()
	mem.WriteFile(caseRoot+"/index.html", []byte(`<p>no scripts</p>`))
	_, _, err := Open(mem, Options{Root: caseRoot, Entries: []string{"src/missing.ts"}, RequireEntries: true})
	var ee *EntryError
	if !errors.As(err, &ee) || ee.Entry != "src/missing.ts" {
		t.Fatalf("Open with a missing required entry: %v, want an *EntryError naming it", err)
	}
	p, plan, err := Open(mem, Options{Root: caseRoot, Entries: []string{"src/missing.ts"}})
	if err != nil || len(plan.Errors) != 1 || plan.Errors[0].Module != "src/missing.ts" {
		t.Fatalf("Open = %v, errors %v", err, plan.Errors)
	}
	mem.WriteFile(caseRoot+"/src/missing.ts", []byte("export {}\n"))
	p.Apply([]string{caseRoot + "/src"})
	wantEntry(t, p, "/src/missing.ts", true, true)
}

// A rescan builds a new engine; Adopt carries over the held entries (with
// their counts) and the modules runtimes reported loaded.
func TestAdoptKeepsHeldEntriesAndLoadedMarks(t *testing.T) {
	old, mem := openEntries(t, Options{})
	for range 2 {
		if _, _, err := old.HoldEntry("src/worker.js"); err != nil {
			t.Fatal(err)
		}
	}
	if unknown := old.MarkLoaded("/src/lazy.js"); len(unknown) > 0 {
		t.Fatal(unknown)
	}
	p, _, err := Open(mem, Options{Root: caseRoot})
	if err != nil {
		t.Fatal(err)
	}
	if ex := p.Explain("/src/lazy.js"); ex.Loaded {
		t.Fatal("a fresh engine has /src/lazy.js loaded already; the test shows nothing")
	}
	p.Adopt(old)
	wantEntry(t, p, "/src/worker.js", true, true)
	if ex := p.Explain("/src/lazy.js"); !ex.Loaded {
		t.Fatal("/src/lazy.js: the runtime's loaded mark was lost")
	}
	p.ReleaseEntry("src/worker.js")
	wantEntry(t, p, "/src/worker.js", true, true)
	p.ReleaseEntry("src/worker.js")
	wantEntry(t, p, "/src/worker.js", false, false)
}
