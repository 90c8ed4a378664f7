package daemon_test

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hmrd/hmrd/daemon"
	hmrdv1 "github.com/hmrd/hmrd/proto/hmrd/v1"
)

// withOther adds src/other.js, a self-accepting module main.js imports
// that has nothing to do with app.js.
func withOther(t *testing.T) func(*daemon.Config) {
	return func(c *daemon.Config) {
		root := c.Roots[0]
		writeFile(t, filepath.Join(root, "src/main.js"), "import './app.js'\nimport './other.js'\n")
		writeFile(t, filepath.Join(root, "src/other.js"), "export const o = 1\nimport.meta.hot.accept()\n")
	}
}

func errorModules(errs []*hmrdv1.Error) []string {
	var out []string
	for _, e := range errs {
		out = append(out, e.GetModule())
	}
	return out
}

// expectNothingBefore publishes a custom event and reads up to it: the
// stream had nothing more than the test expected.
func expectNothingBefore(t *testing.T, td *testDaemon, sub hmrdv1.HotService_SubscribeClient) {
	t.Helper()
	if _, err := td.hot.SendCustom(ctxT(t), &hmrdv1.SendCustomRequest{Event: "mark"}); err != nil {
		t.Fatal(err)
	}
	if ev := recvEvent(t, sub); ev.GetCustom().GetEvent() != "mark" {
		t.Fatalf("got %v, want nothing before the mark", ev)
	}
}

func helloOf(t *testing.T, td *testDaemon, req *hmrdv1.SubscribeRequest) *hmrdv1.Hello {
	t.Helper()
	sub, err := td.hot.Subscribe(ctxT(t), req)
	if err != nil {
		t.Fatal(err)
	}
	h := recvEvent(t, sub).GetHello()
	if h == nil {
		t.Fatal("first event is not a hello")
	}
	return h
}

