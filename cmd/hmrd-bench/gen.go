package main

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
)

// genVersion is part of every cache key: bump it whenever Source or the
// layout changes, so stale cached trees are never measured.
const genVersion = 1

// Spec says which synthetic project to generate. The same Spec always
// yields byte-identical trees (the hmrd copy and the Vite copy are
// generated separately from it, which is cheaper than copying).
type Spec struct {
	Modules       int    // modules, the entry /src/main.js included
	Branching     int    // children per module: the tree's fan-out
	PerDir        int    // modules per directory
	TSPercent     int    // share of modules written as TypeScript
	AcceptPercent int    // share of modules below depth 1 that self-accept
	Seed          uint64 // drives every random choice
}

// DefaultSpec is the project shape measured in docs/performance.md.
func DefaultSpec(modules int) Spec {
	return Spec{Modules: modules, Branching: 8, PerDir: 100, TSPercent: 20, AcceptPercent: 10, Seed: 1}
}

// Key names the cache directory of a Spec: every parameter is in it.
func (s Spec) Key() string {
	return fmt.Sprintf("v%d-m%d-b%d-d%d-ts%d-acc%d-s%d", genVersion, s.Modules, s.Branching, s.PerDir, s.TSPercent, s.AcceptPercent, s.Seed)
}

func (s Spec) validate() error {
	switch {
	case s.Modules < 2:
		return fmt.Errorf("spec: need at least 2 modules, got %d", s.Modules)
	case s.Branching < 1:
		return fmt.Errorf("spec: branching must be ≥ 1, got %d", s.Branching)
	case s.PerDir < 1:
		return fmt.Errorf("spec: modules per directory must be ≥ 1, got %d", s.PerDir)
	case s.TSPercent < 0 || s.TSPercent > 100 || s.AcceptPercent < 0 || s.AcceptPercent > 100:
		return errors.New("spec: percentages must be within 0..100")
	}
	return nil
}

// Module is one generated module. Index 0 is the entry, /src/main.js,
// imported by index.html; module i's parent is (i-1)/Branching, so the
// graph is a breadth-first tree.
type Module struct {
	Index    int
	File     string // path relative to the project root, slash-separated
	ID       string // hmrd / Vite module ID: "/" + File
	Parent   int    // -1 for the entry
	Children []int
	Depth    int
	TS       bool
	// SelfAccepting modules call import.meta.hot.accept(). Every module at
	// depth 1 does, so any edit below the entry has an accept boundary and
	// both hmrd and Vite answer with an update rather than a full reload.
	SelfAccepting bool
}

// Leaf reports whether nothing is imported by m.
func (m *Module) Leaf() bool { return len(m.Children) == 0 }

// Project is a generated tree (not yet written anywhere).
type Project struct {
	Spec    Spec
	Modules []Module
}

// Generate lays out the project described by s. It is pure and
// deterministic: the tests pin that.
func Generate(s Spec) (*Project, error) {
	if err := s.validate(); err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(s.Seed, 0x9e3779b97f4a7c15))
	mods := make([]Module, s.Modules)
	for i := range mods {
		m := &mods[i]
		m.Index = i
		m.Parent = -1
		if i > 0 {
			m.Parent = (i - 1) / s.Branching
			m.Depth = mods[m.Parent].Depth + 1
			mods[m.Parent].Children = append(mods[m.Parent].Children, i)
			m.TS = rng.IntN(100) < s.TSPercent
			m.SelfAccepting = m.Depth == 1 || rng.IntN(100) < s.AcceptPercent
		}
		switch {
		case i == 0:
			m.File = "src/main.js"
		case m.TS:
			m.File = fmt.Sprintf("src/d%d/m%d.ts", i/s.PerDir, i)
		default:
			m.File = fmt.Sprintf("src/d%d/m%d.js", i/s.PerDir, i)
		}
		m.ID = "/" + m.File
	}
	return &Project{Spec: s, Modules: mods}, nil
}

// Counts summarises the shape for the report.
type Counts struct {
	Modules, Leaves, Mid, TS, SelfAccepting, Depth, Dirs int
}

