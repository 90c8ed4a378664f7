package engine

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"

	"github.com/hmrd/hmrd/internal/vfs"
)

// synth describes a generated project: a tree of modules with fan-out, every
// tenth module self-accepting, every fifth one TypeScript, and one hub
// module imported by many others.
type synth struct {
	dir     string
	n       int
	leaf    string // a leaf module file
	hub     string // the hub module file
	hubUses int
}

const fanout = 8

func synthName(i int) string {
	ext := ".js"
	if i%5 == 4 {
		ext = ".ts"
	}
	return fmt.Sprintf("src/d%d/m%d%s", i/100, i, ext)
}

// genSynth writes a project of n modules below dir.
func genSynth(tb testing.TB, dir string, n, hubUses int) *synth {
	tb.Helper()
	s := &synth{dir: dir, n: n, hubUses: hubUses}
	write := func(name, body string) {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	write("index.html", "<!doctype html>\n<html><head><title>synthetic</title></head>\n<body><div id=app></div>\n<script type=\"module\" src=\"/src/main.js\"></script></body></html>\n")
	write("src/main.js", "import { v0 } from './d0/m0.js'\nconsole.log(v0)\n")
	write("src/common/hub.js", "export const hub = 1\nexport function fmt(v) { return String(v) }\n")
	hubEvery := n
	if hubUses > 0 {
		hubEvery = n / hubUses
	}
	for i := 0; i < n; i++ {
		var b strings.Builder
		var used []string
		for c := i*fanout + 1; c <= i*fanout+fanout && c < n; c++ {
			fmt.Fprintf(&b, "import { v%d } from '../d%d/m%d%s'\n", c, c/100, c, filepath.Ext(synthName(c)))
			used = append(used, fmt.Sprintf("v%d", c))
		}
		if hubUses > 0 && i%hubEvery == 0 {
			b.WriteString("import { fmt } from '../common/hub.js'\n")
			used = append(used, "fmt")
		}
		// Use every import as a value: TypeScript elides imports whose
		// bindings are unused, and so does the scanner.
		if len(used) > 0 {
			fmt.Fprintf(&b, "export const deps = [%s]\n", strings.Join(used, ", "))
		}
		ts := strings.HasSuffix(synthName(i), ".ts")
		if ts {
			fmt.Fprintf(&b, "interface State%d { count: number; label: string }\n", i)
			fmt.Fprintf(&b, "const state: State%d = { count: %d, label: 'm%d' }\n", i, i, i)
		} else {
			fmt.Fprintf(&b, "const state = { count: %d, label: 'm%d' }\n", i, i)
		}
		b.WriteString("function render(el) {\n  const items = [1, 2, 3].map((x) => `<li>${x * state.count}</li>`)\n  return items.join('') + state.label\n}\n")
		fmt.Fprintf(&b, "export const v%d = render(null)\n", i)
		if i%10 == 0 {
			b.WriteString("if (import.meta.hot) {\n  import.meta.hot.accept()\n}\n")
		}
		write(synthName(i), b.String())
		if c := i*fanout + 1; c >= n && s.leaf == "" && i > n/2 {
			s.leaf = filepath.Join(dir, synthName(i))
		}
	}
	s.hub = filepath.Join(dir, "src/common/hub.js")
	return s
}

func openSynth(tb testing.TB, s *synth) *Project {
	tb.Helper()
	p, plan, err := Open(vfs.OS{}, Options{Root: s.dir})
	if err != nil {
		tb.Fatal(err)
	}
	if len(plan.Errors) > 0 {
		tb.Fatalf("synthetic project has errors: %v", plan.Errors[0])
	}
	if got := p.Stats().Live; got < s.n {
		tb.Fatalf("only %d live modules, want ≥ %d", got, s.n)
	}
	return p
}

func realDir(tb testing.TB) string {
	d, err := filepath.EvalSymlinks(tb.TempDir())
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

// BenchmarkColdBuild measures Open: find pages, scan, resolve and graph
// every module of a 10,000-module project (files in the OS page cache).
func BenchmarkColdBuild(b *testing.B) {
	s := genSynth(b, realDir(b), 10_000, 1_000)
	b.ResetTimer()
	for b.Loop() {
		openSynth(b, s)
	}
}

// BenchmarkEdit measures one saved file end to end: read, hash, re-scan,
// re-resolve, update the graph, propagate, stamp versions.
func BenchmarkEdit(b *testing.B) {
	for _, size := range []int{10_000, 100_000} {
		s := genSynth(b, realDir(b), size, 1_000)
		p := openSynth(b, s)
		for _, target := range []struct{ name, file string }{{"leaf", s.leaf}, {"hub", s.hub}} {
			b.Run(fmt.Sprintf("%s/%dk", target.name, size/1000), func(b *testing.B) {
				orig, err := os.ReadFile(target.file)
				if err != nil {
					b.Fatal(err)
				}
				i := 0
				var cpu int64
				for b.Loop() {
					b.StopTimer()
					i++
					if err := os.WriteFile(target.file, fmt.Appendf(append([]byte(nil), orig...), "// edit %d\n", i), 0o644); err != nil {
						b.Fatal(err)
					}
					b.StartTimer()
					c0 := processCPU()
					plan := p.Apply([]string{target.file})
					cpu += processCPU() - c0
					if plan.Empty() {
						b.Fatal("edit signalled nothing")
					}
				}
				// CPU time of Apply (this process, all threads, GC
				// included) per edit: less sensitive than wall time to
				// other work on a 2-core machine.
				b.ReportMetric(float64(cpu)/float64(b.N), "cpu-ns/op")
			})
		}
	}
}

// BenchmarkGraphMemory reports the heap held per module by a built project.
func BenchmarkGraphMemory(b *testing.B) {
	s := genSynth(b, realDir(b), 10_000, 1_000)
	for b.Loop() {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		p := openSynth(b, s)
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/float64(p.Stats().Modules), "B/module")
		runtime.KeepAlive(p)
	}
}

// processCPU is the user+system CPU time of this process so far, in ns.
func processCPU() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
