package fswatch

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/fsnotify/fsnotify"
)

// Scripted tests drive the watcher with a fake backend, fsnotify style: each
// step changes the real file system (a temp dir) and then sends the events
// inotify sends for that change. By default a step waits until the watcher
// handled its events, which models a watcher that keeps up with the
// kernel; the real-inotify tests cover the other interleavings.
//
// A test that waits only for the watcher's clock (Quiet, Settle, MaxSettle,
// the rescan backoff, root polling) runs in a synctest bubble instead: see
// newBubbleScript.

type script struct {
	t    *testing.T
	root string
	fake *fakeBackend
	w    *Watcher
	sent uint64
	// fakeTime: the script runs inside synctest.Test.
	fakeTime bool
}

func newScript(t *testing.T, opts Options, setup func(root string)) *script {
	t.Helper()
	s := &script{t: t, root: t.TempDir(), fake: newFake()}
	if setup != nil {
		setup(s.root)
	}
	opts.Backend = s.fake
	s.w = startWatcher(t, []string{s.root}, opts)
	return s
}

// newBubbleScript is newScript for a test running inside synctest.Test.
// The watcher's timers and time.Now are then the bubble's fake clock, which
// moves only when every goroutine in the bubble is blocked: between steps
// no time passes at all, and a wait for a batch (collect, none, drainFor)
// jumps straight to the watcher's next deadline. Windows therefore pass at
// once and exactly, and a test can check when a batch went out to the
// nanosecond.
func newBubbleScript(t *testing.T, opts Options, setup func(root string)) *script {
	t.Helper()
	s := newScript(t, opts, setup)
	s.fakeTime = true
	return s
}

// inBubble runs a parallel test's body in a synctest bubble.
func inBubble(t *testing.T, f func(t *testing.T)) {
	t.Parallel()
	synctest.Test(t, f)
}

func (s *script) p(rel string) string { return filepath.Join(s.root, filepath.FromSlash(rel)) }

func ev(op fsnotify.Op, name string) fsnotify.Event { return fsnotify.Event{Name: name, Op: op} }

// send delivers events and waits until the watcher has handled them.
func (s *script) send(evs ...fsnotify.Event) {
	s.t.Helper()
	s.sendNoWait(evs...)
	s.handled()
}

// handled waits until the watcher has handled every event sent so far. In a
// bubble that is when the watcher blocks again (synctest.Wait), which lets
// no fake time pass.
func (s *script) handled() {
	s.t.Helper()
	if !s.fakeTime {
		waitUntil(s.t, "events handled", func() bool { return s.w.Stats().Events >= s.sent })
		return
	}
	synctest.Wait()
	if got := s.w.Stats().Events; got < s.sent {
		s.t.Fatalf("watcher blocked after handling %d of %d events", got, s.sent)
	}
}

func (s *script) sendNoWait(evs ...fsnotify.Event) {
	for _, e := range evs {
		s.fake.events <- e
		s.sent++
	}
}

