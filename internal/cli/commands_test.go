package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/hmrd/hmrd/clients/go/hmrdclient"
	"github.com/hmrd/hmrd/clients/go/hmrdtest"
	hmrdv1 "github.com/hmrd/hmrd/proto/hmrd/v1"
)

// lastRequest is the last control request of type T the fake received.
func lastRequest[T proto.Message](t *testing.T, d *hmrdtest.Daemon) T {
	t.Helper()
	reqs := d.Requests()
	for i := len(reqs) - 1; i >= 0; i-- {
		if r, ok := reqs[i].(T); ok {
			return r
		}
	}
	var zero T
	t.Fatalf("no %T received; got %v", zero, reqs)
	return zero
}

func TestStatus(t *testing.T) {
	d, sock, srv := serveFake(t, hmrdtest.New("e1", hmrdtest.WithVersion("1.2.3")), "app")
	d.SetLatency("app", 3*time.Millisecond, 5*time.Millisecond)
	mustPublish(t, d, "app", sampleSignals()[0])
	// A subscriber, so the table has a row.
	c, err := hmrdclient.Dial(context.Background(), sock)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	sub := c.Subscribe(testCtx(t), hmrdclient.SubscribeOptions{Client: &hmrdv1.ClientInfo{Name: "vite-plugin-hmrd", Version: "0.1", Kind: "bundler"}})
	defer sub.Close()
	if _, err := sub.Next(testCtx(t)); err != nil {
		t.Fatal(err)
	}

	r := run(t, "--socket", sock, "status")
	if r.code != 0 {
		t.Fatal(r)
	}
	for _, want := range []string{
		"daemon:     hmrd 1.2.3 (protocol 1, epoch e1)",
		"listening:  " + srv.Listener(),
		"PROJECT  ROOT",
		"app      /srv/app",
		"update seq 1, ",
		"3ms (median 5ms)",
		"SUBSCRIBER  PROJECT  CLIENT",
		"s1          app      vite-plugin-hmrd 0.1 (bundler)  grpc       1         0    0/256",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("status output lacks %q:\n%s", want, r.stdout)
		}
	}

	r = run(t, "--socket", sock, "status", "--json")
	var st hmrdv1.StatusResponse
	if err := protojson.Unmarshal([]byte(r.stdout), &st); r.code != 0 || err != nil {
		t.Fatalf("status --json: %v (%v)", r, err)
	}
	if st.GetEpoch() != "e1" || st.GetProjects()[0].GetProject().GetName() != "app" || len(st.GetSubscribers()) != 1 {
		t.Errorf("status --json = %v", &st)
	}
}

func TestWriteStatusEmptyAndAges(t *testing.T) {
	now := time.Date(2026, 1, 2, 15, 0, 0, 0, time.UTC)
	var b strings.Builder
	st := &hmrdv1.StatusResponse{
		DaemonVersion: "1", ProtocolVersion: 1, Epoch: "e", Uptime: durationpb.New(26*time.Hour + 5*time.Minute),
		HeapBytes: 3 << 20, Goroutines: 9,
		Projects: []*hmrdv1.ProjectStatus{{Project: &hmrdv1.Project{Name: "p", Root: "/p"},
			LastSignal: &hmrdv1.Event{Seq: 4, Time: timestamppb.New(now.Add(-90 * time.Second)), Kind: &hmrdv1.Event_Prune{Prune: &hmrdv1.Prune{}}}}},
	}
	if err := writeStatus(&b, st, now); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"uptime:     1d2h", "9 goroutines, 3.0 MiB heap", "prune seq 4, 1m30s ago", "no subscribers"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("lacks %q:\n%s", want, b.String())
		}
	}
}

func TestWriteStatusDegraded(t *testing.T) {
	var b strings.Builder
	st := &hmrdv1.StatusResponse{Projects: []*hmrdv1.ProjectStatus{
		{Project: &hmrdv1.Project{Name: "app", Root: "/app"}, Watches: 8190, Degraded: &hmrdv1.WatchDegraded{
			PolledDirs: 120, Limit: "fs.inotify.max_user_watches", LimitValue: 8192,
			Raise: "sudo sysctl -w fs.inotify.max_user_watches=524288", PollInterval: durationpb.New(2 * time.Second)}},
		{Project: &hmrdv1.Project{Name: "ok", Root: "/ok"}, Watches: 3},
	}}
	if err := writeStatus(&b, st, time.Now()); err != nil {
		t.Fatal(err)
	}
	want := "degraded: app polls 120 directories every 2s (edits there are seen late):\n" +
		"  fs.inotify.max_user_watches = 8192 was reached; raise it: sudo sysctl -w fs.inotify.max_user_watches=524288\n"
	if !strings.Contains(b.String(), want) {
		t.Errorf("lacks\n%s\nin:\n%s", want, b.String())
	}
	if strings.Count(b.String(), "degraded:") != 1 {
		t.Errorf("a project that is not degraded is reported:\n%s", b.String())
	}
}

