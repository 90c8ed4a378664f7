package fswatch

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Tests against real inotify on t.TempDir(). They wait for batches with
// select and a deadline; the only fixed waits are the bounded "nothing
// more arrives" checks and the gaps inside a scripted save.

// realQuiet is long against the gaps inside a save sequence on a loaded
// machine, so a held path never times out in the middle of one.
const realQuiet = 250 * time.Millisecond

// expectSave asserts that a save of x gave one batch: the first batch to
// arrive names x, and nothing else follows within window except, at most
// once, a pure repeat ([x] alone, content still want). A repeat is possible
// on real inotify because the kernel makes a write's data visible a moment
// before it queues the write's event; see decision 0003. The scripted tests
// hold the state machine to exactly one batch.
func expectSave(t *testing.T, w *Watcher, x, want string, window time.Duration) {
	t.Helper()
	got := collect(t, w, hasFn(x))
	if len(got) != 1 {
		t.Fatalf("batches up to the one naming %s: %s", x, batchesString(got))
	}
	rest := drainFor(w, window)
	if len(rest) == 0 {
		return
	}
	data, _ := os.ReadFile(x)
	if len(rest) > 1 || len(rest[0].Paths) != 1 || rest[0].Paths[0] != x || string(data) != want {
		t.Fatalf("after the batch naming %s: %s (content %q)", x, batchesString(rest), data)
	}
	t.Logf("pure repeat batch for %s (kernel queued a write's event after the fence)", x)
}

func realWatcher(t *testing.T, root string, opts Options) *Watcher {
	t.Helper()
	return startWatcher(t, []string{root}, opts)
}

func TestRealSingleWrite(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	x := filepath.Join(root, "src", "x.js")
	writeFile(t, x, "old")
	w := realWatcher(t, root, Options{})
	start := time.Now()
	writeFile(t, x, "new")
	select {
	case b := <-w.Batches():
		t.Logf("latency %v", time.Since(start))
		if len(b.Paths) != 1 || b.Paths[0] != x {
			t.Fatalf("got %v, want [%s]", b.Paths, x)
		}
		if b.First.Before(start) {
			t.Errorf("First %v before the write", b.First)
		}
	case <-time.After(waitLong):
		t.Fatal("no batch")
	}
	rest := drainFor(w, nothingMore(Options{Quiet: defaultQuiet, Settle: defaultSettle}))
	if len(rest) > 1 || (len(rest) == 1 && (len(rest[0].Paths) != 1 || rest[0].Paths[0] != x)) {
		t.Fatalf("after the save: %s", batchesString(rest))
	}
}

