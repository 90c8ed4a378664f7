package fswatch

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"
)

// vcsLock is the state of one repository's index.lock. git holds it for
// the whole of a checkout, merge, rebase step or stash, so while it exists a
// burst is under way and its batch waits for the lock to go.
type vcsLock struct {
	dir     string
	present bool
	since   time.Time
	warned  bool
}

// held reports whether the lock counts: present and younger than lockMax.
// An older one was left behind by a git that died; honouring it would delay
// every save by lockMax.
func (l *vcsLock) held(now time.Time) bool {
	return l.present && now.Sub(l.since) < lockMax
}

func (w *Watcher) lockHeld(now time.Time) bool {
	for _, l := range w.vcs {
		if l.held(now) {
			return true
		}
		if l.present && !l.warned {
			l.warned = true
			w.log.Warn("watch: ignoring stale VCS lock", "path", filepath.Join(l.dir, "index.lock"), "age", now.Sub(l.since).Round(time.Millisecond))
		}
	}
	return false
}

// gitDir finds the repository directory for root: the .git of root or of
// its nearest ancestor that has one, following a `gitdir:` file (worktrees,
// submodules).
func gitDir(root string) string {
	for d := root; ; {
		p := filepath.Join(d, ".git")
		if fi, err := os.Lstat(p); err == nil {
			if fi.IsDir() {
				return p
			}
			if fi.Mode().IsRegular() {
				if data, err := os.ReadFile(p); err == nil {
					if s, ok := strings.CutPrefix(strings.TrimSpace(string(data)), "gitdir:"); ok {
						g := strings.TrimSpace(s)
						if !filepath.IsAbs(g) {
							g = filepath.Join(d, g)
						}
						return filepath.Clean(g)
					}
				}
			}
			return ""
		}
		parent := filepath.Dir(d)
		if parent == d {
			return ""
		}
		d = parent
	}
}

// setupVCS watches root's repository directory, not recursively, only to
// see index.lock come and go. No repository is fine, and so is a
// repository that cannot be watched (bursts are then detected by rate
// only).
func (w *Watcher) setupVCS(r *root, now time.Time) {
	g := gitDir(r.path)
	if g == "" {
		r.gitDir = ""
		return
	}
	r.gitDir = g
	if w.vcs[g] != nil {
		return
	}
	if err := w.watch(g, flagVCS); err != nil {
		level := slog.LevelDebug
		if atLimit(err) {
			level = slog.LevelWarn
		}
		w.log.Log(context.Background(), level, "watch: cannot watch VCS directory, bursts detected by rate only", "dir", g, "err", err)
		return
	}
	l := &vcsLock{dir: g}
	if fi, err := os.Lstat(filepath.Join(g, "index.lock")); err == nil {
		// Its age is the file's: a lock left long ago is stale at once.
		l.present, l.since = true, fi.ModTime()
		if l.since.After(now) {
			l.since = now
		}
	}
	w.vcs[g] = l
}

// dropVCS forgets repository directory g (it was removed).
func (w *Watcher) dropVCS(g string, now time.Time) {
	if l := w.vcs[g]; l != nil && l.held(now) {
		w.burst.lockGone = now
	}
	delete(w.vcs, g)
	w.unwatch(g, flagVCS)
	for _, r := range w.roots {
		if r.gitDir == g {
			r.gitDir = ""
		}
	}
}

// lockEvent handles an event in a watched VCS directory.
func (w *Watcher) lockEvent(l *vcsLock, name string, op fsnotify.Op, now time.Time) {
	if filepath.Base(name) != "index.lock" {
		return
	}
	switch {
	case op.Has(fsnotify.Remove) || op.Has(fsnotify.Rename):
		if l.present {
			l.present, l.warned = false, false
			w.burst.lockGone = now
		}
	case op.Has(fsnotify.Create):
		l.present, l.since, l.warned = true, now, false
		w.enterBurst(now)
	}
}
