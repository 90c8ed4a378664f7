package jsscan

import (
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/evanw/esbuild/pkg/api"
)

var updateRefresh = flag.Bool("update-refresh", false, "rewrite testdata/refresh/*.golden")

// applyRefresh is the transform as a server applies it: the head on the
// first line, the inserts, the tail after the last line.
func applyRefresh(code []byte, r *Refresh) string {
	ins := slices.Clone(r.Inserts)
	slices.SortStableFunc(ins, func(a, b Insert) int { return a.At - b.At })
	var b strings.Builder
	b.WriteString(r.Head)
	last := 0
	for _, in := range ins {
		b.WriteString(string(code[last:in.At]))
		b.WriteString(in.Text)
		last = in.At
	}
	b.WriteString(string(code[last:]))
	b.WriteString(r.Tail)
	return b.String()
}

// Each testdata/refresh file is a module; its golden file holds whether it
// is a boundary, its registrations, and the transformed code. The module
// goes through esbuild as the dev server sends it (automatic JSX runtime),
// and the result must still be valid JavaScript.
func TestRefreshGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/refresh/*.[jt]sx")
	if err != nil || len(files) == 0 {
		t.Fatalf("no cases: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			loader := api.LoaderJSX
			if strings.HasSuffix(f, ".tsx") {
				loader = api.LoaderTSX
			}
			tr := api.Transform(string(src), api.TransformOptions{Loader: loader, Format: api.FormatESModule, Target: api.ESNext, JSX: api.JSXAutomatic})
			if len(tr.Errors) > 0 {
				t.Fatalf("esbuild: %s", tr.Errors[0].Text)
			}
			r := AnalyzeRefresh(tr.Code)
			out := applyRefresh(tr.Code, r)
			if check := api.Transform(out, api.TransformOptions{Loader: api.LoaderJS, Format: api.FormatESModule}); len(check.Errors) > 0 {
				t.Errorf("transformed code does not parse: %s\n%s", check.Errors[0].Text, out)
			}
			var got strings.Builder
			got.WriteString("boundary: " + map[bool]string{true: "yes", false: "no"}[r.Boundary] + "\n")
			for _, reg := range r.Registrations {
				got.WriteString("register: " + reg.ID + " = " + reg.Handle + "\n")
			}
			got.WriteString("----\n" + out)
			golden := strings.TrimSuffix(f, filepath.Ext(f)) + ".golden"
			if *updateRefresh {
				if err := os.WriteFile(golden, []byte(got.String()), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update-refresh)", err)
			}
			if got.String() != string(want) {
				t.Errorf("got:\n%s\nwant:\n%s", got.String(), want)
			}
		})
	}
}

// BenchmarkRefreshTransform is the transform's cost on a 300-line
// component module (esbuild's output for it), what the dev server and the
// engine each add to an edit of it; BenchmarkRefreshEsbuild, for scale, is
// the esbuild transform every edit of it pays anyway.
func BenchmarkRefreshTransform(b *testing.B) {
	code := benchComponent(b)
	b.SetBytes(int64(len(code)))
	b.ReportAllocs()
	for b.Loop() {
		if r := AnalyzeRefresh(code); len(r.Registrations) == 0 {
			b.Fatal("no registrations")
		}
	}
}

func BenchmarkRefreshEsbuild(b *testing.B) {
	src, err := os.ReadFile("testdata/refreshbench/Dashboard.tsx")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if tr := api.Transform(string(src), api.TransformOptions{Loader: api.LoaderTSX, Format: api.FormatESModule, Target: api.ESNext, JSX: api.JSXAutomatic}); len(tr.Errors) > 0 {
			b.Fatal(tr.Errors[0].Text)
		}
	}
}

func benchComponent(b *testing.B) []byte {
	src, err := os.ReadFile("testdata/refreshbench/Dashboard.tsx")
	if err != nil {
		b.Fatal(err)
	}
	tr := api.Transform(string(src), api.TransformOptions{Loader: api.LoaderTSX, Format: api.FormatESModule, Target: api.ESNext, JSX: api.JSXAutomatic})
	if len(tr.Errors) > 0 {
		b.Fatal(tr.Errors[0].Text)
	}
	return tr.Code
}

// The benchmark's component is a boundary with every cell registered.
func TestRefreshBenchComponent(t *testing.T) {
	src, err := os.ReadFile("testdata/refreshbench/Dashboard.tsx")
	if err != nil {
		t.Fatal(err)
	}
	tr := api.Transform(string(src), api.TransformOptions{Loader: api.LoaderTSX, Format: api.FormatESModule, Target: api.ESNext, JSX: api.JSXAutomatic})
	r := AnalyzeRefresh(tr.Code)
	if !r.Boundary || len(r.Registrations) != 23 {
		t.Errorf("boundary %v, %d registrations, want a boundary with 23 (11 cells and their inner functions, and Dashboard)", r.Boundary, len(r.Registrations))
		for _, reg := range r.Registrations {
			t.Log(reg.ID)
		}
	}
}