func (s *script) create(rel, content string) {
	s.t.Helper()
	f, err := os.OpenFile(s.p(rel), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	mustDo(s.t, err)
	s.send(ev(fsnotify.Create, s.p(rel)))
	if content != "" {
		_, err = f.WriteString(content)
		mustDo(s.t, err)
		s.send(ev(fsnotify.Write, s.p(rel)))
	}
	mustDo(s.t, f.Close())
}

// write rewrites an existing file in place: truncate, then write.
func (s *script) write(rel, content string) {
	s.t.Helper()
	s.truncate(rel)
	s.appendTo(rel, content)
}

func (s *script) truncate(rel string) {
	s.t.Helper()
	mustDo(s.t, os.Truncate(s.p(rel), 0))
	s.send(ev(fsnotify.Write, s.p(rel)))
}

func (s *script) appendTo(rel, content string) {
	s.t.Helper()
	f, err := os.OpenFile(s.p(rel), os.O_WRONLY|os.O_APPEND, 0)
	mustDo(s.t, err)
	_, err = f.WriteString(content)
	mustDo(s.t, err)
	mustDo(s.t, f.Close())
	s.send(ev(fsnotify.Write, s.p(rel)))
}

func (s *script) rename(from, to string) {
	s.t.Helper()
	mustDo(s.t, os.Rename(s.p(from), s.p(to)))
	s.send(ev(fsnotify.Rename, s.p(from)), ev(fsnotify.Create, s.p(to)))
}

func (s *script) remove(rel string) {
	s.t.Helper()
	mustDo(s.t, os.RemoveAll(s.p(rel)))
	s.send(ev(fsnotify.Remove, s.p(rel)))
}

func (s *script) chmod(rel string) {
	s.t.Helper()
	mustDo(s.t, os.Chmod(s.p(rel), 0o600))
	s.send(ev(fsnotify.Chmod, s.p(rel)))
}

func (s *script) mkdir(rel string) {
	s.t.Helper()
	mustDo(s.t, os.Mkdir(s.p(rel), 0o755))
	s.send(ev(fsnotify.Create, s.p(rel)))
}

// scriptQuiet is far longer than any gap between the steps of a sequence,
// even on a loaded machine, so a held path never times out in the middle of
// one; settled then proves nothing is left waiting.
const scriptQuiet = time.Hour

// nothingMore is the bounded wait after the expected batch.
func nothingMore(opts Options) time.Duration { return 3*opts.Quiet + opts.Settle + 50*time.Millisecond }

// saveSequences are editor saves of x.js (which exists with "old"), as
// inotify reports them step by step.
var saveSequences = []struct {
	name string
	save func(s *script)
}{
	{"vim default (backupcopy=auto)", func(s *script) {
		s.create("4913", "")
		s.chmod("4913")
		s.remove("4913")
		s.rename("x.js", "x.js~")
		s.create("x.js", "")
		s.appendTo("x.js", "new")
		s.chmod("x.js")
		s.remove("x.js~")
	}},
	{"vim backupcopy=yes", func(s *script) {
		s.create("x.js~", "old")
		s.write("x.js", "new")
		s.chmod("x.js")
		s.remove("x.js~")
	}},
	{"JetBrains safe write", func(s *script) {
		s.create("x.js___jb_tmp___", "new")
		s.rename("x.js", "x.js___jb_old___")
		s.rename("x.js___jb_tmp___", "x.js")
		s.remove("x.js___jb_old___")
	}},
	{"VS Code plain write", func(s *script) {
		s.write("x.js", "new")
	}},
	{"single write event", func(s *script) {
		s.appendTo("x.js", " more")
	}},
	{"sed -i temp and rename", func(s *script) {
		s.create("sedAb12Cd", "")
		s.chmod("sedAb12Cd")
		s.appendTo("sedAb12Cd", "new")
		s.rename("sedAb12Cd", "x.js")
	}},
	{"truncate then write after a gap", func(s *script) {
		s.truncate("x.js")
		time.Sleep(defaultQuiet / 2) // the gap (fake time), well under Quiet
		s.appendTo("x.js", "new")
	}},
	{"emacs first save", func(s *script) {
		mustDo(s.t, os.Symlink("user@host.1234:1", s.p(".#x.js")))
		s.send(ev(fsnotify.Create, s.p(".#x.js")))
		s.rename("x.js", "x.js~")
		s.create("x.js", "new")
		s.remove(".#x.js")
	}},
}

// Each save gives exactly one batch, with the default Quiet: in a bubble
// no time passes between the steps unless a sequence says so.
func TestScriptedSaves(t *testing.T) {
	t.Parallel()
	for _, tc := range saveSequences {
		t.Run(tc.name, func(t *testing.T) {
			inBubble(t, func(t *testing.T) {
				s := newBubbleScript(t, Options{}, func(root string) { writeFile(t, filepath.Join(root, "x.js"), "old") })
				x := s.p("x.js")
				tc.save(s)
				got := collect(t, s.w, hasFn(x))
				if len(got) != 1 {
					t.Fatalf("batches before x.js: %s", batchesString(got))
				}
				settled(t, s.w)
			})
		})
	}
}

// A new file is held for Quiet (it may be a temp file), then reported.
func TestScriptedNewFile(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		const quiet = 20 * time.Millisecond
		s := newBubbleScript(t, Options{Quiet: quiet}, nil)
		start := time.Now()
		s.create("new.js", "content")
		got := collect(t, s.w, hasFn(s.p("new.js")))
		if len(got) != 1 || len(got[0].Paths) != 1 {
			t.Fatalf("got %s", batchesString(got))
		}
		if d := time.Since(start); d != quiet || !got[0].First.Equal(start) {
			t.Errorf("batch after %v with First %v, want after Quiet (%v) with First %v", d, got[0].First, quiet, start)
		}
	})
}

