package devserver

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// The root renamed away and a new one made in its place: the old
// directory still exists with its files, and nothing may be served from it.
func TestRootMovedAway(t *testing.T) {
	f := newFixture(t, newFakeService(), map[string]string{"a.txt": "one", "only-old.txt": "old"})
	if r := f.get(t, "/a.txt"); r.body != "one" {
		t.Fatalf("before: %d %q", r.status, r.body)
	}
	if err := os.Rename(f.root, f.root+".old"); err != nil {
		t.Fatal(err)
	}
	writeFiles(t, f.root, map[string]string{"a.txt": "two"})
	if r := f.get(t, "/a.txt"); r.status != 200 || r.body != "two" {
		t.Fatalf("after: %d %q, want the new tree's file", r.status, r.body)
	}
	if r := f.get(t, "/only-old.txt"); r.status != 404 {
		t.Fatalf("a file of the moved-away tree: %d %q, want 404", r.status, r.body)
	}
}

// A root deleted while nothing is requested: the server lets go of the
// deleted directory within rootCheckEvery, so the kernel can free it and
// report its deletion to the watcher. Then a root created again is served.
func TestRootHandleReleased(t *testing.T) {
	f := newFixture(t, newFakeService(), map[string]string{"a.txt": "one"})
	if r := f.get(t, "/a.txt"); r.body != "one" {
		t.Fatalf("before: %d %q", r.status, r.body)
	}
	if !holdsDir(t, f.root) {
		t.Fatalf("no open descriptor on %s: the test cannot see the handle", f.root)
	}
	if err := os.RemoveAll(f.root); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	for holdsDir(t, f.root+" (deleted)") {
		if time.Since(start) > rootCheckEvery+10*time.Second {
			t.Fatalf("the deleted root is still held open after %v", time.Since(start))
		}
		time.Sleep(10 * time.Millisecond)
	}
	if r := f.get(t, "/a.txt"); r.status != 404 {
		t.Fatalf("while the root is missing: %d %q", r.status, r.body)
	}
	writeFiles(t, f.root, map[string]string{"a.txt": "two"})
	if r := f.get(t, "/a.txt"); r.status != 200 || r.body != "two" {
		t.Fatalf("after: %d %q", r.status, r.body)
	}
}

// holdsDir reports whether this process has a descriptor open on target,
// as /proc/self/fd names it.
func holdsDir(t *testing.T, target string) bool {
	t.Helper()
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("no /proc/self/fd: %v", err)
	}
	for _, fd := range fds {
		l, err := os.Readlink(filepath.Join("/proc/self/fd", fd.Name()))
		if err == nil && l == target {
			return true
		}
	}
	return false
}
