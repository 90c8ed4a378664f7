package daemon_test

import (
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fsnotify/fsnotify"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/hmrd/hmrd/daemon"
	hmrdv1 "github.com/hmrd/hmrd/proto/hmrd/v1"
)

// writeEntryTree adds a worker entry (nothing on the page imports it) and
// a module the app loads lazily.
func writeEntryTree(t *testing.T, root string) {
	t.Helper()
	writeFile(t, filepath.Join(root, "src/worker.js"), "import './job.js'\n")
	writeFile(t, filepath.Join(root, "src/job.js"), "export const job = 1\n")
	writeFile(t, filepath.Join(root, "src/app.js"), "import { n } from './dep.js'\nexport const x = n\nexport const later = () => import('./lazy.js')\nimport.meta.hot.accept()\n")
	writeFile(t, filepath.Join(root, "src/lazy.js"), "export const lazy = 1\n")
}

func explain(t *testing.T, td *testDaemon, id string) *hmrdv1.ExplainResponse {
	t.Helper()
	ex, err := td.proj.Explain(ctxT(t), &hmrdv1.ExplainRequest{Module: id})
	if err != nil {
		t.Fatalf("explain %s: %v", id, err)
	}
	return ex
}

// waitExplain waits, up to a deadline, for the daemon to say what want
// checks about module id.
func waitExplain(t *testing.T, td *testDaemon, id string, what string, want func(*hmrdv1.ExplainResponse) bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ex := explain(t, td, id)
		if want(ex) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: still not %s: %v", id, what, ex)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func subscribeWith(t *testing.T, td *testDaemon, entries ...string) context.CancelFunc {
	t.Helper()
	ctx, cancel := context.WithCancel(ctxT(t))
	sub, err := td.hot.Subscribe(ctx, &hmrdv1.SubscribeRequest{Entries: entries})
	if err != nil {
		t.Fatal(err)
	}
	if recvEvent(t, sub).GetHello() == nil {
		t.Fatal("no hello")
	}
	return cancel
}

// The entries a subscriber declares are its subscription's: they stay while
// any subscription holds them and go when the last one ends.
func TestSubscriberEntriesEndWithTheirSubscriptions(t *testing.T) {
	t.Cleanup(daemon.SetEntryGrace(0))
	td := startDaemon(t, func(c *daemon.Config) { writeEntryTree(t, c.Roots[0]) })
	if ex := explain(t, td, "/src/job.js"); ex.Live {
		t.Fatalf("job.js live before any subscriber declared the worker: %v", ex)
	}
	first := subscribeWith(t, td, "src/worker.js")
	second := subscribeWith(t, td, "/src/worker.js")
	if ex := explain(t, td, "/src/worker.js"); !ex.Entry || !explain(t, td, "/src/job.js").Live {
		t.Fatalf("worker.js after two subscribers declared it: %v", ex)
	}
	first()
	// Nothing to wait for: the entry must stay. The second subscription's
	// own end is what the next wait sees.
	if ex := explain(t, td, "/src/worker.js"); !ex.Entry {
		t.Fatalf("worker.js stopped being an entry while a subscription still holds it: %v", ex)
	}
	second()
	waitExplain(t, td, "/src/worker.js", "released", func(ex *hmrdv1.ExplainResponse) bool { return !ex.Entry && !ex.Live })
	if ex := explain(t, td, "/src/job.js"); ex.Live {
		t.Fatalf("job.js still live after the last holder left: %v", ex)
	}
}

// fakeBackend is a watcher backend that only reports what the test sends:
// here, lost events.
type fakeBackend struct {
	events chan fsnotify.Event
	errs   chan error
}

func (f *fakeBackend) Add(string) error              { return nil }
func (f *fakeBackend) Remove(string) error           { return nil }
func (f *fakeBackend) Events() <-chan fsnotify.Event { return f.events }
func (f *fakeBackend) Errors() <-chan error          { return f.errs }
func (f *fakeBackend) Close() error                  { return nil }
func newFakeBackend() *fakeBackend {
	return &fakeBackend{events: make(chan fsnotify.Event), errs: make(chan error, 1)}
}
func (f *fakeBackend) overflow() { f.errs <- fsnotify.ErrEventOverflow }