// A temp file renamed to a new name: one batch with the new name, never a
// batch with only the temp file.
func TestScriptedTempRenamedToNewName(t *testing.T) {
	t.Parallel()
	s := newScript(t, Options{Quiet: scriptQuiet}, nil)
	s.create("out.js.tmp42", "content")
	s.rename("out.js.tmp42", "out.js")
	got := collect(t, s.w, func(Batch) bool { return true })
	if !has(got[0], s.p("out.js")) {
		t.Fatalf("first batch %v lacks out.js", got[0].Paths)
	}
	settled(t, s.w)
}

// A file removed for good is reported once Quiet passes, and a further
// event on it restarts the wait.
func TestScriptedRemoveReportedAfterQuiet(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		const quiet = 20 * time.Millisecond
		s := newBubbleScript(t, Options{Quiet: quiet}, func(root string) {
			writeFile(t, filepath.Join(root, "gone.js"), "x")
		})
		start := time.Now()
		s.remove("gone.js")
		time.Sleep(quiet / 2) // fake time: half the wait is over
		select {
		case b := <-s.w.Batches():
			t.Fatalf("batch %v before Quiet", b.Paths)
		default:
		}
		s.send(ev(fsnotify.Remove, s.p("gone.js")))
		got := collect(t, s.w, hasFn(s.p("gone.js")))
		if d := time.Since(start); len(got) != 1 || d != quiet/2+quiet {
			t.Errorf("got %s after %v, want one batch after %v", batchesString(got), d, quiet/2+quiet)
		}
	})
}

func TestScriptedChmodOnlyIgnored(t *testing.T) {
	t.Parallel()
	s := newScript(t, Options{Quiet: 20 * time.Millisecond}, func(root string) {
		writeFile(t, filepath.Join(root, "x.js"), "x")
	})
	s.chmod("x.js")
	settled(t, s.w)
	s.appendTo("x.js", "y")
	collect(t, s.w, hasFn(s.p("x.js")))
}

func TestScriptedIgnoredPaths(t *testing.T) {
	t.Parallel()
	s := newScript(t, Options{Quiet: 20 * time.Millisecond, Ignore: func(p string, isDir bool) bool {
		return strings.HasSuffix(p, ".log") || (isDir && filepath.Base(p) == "build")
	}}, func(root string) {
		for _, d := range []string{"node_modules/pkg", ".git", "dist", "coverage", "src/node_modules", "build"} {
			mustDo(t, os.MkdirAll(filepath.Join(root, d), 0o755))
		}
	})
	for _, d := range []string{"node_modules", "node_modules/pkg", "dist", "coverage", "src/node_modules", "build"} {
		if s.fake.isWatched(s.p(d)) {
			t.Errorf("%s is watched", d)
		}
	}
	if !s.fake.isWatched(s.p(".git")) {
		t.Errorf(".git is not watched for its lock")
	}
	if !s.fake.isWatched(s.p("src")) {
		t.Errorf("src is not watched")
	}
	for _, name := range []string{"x.js~", ".x.js.swp", ".x.js.swx", "4913", "5036", "x.js___jb_tmp___", "x.js___jb_old___", ".#x.js", "#x.js#", "debug.log"} {
		writeFile(t, s.p(name), "x")
		s.send(ev(fsnotify.Create, s.p(name)), ev(fsnotify.Write, s.p(name)))
	}
	writeFile(t, s.p(".git/config"), "x")
	s.send(ev(fsnotify.Write, s.p("src/node_modules/a.js")), ev(fsnotify.Create, s.p("dist/a.js")),
		ev(fsnotify.Write, s.p(".git/config")), ev(fsnotify.Create, s.p(".git/HEAD.lock")))
	settled(t, s.w)
	writeFile(t, s.p("x.js"), "x")
	s.send(ev(fsnotify.Write, s.p("x.js")))
	got := collect(t, s.w, func(Batch) bool { return true })
	if len(got[0].Paths) != 1 || !has(got[0], s.p("x.js")) {
		t.Fatalf("got %v, want only x.js", got[0].Paths)
	}
}