func TestExplain(t *testing.T) {
	d, sock, _ := fakeDaemon(t, "app")
	d.SetExplain("app", "/src/stuff.js", &hmrdv1.ExplainResponse{
		Module: "/src/stuff.js", File: "/srv/app/src/stuff.js", Kind: "js", Found: true, Live: true, Loaded: true,
		Importers: []string{"/src/app.js"},
		Updates: []*hmrdv1.ModuleUpdate{{Type: hmrdv1.UpdateType_UPDATE_TYPE_JS, Path: "/src/app.js", AcceptedPath: "/src/stuff.js",
			Chain: []string{"/src/stuff.js", "/src/app.js"}}},
	})
	d.SetExplain("app", "/src/utils.js", &hmrdv1.ExplainResponse{
		Module: "/src/utils.js", Kind: "js", Found: true, Live: true, Loaded: true, Importers: []string{"/src/main.js"},
		FullReload: &hmrdv1.FullReload{
			Reason: "no accept boundary: /src/utils.js → /src/main.js (entry, does not accept)",
			Chain:  []string{"/src/utils.js", "/src/main.js"}, Path: "*", Cause: hmrdv1.FullReloadCause_FULL_RELOAD_CAUSE_NO_BOUNDARY,
		},
	})
	d.SetExplain("app", "/src/orphan.js", &hmrdv1.ExplainResponse{Module: "/src/orphan.js", Found: true, Note: "nothing live imports it: an edit signals nothing"})

	// Flags may follow the argument.
	r := run(t, "--socket", sock, "explain", "/src/stuff.js", "--project", "app")
	want := `module     /src/stuff.js
file       /srv/app/src/stuff.js
kind       js
state      live, loaded
importers  /src/app.js
outcome    hot update, 1 boundary
           /src/app.js accepts /src/stuff.js (via /src/stuff.js → /src/app.js)
`
	if r.code != 0 || r.stdout != want {
		t.Errorf("explain update: %v\nwant stdout:\n%s", r, want)
	}

	r = run(t, "--socket", sock, "explain", "/src/utils.js")
	for _, w := range []string{
		"outcome    full reload (no boundary)",
		"reason     no accept boundary: /src/utils.js → /src/main.js (entry, does not accept)",
		"chain      /src/utils.js → /src/main.js",
		"reloads    every page",
	} {
		if r.code != 0 || !strings.Contains(r.stdout, w) {
			t.Errorf("explain full reload lacks %q: %v", w, r)
		}
	}
	r = run(t, "--socket", sock, "explain", "/src/orphan.js")
	if r.code != 0 || !strings.Contains(r.stdout, "outcome    nothing would be signalled\nnote       nothing live imports it") {
		t.Errorf("explain orphan: %v", r)
	}

	r = run(t, "--socket", sock, "explain", "/src/nope.js")
	if r.code != 1 || r.stderr != "hmrd: explain /src/nope.js: not in the module graph: no entry imports it, so an edit signals nothing\n" {
		t.Errorf("explain unknown: %v", r)
	}

	r = run(t, "--socket", sock, "explain", "--json", "/src/utils.js")
	var er hmrdv1.ExplainResponse
	if err := protojson.Unmarshal([]byte(r.stdout), &er); err != nil || r.code != 0 || er.GetFullReload().GetCause() != hmrdv1.FullReloadCause_FULL_RELOAD_CAUSE_NO_BOUNDARY {
		t.Errorf("explain --json: %v (%v)", r, err)
	}

	// A file path relative to here is sent absolute; the project was
	// left out, which the daemon accepts with one project.
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "src"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "src", "a.js"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	run(t, "--socket", sock, "explain", "src/a.js")
	req := lastRequest[*hmrdv1.ExplainRequest](t, d)
	if abs, _ := filepath.Abs("src/a.js"); req.GetModule() != abs || req.GetProject() != "" {
		t.Errorf("ExplainRequest = %v, want module %s and no project", req, abs)
	}
	run(t, "--socket", sock, "explain", "src/not-here.js")
	if req := lastRequest[*hmrdv1.ExplainRequest](t, d); req.GetModule() != "src/not-here.js" {
		t.Errorf("a path naming no file here went as %q, want as typed", req.GetModule())
	}
}

