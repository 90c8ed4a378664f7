package fswatch

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/fsnotify/fsnotify"
)

// handleGroup handles events that were queued together, then emits at most
// one batch for all of them.
func (w *Watcher) handleGroup(group []fsnotify.Event, now time.Time) {
	emit := false
	for _, ev := range group {
		if w.handleEvent(ev, now) {
			emit = true
		}
	}
	w.events.Add(uint64(len(group)))
	if emit && !w.burst.on {
		w.emitReady(now)
	}
}

// handleEvent routes one raw event and reports whether it asks for a batch
// right away.
func (w *Watcher) handleEvent(ev fsnotify.Event, now time.Time) bool {
	name := filepath.Clean(ev.Name)
	dir := filepath.Dir(name)
	if w.fence != nil && dir == w.fence.dir {
		if ev.Has(fsnotify.Write) {
			w.fence.observe()
			if w.fence.idle() {
				clear(w.suppress)
			}
		}
		return false
	}
	afterRename := w.lastRename
	w.lastRename = ev.Op == fsnotify.Rename

	if l := w.vcs[dir]; l != nil {
		w.lockEvent(l, name, ev.Op, now)
		return false
	}
	if w.vcs[name] != nil && (ev.Has(fsnotify.Remove) || ev.Has(fsnotify.Rename)) {
		w.dropVCS(name, now)
	}
	w.anchorEvent(name, ev.Op, now)

	r := w.rootOf(name)
	if r == nil || r.missing {
		return false // outside the trees: an anchor's other children
	}
	if name == r.path {
		return w.rootEvent(r, ev.Op, now)
	}
	rel, _ := within(name, r.path)
	if builtinIgnored(rel) {
		if rel == ".git" && ev.Has(fsnotify.Create) && r.gitDir != name {
			// git init: from now on its lock marks bursts.
			if err := w.setupVCS(r, now); err != nil {
				w.logLimit(name, err)
			}
		}
		return false
	}
	if ev.Op == fsnotify.Chmod {
		return false // attributes only: content did not change
	}
	fi, statErr := os.Lstat(name)
	present := statErr == nil
	isDir := present && fi.IsDir()
	wasDir := w.dirs[name]&flagTree != 0
	if w.opts.Ignore != nil && w.opts.Ignore(name, isDir || (!present && wasDir)) {
		return false
	}
	if !isDir && !wasDir {
		if s, ok := w.suppress[name]; ok {
			if !w.fence.passed(s.fence) && now.Before(s.until) {
				return false // queued before the batch that reported it went out
			}
			delete(w.suppress, name)
		}
	}
	w.noteActivity(name, now)
	return w.apply(name, r, ev.Op, fi, statErr, wasDir, afterRename, now)
}

// apply updates the pending state of a relevant path from what it is now.
func (w *Watcher) apply(name string, r *root, op fsnotify.Op, fi fs.FileInfo, statErr error, wasDir, afterRename bool, now time.Time) bool {
	if wasDir && (op.Has(fsnotify.Remove) || op.Has(fsnotify.Rename) || statErr != nil || !fi.IsDir()) {
		// The watched directory went away (maybe replaced already): its
		// watches are stale.
		w.unwatchTree(name)
	}
	switch {
	case statErr == nil && fi.IsDir():
		if op == fsnotify.Create && w.walked[name] {
			// The walk of its parent found it after this event was
			// queued, and reported it then.
			delete(w.walked, name)
			return false
		}
		delete(w.walked, name)
		// A new directory: watch it, then list it, so a tree created
		// before the watch went in (mkdir -p a/b/c) is reported whole.
		if w.dirs[name]&flagTree == 0 {
			err := w.addTree(name, r, func(p string, st fileState) {
				w.mark(p, st, false, false, now)
			})
			if err != nil {
				w.logLimit(name, err)
			}
		}
		w.mark(name, stDir, false, false, now)
		return true
	case statErr != nil && wasDir:
		// A removed directory is news at once: nothing re-creates one as
		// part of a save.
		w.mark(name, stMissing, false, false, now)
		return true
	case statErr != nil:
		if !errors.Is(statErr, fs.ErrNotExist) {
			// Cannot tell (permissions): let the consumer look.
			w.log.Debug("watch: cannot stat", "path", name, "err", statErr)
			w.mark(name, stComplete, false, false, now)
			return true
		}
		// Removed or renamed away: maybe an editor about to write the new
		// version (vim, JetBrains). Wait for Quiet.
		w.mark(name, stMissing, true, w.isCreate(op, afterRename), now)
		return false
	case fi.Mode().IsRegular() && fi.Size() == 0:
		// Maybe truncated before a write: wait for the content, or Quiet.
		w.mark(name, stEmpty, true, w.isCreate(op, afterRename), now)
		return false
	}
	fresh := w.isCreate(op, afterRename)
	e := w.pending[name]
	if e != nil {
		fresh = e.fresh
	}
	if e != nil && !fresh && !w.burst.on && !e.hold.IsZero() && (e.state == stEmpty || e.writing) {
		// Seen empty, written now: an editor saving in place truncates and
		// then writes, maybe in more than one write a few ms apart. What is
		// there now may be half the file: wait until the writes stop for
		// Settle, each one extending the wait, at most MaxSettle after the
		// first event.
		e.state, e.writing = stComplete, true
		e.hold = now.Add(w.opts.Settle)
		if limit := e.first.Add(w.opts.MaxSettle); limit.Before(e.hold) {
			e.hold = limit
		}
		return false
	}
	if fresh {
		// New to the consumer, and maybe a temp file about to be renamed:
		// it goes out with the next batch or after Quiet.
		w.mark(name, stComplete, true, true, now)
		return false
	}
	w.mark(name, stComplete, false, false, now)
	return true
}

// isCreate: a plain create, as opposed to the new name of a rename (which
// may replace a file the consumer knows).
func (w *Watcher) isCreate(op fsnotify.Op, afterRename bool) bool {
	return op.Has(fsnotify.Create) && !afterRename
}
