package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hmrd/hmrd/internal/engine"
	"github.com/hmrd/hmrd/internal/vfs"
)

func TestPercentile(t *testing.T) {
	var s []time.Duration
	for i := 1; i <= 100; i++ {
		s = append(s, time.Duration(i)*time.Millisecond)
	}
	for _, c := range []struct {
		p    float64
		want time.Duration
	}{{50, 50 * time.Millisecond}, {90, 90 * time.Millisecond}, {99, 99 * time.Millisecond}, {100, 100 * time.Millisecond}, {0, time.Millisecond}, {0.5, time.Millisecond}} {
		if got := Percentile(s, c.p); got != c.want {
			t.Errorf("Percentile(1..100 ms, %v) = %v, want %v", c.p, got, c.want)
		}
	}
	if got := Percentile(nil, 50); got != 0 {
		t.Errorf("Percentile(nil) = %v, want 0", got)
	}
	// Nearest rank: with 60 samples p99 is the largest, p50 the 30th.
	var sixty []time.Duration
	for i := 60; i >= 1; i-- { // unsorted on purpose: Summarize sorts a copy
		sixty = append(sixty, time.Duration(i)*time.Millisecond)
	}
	d := Summarize(sixty)
	if d.N != 60 || d.P50 != 30 || d.P90 != 54 || d.P99 != 60 || d.Max != 60 || d.Min != 1 {
		t.Errorf("Summarize(60 samples) = %+v", d)
	}
	if sixty[0] != 60*time.Millisecond {
		t.Error("Summarize modified its input")
	}
	if got := Summarize(nil); got != (Dist{}) {
		t.Errorf("Summarize(nil) = %+v", got)
	}
	if got := Summarize([]time.Duration{1500 * time.Microsecond}); got.P50 != 1.5 || got.P99 != 1.5 {
		t.Errorf("Summarize(1.5ms) = %+v", got)
	}
}

func TestGenerateDeterministic(t *testing.T) {
	spec := DefaultSpec(1000)
	a, err := Generate(spec)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Generate(spec)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("two Generate calls with one spec differ")
	}
	for i := range a.Modules {
		if !bytes.Equal(a.Source(&a.Modules[i], 3), b.Source(&b.Modules[i], 3)) {
			t.Fatalf("module %d: sources differ", i)
		}
	}
	other := spec
	other.Seed = 2
	c, _ := Generate(other)
	if reflect.DeepEqual(a.Modules, c.Modules) {
		t.Error("another seed gave the same project")
	}
	if spec.Key() == other.Key() {
		t.Error("cache key ignores the seed")
	}
	if !reflect.DeepEqual(EditPlan(a, 60, 1), EditPlan(b, 60, 1)) {
		t.Error("edit plan not deterministic")
	}
}