// With several projects, leaving --project out is the daemon's
// InvalidArgument, printed as it says it, exit 1.
func TestProjectRequired(t *testing.T) {
	_, sock, _ := fakeDaemon(t, "a", "b")
	want := "the daemon has 2 projects (a, b): the request must name one: pass --project NAME"
	for _, args := range [][]string{
		{"explain", "/src/x.js"},
		{"graph"},
		{"invalidate", "/src/x.js"},
	} {
		r := run(t, append([]string{"--socket", sock}, args...)...)
		if r.code != 1 || !strings.HasPrefix(r.stderr, "hmrd: ") || !strings.HasSuffix(r.stderr, want+"\n") {
			t.Errorf("%v: %v\nwant exit 1 and %q", args, r, want)
		}
	}
	if r := run(t, "--socket", sock, "graph", "--project", "b"); r.code != 0 {
		t.Errorf("graph --project b: %v", r)
	}
}

func sampleGraph() *hmrdv1.GetGraphResponse {
	return &hmrdv1.GetGraphResponse{Root: "/srv/app", Modules: []*hmrdv1.Module{
		{Id: "/index.html", Kind: "html", Entry: true, Live: true, Loaded: true,
			Imports: []*hmrdv1.Edge{{Specifier: "/src/main.js", Kind: "script", Target: "/src/main.js"}}},
		{Id: "/src/main.js", Kind: "js", Live: true, Loaded: true, Importers: []string{"/index.html"},
			AcceptedDeps: []string{"/src/dep.js"},
			Imports: []*hmrdv1.Edge{
				{Specifier: "./dep.js", Kind: "static", Target: "/src/dep.js"},
				{Specifier: "./lazy.js", Kind: "dynamic", Target: "/src/lazy.js"},
				{Specifier: "./missing.js", Kind: "static"},
			}},
		{Id: "/src/dep.js", Kind: "js", Live: true, Loaded: true, Importers: []string{"/src/main.js"}},
		{Id: "/src/lazy.js", Kind: "js", Live: true, SelfAccepting: true, Importers: []string{"/src/main.js"}},
		{Id: "/src/part.js", Kind: "js", PartialAccept: true, AcceptedExports: []string{"a", "b"}, Declined: true},
	}}
}

func TestGraph(t *testing.T) {
	d, sock, _ := fakeDaemon(t, "app")
	d.SetGraph("app", sampleGraph())

	r := run(t, "--socket", sock, "graph")
	want := `MODULE        KIND  IMPORTERS  IMPORTS  FLAGS
/index.html   html  0          1        entry
/src/dep.js   js    1          0        -
/src/lazy.js  js    1          0        self-accepting lazy
/src/main.js  js    1          3        accepts(/src/dep.js) unresolved(1)
/src/part.js  js    0          0        partial(a,b) declined not-live

5 modules (4 live, 1 entry) in /srv/app
`
	if r.code != 0 || r.stdout != want {
		t.Errorf("graph: %v\nwant stdout:\n%s", r, want)
	}

	r = run(t, "--socket", sock, "graph", "--dot")
	for _, w := range []string{
		"digraph hmrd {",
		`"/index.html" [shape=box];`,
		`"/src/lazy.js" [shape=doublecircle, color=forestgreen, style=dashed];`,
		`"/src/part.js" [shape=doublecircle, color=red, fontcolor=red];`,
		`"/src/main.js" -> "/src/lazy.js" [style=dashed, label="dynamic"];`,
		`"/src/main.js" -> "/src/dep.js" [color=forestgreen, label="accepts"];`,
		`"/index.html" -> "/src/main.js" [label="script"];`,
		`[label="./missing.js (unresolved)", shape=plaintext, fontcolor=red];`,
	} {
		if r.code != 0 || !strings.Contains(r.stdout, w) {
			t.Errorf("graph --dot lacks %q:\n%s", w, r.stdout)
		}
	}
	if !strings.HasSuffix(r.stdout, "}\n") {
		t.Errorf("graph --dot does not end the digraph:\n%s", r.stdout)
	}

	r = run(t, "--socket", sock, "graph", "--json")
	var g hmrdv1.GetGraphResponse
	if err := protojson.Unmarshal([]byte(r.stdout), &g); err != nil || !proto.Equal(&g, sampleGraph()) {
		t.Errorf("graph --json does not round-trip: %v (%v)", r, err)
	}
}