// A directory that appears is watched first, then listed: what it already
// held is reported in the same batch.
func TestScriptedDirectoryCreated(t *testing.T) {
	t.Parallel()
	s := newScript(t, Options{}, nil)
	writeFile(t, s.p("a/b/c/x.js"), "x")
	writeFile(t, s.p("a/node_modules/dep/i.js"), "x")
	s.send(ev(fsnotify.Create, s.p("a")))
	got := collect(t, s.w, hasFn(s.p("a/b/c/x.js")))
	u := union(got)
	for _, p := range []string{"a", "a/b", "a/b/c", "a/b/c/x.js"} {
		if !u[s.p(p)] {
			t.Errorf("%s not reported: %s", p, batchesString(got))
		}
		if p != "a/b/c/x.js" && !s.fake.isWatched(s.p(p)) {
			t.Errorf("%s not watched", p)
		}
	}
	if u[s.p("a/node_modules/dep/i.js")] || s.fake.isWatched(s.p("a/node_modules")) {
		t.Errorf("node_modules reported or watched")
	}
	if got := s.w.Watches(); got != 4 {
		t.Errorf("Watches = %d, want 4 (root, a, a/b, a/b/c)", got)
	}
	// mkdir -p raced the walk: the inner directories' own Create events
	// come after the walk reported them, and are old news.
	s.send(ev(fsnotify.Create, s.p("a/b")), ev(fsnotify.Create, s.p("a/b/c")))
	settled(t, s.w)
}

func TestScriptedDirectoryRemoved(t *testing.T) {
	t.Parallel()
	s := newScript(t, Options{}, func(root string) {
		writeFile(t, filepath.Join(root, "d/e/f.js"), "x")
	})
	if s.w.Watches() != 3 {
		t.Fatalf("Watches = %d, want 3", s.w.Watches())
	}
	mustDo(t, os.RemoveAll(s.p("d")))
	s.send(ev(fsnotify.Remove, s.p("d")))
	collect(t, s.w, hasFn(s.p("d")))
	if s.fake.isWatched(s.p("d/e")) || s.fake.isWatched(s.p("d")) {
		t.Errorf("removed directories still watched")
	}
	if s.w.Watches() != 1 {
		t.Errorf("Watches = %d, want 1", s.w.Watches())
	}
}

// While .git/index.lock exists everything is one burst, however long; the
// batch goes out Settle after the lock goes.
func TestScriptedLockBurst(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		const n = 50
		s := newBubbleScript(t, Options{}, func(root string) {
			mustDo(t, os.MkdirAll(filepath.Join(root, ".git"), 0o755))
			for i := range n {
				writeFile(t, filepath.Join(root, fmt.Sprintf("f%02d.js", i)), "a")
			}
		})
		if !s.fake.isWatched(s.p(".git")) {
			t.Fatal(".git not watched for its lock")
		}
		writeFile(t, s.p(".git/index.lock"), "")
		s.send(ev(fsnotify.Create, s.p(".git/index.lock")))
		for i := range n {
			s.write(fmt.Sprintf("f%02d.js", i), "b")
		}
		// Longer than MaxSettle: the lock holds the batch.
		none(t, s.w, defaultMaxSettle+100*time.Millisecond)
		mustDo(t, os.Rename(s.p(".git/index.lock"), s.p(".git/index")))
		s.send(ev(fsnotify.Rename, s.p(".git/index.lock")), ev(fsnotify.Create, s.p(".git/index")))
		unlocked := time.Now()
		got := collect(t, s.w, func(Batch) bool { return true })
		if len(got[0].Paths) != n {
			t.Fatalf("batch has %d paths, want %d: %v", len(got[0].Paths), n, got[0].Paths)
		}
		if d := time.Since(unlocked); d != defaultSettle {
			t.Errorf("batch %v after the lock went, want Settle (%v)", d, defaultSettle)
		}
		settled(t, s.w)
	})
}

// A lock left behind by a crashed git must not delay saves.
func TestScriptedStaleLockIgnored(t *testing.T) {
	t.Parallel()
	s := newScript(t, Options{}, func(root string) {
		writeFile(t, filepath.Join(root, ".git/index.lock"), "")
		old := time.Now().Add(-time.Hour)
		mustDo(t, os.Chtimes(filepath.Join(root, ".git/index.lock"), old, old))
		writeFile(t, filepath.Join(root, "x.js"), "a")
	})
	s.appendTo("x.js", "b")
	select {
	case b := <-s.w.Batches():
		if !has(b, s.p("x.js")) {
			t.Fatalf("got %v", b.Paths)
		}
	case <-time.After(lockMax - time.Second):
		t.Fatal("a stale lock held the save back")
	}
}