func TestGenerateShape(t *testing.T) {
	p, err := Generate(DefaultSpec(1000))
	if err != nil {
		t.Fatal(err)
	}
	c := p.Counts()
	if c.Modules != 1000 || c.Leaves+c.Mid+1 != 1000 || c.TS == 0 || c.SelfAccepting == 0 {
		t.Errorf("counts %+v", c)
	}
	ids := map[string]bool{}
	for i := range p.Modules {
		m := &p.Modules[i]
		if ids[m.ID] {
			t.Fatalf("duplicate id %s", m.ID)
		}
		ids[m.ID] = true
		src := string(p.Source(m, 0))
		// Every module below the entry reaches a self-accepting one
		// (its depth-1 ancestor), so every edit has a boundary.
		if m.Depth == 1 && !m.SelfAccepting {
			t.Errorf("%s at depth 1 does not self-accept", m.ID)
		}
		if m.SelfAccepting != strings.Contains(src, "import.meta.hot.accept()") {
			t.Errorf("%s: SelfAccepting %v but source:\n%s", m.ID, m.SelfAccepting, src)
		}
		for k, ci := range m.Children {
			child := &p.Modules[ci]
			if child.Parent != i {
				t.Fatalf("%s: child %s has parent %d", m.ID, child.ID, child.Parent)
			}
			spec := relSpec(m.File, child.File)
			if got := filepath.ToSlash(filepath.Join(filepath.Dir(m.File), spec)); got != child.File {
				t.Errorf("%s imports %q, which is %s, not %s", m.ID, spec, got, child.File)
			}
			// Used as a value, so no TypeScript compiler elides it.
			if !strings.Contains(src, " + c"+itoa(k)) {
				t.Errorf("%s: import c%d not used as a value:\n%s", m.ID, k, src)
			}
		}
	}
	// Revisions differ, so no edit is an identical write.
	m := &p.Modules[5]
	if bytes.Equal(p.Source(m, 1), p.Source(m, 2)) {
		t.Error("revisions 1 and 2 have the same content")
	}
	plan := EditPlan(p, 10, 1)
	for k, i := range plan {
		mod := &p.Modules[i]
		if leaf := k%2 == 0; leaf != mod.Leaf() || mod.Depth == 0 {
			t.Errorf("edit %d: %s (leaf %v, depth %d)", k, mod.ID, mod.Leaf(), mod.Depth)
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestTreeCacheAndRestore(t *testing.T) {
	cache := t.TempDir()
	p, _ := Generate(DefaultSpec(30))
	tr, fresh, err := OpenTree(cache, p, "hmrd", t.Logf)
	if err != nil || !fresh {
		t.Fatalf("OpenTree: fresh %v, err %v", fresh, err)
	}
	if err := tr.Journal(7); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(tr.Path(7), []byte("edited"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A run that died: the next OpenTree repairs the edit.
	tr2, fresh, err := OpenTree(cache, p, "hmrd", t.Logf)
	if err != nil || fresh {
		t.Fatalf("second OpenTree: fresh %v, err %v", fresh, err)
	}
	got, _ := os.ReadFile(tr2.Path(7))
	if !bytes.Equal(got, p.Source(&p.Modules[7], 0)) {
		t.Errorf("module 7 not restored: %q", got)
	}
	if html, err := os.ReadFile(filepath.Join(tr.Dir, "index.html")); err != nil || !bytes.Contains(html, []byte(`src="/src/main.js"`)) {
		t.Errorf("index.html: %q, %v", html, err)
	}
}

func TestAccount(t *testing.T) {
	t0 := time.Unix(1000, 0)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	saves := []Save{
		{Edit: 0, Module: "/src/a.js", At: at(0), Warmup: true},
		{Edit: 1, Module: "/src/b.js", At: at(1000)},
		{Edit: 2, Module: "/src/c.js", At: at(2000)},
		{Edit: 3, Module: "/src/d.js", At: at(3000)},
	}
	sigs := []Signal{
		{At: at(-5), Kind: "update", Seq: 1},                                    // before any save
		{At: at(2), Kind: "update", Seq: 2, Triggers: []string{"/src/a.js"}},    // warm-up, ok
		{At: at(1003), Kind: "update", Seq: 3, Triggers: []string{"/src/b.js"}}, // ok
		{At: at(1400), Kind: "update", Seq: 4, Triggers: []string{"/src/b.js"}}, // duplicate
		// edit 2: nothing
		{At: at(3001), Kind: "full-reload", Seq: 5, Triggers: []string{"/src/x.js"}}, // mismatch
	}
	a := Account("s", saves, sigs)
	if a.Before != 1 || a.Missing != 1 || a.Duplicates != 1 || a.Mismatched != 1 || a.OK() {
		t.Errorf("accounting %+v", a)
	}
	if got := a.Latencies(); !reflect.DeepEqual(got, []time.Duration{3 * time.Millisecond, time.Millisecond}) {
		t.Errorf("latencies %v (warm-up excluded, first signal of each save)", got)
	}
	if len(a.Violations) != 4 {
		t.Errorf("violations %q", a.Violations)
	}

	// Vite: no triggers, attribution by time only; order of input free.
	good := Account("v", saves[1:], []Signal{{At: at(2010), Kind: "update"}, {At: at(1010), Kind: "update"}, {At: at(3010), Kind: "full-reload"}})
	if !good.OK() || len(good.Latencies()) != 3 {
		t.Errorf("clean run: %+v", good)
	}
}

func TestCheckSeqs(t *testing.T) {
	for _, c := range []struct {
		got         []uint64
		first, last uint64
		want        SeqCheck
	}{
		{[]uint64{3, 4, 5, 6}, 4, 6, SeqCheck{Got: 3}},
		{[]uint64{4, 6}, 4, 6, SeqCheck{Got: 2, Missing: 1}},
		{[]uint64{4, 5, 5, 6}, 4, 6, SeqCheck{Got: 4, Duplicates: 1}},
		{[]uint64{4, 6, 5}, 4, 6, SeqCheck{Got: 3, OutOfOrder: 1}},
		{nil, 4, 6, SeqCheck{Missing: 3}},
		{nil, 5, 4, SeqCheck{}}, // nothing published
	} {
		if got := CheckSeqs(c.got, c.first, c.last); got != c.want {
			t.Errorf("CheckSeqs(%v, %d, %d) = %+v, want %+v", c.got, c.first, c.last, got, c.want)
		}
	}
}

func TestParsers(t *testing.T) {
	cpu, err := parseStatCPU([]byte("123 (node (x) y) S 1 2 3 4 5 6 7 8 9 10 250 50 0 0 20 0"))
	if err != nil || cpu != 3*time.Second {
		t.Errorf("parseStatCPU = %v, %v; want 3s", cpu, err)
	}
	tok, err := parseViteToken("const base = \"/\";\nconst wsToken = \"Ab-9_x\";\n")
	if err != nil || tok != "Ab-9_x" {
		t.Errorf("parseViteToken = %q, %v", tok, err)
	}
	if _, err := parseViteToken("const wsToken = __WS_TOKEN__;"); err == nil {
		t.Error("parseViteToken accepted an unreplaced placeholder")
	}
	if got := quickSeq([]byte(`{"project":"p","seq":"42","custom":{}}`)); got != 42 {
		t.Errorf("quickSeq = %d", got)
	}
	if got := quickSeq([]byte(`{"project":"p","seq":"42","heartbeat":{"headSeq":"42"}}`)); got != 0 {
		t.Errorf("quickSeq(heartbeat) = %d", got)
	}
}

// BenchmarkEngineOpen is the graph-building part of hmrd's cold start on a
// tree hmrd-bench generated, for a CPU profile of exactly what the
// benchmark measures (hmrd has no profiling endpoint):
//
//	HMRD_BENCH_TREE=~/.cache/hmrd-bench/projects/KEY/hmrd \
//	  go test -run '^$' -bench EngineOpen -benchtime 5x -cpuprofile cold.prof ./cmd/hmrd-bench
//
// Skipped without HMRD_BENCH_TREE.
func BenchmarkEngineOpen(b *testing.B) {
	root := os.Getenv("HMRD_BENCH_TREE")
	if root == "" {
		b.Skip("set HMRD_BENCH_TREE to a generated tree")
	}
	for b.Loop() {
		p, _, err := engine.Open(vfs.OS{}, engine.Options{Root: root})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(p.Stats().Modules), "modules")
	}
}

// BenchmarkEngineEdit is one edit of a leaf on that tree: read, scan,
// resolve, graph update, propagation — the in-daemon part of save → signal.
func BenchmarkEngineEdit(b *testing.B) {
	root := os.Getenv("HMRD_BENCH_TREE")
	if root == "" {
		b.Skip("set HMRD_BENCH_TREE to a generated tree")
	}
	p, _, err := engine.Open(vfs.OS{}, engine.Options{Root: root})
	if err != nil {
		b.Fatal(err)
	}
	// The breadth-first layout puts leaves last: take the last plain JS
	// module of the last directory.
	dirs, err := filepath.Glob(filepath.Join(root, "src", "d*"))
	if err != nil || len(dirs) == 0 {
		b.Fatal("no module directories in", root)
	}
	last := dirs[0]
	for _, d := range dirs {
		if len(d) > len(last) || len(d) == len(last) && d > last {
			last = d
		}
	}
	files, _ := filepath.Glob(filepath.Join(last, "*.js"))
	if len(files) == 0 {
		b.Fatal("no .js module in", last)
	}
	file := files[len(files)-1]
	orig, err := os.ReadFile(file)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { os.WriteFile(file, orig, 0o644) })
	// Apply is timed by hand: StopTimer/StartTimer read memory stats,
	// which costs more than the edit itself.
	var applied time.Duration
	i := 0
	for b.Loop() {
		i++
		if err := os.WriteFile(file, fmt.Appendf(append([]byte(nil), orig...), "// edit %d\n", i), 0o644); err != nil {
			b.Fatal(err)
		}
		t := time.Now()
		plan := p.Apply([]string{file})
		applied += time.Since(t)
		if plan.Empty() {
			b.Fatal("edit signalled nothing")
		}
	}
	b.ReportMetric(float64(applied.Microseconds())/float64(i), "apply-µs/op")
}