// A rescan rebuilds the graph from disk; what the disk does not say stays:
// the entries subscribers hold and the modules runtimes reported loaded.
func TestRescanKeepsHeldEntriesAndLoadedMarks(t *testing.T) {
	fb := newFakeBackend()
	td := startDaemon(t, func(c *daemon.Config) {
		writeEntryTree(t, c.Roots[0])
		c.Watch.Backend = fb
	})
	ctx := ctxT(t)
	sub, err := td.hot.Subscribe(ctx, &hmrdv1.SubscribeRequest{Entries: []string{"src/worker.js"}})
	if err != nil {
		t.Fatal(err)
	}
	recvEvent(t, sub) // hello
	if _, err := td.hot.ReportLoaded(ctx, &hmrdv1.ReportLoadedRequest{Modules: []string{"/src/lazy.js"}}); err != nil {
		t.Fatal(err)
	}
	if ex := explain(t, td, "/src/lazy.js"); !ex.Loaded {
		t.Fatalf("lazy.js not loaded after ReportLoaded: %v", ex)
	}
	fb.overflow()
	ev := recvEvent(t, sub)
	if ev.GetFullReload().GetCause() != hmrdv1.FullReloadCause_FULL_RELOAD_CAUSE_RESCAN {
		t.Fatalf("want the rescan's full reload, got %v", ev)
	}
	if ex := explain(t, td, "/src/worker.js"); !ex.Entry || !ex.Live {
		t.Errorf("worker.js after the rescan: %v; the subscription still holds it", ex)
	}
	if ex := explain(t, td, "/src/lazy.js"); !ex.Loaded {
		t.Errorf("lazy.js after the rescan: %v; the runtime reported it loaded", ex)
	}
}

// An entry that does not resolve is refused, naming it: when the daemon
// starts with it, and when a subscriber declares it.
func TestUnresolvedEntryIsRefused(t *testing.T) {
	td := startDaemon(t, nil)
	_, err := td.hot.Subscribe(ctxT(t), &hmrdv1.SubscribeRequest{Entries: []string{"src/nope.js"}})
	if err == nil {
		// The error of a server stream arrives with the first Recv.
		sub, _ := td.hot.Subscribe(ctxT(t), &hmrdv1.SubscribeRequest{Entries: []string{"src/nope.js"}})
		_, err = sub.Recv()
	}
	if status.Code(err) != codes.InvalidArgument || !strings.Contains(err.Error(), "src/nope.js") {
		t.Fatalf("subscribe with a missing entry: %v, want INVALID_ARGUMENT naming it", err)
	}

	tmp := shortTemp(t)
	root := filepath.Join(tmp, "app")
	writeFile(t, filepath.Join(root, "index.html"), "<p>static</p>")
	d, err := daemon.New(daemon.Config{Roots: []string{root}, Entries: []string{"src/server.ts"}, Socket: filepath.Join(tmp, "s"), HTTPAddr: "off"})
	if err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() { errc <- d.Run(context.Background()) }()
	select {
	case err := <-errc:
		if err == nil || !strings.Contains(err.Error(), "src/server.ts") {
			t.Fatalf("Run with a missing entry: %v, want an error naming it", err)
		}
	case <-d.Ready():
		t.Fatal("the daemon started with an entry that does not resolve")
	case <-time.After(20 * time.Second):
		t.Fatal("Run neither failed nor started")
	}
}

// syncBuffer is a log sink safe for the daemon's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Errors found while a project opens are not signalled (signals are about
// edits), so a person must see them in the log: at warn, not debug.
func TestOpenErrorsAreLoggedAsWarnings(t *testing.T) {
	var logs syncBuffer
	startDaemon(t, func(c *daemon.Config) {
		writeFile(t, filepath.Join(c.Roots[0], "src/dep.js"), "import data from './data.json'\nexport const n = data\n")
		writeFile(t, filepath.Join(c.Roots[0], "src/data.json"), "{ not json")
		c.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	})
	if got := logs.String(); !strings.Contains(got, "level=WARN") || !strings.Contains(got, "/src/data.json") || !strings.Contains(got, "PARSE_ERROR") {
		t.Fatalf("warn-level log after opening a project with a syntax error:\n%s", got)
	}
}