// realSaves perform editor saves of x (which holds "old content").
var realSaves = []struct {
	name string
	save func(t *testing.T, x string)
}{
	{"vim default (backupcopy=auto)", func(t *testing.T, x string) {
		dir := filepath.Dir(x)
		probe := filepath.Join(dir, "4913")
		writeFile(t, probe, "")
		mustDo(t, os.Remove(probe))
		mustDo(t, os.Rename(x, x+"~"))
		f, err := os.Create(x)
		mustDo(t, err)
		_, err = f.WriteString("new content\n")
		mustDo(t, err)
		mustDo(t, f.Sync())
		mustDo(t, f.Close())
		mustDo(t, os.Chmod(x, 0o644))
		mustDo(t, os.Remove(x+"~"))
	}},
	{"vim backupcopy=yes", func(t *testing.T, x string) {
		writeFile(t, x+"~", "old content\n")
		f, err := os.OpenFile(x, os.O_WRONLY|os.O_TRUNC, 0)
		mustDo(t, err)
		_, err = f.WriteString("new content\n")
		mustDo(t, err)
		mustDo(t, f.Close())
		mustDo(t, os.Chmod(x, 0o644))
		mustDo(t, os.Remove(x+"~"))
	}},
	{"JetBrains safe write", func(t *testing.T, x string) {
		writeFile(t, x+"___jb_tmp___", "new content\n")
		mustDo(t, os.Rename(x, x+"___jb_old___"))
		mustDo(t, os.Rename(x+"___jb_tmp___", x))
		mustDo(t, os.Remove(x+"___jb_old___"))
	}},
	{"VS Code plain write", func(t *testing.T, x string) {
		writeFile(t, x, "new content\n")
	}},
	{"sed -i", func(t *testing.T, x string) {
		if _, err := exec.LookPath("sed"); err != nil {
			t.Skip("no sed")
		}
		out, err := exec.Command("sed", "-i", "s/old/new/", x).CombinedOutput()
		if err != nil {
			t.Fatalf("sed: %v: %s", err, out)
		}
	}},
	{"temp file renamed over", func(t *testing.T, x string) {
		tmp := x + ".7f3a.tmp"
		writeFile(t, tmp, "new content\n")
		mustDo(t, os.Rename(tmp, x))
	}},
	{"truncate then write after a gap", func(t *testing.T, x string) {
		mustDo(t, os.Truncate(x, 0))
		time.Sleep(10 * time.Millisecond) // the gap, well under Quiet
		f, err := os.OpenFile(x, os.O_WRONLY, 0)
		mustDo(t, err)
		_, err = f.WriteString("new content\n")
		mustDo(t, err)
		mustDo(t, f.Close())
	}},
	{"emacs first save", func(t *testing.T, x string) {
		lock := filepath.Join(filepath.Dir(x), ".#"+filepath.Base(x))
		mustDo(t, os.Symlink("user@host.1234:1", lock))
		mustDo(t, os.Rename(x, x+"~"))
		writeFile(t, x, "new content\n")
		mustDo(t, os.Remove(lock))
	}},
}

func TestRealEditorSaves(t *testing.T) {
	for _, tc := range realSaves {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			root := t.TempDir()
			x := filepath.Join(root, "src", "x.js")
			writeFile(t, x, "old content\n")
			w := realWatcher(t, root, Options{Quiet: realQuiet})
			tc.save(t, x)
			if data, _ := os.ReadFile(x); string(data) != "new content\n" {
				t.Fatalf("save did not happen: %q", data)
			}
			expectSave(t, w, x, "new content\n", nothingMore(Options{Quiet: realQuiet, Settle: defaultSettle}))
		})
	}
}

// Several saves in a row, each one batch.
func TestRealRepeatedSaves(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	x := filepath.Join(root, "x.js")
	writeFile(t, x, "v0")
	w := realWatcher(t, root, Options{Quiet: realQuiet})
	for i := 1; i <= 3; i++ {
		content := fmt.Sprintf("v%d", i)
		writeFile(t, x, content)
		expectSave(t, w, x, content, nothingMore(Options{Quiet: realQuiet, Settle: defaultSettle}))
	}
}

func TestRealNewFile(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	w := realWatcher(t, root, Options{})
	n := filepath.Join(root, "new.js")
	writeFile(t, n, "x")
	collect(t, w, hasFn(n))
}

func TestRealMkdirP(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	w := realWatcher(t, root, Options{})
	out, err := exec.Command("sh", "-c", "cd "+root+" && mkdir -p a/b/c && echo x > a/b/c/x.js").CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	x := filepath.Join(root, "a", "b", "c", "x.js")
	got := collect(t, w, hasFn(x))
	u := union(got)
	for _, d := range []string{"a", "a/b", "a/b/c"} {
		if !u[filepath.Join(root, d)] {
			t.Errorf("%s not reported: %s", d, batchesString(got))
		}
	}
	// A second batch for x.js is right when echo's write landed after the
	// walk reported it: let it come.
	drainFor(w, nothingMore(Options{Quiet: defaultQuiet, Settle: defaultSettle}))
	// The inner directories are watched now.
	y := filepath.Join(root, "a", "b", "c", "y.js")
	writeFile(t, y, "y")
	collect(t, w, hasFn(y))
}