func TestInvalidate(t *testing.T) {
	d, sock, _ := fakeDaemon(t, "app")
	r := run(t, "--socket", sock, "invalidate", "/src/a.js")
	if r.code != 0 || r.stdout != "invalidate /src/a.js: nothing signalled (already invalidated, or the module was not hot-updated)\n" {
		t.Errorf("invalidate, nothing signalled: %v", r)
	}
	d.SetInvalidate(func(req *hmrdv1.InvalidateRequest) (*hmrdv1.Event, error) {
		return &hmrdv1.Event{Kind: &hmrdv1.Event_Update{Update: &hmrdv1.Update{FirstInvalidatedBy: req.GetModule()}}}, nil
	})
	r = run(t, "--socket", sock, "invalidate", "--project", "app", "--message", "state lost", "/src/a.js")
	if r.code != 0 || r.stdout != "invalidated /src/a.js: signal seq 1\n" {
		t.Errorf("invalidate: %v", r)
	}
	req := lastRequest[*hmrdv1.InvalidateRequest](t, d)
	if req.GetProject() != "app" || req.GetModule() != "/src/a.js" || req.GetMessage() != "state lost" {
		t.Errorf("InvalidateRequest = %v", req)
	}
}

func TestAddRemove(t *testing.T) {
	d, sock, _ := fakeDaemon(t, "app")
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "web"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	r := run(t, "--socket", sock, "add", "--name", "site", "--entry", "/main.ts", "--entry", "/worker.ts", "web")
	root, _ := filepath.Abs("web")
	if r.code != 0 || r.stdout != "added project site ("+root+"): 0 modules, 0 live, 2 entries\n" {
		t.Errorf("add: %v", r)
	}
	req := lastRequest[*hmrdv1.AddProjectRequest](t, d)
	if req.GetRoot() != root || req.GetName() != "site" || strings.Join(req.GetEntries(), ",") != "/main.ts,/worker.ts" {
		t.Errorf("AddProjectRequest = %v, want root %s", req, root)
	}
	// The daemon's refusal comes through as it says it.
	r = run(t, "--socket", sock, "add", "web")
	if r.code != 1 || r.stderr != "hmrd: add project "+root+": already watched as project \"site\"\n" {
		t.Errorf("add twice: %v", r)
	}

	r = run(t, "--socket", sock, "remove", "site")
	if r.code != 0 || r.stdout != "removed project site\n" {
		t.Errorf("remove: %v", r)
	}
	r = run(t, "--socket", sock, "remove", "site")
	if r.code != 1 || r.stderr != "hmrd: remove project site: project \"site\": unknown project (projects: app)\n" {
		t.Errorf("remove unknown: %v", r)
	}
}

// --grpc reaches a daemon over TCP, given globally or per command.
func TestGRPCFlag(t *testing.T) {
	d := hmrdtest.New("e1")
	d.AddProject(&hmrdv1.Project{Name: "app", Root: "/srv/app"})
	srv, err := d.Serve("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	for _, args := range [][]string{
		{"--grpc", srv.Target(), "status"},
		{"status", "--grpc", srv.Target()},
	} {
		if r := run(t, args...); r.code != 0 || !strings.Contains(r.stdout, "app      /srv/app") {
			t.Errorf("%v: %v", args, r)
		}
	}
}

func TestWriteStatusRegistrations(t *testing.T) {
	now := time.Date(2026, 1, 2, 15, 0, 0, 0, time.UTC)
	var b strings.Builder
	st := &hmrdv1.StatusResponse{Registrations: []*hmrdv1.RegistrationStatus{
		{Id: "r1", Project: "app", Client: &hmrdv1.ClientInfo{Name: "vite-plugin-hmrd", Version: "0.1.0"}, Modules: 12,
			Connected: timestamppb.New(now.Add(-3 * time.Minute)), Gate: true, GateTimeout: durationpb.New(5 * time.Second),
			PendingBatches: 2, OldestPending: durationpb.New(1200 * time.Millisecond), Timeouts: 1},
		{Id: "r2", Project: "app", Modules: 3, Connected: timestamppb.New(now)},
	}}
	if err := writeStatus(&b, st, now); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"REGISTRATION", "r1  ", "12 ", "5s ", " 2 ", "1.2s", "3m0s ago", "r2 "} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("lacks %q:\n%s", want, b.String())
		}
	}
}
