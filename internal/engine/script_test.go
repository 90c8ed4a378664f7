package engine

import (
	"bytes"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hmrd/hmrd/internal/graph/modgraph"
	"github.com/hmrd/hmrd/internal/vfs"
)

var update = flag.Bool("update", false, "rewrite the golden sections of testdata/cases/*.txt")

// A case script is a txtar-like file:
//
//	what the case checks
//	-- options --            (optional) lines: root DIR | entry ID | watched DIR | identical-writes |
//	                         native-esm (served by the dev server: Options.NativeESM)
//	-- src/a.js --           a file of the initial tree (paths relative to the root,
//	                         or absolute)
//	-- symlink LINK -> TARGET --
//	-- step: write src/a.js --   new content follows
//	-- step: save-slowly src/a.js --   a non-atomic save: the engine's first
//	                             read finds the file empty, the content
//	                             that follows lands right after that read
//	-- step: delete src/a.js --
//	-- step: mkdir src/d --
//	-- step: touch src/a.js --   apply without changing the content
//	-- step: rename src/a.js src/b.js --
//	-- step: invalidate /src/a.js [from /src/b.js] --
//	-- step: loaded /src/a.js --
//	-- step: explain /src/a.js --
//	-- step: imports /src/a.js --   the module's edges: kind, specifier, target
//	-- step: errors --           the errors standing now
//	-- golden --             what the engine signalled, step by step
//
// A step whose header ends in " &" is queued: it changes the tree and the
// next step applies every queued path in one batch (a git checkout).
type script struct {
	comment string
	options []string
	files   []section
	steps   []section
	golden  string
}

type section struct {
	name string
	body string
}

func parseScript(data []byte) (*script, error) {
	s := &script{}
	var cur *section
	var comment strings.Builder
	lines := strings.SplitAfter(string(data), "\n")
	inGolden := false
	var golden strings.Builder
	for _, line := range lines {
		trimmed := strings.TrimRight(line, "\n")
		if strings.HasPrefix(trimmed, "-- ") && strings.HasSuffix(trimmed, " --") {
			name := strings.TrimSuffix(strings.TrimPrefix(trimmed, "-- "), " --")
			inGolden = name == "golden"
			if inGolden {
				cur = nil
				continue
			}
			switch {
			case name == "options":
				s.files = append(s.files, section{name: "options"})
			case strings.HasPrefix(name, "step: "):
				s.steps = append(s.steps, section{name: strings.TrimPrefix(name, "step: ")})
			default:
				if len(s.steps) > 0 {
					return nil, fmt.Errorf("file section %q after the first step", name)
				}
				s.files = append(s.files, section{name: name})
			}
			if strings.HasPrefix(name, "step: ") {
				cur = &s.steps[len(s.steps)-1]
			} else {
				cur = &s.files[len(s.files)-1]
			}
			continue
		}
		switch {
		case inGolden:
			golden.WriteString(line)
		case cur != nil:
			cur.body += line
		default:
			comment.WriteString(line)
		}
	}
	s.comment = comment.String()
	s.golden = golden.String()
	var files []section
	for _, f := range s.files {
		if f.name == "options" {
			for _, l := range strings.Split(f.body, "\n") {
				if l = strings.TrimSpace(l); l != "" {
					s.options = append(s.options, l)
				}
			}
			continue
		}
		files = append(files, f)
	}
	s.files = files
	return s, nil
}

func TestScripts(t *testing.T) {
	files, err := filepath.Glob("testdata/cases/*.txt")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 40 {
		t.Errorf("found %d case scripts, want at least 40", len(files))
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txt"), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			s, err := parseScript(data)
			if err != nil {
				t.Fatal(err)
			}
			got := runScript(t, s)
			if *update {
				i := bytes.Index(data, []byte("\n-- golden --\n"))
				if i < 0 {
					data = append(bytes.TrimRight(data, "\n"), '\n')
					i = len(data) - 1
				}
				out := append(data[:i+1:i+1], []byte("-- golden --\n"+got)...)
				if err := os.WriteFile(file, out, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if got != s.golden {
				t.Errorf("golden mismatch (run with -update to accept):\n--- got\n%s--- want\n%s", got, s.golden)
			}
		})
	}
}

