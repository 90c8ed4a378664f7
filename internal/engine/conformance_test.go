package engine

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hmrd/hmrd/internal/conformance"
	"github.com/hmrd/hmrd/internal/vfs"
)

// The conformance cases (testdata/conformance, described in its README.md)
// are tiny projects, a list of edits and the payloads Vite sent for each
// step (read by internal/conformance, which the end-to-end tests use too).

const caseRoot = "/proj"

// loadTree copies a directory from testdata into an in-memory FS at caseRoot.
func loadTree(t *testing.T, dir string) *vfs.Mem {
	t.Helper()
	mem := vfs.NewMem()
	mem.MkdirAll(caseRoot)
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if conformance.Meta(rel) {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		mem.WriteFile(caseRoot+"/"+filepath.ToSlash(rel), data)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return mem
}

// toPayloads renders a plan as the Vite payloads the corpus records.
func toPayloads(p *Plan) []conformance.Payload {
	out := []conformance.Payload{}
	for range p.Errors {
		out = append(out, conformance.Payload{Type: "error"})
	}
	if p.FullReload != nil {
		out = append(out, conformance.Payload{Type: "full-reload", Path: p.FullReload.Path, TriggeredBy: p.FullReload.TriggeredBy})
		return out
	}
	if len(p.Updates) > 0 {
		pl := conformance.Payload{Type: "update"}
		for _, u := range p.Updates {
			pl.Updates = append(pl.Updates, conformance.Update{
				Type: u.Type.String() + "-update", Path: u.Path, AcceptedPath: u.AcceptedPath,
				IsWithinCircularImport: u.IsWithinCircularImport, FirstInvalidatedBy: u.FirstInvalidatedBy,
			})
		}
		out = append(out, pl)
	}
	if len(p.Prune) > 0 {
		out = append(out, conformance.Payload{Type: "prune", Paths: p.Prune})
	}
	return out
}

func TestConformance(t *testing.T) {
	dirs, err := filepath.Glob("testdata/conformance/*")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, dir := range dirs {
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			continue
		}
		n++
		t.Run(filepath.Base(dir), func(t *testing.T) { runConformanceCase(t, dir) })
	}
	if n < 15 {
		t.Fatalf("found %d conformance cases, want at least 15", n)
	}
}

func runConformanceCase(t *testing.T, dir string) {
	mem := loadTree(t, dir)
	c, err := conformance.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	edits, want := c.Edits, c.Steps

	clock := time.UnixMilli(1_700_000_000_000)
	proj, plan, err := Open(mem, Options{Root: caseRoot, Now: func() time.Time { clock = clock.Add(time.Millisecond); return clock }})
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Errors) > 0 {
		t.Fatalf("open: errors %v", plan.Errors)
	}
	if len(c.Loaded) > 0 {
		if unknown := proj.MarkLoaded(c.Loaded...); len(unknown) > 0 {
			t.Fatalf("loaded.json names unknown modules %v", unknown)
		}
	}
	for i, e := range edits {
		var plan *Plan
		switch {
		case e.Write != "":
			mem.WriteFile(caseRoot+"/"+e.Write, []byte(e.Content))
			plan = proj.Apply([]string{caseRoot + "/" + e.Write})
		case e.Delete != "":
			mem.Remove(caseRoot + "/" + e.Delete)
			plan = proj.Apply([]string{caseRoot + "/" + e.Delete})
		case e.Invalidate != "":
			plan = proj.Invalidate(e.Invalidate, "")
		default:
			t.Fatalf("step %d: unknown edit %+v", i, e)
		}
		got, exp := conformance.Canon(toPayloads(plan)), conformance.Canon(want[i].Payloads)
		if !slices.Equal(got, exp) {
			t.Errorf("step %d (%s):\n got  %s\n want %s", i, e, strings.Join(got, " "), strings.Join(exp, " "))
		}
		if plan.FullReload != nil && (plan.FullReload.Reason == "" || len(plan.FullReload.Chain) == 0) {
			t.Errorf("step %d: full reload without reason or chain: %+v", i, plan.FullReload)
		}
	}
}