// The fence: an event for an emitted path that was queued before the
// batch went out is dropped; one after the fence event is not.
func TestScriptedFence(t *testing.T) {
	t.Parallel()
	s := newScript(t, Options{}, func(root string) { writeFile(t, filepath.Join(root, "x.js"), "a") })
	var dir string
	done := make(chan struct{})
	s.w.inspect <- func() {
		f, err := newFence(s.fake)
		if err != nil {
			t.Errorf("fence: %v", err)
		} else {
			s.w.fence, dir = f, f.dir
		}
		close(done)
	}
	<-done
	if dir == "" {
		t.FailNow()
	}
	x := s.p("x.js")
	s.appendTo("x.js", "b") // batch, fence 1 (file "b")
	collect(t, s.w, hasFn(x))
	s.send(ev(fsnotify.Write, x)) // the save's second event, queued before the fence
	settled(t, s.w)
	s.send(ev(fsnotify.Write, filepath.Join(dir, "b"))) // fence 1 comes back
	s.appendTo("x.js", "c")                             // a new write
	collect(t, s.w, hasFn(x))
	settled(t, s.w)
}

// Many distinct paths within Settle switch to settle mode: few batches,
// every path delivered, the last one Settle after the last event.
func TestScriptedRateBurst(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		const n = 40
		s := newBubbleScript(t, Options{}, func(root string) {
			for i := range n {
				writeFile(t, filepath.Join(root, fmt.Sprintf("f%02d.js", i)), "a")
			}
		})
		start := time.Now()
		for i := range n {
			s.send(ev(fsnotify.Write, s.p(fmt.Sprintf("f%02d.js", i))))
		}
		var got []Batch
		for u := union(got); len(u) < n; u = union(got) {
			got = append(got, collect(t, s.w, func(Batch) bool { return true })...)
		}
		if len(got) > burstPaths {
			t.Errorf("%d batches for %d paths: %s", len(got), n, batchesString(got))
		}
		if d := time.Since(start); d != defaultSettle {
			t.Errorf("last batch after %v, want Settle (%v)", d, defaultSettle)
		}
		settled(t, s.w)
	})
}

func TestOverflowRescan(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		s := newBubbleScript(t, Options{}, nil)
		s.fake.errs <- fsnotify.ErrEventOverflow
		got := collect(t, s.w, func(Batch) bool { return true })
		b := got[0]
		if !b.Rescan || b.Reason != "inotify event queue overflowed" || b.First.IsZero() {
			t.Fatalf("got %+v", b)
		}
		none(t, s.w, 3*rescanBackoff)
		if st := s.w.Stats(); st.Overflows != 1 || st.Rescans != 1 {
			t.Errorf("stats %+v", st)
		}
	})
}

// A pending path is not lost when an overflow forces a rescan.
func TestOverflowKeepsPendingPaths(t *testing.T) {
	t.Parallel()
	s := newScript(t, Options{Quiet: time.Minute}, func(root string) {
		writeFile(t, filepath.Join(root, "x.js"), "a")
	})
	s.remove("x.js") // held for a minute
	s.fake.errs <- fsnotify.ErrEventOverflow
	got := collect(t, s.w, func(Batch) bool { return true })
	if !got[0].Rescan || !has(got[0], s.p("x.js")) {
		t.Fatalf("got %+v", got[0])
	}
}

// Overflows in a row: at most one rescan batch per backoff period, and the
// last overflow is still followed by a rescan. Fifty overflows handled at
// one instant give exactly two: one at once, one folding the other 49 a
// backoff period later.
func TestOverflowBackoff(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		s := newBubbleScript(t, Options{}, nil)
		start := time.Now()
		for range 50 {
			s.fake.errs <- fsnotify.ErrEventOverflow
		}
		synctest.Wait()
		if n := s.w.Stats().Overflows; n != 50 {
			t.Fatalf("%d overflows handled, want 50", n)
		}
		var at []time.Duration
		end := time.After(5 * rescanBackoff)
	receive:
		for {
			select {
			case b := <-s.w.Batches():
				if !b.Rescan {
					t.Fatalf("non-rescan batch %+v", b)
				}
				at = append(at, time.Since(start))
			case <-end:
				break receive
			}
		}
		if want := []time.Duration{0, rescanBackoff}; !slices.Equal(at, want) {
			t.Errorf("rescan batches at %v, want at %v", at, want)
		}
	})
}