// A tree moved in from outside is walked and reported whole.
func TestRealDirectoryMovedIn(t *testing.T) {
	t.Parallel()
	root, outside := t.TempDir(), t.TempDir()
	var want []string
	for i := range 20 {
		rel := fmt.Sprintf("pkg/m%d/f%d.js", i%4, i)
		writeFile(t, filepath.Join(outside, rel), "x")
		want = append(want, filepath.Join(root, rel))
	}
	w := realWatcher(t, root, Options{})
	mustDo(t, os.Rename(filepath.Join(outside, "pkg"), filepath.Join(root, "pkg")))
	got := collect(t, w, func(Batch) bool { return true })
	u := union(got)
	for _, p := range want {
		if !u[p] {
			t.Errorf("%s not reported", p)
		}
	}
}

// A directory renamed inside the tree: its contents are reported under the
// new name afterwards (the stale watches were replaced).
func TestRealDirectoryRenamedWithin(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "a", "sub", "f.js"), "x")
	w := realWatcher(t, root, Options{})
	mustDo(t, os.Rename(filepath.Join(root, "a"), filepath.Join(root, "b")))
	got := collect(t, w, hasFn(filepath.Join(root, "b", "sub", "f.js")))
	if u := union(got); !u[filepath.Join(root, "a")] {
		t.Errorf("old name not reported: %s", batchesString(got))
	}
	none(t, w, nothingMore(Options{Quiet: defaultQuiet, Settle: defaultSettle}))
	f := filepath.Join(root, "b", "sub", "f.js")
	writeFile(t, f, "y")
	got = collect(t, w, func(Batch) bool { return true })
	if len(got[0].Paths) != 1 || got[0].Paths[0] != f {
		t.Fatalf("got %v, want [%s]", got[0].Paths, f)
	}
	if w.Watches() != 3 {
		t.Errorf("Watches = %d, want 3", w.Watches())
	}
}

func TestRealIgnored(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	for _, d := range []string{"node_modules/dep", ".git", "dist", "coverage"} {
		mustDo(t, os.MkdirAll(filepath.Join(root, d), 0o755))
	}
	w := realWatcher(t, root, Options{})
	writeFile(t, filepath.Join(root, "node_modules", "dep", "index.js"), "x")
	writeFile(t, filepath.Join(root, "node_modules", "new", "index.js"), "x")
	writeFile(t, filepath.Join(root, ".git", "config"), "x")
	writeFile(t, filepath.Join(root, ".git", "objects", "ab", "cdef"), "x")
	writeFile(t, filepath.Join(root, "dist", "app.js"), "x")
	writeFile(t, filepath.Join(root, "coverage", "lcov.info"), "x")
	writeFile(t, filepath.Join(root, "src", "node_modules", "x.js"), "x")
	writeFile(t, filepath.Join(root, ".x.js.swp"), "x")
	got := drainFor(w, nothingMore(Options{Quiet: defaultQuiet, Settle: defaultSettle}))
	// src was created, so it and its non-ignored contents may be reported;
	// nothing else may be.
	for p := range union(got) {
		if p != filepath.Join(root, "src") {
			t.Errorf("ignored path reported: %s", p)
		}
	}
	x := filepath.Join(root, "x.js")
	writeFile(t, x, "x")
	collect(t, w, hasFn(x))
}

func TestRealSymlinks(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "src", "a.js"), "x")
	mustDo(t, os.Symlink(root, filepath.Join(root, "src", "loop")))
	mustDo(t, os.Symlink(filepath.Join(root, "nowhere"), filepath.Join(root, "broken")))
	w := realWatcher(t, root, Options{})
	if w.Watches() != 2 {
		t.Errorf("Watches = %d, want 2 (symlinks not followed)", w.Watches())
	}
	link := filepath.Join(root, "src", "link.js")
	mustDo(t, os.Symlink("a.js", link))
	collect(t, w, hasFn(link))
}