// An edit that adds an import that does not resolve is an Error for the
// module (positioned, with a frame), not an Update; the error stands —
// in every Hello, fresh, resumed or resynced — through unrelated updates,
// which neither repeat nor clear it; creating the file brings the update
// and an ErrorCleared. Error and ErrorCleared carry version 0.
func TestUnresolvedImportIsAnErrorUntilItResolves(t *testing.T) {
	td := startDaemon(t, withOther(t))
	ctx := ctxT(t)
	sub, err := td.hot.Subscribe(ctx, &hmrdv1.SubscribeRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if h := recvEvent(t, sub).GetHello(); len(h.GetErrors()) != 0 {
		t.Fatalf("hello errors before any edit: %v", h.GetErrors())
	}

	writeFile(t, filepath.Join(td.root, "src/app.js"), "import { n } from './dep.js'\nimport { h } from './helper.js'\nexport const x = n + h\nimport.meta.hot.accept()\n")
	ev := recvEvent(t, sub)
	e := ev.GetError()
	if e == nil {
		t.Fatalf("broken edit: got %v, want an Error", ev)
	}
	if e.Module != "/src/app.js" || e.Code != "UNRESOLVED_IMPORT" || e.Line != 2 || e.Column != 20 ||
		!strings.Contains(e.Message, `"./helper.js"`) || !strings.Contains(e.Frame, "import { h } from './helper.js'") {
		t.Errorf("error = %v; want /src/app.js UNRESOLVED_IMPORT at 2:20 naming ./helper.js, with its frame", e)
	}
	if ev.Version != 0 {
		t.Errorf("error version = %d, want 0", ev.Version)
	}
	expectNothingBefore(t, td, sub)

	for _, req := range []*hmrdv1.SubscribeRequest{
		{},                                      // fresh
		{Epoch: td.d.Epoch(), FromSeq: 1},       // resumed
		{Epoch: "0123456789abcdef", FromSeq: 1}, // resync
	} {
		if h := helloOf(t, td, req); !slices.Equal(errorModules(h.GetErrors()), []string{"/src/app.js"}) || h.GetErrors()[0].GetLine() != 2 {
			t.Errorf("hello for %v: errors %v, want the error of /src/app.js", req, h.GetErrors())
		}
	}

	writeFile(t, filepath.Join(td.root, "src/other.js"), "export const o = 2\nimport.meta.hot.accept()\n")
	if ev := recvEvent(t, sub); ev.GetUpdate() == nil || ev.GetUpdate().Updates[0].Path != "/src/other.js" {
		t.Fatalf("unrelated edit: got %v, want the update of /src/other.js", ev)
	}
	expectNothingBefore(t, td, sub)

	writeFile(t, filepath.Join(td.root, "src/helper.js"), "export const h = 1\n")
	ev = recvEvent(t, sub)
	if u := ev.GetUpdate(); u == nil || u.Updates[0].Path != "/src/app.js" {
		t.Fatalf("creating the file: got %v, want the update of /src/app.js", ev)
	}
	ev = recvEvent(t, sub)
	if c := ev.GetErrorCleared(); !slices.Equal(c.GetModules(), []string{"/src/app.js"}) || ev.Version != 0 {
		t.Fatalf("then: got %v, want ErrorCleared{/src/app.js} with version 0", ev)
	}
	expectNothingBefore(t, td, sub)
	if h := helloOf(t, td, &hmrdv1.SubscribeRequest{}); len(h.GetErrors()) != 0 {
		t.Errorf("hello after the fix: errors %v, want none", h.GetErrors())
	}
}

// Errors found when the project opens stand from the start: no event, but
// in every Hello.
func TestErrorsAtOpenAreInHello(t *testing.T) {
	td := startDaemon(t, func(c *daemon.Config) {
		writeFile(t, filepath.Join(c.Roots[0], "src/dep.js"), "import './nope.js'\nexport const n = 1\n")
	})
	h := helloOf(t, td, &hmrdv1.SubscribeRequest{})
	if !slices.Equal(errorModules(h.GetErrors()), []string{"/src/dep.js"}) || h.GetHeadSeq() != 0 {
		t.Errorf("hello: head %d errors %v; want head 0 and the error of /src/dep.js", h.GetHeadSeq(), h.GetErrors())
	}
}

// Two files broken in two batches while the parse-error hold is on: both
// errors are published, whether the hold ends with the next batch that is
// not only parse errors or with its quiet window.
func TestParseErrorHoldLosesNoError(t *testing.T) {
	applied := make(chan struct{}, 16)
	t.Cleanup(daemon.OnBatchApplied(func(string) { applied <- struct{}{} }))
	waitApplied := func() {
		t.Helper()
		select {
		case <-applied:
		case <-time.After(20 * time.Second):
			t.Fatal("no batch applied within 20s")
		}
	}
	for _, tc := range []struct {
		name  string
		quiet time.Duration
		end   func(td *testDaemon) // ends the hold
		first string               // the event before the errors, if any
	}{
		{"next batch", time.Hour, func(td *testDaemon) {
			writeFile(t, filepath.Join(td.root, "src/other.js"), "export const o = 2\nimport.meta.hot.accept()\n")
		}, "update"},
		{"quiet window", 300 * time.Millisecond, func(*testDaemon) {}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Cleanup(daemon.SetParseErrorQuiet(tc.quiet))
			td := startDaemon(t, withOther(t))
			for len(applied) > 0 {
				<-applied
			}
			sub, err := td.hot.Subscribe(ctxT(t), &hmrdv1.SubscribeRequest{})
			if err != nil {
				t.Fatal(err)
			}
			recvEvent(t, sub)
			writeFile(t, filepath.Join(td.root, "src/app.js"), "export const x = = 1\n")
			waitApplied()
			writeFile(t, filepath.Join(td.root, "src/dep.js"), "export const n = = 2\n")
			waitApplied()
			tc.end(td)
			if tc.first != "" {
				if ev := recvEvent(t, sub); ev.GetUpdate() == nil {
					t.Fatalf("got %v, want the update that ends the hold", ev)
				}
			}
			var got []string
			for range 2 {
				ev := recvEvent(t, sub)
				if ev.GetError().GetCode() != "PARSE_ERROR" || ev.Version != 0 {
					t.Fatalf("got %v, want a PARSE_ERROR with version 0", ev)
				}
				got = append(got, ev.GetError().GetModule())
			}
			if want := []string{"/src/app.js", "/src/dep.js"}; !slices.Equal(got, want) {
				t.Errorf("errors of %v, want %v", got, want)
			}
			expectNothingBefore(t, td, sub)
		})
	}
}