func TestBackendErrorNotFatal(t *testing.T) {
	t.Parallel()
	s := newScript(t, Options{}, func(root string) { writeFile(t, filepath.Join(root, "x.js"), "a") })
	s.fake.errs <- errors.New("inotify read: transient")
	waitUntil(t, "error counted", func() bool { return s.w.Stats().Errors == 1 })
	s.appendTo("x.js", "b")
	collect(t, s.w, hasFn(s.p("x.js")))
}

func TestWatchLimitAtNew(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	sub := filepath.Join(root, "src", "deep")
	mustDo(t, os.MkdirAll(sub, 0o755))
	fake := newFake()
	fake.setAddErr(func(name string) error {
		if name == sub {
			return syscall.ENOSPC
		}
		return nil
	})
	_, err := New([]string{root}, Options{Backend: fake})
	if err == nil {
		t.Fatal("New succeeded")
	}
	want := "watch " + sub + ": inotify watch limit reached: raise fs.inotify.max_user_watches (sysctl -w fs.inotify.max_user_watches=524288)"
	if !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error %q\nwant prefix %q", err, want)
	}
	if !errors.Is(err, ErrWatchLimit) || !errors.Is(err, syscall.ENOSPC) {
		t.Errorf("error %v does not wrap ErrWatchLimit and ENOSPC", err)
	}
	if !fake.closed {
		t.Error("backend not closed after New failed")
	}
}

// At run time a full watch table is logged, naming the sysctl, and the
// watcher goes on.
func TestWatchLimitAtRuntime(t *testing.T) {
	t.Parallel()
	log, buf := testLogger(t)
	s := newScript(t, Options{Logger: log}, func(root string) { writeFile(t, filepath.Join(root, "x.js"), "a") })
	s.fake.setAddErr(func(name string) error {
		if filepath.Base(name) == "new" {
			return syscall.ENOSPC
		}
		return nil
	})
	s.mkdir("new")
	collect(t, s.w, hasFn(s.p("new")))
	if !strings.Contains(buf.String(), "fs.inotify.max_user_watches") {
		t.Errorf("log does not name the sysctl:\n%s", buf)
	}
	s.appendTo("x.js", "b")
	collect(t, s.w, hasFn(s.p("x.js")))
}

func TestInstanceLimitError(t *testing.T) {
	t.Parallel()
	err := instanceError(fmt.Errorf("couldn't initialize inotify: %w", syscall.EMFILE))
	if !strings.Contains(err.Error(), "fs.inotify.max_user_instances") || !errors.Is(err, ErrInstanceLimit) || !errors.Is(err, syscall.EMFILE) {
		t.Errorf("got %v", err)
	}
	if err := instanceError(syscall.EINVAL); errors.Is(err, ErrInstanceLimit) {
		t.Errorf("EINVAL reported as the instance limit: %v", err)
	}
}

// Unwatchable and vanishing directories are skipped, never fatal.
func TestSkipUnwatchableAndVanished(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	for _, d := range []string{"locked/inner", "gone/inner", "ok"} {
		mustDo(t, os.MkdirAll(filepath.Join(root, d), 0o755))
	}
	fake := newFake()
	fake.setAddErr(func(name string) error {
		switch filepath.Base(name) {
		case "locked":
			return syscall.EACCES
		case "gone":
			// Removed between the parent's listing and this Add.
			os.RemoveAll(name)
		}
		return nil
	})
	w := startWatcher(t, []string{root}, Options{Backend: fake})
	if got := w.Watches(); got != 2 {
		t.Errorf("Watches = %d, want 2 (root, ok)", got)
	}
	if fake.isWatched(filepath.Join(root, "locked", "inner")) {
		t.Error("walked into an unwatchable directory")
	}
}

