package cli

import (
	"context"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/hmrd/hmrd/clients/go/hmrdclient"
	"github.com/hmrd/hmrd/clients/go/hmrdtest"
	hmrdv1 "github.com/hmrd/hmrd/proto/hmrd/v1"
)

func mustPublish(t *testing.T, d *hmrdtest.Daemon, project string, ev *hmrdv1.Event) *hmrdv1.Event {
	t.Helper()
	got, err := d.Publish(project, ev)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func sampleSignals() []*hmrdv1.Event {
	return []*hmrdv1.Event{
		{Version: 1700000000001, Kind: &hmrdv1.Event_Update{Update: &hmrdv1.Update{
			Updates: []*hmrdv1.ModuleUpdate{{
				Type: hmrdv1.UpdateType_UPDATE_TYPE_JS, Path: "/src/app.js", AcceptedPath: "/src/stuff.js",
				Chain: []string{"/src/stuff.js", "/src/app.js"},
			}},
			Versions: map[string]int64{"/src/stuff.js": 1700000000001},
			Triggers: []string{"/src/stuff.js"},
		}}},
		{Kind: &hmrdv1.Event_FullReload{FullReload: &hmrdv1.FullReload{
			Reason: "no accept boundary: /src/u.js → /src/main.js (entry, does not accept)\nsecond line",
			Chain:  []string{"/src/u.js", "/src/main.js"}, Path: "*", Cause: hmrdv1.FullReloadCause_FULL_RELOAD_CAUSE_NO_BOUNDARY,
		}}},
		{Kind: &hmrdv1.Event_Error{Error: &hmrdv1.Error{Message: "Unexpected token", Module: "/src/a.js", Line: 2, Column: 3, Frame: "  x = \n      ^", Code: "PARSE_ERROR"}}},
		{Kind: &hmrdv1.Event_Prune{Prune: &hmrdv1.Prune{Paths: []string{"/src/old.js"}}}},
	}
}

// events --json: one protojson Event per line, each parsing back to the
// event the daemon published; heartbeats hidden.
func TestEventsJSON(t *testing.T) {
	d, sock, _ := fakeDaemon(t, "app")
	out, errOut := newLineWriter(), newLineWriter()
	stop := background(t, out, errOut, "--socket", sock, "events", "--json")
	if err := d.WaitSubscribers(testCtx(t), "app", 1); err != nil {
		t.Fatal(err)
	}
	var want []*hmrdv1.Event
	for i, ev := range sampleSignals() {
		want = append(want, mustPublish(t, d, "app", ev))
		if i == 1 {
			if err := d.Heartbeat("app"); err != nil {
				t.Fatal(err)
			}
		}
	}

	hello := parseEvent(t, out.next(t))
	if hello.GetHello().GetEpoch() != "e1" {
		t.Fatalf("first line: %v, want the hello", hello)
	}
	for _, w := range want {
		line := out.next(t)
		got := parseEvent(t, line)
		if !proto.Equal(got, w) {
			t.Errorf("line %s\nparses to %v\nwant      %v", line, got, w)
		}
	}
	if code := stop(); code != 0 {
		t.Errorf("exit %d after interrupt, want 0; stderr %q", code, errOut.lines())
	}
	for _, l := range out.lines() {
		if strings.Contains(l, "heartbeat") {
			t.Errorf("heartbeat printed without --heartbeats: %s", l)
		}
	}
	if len(errOut.lines()) != 0 {
		t.Errorf("stderr in JSON mode: %q", errOut.lines())
	}
}

func parseEvent(t *testing.T, line string) *hmrdv1.Event {
	t.Helper()
	if strings.ContainsAny(line, "\n\r") {
		t.Fatalf("not one line: %q", line)
	}
	var ev hmrdv1.Event
	if err := protojson.Unmarshal([]byte(line), &ev); err != nil {
		t.Fatalf("line %q is not a protojson Event: %v", line, err)
	}
	return &ev
}

// Human mode: Describe lines, heartbeats with --heartbeats, and a
// reconnect note on stderr when the daemon goes away and comes back; the
// signals published meanwhile are not lost.
func TestEventsHumanReconnect(t *testing.T) {
	d, sock, srv := fakeDaemon(t, "app")
	out, errOut := newLineWriter(), newLineWriter()
	stop := background(t, out, errOut, "--socket", sock, "events", "--project", "app", "--heartbeats")
	if err := d.WaitSubscribers(testCtx(t), "app", 1); err != nil {
		t.Fatal(err)
	}
	if l := out.next(t); !strings.HasPrefix(l, "hello: epoch e1, head seq 0") {
		t.Fatalf("first line %q, want hello", l)
	}
	sig := sampleSignals()
	mustPublish(t, d, "app", sig[0])
	if l, want := out.next(t), "seq 1 update /src/app.js accepts /src/stuff.js (via /src/stuff.js → /src/app.js)"; l != want {
		t.Errorf("got %q, want %q", l, want)
	}
	if err := d.Heartbeat("app"); err != nil {
		t.Fatal(err)
	}
	if l := out.next(t); l != "heartbeat: head seq 1" {
		t.Errorf("got %q, want the heartbeat", l)
	}

	srv.Stop()
	errOut.waitFor(t, "hmrd: reconnecting to daemon…")
	mustPublish(t, d, "app", sig[1]) // while away
	srv2, err := d.Serve("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer srv2.Stop()
	if l := out.next(t); !strings.Contains(l, "hello: epoch e1") || !strings.HasSuffix(l, "resumed") {
		t.Errorf("after reconnect: %q, want a resumed hello", l)
	}
	if l := out.next(t); !strings.HasPrefix(l, "seq 2 full-reload: no accept boundary: /src/u.js → /src/main.js (entry, does not accept) second line") {
		t.Errorf("missed signal: got %q", l)
	}
	errOut.waitFor(t, "hmrd: reconnected")
	if code := stop(); code != 0 {
		t.Errorf("exit %d", code)
	}
}

// --since replays from the daemon's current epoch when --epoch is not
// given; with two projects the project must be named, and the daemon's
// message says so.
func TestEventsSinceAndProjects(t *testing.T) {
	d, sock, _ := fakeDaemon(t, "app", "web")
	for _, ev := range sampleSignals()[:3] {
		mustPublish(t, d, "web", ev)
	}
	out, errOut := newLineWriter(), newLineWriter()
	stop := background(t, out, errOut, "--socket", sock, "events", "--json", "--since", "1", "--project", "web")
	if h := parseEvent(t, out.next(t)); !h.GetHello().GetResumed() {
		t.Errorf("hello %v: want resumed", h)
	}
	for _, seq := range []uint64{2, 3} {
		if ev := parseEvent(t, out.next(t)); ev.GetSeq() != seq || ev.GetProject() != "web" {
			t.Errorf("got seq %d of %s, want seq %d of web", ev.GetSeq(), ev.GetProject(), seq)
		}
	}
	if code := stop(); code != 0 {
		t.Errorf("exit %d", code)
	}

	r := run(t, "--socket", sock, "events")
	if r.code != 1 || r.stderr != "hmrd: subscribe: the daemon has 2 projects (app, web): the request must name one: pass --project NAME\n" {
		t.Errorf("events without --project among 2: %v", r)
	}
	r = run(t, "--socket", sock, "events", "--project", "nope")
	if r.code != 1 || !strings.Contains(r.stderr, `project "nope": unknown project (projects: app, web)`) {
		t.Errorf("events --project nope: %v", r)
	}
}

// The subscriber the CLI opens describes itself as the CLI.
func TestEventsClientInfo(t *testing.T) {
	d, sock, _ := fakeDaemon(t, "app")
	out, errOut := newLineWriter(), newLineWriter()
	stop := background(t, out, errOut, "--socket", sock, "events")
	out.next(t) // hello: subscribed
	c, err := hmrdclient.Dial(context.Background(), sock)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	st, err := c.Status(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	if s := st.GetSubscribers(); len(s) != 1 || s[0].GetClient().GetName() != "hmrd-cli" || s[0].GetClient().GetKind() != "cli" {
		t.Errorf("subscribers %v, want one hmrd-cli", s)
	}
	stop()
	_ = d
}

// A signal a rebuild gate let go without its acknowledgement says so on
// its line.
func TestEventsShowNotes(t *testing.T) {
	d, sock, _ := fakeDaemon(t, "app")
	out, errOut := newLineWriter(), newLineWriter()
	stop := background(t, out, errOut, "--socket", sock, "events", "--project", "app")
	if err := d.WaitSubscribers(testCtx(t), "app", 1); err != nil {
		t.Fatal(err)
	}
	out.next(t) // hello
	ev := proto.Clone(sampleSignals()[0]).(*hmrdv1.Event)
	ev.Notes = []string{"rebuild gate r1 (vite) did not acknowledge batch 3 within 5s"}
	mustPublish(t, d, "app", ev)
	if l := out.next(t); !strings.HasSuffix(l, "[note: rebuild gate r1 (vite) did not acknowledge batch 3 within 5s]") {
		t.Errorf("got %q, want the note at the end", l)
	}
	if code := stop(); code != 0 {
		t.Errorf("exit %d", code)
	}
}
