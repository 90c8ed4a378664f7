package reliability

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	hmrdv1 "github.com/hmrd/hmrd/proto/hmrd/v1"
)

// recoverWithin bounds how long after the root is back the daemon must be
// watching it again. The watcher notices a root that vanished from its
// identity (device and inode of the path) at least every second even when
// the kernel never reports the deletion; the rest is slack for a loaded
// machine.
const recoverWithin = 4 * time.Second

// The project root is deleted and created again while the daemon runs,
// with and without the dev server. The dev server holds the root open (an
// os.Root), which keeps the deleted directory alive, so the kernel never
// reports its deletion: the daemon must notice anyway, within the same
// time as without the dev server, rescan, and signal edits of the new
// tree; and the dev server must serve the new tree.
func TestRootRecreated(t *testing.T) {
	for _, tc := range []struct {
		name   string
		http   string
		remove func(root string) error
	}{
		{"rm-http-off", "", os.RemoveAll},
		{"rm-http-on", "auto", os.RemoveAll},
		// Moved away: the old directory still exists, with files, under
		// another name. Nothing may be served from it any more.
		{"mv-http-on", "auto", func(root string) error { return os.Rename(root, root+".old") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tmp := shortTemp(t)
			root := filepath.Join(tmp, "app")
			writeTree(t, root, smallApp)
			d := startDaemon(t, filepath.Join(tmp, "s"), daemonOpts{http: tc.http, roots: []string{root}})
			s := d.subscribeGRPC(t, &hmrdv1.SubscribeRequest{})
			if s.next(waitFor).GetHello() == nil {
				t.Fatal("no hello")
			}
			if d.httpAddr != "" {
				if r := rawGet(t, d.httpAddr, "/src/dep.js", nil); r.status != 200 || !strings.Contains(string(r.body), "n = 1") {
					t.Fatalf("GET /src/dep.js before: %d %q", r.status, r.body)
				}
			}
			if err := tc.remove(root); err != nil {
				t.Fatal(err)
			}
			// The old tree's files are gone: whatever that signals (their
			// deletion) arrives before the new tree exists, or is folded
			// into the rescan. Re-create the tree with new content.
			writeTree(t, root, map[string]string{
				"index.html":  smallApp["index.html"],
				"src/main.js": smallApp["src/main.js"],
				"src/app.js":  smallApp["src/app.js"],
				"src/dep.js":  "export const n = 20\n",
			})
			back := time.Now()
			got := s.until(recoverWithin+waitFor, isRescan)
			took := time.Since(back)
			t.Logf("rescan %v after the root was re-created (events %s)", took.Round(time.Millisecond), describeAll(got))
			if took > recoverWithin {
				t.Errorf("re-created root noticed after %v, want within %v", took, recoverWithin)
			}
			// Files of the new tree written after the rescan are late
			// events: wait until the graph has them all, and until their
			// signals went out (a custom event published after them
			// arrives after them), so the edit below is a batch of its own.
			d.waitLive(t, "/src/main.js", "/src/app.js", "/src/dep.js")
			d.sync(t, s)
			writeTree(t, root, map[string]string{"src/dep.js": "export const n = 30\n"})
			if ev := s.next(waitFor); !isUpdateOf("/src/app.js")(ev) {
				t.Fatalf("edit of the new tree: want an update of /src/app.js, got %s", describeAll([]*hmrdv1.Event{ev}))
			}
			if d.httpAddr != "" {
				r := rawGet(t, d.httpAddr, "/src/dep.js", nil)
				if r.status != 200 || !strings.Contains(string(r.body), "n = 30") {
					t.Fatalf("GET /src/dep.js after: %d %q, want the new tree's content", r.status, r.body)
				}
			}
		})
	}
}