// Counts tallies the project's shape.
func (p *Project) Counts() Counts {
	c := Counts{Modules: len(p.Modules)}
	dirs := map[string]bool{}
	for i := range p.Modules {
		m := &p.Modules[i]
		dirs[path.Dir(m.File)] = true
		switch {
		case m.Leaf():
			c.Leaves++
		case m.Depth > 0:
			c.Mid++
		}
		if m.TS {
			c.TS++
		}
		if m.SelfAccepting {
			c.SelfAccepting++
		}
		c.Depth = max(c.Depth, m.Depth)
	}
	c.Dirs = len(dirs)
	return c
}

// relSpec is the relative import specifier from one module to another,
// always starting with "./" or "../" as browsers require.
func relSpec(from, to string) string {
	fromDir := path.Dir(from)
	toDir := path.Dir(to)
	if fromDir == toDir {
		return "./" + path.Base(to)
	}
	rel, err := filepath.Rel(fromDir, toDir)
	if err != nil { // both are relative paths under src/: cannot happen
		panic(err)
	}
	rel = filepath.ToSlash(rel)
	if !strings.HasPrefix(rel, ".") {
		rel = "./" + rel
	}
	return rel + "/" + path.Base(to)
}

// Source is module m's text at revision rev (0 is the generated
// content; an edit writes rev ≥ 1). Every imported binding is used as a
// value: TypeScript (and so esbuild and Oxc) elides imports used only as
// types or not at all, which would silently remove graph edges.
func (p *Project) Source(m *Module, rev int) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "// Module %d (depth %d), generated by hmrd-bench.\n", m.Index, m.Depth)
	terms := []string{strconv.Itoa(m.Index), "revision"}
	for k, ci := range m.Children {
		c := &p.Modules[ci]
		fmt.Fprintf(&b, "import { value as c%d } from %q;\n", k, relSpec(m.File, c.File))
		terms = append(terms, "c"+strconv.Itoa(k))
	}
	b.WriteString("\n")
	if m.TS {
		fmt.Fprintf(&b, "interface Info%d {\n  label: string;\n  value: number;\n}\n\n", m.Index)
		fmt.Fprintf(&b, "const label: string = %q;\n", fmt.Sprintf("m%d", m.Index))
		fmt.Fprintf(&b, "export const revision: number = %d;\n", rev)
		fmt.Fprintf(&b, "export const value: number = %s;\n\n", strings.Join(terms, " + "))
		fmt.Fprintf(&b, "export function describe(prefix: string): string {\n  const info: Info%d = { label, value };\n  return `${prefix}:${info.label}:${info.value}`;\n}\n", m.Index)
	} else {
		fmt.Fprintf(&b, "const label = %q;\n", fmt.Sprintf("m%d", m.Index))
		fmt.Fprintf(&b, "export const revision = %d;\n", rev)
		fmt.Fprintf(&b, "export const value = %s;\n\n", strings.Join(terms, " + "))
		b.WriteString("export function describe(prefix) {\n  return `${prefix}:${label}:${value}`;\n}\n")
	}
	if m.Index == 0 {
		b.WriteString("\nconsole.log(describe(\"hmrd-bench\"));\n")
	}
	if m.SelfAccepting {
		b.WriteString("\nif (import.meta.hot) {\n  import.meta.hot.accept();\n}\n")
	}
	return []byte(b.String())
}

// staticFiles are the files besides the modules: the page that makes
// /src/main.js an entry (for hmrd and Vite alike) and a package.json.
func staticFiles() map[string][]byte {
	return map[string][]byte{
		"index.html": []byte(`<!doctype html>
<html>
  <head><meta charset="utf-8"><title>hmrd-bench</title></head>
  <body>
    <script type="module" src="/src/main.js"></script>
  </body>
</html>
`),
		"package.json": []byte(`{ "name": "hmrd-bench-project", "private": true, "type": "module" }` + "\n"),
	}
}

// writeTree writes the whole project under dir with a few writers in
// parallel: file creation dominates on slow filesystems (~1 ms each).
func (p *Project) writeTree(dir string) error {
	dirs := map[string]bool{}
	for i := range p.Modules {
		dirs[path.Dir(p.Modules[i].File)] = true
	}
	for d := range dirs {
		if err := os.MkdirAll(filepath.Join(dir, filepath.FromSlash(d)), 0o755); err != nil {
			return fmt.Errorf("generate: %w", err)
		}
	}
	for name, data := range staticFiles() {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return fmt.Errorf("generate: %w", err)
		}
	}
	const workers = 8
	var (
		wg       sync.WaitGroup
		errOnce  sync.Once
		firstErr error
	)
	next := make(chan int)
	for range workers {
		wg.Go(func() {
			for i := range next {
				m := &p.Modules[i]
				if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(m.File)), p.Source(m, 0), 0o644); err != nil {
					errOnce.Do(func() { firstErr = fmt.Errorf("generate: %w", err) })
				}
			}
		})
	}
	for i := range p.Modules {
		next <- i
	}
	close(next)
	wg.Wait()
	return firstErr
}