func runScript(t *testing.T, s *script) string {
	t.Helper()
	root := caseRoot
	opts := Options{}
	for _, o := range s.options {
		f := strings.Fields(o)
		switch f[0] {
		case "root":
			root = f[1]
		case "entry":
			opts.Entries = append(opts.Entries, f[1])
		case "watched":
			opts.WatchedRoots = append(opts.WatchedRoots, f[1])
		case "identical-writes":
			opts.SignalIdenticalWrites = true
		case "native-esm":
			opts.NativeESM = true
		case "max-file-size":
			fmt.Sscan(f[1], &opts.MaxFileSize)
		default:
			t.Fatalf("unknown option %q", o)
		}
	}
	abs := func(p string) string {
		if strings.HasPrefix(p, "/") {
			return p
		}
		return root + "/" + p
	}
	mem := vfs.NewMem()
	mem.MkdirAll(root)
	fsys := &slowSaves{Mem: mem, after: map[string][]byte{}}
	for _, f := range s.files {
		if link, target, ok := strings.Cut(strings.TrimPrefix(f.name, "symlink "), " -> "); ok && strings.HasPrefix(f.name, "symlink ") {
			mem.Symlink(target, abs(link))
			continue
		}
		mem.WriteFile(abs(f.name), []byte(f.body))
	}
	clock := time.UnixMilli(1_700_000_000_000)
	opts.Root = root
	opts.Now = func() time.Time { clock = clock.Add(time.Millisecond); return clock }
	proj, plan, err := Open(fsys, opts)
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	out.WriteString("> open\n")
	renderPlan(&out, plan)
	var queued []string
	for _, st := range s.steps {
		name := st.name
		batch := strings.HasSuffix(name, " &")
		name = strings.TrimSuffix(name, " &")
		f := strings.Fields(name)
		if len(f) < 2 && name != "errors" {
			t.Fatalf("bad step %q", st.name)
		}
		if !batch {
			fmt.Fprintf(&out, "> %s\n", name)
		}
		var plan *Plan
		switch f[0] {
		case "write":
			mem.WriteFile(abs(f[1]), []byte(st.body))
			queued = append(queued, abs(f[1]))
		case "save-slowly":
			mem.WriteFile(abs(f[1]), nil)
			fsys.land(abs(f[1]), []byte(st.body))
			queued = append(queued, abs(f[1]))
		case "touch":
			queued = append(queued, abs(f[1]))
		case "delete":
			mem.Remove(abs(f[1]))
			queued = append(queued, abs(f[1]))
		case "mkdir":
			mem.MkdirAll(abs(f[1]))
			queued = append(queued, abs(f[1]))
		case "rename":
			data, err := mem.ReadFile(abs(f[1]))
			if err != nil {
				t.Fatal(err)
			}
			mem.Remove(abs(f[1]))
			mem.WriteFile(abs(f[2]), data)
			queued = append(queued, abs(f[1]), abs(f[2]))
		case "invalidate":
			from := ""
			if len(f) == 4 && f[2] == "from" {
				from = f[3]
			}
			plan = proj.Invalidate(f[1], from)
		case "loaded":
			if unknown := proj.MarkLoaded(f[1:]...); len(unknown) > 0 {
				fmt.Fprintf(&out, "unknown %v\n", unknown)
			}
			continue
		case "explain":
			renderExplanation(&out, proj.Explain(f[1]))
			continue
		case "imports":
			renderImports(&out, proj, f[1])
			continue
		case "errors":
			for _, e := range proj.Errors() {
				fmt.Fprintf(&out, "standing %s %s\n", e.Code, e.Module)
			}
			continue
		default:
			t.Fatalf("unknown step %q", st.name)
		}
		if batch {
			fmt.Fprintf(&out, "> %s (queued)\n", name)
			continue
		}
		if plan == nil {
			plan = proj.Apply(queued)
			queued = nil
		}
		renderPlan(&out, plan)
		checkLiveCount(t, proj)
	}
	return out.String()
}

// slowSaves is an in-memory tree where a file being saved in two steps
// (truncated, then written) is empty for the first read after the
// truncation and complete for every read after that.
type slowSaves struct {
	*vfs.Mem
	mu    sync.Mutex
	after map[string][]byte
}

func (s *slowSaves) land(name string, content []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.after[name] = content
}

func (s *slowSaves) ReadFileLimit(name string, limit int64) ([]byte, fs.FileInfo, error) {
	data, info, err := s.Mem.ReadFileLimit(name, limit)
	s.mu.Lock()
	defer s.mu.Unlock()
	if content, ok := s.after[name]; ok {
		delete(s.after, name)
		s.Mem.WriteFile(name, content)
	}
	return data, info, err
}

