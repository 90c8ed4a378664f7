package engine

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hmrd/hmrd/daemon/vfs"
)

// The conformance cases are copied from the shared HMR corpus: tiny
// projects, a list of edits, and the payloads Vite sent for each step.

type confEdit struct {
	Write      string `json:"write"`
	Content    string `json:"content"`
	Delete     string `json:"delete"`
	Invalidate string `json:"invalidate"`
}

type confUpdate struct {
	Type                   string `json:"type"`
	Path                   string `json:"path"`
	AcceptedPath           string `json:"acceptedPath"`
	IsWithinCircularImport bool   `json:"isWithinCircularImport"`
	FirstInvalidatedBy     string `json:"firstInvalidatedBy,omitempty"`
}

type confPayload struct {
	Type        string       `json:"type"`
	Updates     []confUpdate `json:"updates,omitempty"`
	Path        string       `json:"path,omitempty"`
	TriggeredBy string       `json:"triggeredBy,omitempty"`
	Paths       []string     `json:"paths,omitempty"`
}

type confStep struct {
	Step     int           `json:"step"`
	Payloads []confPayload `json:"payloads"`
}

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
		switch rel {
		case "CASE.txt", "edits.json", "expected.jsonl", "loaded.json":
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
func toPayloads(p *Plan) []confPayload {
	out := []confPayload{}
	for range p.Errors {
		out = append(out, confPayload{Type: "error"})
	}
	if p.FullReload != nil {
		out = append(out, confPayload{Type: "full-reload", Path: p.FullReload.Path, TriggeredBy: p.FullReload.TriggeredBy})
		return out
	}
	if len(p.Updates) > 0 {
		pl := confPayload{Type: "update"}
		for _, u := range p.Updates {
			pl.Updates = append(pl.Updates, confUpdate{
				Type: u.Type.String() + "-update", Path: u.Path, AcceptedPath: u.AcceptedPath,
				IsWithinCircularImport: u.IsWithinCircularImport, FirstInvalidatedBy: u.FirstInvalidatedBy,
			})
		}
		sortUpdates(pl.Updates)
		out = append(out, pl)
	}
	if len(p.Prune) > 0 {
		out = append(out, confPayload{Type: "prune", Paths: p.Prune})
	}
	return out
}

func sortUpdates(us []confUpdate) {
	sort.Slice(us, func(i, j int) bool {
		if us[i].Path != us[j].Path {
			return us[i].Path < us[j].Path
		}
		return us[i].AcceptedPath < us[j].AcceptedPath
	})
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
	var edits []confEdit
	readJSON(t, filepath.Join(dir, "edits.json"), &edits)
	var want []confStep
	f, err := os.Open(filepath.Join(dir, "expected.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var st confStep
		if err := json.Unmarshal(sc.Bytes(), &st); err != nil {
			t.Fatal(err)
		}
		want = append(want, st)
	}
	if len(want) != len(edits) {
		t.Fatalf("%d expected steps for %d edits", len(want), len(edits))
	}

	clock := time.UnixMilli(1_700_000_000_000)
	proj, plan, err := Open(mem, Options{Root: caseRoot, Now: func() time.Time { clock = clock.Add(time.Millisecond); return clock }})
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Errors) > 0 {
		t.Fatalf("open: errors %v", plan.Errors)
	}
	if _, err := os.Stat(filepath.Join(dir, "loaded.json")); err == nil {
		var loaded []string
		readJSON(t, filepath.Join(dir, "loaded.json"), &loaded)
		if unknown := proj.MarkLoaded(loaded...); len(unknown) > 0 {
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
		got := toPayloads(plan)
		exp := want[i].Payloads
		for j := range exp {
			sortUpdates(exp[j].Updates)
		}
		if !reflect.DeepEqual(got, exp) {
			t.Errorf("step %d (%+v):\n got  %s\n want %s", i, e, mustJSON(got), mustJSON(exp))
		}
		if plan.FullReload != nil && (plan.FullReload.Reason == "" || len(plan.FullReload.Chain) == 0) {
			t.Errorf("step %d: full reload without reason or chain: %+v", i, plan.FullReload)
		}
	}
}

func readJSON(t *testing.T, file string, v any) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
