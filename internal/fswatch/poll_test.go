package fswatch

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/fsnotify/fsnotify"
)

// pollFast keeps the polling tests short; the daemon's default is 2s.
const pollFast = 50 * time.Millisecond

// A tree larger than the kernel's watch limit is not refused: what fits is
// watched, the rest polled, and Degraded says so with the sysctl, its
// value and the command that raises it. The error still names the sysctl
// in the log.
func TestWatchLimitAtNewPolls(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	sub := filepath.Join(root, "src", "deep")
	mustDo(t, os.MkdirAll(filepath.Join(sub, "inner"), 0o755))
	writeFile(t, filepath.Join(sub, "a.js"), "a")
	fake := newFake()
	fake.setAddErr(func(name string) error {
		if name == sub {
			return syscall.ENOSPC
		}
		return nil
	})
	log, buf := testLogger(t)
	w := startWatcher(t, []string{root}, Options{Backend: fake, PollInterval: pollFast, Logger: log})
	if got := w.Watches(); got != 2 {
		t.Errorf("Watches = %d, want 2 (root, src)", got)
	}
	if fake.isWatched(filepath.Join(sub, "inner")) {
		t.Error("watched below a directory that did not fit")
	}
	d := w.Degraded()
	name, value := watchLimit()
	if d.Polled != 2 || d.Limit != name || d.Value != value || d.Interval != pollFast ||
		!strings.HasPrefix(d.Raise, "sudo sysctl -w "+name+"=") {
		t.Errorf("Degraded = %+v", d)
	}
	if !strings.Contains(buf.String(), "fs.inotify.max_user_watches") {
		t.Errorf("log does not name the sysctl:\n%s", buf)
	}

	// Edits below the polled directory are reported without any event.
	a := filepath.Join(sub, "a.js")
	writeFile(t, a, "changed")
	collect(t, w, hasFn(a))
	b := filepath.Join(sub, "inner", "b.js")
	writeFile(t, b, "new")
	collect(t, w, hasFn(b))
	mustDo(t, os.Remove(a))
	collect(t, w, hasFn(a))

	// Room again: the next poll watches the tree, and Degraded clears.
	fake.setAddErr(nil)
	waitUntil(t, "polled tree watched", func() bool { return fake.isWatched(filepath.Join(sub, "inner")) })
	waitUntil(t, "Degraded cleared", func() bool { return w.Degraded() == Degraded{} })
	if got := w.Watches(); got != 4 {
		t.Errorf("Watches = %d after the upgrade, want 4", got)
	}
}

// At run time a directory that does not fit is polled too: its contents
// are reported like a walked directory's, and its later edits by polling.
func TestWatchLimitAtRuntimePolls(t *testing.T) {
	t.Parallel()
	s := newScript(t, Options{PollInterval: pollFast}, func(root string) { writeFile(t, filepath.Join(root, "x.js"), "a") })
	s.fake.setAddErr(func(name string) error {
		if b := filepath.Base(name); b == "new" || b == "other" {
			return syscall.ENOSPC
		}
		return nil
	})
	mustDo(t, os.MkdirAll(s.p("new/deeper"), 0o755))
	writeFile(t, s.p("new/deeper/c.js"), "c")
	s.send(ev(fsnotify.Create, s.p("new")))
	got := collect(t, s.w, hasFn(s.p("new/deeper/c.js")))
	if !union(got)[s.p("new")] {
		t.Errorf("the new directory itself not reported: %s", batchesString(got))
	}
	if d := s.w.Degraded(); d.Polled != 2 {
		t.Errorf("Degraded = %+v, want 2 directories polled", d)
	}
	writeFile(t, s.p("new/deeper/c.js"), "changed")
	collect(t, s.w, hasFn(s.p("new/deeper/c.js")))
	// The watched part is unaffected.
	s.appendTo("x.js", "b")
	collect(t, s.w, hasFn(s.p("x.js")))
	// An empty directory that does not fit: what is written into it later
	// is found by polling.
	s.mkdir("other")
	writeFile(t, s.p("other/d.js"), "d")
	collect(t, s.w, hasFn(s.p("other/d.js")))
	s.remove("other")
	// A polled directory removed (its parent is watched) is no longer
	// polled.
	s.remove("new")
	collect(t, s.w, hasFn(s.p("new")))
	waitUntil(t, "Degraded cleared", func() bool { return s.w.Degraded() == Degraded{} })
}

// Options.MaxWatches caps the watches on real inotify: the first
// directories are watched, the rest polled, edits everywhere reported.
func TestRealMaxWatches(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	for i := range 6 {
		writeFile(t, filepath.Join(root, fmt.Sprintf("d%d", i), "f.js"), "x")
	}
	w := realWatcher(t, root, Options{MaxWatches: 3, PollInterval: pollFast})
	if got := w.Watches(); got != 3 {
		t.Errorf("Watches = %d, want 3", got)
	}
	d := w.Degraded()
	if d.Polled != 4 || d.Limit != LimitMaxWatches || d.Value != 3 || d.Raise != "" {
		t.Errorf("Degraded = %+v", d)
	}
	for i := range 6 {
		f := filepath.Join(root, fmt.Sprintf("d%d", i), "f.js")
		writeFile(t, f, "changed")
		collect(t, w, hasFn(f))
	}
}

// The root itself does not fit: the whole tree is polled.
func TestWatchLimitRootPolled(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "src", "a.js"), "a")
	fake := newFake()
	fake.setAddErr(func(string) error { return syscall.ENOSPC })
	w := startWatcher(t, []string{root}, Options{Backend: fake, PollInterval: pollFast})
	if w.Watches() != 0 || w.Degraded().Polled != 2 {
		t.Fatalf("Watches %d, Degraded %+v", w.Watches(), w.Degraded())
	}
	a := filepath.Join(root, "src", "a.js")
	writeFile(t, a, "changed")
	collect(t, w, hasFn(a))
}

func TestRaiseCommand(t *testing.T) {
	for v, want := range map[int]string{
		0:       "sudo sysctl -w fs.inotify.max_user_watches=524288",
		8192:    "sudo sysctl -w fs.inotify.max_user_watches=524288",
		1048576: "sudo sysctl -w fs.inotify.max_user_watches=2097152",
	} {
		if got := raiseCommand(SysctlMaxWatches, v); got != want {
			t.Errorf("raiseCommand(%d) = %q, want %q", v, got, want)
		}
	}
}