// Tree is one cached copy of a project on disk. Edits made by a run are
// listed in a journal beside the tree (outside it, so no watcher sees the
// journal) before they are made, and undone at the end of the run or, if
// the run died, at the start of the next one.
type Tree struct {
	Project *Project
	Dir     string
	journal string
}

// OpenTree returns the cached tree cacheDir/projects/KEY/name, generating
// it when absent and repairing edits a previous run left behind.
func OpenTree(cacheDir string, p *Project, name string, logf func(string, ...any)) (*Tree, bool, error) {
	base := filepath.Join(cacheDir, "projects", p.Spec.Key())
	t := &Tree{Project: p, Dir: filepath.Join(base, name), journal: filepath.Join(base, name+".edited")}
	done := filepath.Join(base, name+".complete")
	if _, err := os.Stat(done); err == nil {
		return t, false, t.Restore()
	}
	// A half-written tree (an interrupted generation) is redone whole.
	if err := os.RemoveAll(t.Dir); err != nil {
		return nil, false, fmt.Errorf("generate %s: %w", t.Dir, err)
	}
	tmp := t.Dir + ".tmp"
	if err := os.RemoveAll(tmp); err != nil {
		return nil, false, fmt.Errorf("generate %s: %w", tmp, err)
	}
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		return nil, false, fmt.Errorf("generate: %w", err)
	}
	logf("generating %d modules into %s", len(p.Modules), t.Dir)
	if err := p.writeTree(tmp); err != nil {
		return nil, false, err
	}
	if err := os.Rename(tmp, t.Dir); err != nil {
		return nil, false, fmt.Errorf("generate: %w", err)
	}
	if err := os.WriteFile(done, []byte(p.Spec.Key()+"\n"), 0o644); err != nil {
		return nil, false, fmt.Errorf("generate: %w", err)
	}
	os.Remove(t.journal)
	return t, true, nil
}

// Path is the absolute file of module i.
func (t *Tree) Path(i int) string {
	return filepath.Join(t.Dir, filepath.FromSlash(t.Project.Modules[i].File))
}

// Journal records that module i is about to be edited.
func (t *Tree) Journal(i int) error {
	f, err := os.OpenFile(t.journal, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	_, err = fmt.Fprintln(f, i)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	return nil
}

// Restore writes back the generated content of every journalled module,
// so the cached tree is pristine for the next run.
func (t *Tree) Restore() error {
	f, err := os.Open(t.journal)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	seen := map[int]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		i, err := strconv.Atoi(strings.TrimSpace(sc.Text()))
		if err != nil || i < 0 || i >= len(t.Project.Modules) {
			continue
		}
		seen[i] = true
	}
	f.Close()
	for i := range seen {
		if err := os.WriteFile(t.Path(i), t.Project.Source(&t.Project.Modules[i], 0), 0o644); err != nil {
			return fmt.Errorf("restore: %w", err)
		}
	}
	if err := os.Remove(t.journal); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	return nil
}

// EditPlan picks n modules to edit, alternating a random leaf and a random
// mid-level module (neither the entry nor a leaf), as the method in
// docs/performance.md describes.
func EditPlan(p *Project, n int, seed uint64) []int {
	var leaves, mid []int
	for i := range p.Modules {
		m := &p.Modules[i]
		switch {
		case m.Leaf():
			leaves = append(leaves, i)
		case m.Depth > 0:
			mid = append(mid, i)
		}
	}
	rng := rand.New(rand.NewPCG(seed, 0xda3e39cb94b95bdb))
	plan := make([]int, n)
	for k := range plan {
		pool := leaves
		if k%2 == 1 && len(mid) > 0 {
			pool = mid
		}
		plan[k] = pool[rng.IntN(len(pool))]
	}
	return plan
}
