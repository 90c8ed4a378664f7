package e2e

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hmrd/hmrd/internal/conformance"
	hmrdv1 "github.com/hmrd/hmrd/proto/hmrd/v1"
)

// The conformance cases (internal/engine/testdata/conformance), replayed
// end to end: the same outcomes the engine tests assert, now through
// fsnotify, the hub, gRPC and the CLI.
const conformanceDir = "../internal/engine/testdata/conformance"

func TestConformanceEndToEnd(t *testing.T) {
	dirs, err := conformance.Dirs(conformanceDir)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, dir := range dirs {
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
	copyTree(t, caseDir, root, conformance.Meta)
	c, err := conformance.Load(caseDir)
	if err != nil {
		t.Fatal(err)
	}
	edits, want := c.Edits, c.Steps

	socket := filepath.Join(tmp, "s")
	startDaemon(t, socket, root)
	tl := startTail(t, socket)
	if hello := tl.next(10 * time.Second); hello.GetHello() == nil {
		t.Fatalf("first event is not a Hello: %v", hello)
	}
	if loaded := c.Loaded; len(loaded) > 0 {
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
		var got []conformance.Payload
		for range exp {
			ev := tl.next(10 * time.Second)
			got = append(got, toPayload(t, ev))
		}
		// Nothing more for this step (no duplicate signal for one save).
		tl.none(300 * time.Millisecond)
		if g, w := conformance.Canon(got), conformance.Canon(exp); !slices.Equal(g, w) {
			t.Errorf("step %d (%s):\n got  %s\n want %s", i, e, strings.Join(g, "\n      "), strings.Join(w, "\n      "))
		}
	}
}

func toPayload(t *testing.T, ev *hmrdv1.Event) conformance.Payload {
	switch k := ev.Kind.(type) {
	case *hmrdv1.Event_Update:
		p := conformance.Payload{Type: "update"}
		for _, u := range k.Update.Updates {
			typ := "js-update"
			if u.Type == hmrdv1.UpdateType_UPDATE_TYPE_CSS {
				typ = "css-update"
			}
			p.Updates = append(p.Updates, conformance.Update{Type: typ, Path: u.Path, AcceptedPath: u.AcceptedPath,
				IsWithinCircularImport: u.IsWithinCircularImport, FirstInvalidatedBy: u.FirstInvalidatedBy})
		}
		return p
	case *hmrdv1.Event_FullReload:
		if k.FullReload.Reason == "" || len(k.FullReload.Chain) == 0 {
			t.Errorf("seq %d: full reload without reason or chain: %v", ev.Seq, k.FullReload)
		}
		return conformance.Payload{Type: "full-reload", Path: k.FullReload.Path, TriggeredBy: k.FullReload.TriggeredBy}
	case *hmrdv1.Event_Prune:
		return conformance.Payload{Type: "prune", Paths: k.Prune.Paths}
	case *hmrdv1.Event_Error:
		return conformance.Payload{Type: "error"}
	}
	t.Fatalf("unexpected event %v", ev)
	return conformance.Payload{}
}