func TestRealRootRecreated(t *testing.T) {
	t.Parallel()
	root := filepath.Join(t.TempDir(), "proj")
	writeFile(t, filepath.Join(root, "src", "a.js"), "x")
	w := realWatcher(t, root, Options{})
	mustDo(t, os.RemoveAll(root))
	got := collect(t, w, hasFn(root))
	for _, b := range got {
		if b.Rescan {
			t.Fatalf("rescan before re-creation: %s", batchesString(got))
		}
	}
	mustDo(t, os.MkdirAll(filepath.Join(root, "src"), 0o755))
	got = collect(t, w, func(b Batch) bool { return b.Rescan })
	if r := got[len(got)-1].Reason; !strings.Contains(r, "root "+root+" was re-created") {
		t.Errorf("reason %q", r)
	}
	// Watching again, including directories created with the root (src
	// may also be reported on its own: it can appear after the new watch).
	b := filepath.Join(root, "src", "b.js")
	writeFile(t, b, "x")
	collect(t, w, hasFn(b))
}

// The root and its parent vanish; the watcher climbs to the nearest
// existing ancestor and back down as the path is re-created.
func TestRealRootRecreatedDeep(t *testing.T) {
	t.Parallel()
	top := t.TempDir()
	root := filepath.Join(top, "ws", "proj")
	writeFile(t, filepath.Join(root, "a.js"), "x")
	w := realWatcher(t, root, Options{})
	mustDo(t, os.RemoveAll(filepath.Join(top, "ws")))
	collect(t, w, hasFn(root))
	mustDo(t, os.Mkdir(filepath.Join(top, "ws"), 0o755))
	mustDo(t, os.Mkdir(root, 0o755))
	collect(t, w, func(b Batch) bool { return b.Rescan })
	a := filepath.Join(root, "a.js")
	writeFile(t, a, "x")
	collect(t, w, hasFn(a))
}

// A scripted burst without a VCS lock: every path arrives, in far fewer
// batches than paths (the first may come alone, see decision 0003).
func TestRealScriptedBurstNoLock(t *testing.T) {
	t.Parallel()
	const n = 300
	root := t.TempDir()
	var files []string
	for i := range n {
		p := filepath.Join(root, fmt.Sprintf("d%d", i%10), fmt.Sprintf("f%03d.js", i))
		writeFile(t, p, "a")
		files = append(files, p)
	}
	w := realWatcher(t, root, Options{})
	for _, p := range files {
		writeFile(t, p, "b")
	}
	var got []Batch
	for len(union(got)) < n {
		got = append(got, collect(t, w, func(Batch) bool { return true })...)
	}
	t.Logf("%d paths in %d batches", n, len(got))
	if len(got) > n/burstPaths {
		t.Errorf("%d batches for %d paths: not coalesced", len(got), n)
	}
}

// What git does, by hand: hold .git/index.lock around a write of many
// files (unlink and create each, as git checkout does), with a pause in
// the middle.
func TestRealLockedBurst(t *testing.T) {
	t.Parallel()
	const n = 300
	root := t.TempDir()
	mustDo(t, os.MkdirAll(filepath.Join(root, ".git"), 0o755))
	var files []string
	for i := range n {
		p := filepath.Join(root, "src", fmt.Sprintf("m%d", i%20), fmt.Sprintf("f%04d.js", i))
		writeFile(t, p, "a")
		files = append(files, p)
	}
	w := realWatcher(t, root, Options{})
	lock := filepath.Join(root, ".git", "index.lock")
	start := time.Now()
	writeFile(t, lock, "")
	for i, p := range files {
		if i == n/2 {
			// A pause longer than MaxSettle, as on a slow disk: only the
			// lock keeps the burst together.
			time.Sleep(defaultMaxSettle + 150*time.Millisecond)
		}
		mustDo(t, os.Remove(p))
		writeFile(t, p, "b")
	}
	mustDo(t, os.Rename(lock, filepath.Join(root, ".git", "index")))
	t.Logf("burst written in %v", time.Since(start))
	expectOneBatchOf(t, w, files)
}