// checkLiveCount holds the graph's running count of live modules to a
// recount after every step.
func checkLiveCount(t *testing.T, p *Project) {
	t.Helper()
	n := 0
	for r := modgraph.Ref(0); int(r) < p.g.Len(); r++ {
		if p.g.Exists(r) && p.g.Mod(r).Live {
			n++
		}
	}
	if got := p.Stats().Live; got != n {
		t.Fatalf("Stats().Live = %d, recount %d", got, n)
	}
}

// renderPlan prints a plan deterministically (version tokens are left out:
// which modules got a new version is what matters).
func renderPlan(w *strings.Builder, p *Plan) {
	if p.Empty() && len(p.Warnings) == 0 {
		w.WriteString("(no signal)\n")
		return
	}
	if len(p.Cleared) > 0 {
		fmt.Fprintf(w, "cleared %s\n", strings.Join(p.Cleared, " "))
	}
	for _, e := range p.Errors {
		fmt.Fprintf(w, "error %s %s", e.Code, e.Module)
		if e.Line > 0 {
			fmt.Fprintf(w, ":%d:%d", e.Line, e.Column)
		}
		fmt.Fprintf(w, ": %s\n", e.Message)
		if e.Frame != "" {
			fmt.Fprintf(w, "%s\n", e.Frame)
		}
	}
	if fr := p.FullReload; fr != nil {
		fmt.Fprintf(w, "full-reload %s triggeredBy=%s cause=%s\n  reason: %s\n", fr.Path, fr.TriggeredBy, fr.Cause, fr.Reason)
		if len(fr.Chain) > 0 {
			fmt.Fprintf(w, "  chain: %s\n", strings.Join(fr.Chain, " → "))
		}
	}
	for _, u := range p.Updates {
		fmt.Fprintf(w, "update %s %s accepts %s", u.Type, u.Path, u.AcceptedPath)
		if u.IsWithinCircularImport {
			w.WriteString(" (within circular import)")
		}
		if u.FirstInvalidatedBy != "" {
			fmt.Fprintf(w, " firstInvalidatedBy=%s", u.FirstInvalidatedBy)
		}
		fmt.Fprintf(w, "\n  via: %s\n", strings.Join(u.Chain, " → "))
	}
	if len(p.Prune) > 0 {
		fmt.Fprintf(w, "prune %s\n", strings.Join(p.Prune, " "))
	}
	if !p.Empty() && len(p.Versions) > 0 {
		ids := make([]string, 0, len(p.Versions))
		for id := range p.Versions {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		fmt.Fprintf(w, "versions %s\n", strings.Join(ids, " "))
	}
	if p.Empty() {
		w.WriteString("(no signal)\n")
	}
	for _, e := range p.Warnings {
		fmt.Fprintf(w, "warning %s %s", e.Code, e.Module)
		if e.Line > 0 {
			fmt.Fprintf(w, ":%d:%d", e.Line, e.Column)
		}
		fmt.Fprintf(w, ": %s\n", e.Message)
	}
}

// renderImports prints the edges of a module, one a line.
func renderImports(w *strings.Builder, p *Project, id string) {
	r, ok := p.lookup(id)
	if !ok {
		fmt.Fprintf(w, "%s: not in the graph\n", id)
		return
	}
	m := p.g.Mod(r)
	fmt.Fprintf(w, "%s (%s) imports:\n", m.ID, m.Kind)
	for _, imp := range m.Imports {
		target := "(unresolved)"
		if imp.Target != modgraph.None {
			target = p.g.Mod(imp.Target).ID + " (" + p.g.Mod(imp.Target).Kind.String() + ")"
		}
		fmt.Fprintf(w, "  %s %s → %s\n", imp.Kind, imp.Specifier, target)
	}
}

func renderExplanation(w *strings.Builder, ex Explanation) {
	fmt.Fprintf(w, "found=%v live=%v loaded=%v entry=%v importers=%v\n", ex.Found, ex.Live, ex.Loaded, ex.Entry, ex.Importers)
	if ex.Note != "" {
		fmt.Fprintf(w, "note: %s\n", ex.Note)
	}
	renderPlan(w, &Plan{Updates: ex.Result.Updates, FullReload: ex.Result.FullReload})
}