// A subscriber that declares an entry whose module is broken sees the
// error in its Hello, and the other subscribers get it as an Error: the
// entry made the module live. When the subscription ends and its entry
// goes, the module is no longer live and its error is cleared.
func TestDeclaredEntryBrokenModule(t *testing.T) {
	t.Cleanup(daemon.SetEntryGrace(0))
	td := startDaemon(t, func(c *daemon.Config) {
		writeFile(t, filepath.Join(c.Roots[0], "src/server.js"), "import './nope.js'\nexport {}\n")
	})
	ctx := ctxT(t)
	watch, err := td.hot.Subscribe(ctx, &hmrdv1.SubscribeRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if h := recvEvent(t, watch).GetHello(); len(h.GetErrors()) != 0 {
		t.Fatalf("hello before the entry is declared: errors %v, want none (nothing live imports server.js)", h.GetErrors())
	}

	holderCtx, cancel := context.WithCancel(ctx)
	holder, err := td.hot.Subscribe(holderCtx, &hmrdv1.SubscribeRequest{Entries: []string{"src/server.js"}})
	if err != nil {
		t.Fatal(err)
	}
	if h := recvEvent(t, holder).GetHello(); !slices.Equal(errorModules(h.GetErrors()), []string{"/src/server.js"}) {
		t.Errorf("hello of the subscriber declaring it: errors %v, want the error of /src/server.js", h.GetErrors())
	}
	if ev := recvEvent(t, watch); ev.GetError().GetModule() != "/src/server.js" || ev.Version != 0 {
		t.Fatalf("the other subscriber got %v, want the Error of /src/server.js", ev)
	}

	cancel()
	if ev := recvEvent(t, watch); !slices.Equal(ev.GetErrorCleared().GetModules(), []string{"/src/server.js"}) {
		t.Fatalf("the entry released: got %v, want ErrorCleared{/src/server.js}", ev)
	}
}

// Config.ParseErrorHold sets how long a save that does not parse waits
// for the rest of the save: a writer slower than the default 80 ms between
// its two writes still gives one update, and no error, under a longer hold.
func TestParseErrorHoldConfigured(t *testing.T) {
	applied := make(chan struct{}, 16)
	t.Cleanup(daemon.OnBatchApplied(func(string) { applied <- struct{}{} }))
	td := startDaemon(t, func(c *daemon.Config) { c.ParseErrorHold = daemon.MaxParseErrorHold })
	for len(applied) > 0 {
		<-applied
	}
	sub, err := td.hot.Subscribe(ctxT(t), &hmrdv1.SubscribeRequest{})
	if err != nil {
		t.Fatal(err)
	}
	recvEvent(t, sub)
	file := filepath.Join(td.root, "src/app.js")
	writeFile(t, file, "import { n } from './dep.js'\nexport const x = ")
	select {
	case <-applied:
	case <-time.After(20 * time.Second):
		t.Fatal("no batch applied within 20s")
	}
	time.Sleep(3 * daemon.DefaultParseErrorHold) // the slow writer's pause, longer than the default hold
	writeFile(t, file, "import { n } from './dep.js'\nexport const x = n + 1\nimport.meta.hot.accept()\n")
	if ev := recvEvent(t, sub); ev.GetUpdate() == nil {
		t.Fatalf("got %v, want one update for the whole save", ev)
	}
	expectNothingBefore(t, td, sub)
}
