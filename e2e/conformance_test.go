package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	hmrdv1 "github.com/hmrd/hmrd/proto/hmrd/v1"
)

// The shared conformance corpus, replayed end to end: the same outcomes the
// engine tests assert, now through fsnotify, the hub, gRPC and the CLI.
const conformanceDir = "../daemon/engine/testdata/conformance"

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

func TestConformanceEndToEnd(t *testing.T) {
	dirs, _ := filepath.Glob(filepath.Join(conformanceDir, "*"))
	n := 0
	for _, dir := range dirs {
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			continue
		}
		n++
		t.Run(filepath.Base(dir), func(t *testing.T) {
			t.Parallel()
			runCase(t, dir)
		})
	}
	if n < 15 {
		t.Fatalf("found %d conformance cases in %s, want at least 15", n, conformanceDir)
	}
}

func runCase(t *testing.T, caseDir string) {
	tmp := shortTemp(t)
	root := filepath.Join(tmp, "proj")
	copyTree(t, caseDir, root, func(rel string) bool {
		switch rel {
		case "CASE.txt", "edits.json", "expected.jsonl", "loaded.json":
			return true
		}
		return false
	})
	var edits []confEdit
	readJSON(t, filepath.Join(caseDir, "edits.json"), &edits)
	want := readSteps(t, filepath.Join(caseDir, "expected.jsonl"))
	if len(want) != len(edits) {
		t.Fatalf("%d expected steps for %d edits", len(want), len(edits))
	}

	socket := filepath.Join(tmp, "s")
	startDaemon(t, socket, root)
	tl := startTail(t, socket)
	if hello := tl.next(10 * time.Second); hello.GetHello() == nil {
		t.Fatalf("first event is not a Hello: %v", hello)
	}
	if data, err := os.ReadFile(filepath.Join(caseDir, "loaded.json")); err == nil {
		var loaded []string
		if err := json.Unmarshal(data, &loaded); err != nil {
			t.Fatal(err)
		}
		conn := dialSocket(t, socket)
		defer conn.Close()
		resp, err := hmrdv1.NewHotServiceClient(conn).ReportLoaded(context.Background(), &hmrdv1.ReportLoadedRequest{Modules: loaded})
		if err != nil {
			t.Fatal(err)
		}
		if len(resp.Unknown) > 0 {
			t.Fatalf("daemon does not know loaded modules %v", resp.Unknown)
		}
	}

	for i, e := range edits {
		switch {
		case e.Write != "":
			p := filepath.Join(root, e.Write)
			os.MkdirAll(filepath.Dir(p), 0o755)
			if err := os.WriteFile(p, []byte(e.Content), 0o644); err != nil {
				t.Fatal(err)
			}
		case e.Delete != "":
			if err := os.Remove(filepath.Join(root, e.Delete)); err != nil {
				t.Fatal(err)
			}
		case e.Invalidate != "":
			if out, err := runCLI(t, "invalidate", "--socket", socket, e.Invalidate); err != nil {
				t.Fatalf("hmrd invalidate: %v: %s", err, out)
			}
		}
		exp := want[i].Payloads
		if len(exp) == 0 {
			tl.none(600 * time.Millisecond)
			continue
		}
		var got []confPayload
		for range exp {
			ev := tl.next(10 * time.Second)
			got = append(got, toPayload(t, ev))
		}
		// Nothing more for this step (no duplicate signal for one save).
		tl.none(300 * time.Millisecond)
		if g, w := canon(got), canon(exp); !slices.Equal(g, w) {
			t.Errorf("step %d (%s):\n got  %s\n want %s", i, describeEdit(e), strings.Join(g, "\n      "), strings.Join(w, "\n      "))
		}
	}
}

func toPayload(t *testing.T, ev *hmrdv1.Event) confPayload {
	switch k := ev.Kind.(type) {
	case *hmrdv1.Event_Update:
		p := confPayload{Type: "update"}
		for _, u := range k.Update.Updates {
			typ := "js-update"
			if u.Type == hmrdv1.UpdateType_UPDATE_TYPE_CSS {
				typ = "css-update"
			}
			p.Updates = append(p.Updates, confUpdate{Type: typ, Path: u.Path, AcceptedPath: u.AcceptedPath,
				IsWithinCircularImport: u.IsWithinCircularImport, FirstInvalidatedBy: u.FirstInvalidatedBy})
		}
		return p
	case *hmrdv1.Event_FullReload:
		if k.FullReload.Reason == "" || len(k.FullReload.Chain) == 0 {
			t.Errorf("seq %d: full reload without reason or chain: %v", ev.Seq, k.FullReload)
		}
		return confPayload{Type: "full-reload", Path: k.FullReload.Path, TriggeredBy: k.FullReload.TriggeredBy}
	case *hmrdv1.Event_Prune:
		return confPayload{Type: "prune", Paths: k.Prune.Paths}
	case *hmrdv1.Event_Error:
		return confPayload{Type: "error"}
	}
	t.Fatalf("unexpected event %v", ev)
	return confPayload{}
}

// canon renders payloads comparably: updates as a set, payloads as a set.
func canon(ps []confPayload) []string {
	var out []string
	for _, p := range ps {
		slices.SortFunc(p.Updates, func(a, b confUpdate) int {
			return strings.Compare(a.Path+" "+a.AcceptedPath, b.Path+" "+b.AcceptedPath)
		})
		slices.Sort(p.Paths)
		b, _ := json.Marshal(p)
		out = append(out, string(b))
	}
	slices.Sort(out)
	return out
}

func describeEdit(e confEdit) string {
	switch {
	case e.Write != "":
		return "write " + e.Write
	case e.Delete != "":
		return "delete " + e.Delete
	}
	return "invalidate " + e.Invalidate
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

func readSteps(t *testing.T, file string) []confStep {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var steps []confStep
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var st confStep
		if err := json.Unmarshal(sc.Bytes(), &st); err != nil {
			t.Fatal(err)
		}
		steps = append(steps, st)
	}
	return steps
}
