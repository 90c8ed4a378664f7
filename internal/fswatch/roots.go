package fswatch

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/fsnotify/fsnotify"
)

// root is one watched tree.
type root struct {
	path   string
	gitDir string // repository directory watched for index.lock, or ""
	// id is the directory under watch, as stat saw it just before the
	// watch went in (nil when that stat failed): the root is replaced
	// when its path names another directory.
	id os.FileInfo
	// While the root is missing: the nearest existing ancestor under watch
	// (or "" when none could be watched), and when to look again if
	// polling.
	missing   bool
	anchor    string
	pollAt    time.Time
	pollEvery time.Duration
}

func (w *Watcher) rootOf(p string) *root {
	for _, r := range w.roots {
		if _, ok := within(p, r.path); ok {
			return r
		}
	}
	return nil
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}

// rootEvent handles an event on a root itself. Only its removal matters:
// the kernel dropped its watch, so the tree is reported gone and the
// watcher waits for it to come back. Any other event on it is a cheap
// moment to check that the path still names the directory under watch.
func (w *Watcher) rootEvent(r *root, op fsnotify.Op, now time.Time) bool {
	if !op.Has(fsnotify.Remove) && !op.Has(fsnotify.Rename) {
		w.checkRoot(r, now)
		return false
	}
	w.rootVanished(r, now)
	// Already back (rm -rf and mkdir in quick succession)? anchorRoot sees
	// it and recovers at once.
	w.anchorRoot(r, now)
	return false
}

// checkRoots compares every root's path with the directory under watch.
func (w *Watcher) checkRoots(now time.Time) {
	for _, r := range w.roots {
		w.checkRoot(r, now)
	}
}

// checkRoot notices a root that was deleted or replaced without an event:
// the kernel reports a deleted directory (IN_DELETE_SELF) only when the
// last reference to it goes, and a process holding it open keeps it
// alive, its watch included, so the deletion and the tree created in its
// place go unseen. When the path names another directory, or none, the
// root is handled as vanished (its old watches are dropped), and recovered
// at once if it is back.
func (w *Watcher) checkRoot(r *root, now time.Time) {
	if r.missing || r.id == nil {
		return
	}
	fi, err := os.Stat(r.path)
	switch {
	case err == nil && fi.IsDir() && os.SameFile(fi, r.id):
		return
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		w.log.Debug("watch: cannot check root", "root", r.path, "err", err)
		return
	}
	w.log.Info("watch: root no longer names the directory under watch (deleted or replaced while held open)", "root", r.path)
	w.rootVanished(r, now)
	w.anchorRoot(r, now)
}

// rootVanished reports root r gone and forgets its watches.
func (w *Watcher) rootVanished(r *root, now time.Time) {
	w.log.Info("watch: root vanished, waiting for it to be re-created", "root", r.path)
	w.unwatchTree(r.path)
	if r.gitDir != "" {
		if _, ok := within(r.gitDir, r.path); ok {
			w.dropVCS(r.gitDir, now)
		}
	}
	r.missing, r.pollEvery = true, 0
	// Paths below the root waiting out Quiet are gone with it: no reason
	// to wait for them.
	for p, e := range w.pending {
		if _, ok := within(p, r.path); ok {
			e.hold = time.Time{}
		}
	}
	w.mark(r.path, stDir, false, false, now)
	w.emitEntries(func(e *entry) bool { return e.hold.IsZero() }, now)
}

// anchorRoot watches the nearest existing ancestor of the missing root r,
// so its re-creation is an event, or recovers r if it exists again. It runs
// whenever something changes on the way from the anchor to r. After each
// new watch it looks again: a mkdir that ran before the watch was in place
// is not an event.
func (w *Watcher) anchorRoot(r *root, now time.Time) {
	r.pollAt = time.Time{}
	for range 64 {
		if isDir(r.path) {
			w.recoverRoot(r, now)
			return
		}
		a := existingAncestor(r.path)
		if a != "" && a == r.anchor {
			r.pollEvery = 0
			return
		}
		if r.anchor != "" {
			w.unwatch(r.anchor, flagAnchor)
			r.anchor = ""
		}
		if a == "" {
			break
		}
		if err := w.watch(a, flagAnchor); err != nil {
			w.log.Debug("watch: cannot watch ancestor of vanished root, polling", "root", r.path, "dir", a, "err", err)
			break
		}
		r.anchor = a
	}
	// No watch possible: poll with bounded backoff.
	r.pollEvery = min(max(2*r.pollEvery, pollMin), pollMax)
	r.pollAt = now.Add(r.pollEvery)
}

func existingAncestor(p string) string {
	for d := filepath.Dir(p); ; d = filepath.Dir(d) {
		if isDir(d) {
			return d
		}
		if filepath.Dir(d) == d {
			return ""
		}
	}
}

// anchorEvent re-checks every missing root that p lies on the way to.
func (w *Watcher) anchorEvent(p string, op fsnotify.Op, now time.Time) {
	for _, r := range w.roots {
		if !r.missing {
			continue
		}
		if _, ok := within(r.path, p); !ok && p != r.anchor {
			continue
		}
		if p == r.anchor && (op.Has(fsnotify.Remove) || op.Has(fsnotify.Rename)) {
			// The anchor itself went: its watch is dead even if a new
			// directory of the same name is already there.
			w.unwatch(r.anchor, flagAnchor)
			r.anchor = ""
		}
		w.anchorRoot(r, now)
	}
}

// recoverRoot watches the re-created root r again and asks the consumer to
// rescan: what it holds now was never reported file by file.
func (w *Watcher) recoverRoot(r *root, now time.Time) {
	if r.anchor != "" {
		w.unwatch(r.anchor, flagAnchor)
	}
	r.missing, r.anchor, r.pollAt, r.pollEvery = false, "", time.Time{}, 0
	r.id, _ = os.Stat(r.path) // before the watch: see New
	switch err := w.watch(r.path, flagTree); {
	case err == nil:
		w.addTree(r.path, r, nil)
	case atLimit(err):
		w.pollDir(r.path, r, err, nil)
	default:
		w.log.Warn("watch: re-created root cannot be watched", "root", r.path, "err", err)
		// Try again later rather than give the root up.
		r.missing = true
		r.pollEvery = pollMax
		r.pollAt = now.Add(pollMax)
		return
	}
	w.setupVCS(r, now)
	w.log.Info("watch: root re-created", "root", r.path, "watches", w.Watches())
	w.requestRescan(fmt.Sprintf("root %s was re-created", r.path), now)
}