// A consumer that does not read: the watcher keeps coalescing, nothing is
// lost, and the reader is never blocked. The first batchBuffer batches fill
// the channel; everything after them is merged into one.
func TestSlowConsumer(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		const n = 150
		const settle = time.Millisecond
		s := newBubbleScript(t, Options{Settle: settle}, func(root string) {
			for i := range n {
				writeFile(t, filepath.Join(root, fmt.Sprintf("f%03d.js", i)), "a")
			}
		})
		for i := range n {
			// Fake time: each event falls in a Settle window of its own,
			// which keeps it on the low-latency path (one batch each).
			time.Sleep(2 * settle)
			s.send(ev(fsnotify.Write, s.p(fmt.Sprintf("f%03d.js", i))))
		}
		got := drainFor(s.w, time.Second)
		if u := union(got); len(u) != n {
			t.Fatalf("%d of %d paths delivered", len(u), n)
		}
		if len(got) != batchBuffer+1 || len(got[batchBuffer].Paths) != n-batchBuffer {
			t.Errorf("%d batches, the last with %d paths; want %d, the last with %d", len(got), len(got[len(got)-1].Paths), batchBuffer+1, n-batchBuffer)
		}
	})
}

func TestScriptedRootRecreated(t *testing.T) {
	t.Parallel()
	parent := t.TempDir()
	root := filepath.Join(parent, "proj")
	writeFile(t, filepath.Join(root, "src/a.js"), "a")
	fake := newFake()
	w := startWatcher(t, []string{root}, Options{Backend: fake})
	mustDo(t, os.RemoveAll(root))
	fake.events <- ev(fsnotify.Remove, filepath.Join(root, "src", "a.js"))
	fake.events <- ev(fsnotify.Remove, filepath.Join(root, "src"))
	fake.events <- ev(fsnotify.Remove, root)
	got := collect(t, w, hasFn(root))
	for _, b := range got {
		if b.Rescan {
			t.Fatalf("rescan before re-creation: %+v", b)
		}
	}
	waitUntil(t, "anchor watch on the parent", func() bool { return fake.isWatched(parent) })
	if w.Watches() != 0 {
		t.Errorf("Watches = %d after the root vanished", w.Watches())
	}
	writeFile(t, filepath.Join(root, "src/b.js"), "b")
	fake.events <- ev(fsnotify.Create, root)
	got = collect(t, w, func(b Batch) bool { return b.Rescan })
	if r := got[len(got)-1].Reason; r != "root "+root+" was re-created" {
		t.Errorf("reason %q", r)
	}
	if !fake.isWatched(filepath.Join(root, "src")) || fake.isWatched(parent) {
		t.Errorf("watches not restored: %v", fake.watched)
	}
}

// The anchor (the vanished root's parent) is itself deleted and re-created
// before the root comes back: the old watch is dead, so the new directory
// must be watched anew, or the root's re-creation is never seen.
func TestScriptedAnchorRecreated(t *testing.T) {
	t.Parallel()
	ws := filepath.Join(t.TempDir(), "ws")
	root := filepath.Join(ws, "proj")
	mustDo(t, os.MkdirAll(root, 0o755))
	fake := newFake()
	w := startWatcher(t, []string{root}, Options{Backend: fake})
	mustDo(t, os.Remove(root))
	fake.events <- ev(fsnotify.Remove, root)
	collect(t, w, hasFn(root))
	waitUntil(t, "anchor on ws", func() bool { return fake.addCount(ws) == 1 })
	mustDo(t, os.Remove(ws))
	mustDo(t, os.Mkdir(ws, 0o755))
	fake.events <- ev(fsnotify.Remove, ws) // the dead anchor's last event
	waitUntil(t, "anchor on the new ws", func() bool { return fake.addCount(ws) == 2 })
	mustDo(t, os.Mkdir(root, 0o755))
	fake.events <- ev(fsnotify.Create, root)
	collect(t, w, func(b Batch) bool { return b.Rescan })
}

// When not even an ancestor can be watched, the watcher polls, first
// after pollMin.
func TestScriptedRootRecreatedPolling(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		parent := t.TempDir()
		root := filepath.Join(parent, "proj")
		mustDo(t, os.MkdirAll(root, 0o755))
		fake := newFake()
		w := startWatcher(t, []string{root}, Options{Backend: fake})
		fake.setAddErr(func(name string) error {
			if name != root {
				return syscall.EACCES
			}
			return nil
		})
		mustDo(t, os.RemoveAll(root))
		fake.events <- ev(fsnotify.Remove, root)
		gone := time.Now()
		collect(t, w, hasFn(root))
		// The batch goes out before the watcher looks for an anchor: let
		// it settle on polling before the root comes back.
		synctest.Wait()
		mustDo(t, os.Mkdir(root, 0o755))
		got := collect(t, w, func(b Batch) bool { return b.Rescan })
		if !strings.Contains(got[len(got)-1].Reason, "re-created") {
			t.Errorf("got %+v", got)
		}
		if d := time.Since(gone); d != pollMin {
			t.Errorf("re-creation seen after %v, want at the first poll (%v)", d, pollMin)
		}
	})
}

func TestNewErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := filepath.Join(dir, "f")
	writeFile(t, file, "x")
	for _, roots := range [][]string{nil, {filepath.Join(dir, "missing")}, {file}} {
		if w, err := New(roots, Options{Backend: newFake()}); err == nil {
			w.Close()
			t.Errorf("New(%v) succeeded", roots)
		}
	}
}

func TestCloseClosesBatches(t *testing.T) {
	t.Parallel()
	s := newScript(t, Options{}, nil)
	mustDo(t, s.w.Close())
	if _, ok := <-s.w.Batches(); ok {
		t.Error("Batches open after Close")
	}
	mustDo(t, s.w.Close())
}

func TestCleanRootsNested(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	mustDo(t, os.MkdirAll(filepath.Join(dir, "a", "b"), 0o755))
	got, err := cleanRoots([]string{filepath.Join(dir, "a", "b"), filepath.Join(dir, "a"), filepath.Join(dir, "a") + "/"})
	if err != nil || len(got) != 1 || got[0] != filepath.Join(dir, "a") {
		t.Errorf("got %v, %v", got, err)
	}
}

func TestBuiltinIgnored(t *testing.T) {
	t.Parallel()
	for rel, want := range map[string]bool{
		"src/app.js":               false,
		"node_modules":             true,
		"node_modules/x/i.js":      true,
		"a/node_modules/x.js":      true,
		".git":                     true,
		".git/index.lock":          true,
		"dist/app.js":              true,
		"coverage/lcov.info":       true,
		"distribution/a.js":        false,
		"src/app.js~":              true,
		"src/.app.js.swp":          true,
		"src/.app.js.swx":          true,
		"src/app.swp":              false,
		"4913":                     true,
		"src/5036":                 true,
		"4914":                     false,
		"14913":                    false,
		"04913":                    false,
		"a.js___jb_tmp___":         true,
		"a.js___jb_old___":         true,
		".#a.js":                   true,
		"#a.js#":                   true,
		"#":                        false,
		"src/#notes":               false,
		"src/components/Nav.tsx":   false,
		"packages/dist-utils/i.js": false,
	} {
		if got := builtinIgnored(rel); got != want {
			t.Errorf("builtinIgnored(%q) = %v, want %v", rel, got, want)
		}
	}
}

// A save in several writes (truncate, write, write a few ms later): the
// path was seen empty, so its first write does not go out at once; each
// further write extends the wait, and one batch goes out once the writes
// stop for Settle. Reading the file then gives the final bytes.
func TestScriptedSaveInSeveralWrites(t *testing.T) {
	t.Parallel()
	s := newScript(t, Options{Quiet: scriptQuiet, Settle: 200 * time.Millisecond, MaxSettle: 5 * time.Second}, func(root string) {
		writeFile(t, filepath.Join(root, "x.js"), "old content\n")
	})
	x := s.p("x.js")
	s.truncate("x.js")
	s.appendTo("x.js", "export const a = 1\n")
	s.appendTo("x.js", "export const b = 2\n")
	if n := waitingBatches(s.w); n > 0 {
		t.Fatalf("%d batch(es) went out between the writes of one save", n)
	}
	s.appendTo("x.js", "export const c = 3\n")
	got := collect(t, s.w, hasFn(x))
	if len(got) != 1 {
		t.Fatalf("batches: %s", batchesString(got))
	}
	settled(t, s.w)
	// A later save that is not seen empty goes out at once, as before.
	s.appendTo("x.js", "// more\n")
	if n := waitingBatches(s.w); n != 1 {
		t.Fatalf("a plain write: %d batches waiting, want 1 at once", n)
	}
}

// waitingBatches counts the batches formed and not yet received.
func waitingBatches(w *Watcher) int {
	n := 0
	done := make(chan struct{})
	w.inspect <- func() {
		n = len(w.batches)
		if w.out != nil {
			n++
		}
		close(done)
	}
	<-done
	return n
}