func expectOneBatchOf(t *testing.T, w *Watcher, files []string) {
	t.Helper()
	start := time.Now()
	got := collect(t, w, func(Batch) bool { return true })
	t.Logf("batch after %v, latency from first event %v", time.Since(start), time.Since(got[0].First))
	b := got[0]
	missing := 0
	for _, p := range files {
		if !has(b, p) {
			missing++
		}
	}
	if missing > 0 {
		rest := drainFor(w, time.Second)
		t.Fatalf("first batch has %d paths, lacks %d of %d; %d more batches followed", len(b.Paths), missing, len(files), len(rest))
	}
	for _, p := range b.Paths {
		if strings.Contains(p, string(filepath.Separator)+".git") {
			t.Errorf("batch names %s", p)
		}
	}
	none(t, w, nothingMore(Options{Quiet: defaultQuiet, Settle: defaultSettle}))
}

// A real `git checkout` between branches that differ in 1,000 files is one
// batch. The branches are made with fast-import (one pack file, no loose
// objects) because file creation is the slow part of this test.
func TestRealGitCheckout1000(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	const n = 1000
	root := t.TempDir()
	git := func(stdin string, args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "core.fsmonitor=false", "-c", "gc.auto=0"}, args...)...)
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
		cmd.Stdin = strings.NewReader(stdin)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	var files []string
	var stream strings.Builder
	for mark, branch := range []string{"main", "other"} {
		fmt.Fprintf(&stream, "commit refs/heads/%s\nmark :%d\ncommitter t <t@example.com> 0 +0000\ndata %d\n%s\n", branch, mark+1, len(branch), branch)
		if branch == "other" {
			stream.WriteString("from :1\n")
		} else {
			stream.WriteString("M 100644 inline same.js\ndata 5\nsame\n\n")
		}
		for i := range n {
			rel := fmt.Sprintf("src/m%d/f%04d.js", i%20, i)
			if branch == "main" {
				files = append(files, filepath.Join(root, filepath.FromSlash(rel)))
			}
			content := fmt.Sprintf("export const v = '%s %d'\n", branch, i)
			fmt.Fprintf(&stream, "M 100644 inline %s\ndata %d\n%s\n", rel, len(content), content)
		}
	}
	git("", "init", "-q", "-b", "main")
	git(stream.String(), "fast-import", "--quiet")
	git("", "reset", "-q", "--hard", "main")

	w := realWatcher(t, root, Options{})
	start := time.Now()
	git("", "checkout", "-q", "other")
	t.Logf("checkout took %v", time.Since(start))
	expectOneBatchOf(t, w, files)
}

// A save in several writes on real inotify: once the watcher saw the file
// empty (truncated), nothing goes out between the writes that follow; one
// batch goes out after the last one.
func TestRealSaveInSeveralWrites(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	x := filepath.Join(root, "x.js")
	writeFile(t, x, "old content\n")
	settle := 150 * time.Millisecond
	w := realWatcher(t, root, Options{Quiet: realQuiet, Settle: settle, MaxSettle: 5 * time.Second})
	f, err := os.OpenFile(x, os.O_WRONLY|os.O_TRUNC, 0)
	mustDo(t, err)
	defer f.Close()
	waitUntil(t, "the watcher to see x.js empty", func() bool { return pendingState(w, x) == stEmpty })
	_, err = f.WriteString("export const a = 1\n")
	mustDo(t, err)
	time.Sleep(5 * time.Millisecond) // the editor between two writes
	if n := waitingBatches(w); n > 0 {
		t.Fatalf("%d batch(es) went out between the two writes of one save", n)
	}
	_, err = f.WriteString("export const b = 2\n")
	mustDo(t, err)
	mustDo(t, f.Close())
	expectSave(t, w, x, "export const a = 1\nexport const b = 2\n", nothingMore(Options{Quiet: realQuiet, Settle: settle}))
}

// pendingState is the state of path as the watcher holds it, stMissing when
// it holds nothing for it.
func pendingState(w *Watcher, path string) fileState {
	st := stMissing
	done := make(chan struct{})
	w.inspect <- func() {
		if e := w.pending[path]; e != nil {
			st = e.state
		}
		close(done)
	}
	<-done
	return st
}
