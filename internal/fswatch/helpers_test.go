package fswatch

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fsnotify/fsnotify"
)

// waitLong bounds every wait for something that must happen. It is far
// above any expected latency so a loaded machine does not fail the tests;
// nothing asserts how fast a batch came.
const waitLong = 15 * time.Second

// fakeBackend is a scripted Backend: the test changes the file system and
// then sends the events inotify would have sent.
type fakeBackend struct {
	mu      sync.Mutex
	events  chan fsnotify.Event
	errs    chan error
	watched map[string]bool
	adds    map[string]int
	removed []string
	addErr  func(name string) error
	closed  bool
}

func newFake() *fakeBackend {
	return &fakeBackend{
		events:  make(chan fsnotify.Event, 8192),
		errs:    make(chan error, 256),
		watched: make(map[string]bool),
		adds:    make(map[string]int),
	}
}

func (f *fakeBackend) Add(name string) error {
	f.mu.Lock()
	hook := f.addErr
	f.mu.Unlock()
	if hook != nil {
		if err := hook(name); err != nil {
			return err
		}
	}
	// Like inotify_add_watch: the directory must exist.
	if _, err := os.Stat(name); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.watched[name] = true
	f.adds[name]++
	return nil
}

func (f *fakeBackend) Remove(name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.watched[name] {
		return fsnotify.ErrNonExistentWatch
	}
	delete(f.watched, name)
	f.removed = append(f.removed, name)
	return nil
}

func (f *fakeBackend) Events() <-chan fsnotify.Event { return f.events }
func (f *fakeBackend) Errors() <-chan error          { return f.errs }

func (f *fakeBackend) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closed = true
	return nil
}

func (f *fakeBackend) isWatched(name string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.watched[name]
}

func (f *fakeBackend) addCount(name string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.adds[name]
}

func (f *fakeBackend) setAddErr(hook func(string) error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.addErr = hook
}

// logBuffer collects log output safely across goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func testLogger(t *testing.T) (*slog.Logger, *logBuffer) {
	t.Helper()
	b := &logBuffer{}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("watcher log:\n%s", b.String())
		}
	})
	return slog.New(slog.NewTextHandler(b, &slog.HandlerOptions{Level: slog.LevelDebug})), b
}

func startWatcher(t *testing.T, roots []string, opts Options) *Watcher {
	t.Helper()
	if opts.Logger == nil {
		opts.Logger, _ = testLogger(t)
	}
	w, err := New(roots, opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

// collect receives batches until done says the wanted one came.
func collect(t *testing.T, w *Watcher, done func(Batch) bool) []Batch {
	t.Helper()
	var got []Batch
	deadline := time.NewTimer(waitLong)
	defer deadline.Stop()
	for {
		select {
		case b, ok := <-w.Batches():
			if !ok {
				t.Fatalf("Batches closed; got %v", got)
			}
			got = append(got, b)
			if done(b) {
				return got
			}
		case <-deadline.C:
			t.Fatalf("no wanted batch within %v; got %v", waitLong, got)
		}
	}
}

// none asserts that no batch arrives within d. This bounded wait is the
// only way to show that nothing more comes; in a synctest bubble it is
// fake time, so it costs nothing and lets every timer due within d fire.
func none(t *testing.T, w *Watcher, d time.Duration) {
	t.Helper()
	select {
	case b := <-w.Batches():
		t.Fatalf("unexpected batch %+v", b)
	case <-time.After(d):
	}
}

// drainFor returns every batch that arrives within d.
func drainFor(w *Watcher, d time.Duration) []Batch {
	var got []Batch
	end := time.After(d)
	for {
		select {
		case b, ok := <-w.Batches():
			if !ok {
				return got
			}
			got = append(got, b)
		case <-end:
			return got
		}
	}
}

func has(b Batch, p string) bool { return slices.Contains(b.Paths, p) }

func hasFn(p string) func(Batch) bool { return func(b Batch) bool { return has(b, p) } }

// union of all paths in bs.
func union(bs []Batch) map[string]bool {
	u := make(map[string]bool)
	for _, b := range bs {
		for _, p := range b.Paths {
			u[p] = true
		}
	}
	return u
}

func writeFile(t *testing.T, p, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func mustDo(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// waitUntil polls cond, for state the watcher exposes only through its
// counters (no event to select on).
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitLong)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func batchesString(bs []Batch) string {
	var s []string
	for _, b := range bs {
		s = append(s, strings.Join(b.Paths, ","))
	}
	return strings.Join(s, " | ")
}

// settled asserts that nothing more can come out of the watcher: no path
// pending, no batch waiting to be handed over or sitting in the channel.
// With a fake backend, after every sent event was handled, that is exact,
// and needs no wait.
func settled(t *testing.T, w *Watcher) {
	t.Helper()
	var pending []string
	var queued int
	var out bool
	done := make(chan struct{})
	w.inspect <- func() {
		for p := range w.pending {
			pending = append(pending, p)
		}
		queued, out = len(w.batches), w.out != nil
		close(done)
	}
	<-done
	if len(pending) > 0 || queued > 0 || out {
		t.Fatalf("not settled: pending %v, %d batches queued, merged batch waiting %v", pending, queued, out)
	}
}
