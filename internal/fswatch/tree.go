package fswatch

import (
	"fmt"
	"os"
	"path/filepath"
)

// watch adds a backend watch on dir for reason flag. A directory already
// watched for another reason shares the one watch.
func (w *Watcher) watch(dir string, flag dirFlags) error {
	if f, ok := w.dirs[dir]; ok {
		w.dirs[dir] = f | flag
		w.addTreeFlag(dir, f, flag)
		return nil
	}
	if flag&flagTree != 0 && w.opts.MaxWatches > 0 && w.Watches() >= w.opts.MaxWatches {
		return fmt.Errorf("watch %s: %w", dir, ErrMaxWatches)
	}
	if err := w.backend.Add(dir); err != nil {
		return watchError(dir, err)
	}
	w.dirs[dir] = flag
	w.addTreeFlag(dir, 0, flag)
	return nil
}

func (w *Watcher) addTreeFlag(dir string, old, flag dirFlags) {
	if flag&flagTree == 0 || old&flagTree != 0 {
		return
	}
	w.watches.Add(1)
	parent := filepath.Dir(dir)
	if w.dirs[parent]&flagTree != 0 {
		if w.children[parent] == nil {
			w.children[parent] = make(map[string]bool)
		}
		w.children[parent][dir] = true
	}
}

// unwatch drops reason flag for dir, and the backend watch with the last
// reason. A watch the kernel already dropped (directory deleted) makes
// Remove fail; that is expected.
func (w *Watcher) unwatch(dir string, flag dirFlags) {
	f, ok := w.dirs[dir]
	if !ok || f&flag == 0 {
		return
	}
	if flag&flagTree != 0 {
		w.watches.Add(-1)
		delete(w.children[filepath.Dir(dir)], dir)
		delete(w.walked, dir)
	}
	if f &^= flag; f != 0 {
		w.dirs[dir] = f
		return
	}
	delete(w.dirs, dir)
	if err := w.backend.Remove(dir); err != nil {
		w.log.Debug("watch: remove", "dir", dir, "err", err)
	}
}

// unwatchTree drops the tree watches of dir and every directory below it,
// and stops polling there. It runs when dir was removed or renamed away: a
// renamed directory's watches would otherwise go on reporting its contents
// under the old name, and fsnotify would hand the stale watch back when the
// new name is added.
func (w *Watcher) unwatchTree(dir string) {
	w.dropPolls(dir)
	w.unwatchSubtree(dir)
}

func (w *Watcher) unwatchSubtree(dir string) {
	for child := range w.children[dir] {
		w.unwatchSubtree(child)
	}
	delete(w.children, dir)
	w.unwatch(dir, flagTree)
}

// addTree watches dir and, recursively, every directory below it that is
// not ignored, then lists it: the watch goes in first, so a file created
// while the walk runs is seen either by the walk or by the watch. report,
// when set, gets every path found. Symlinked directories are not followed
// (no loops, no escaping the tree). Directories that vanish, cannot be read
// or cannot be watched are skipped, except that a directory beyond a watch
// limit is polled (see poll.go).
func (w *Watcher) addTree(dir string, r *root, report func(path string, st fileState)) {
	if err := w.watch(dir, flagTree); err != nil {
		if atLimit(err) {
			w.pollDir(dir, r, err, report)
			return
		}
		w.log.Debug("watch: skip directory", "dir", dir, "err", err)
		return
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		w.log.Debug("watch: skip unreadable directory", "dir", dir, "err", err)
		return
	}
	for _, de := range entries {
		p := filepath.Join(dir, de.Name())
		if w.ignored(p, r, de.IsDir()) {
			continue
		}
		if !de.IsDir() {
			if report != nil {
				report(p, stComplete)
			}
			continue
		}
		if report != nil {
			report(p, stDir)
		}
		w.addTree(p, r, report)
		if report != nil && w.dirs[p]&flagTree != 0 {
			w.walked[p] = true
		}
	}
}

// ignored applies the built-in rules (relative to the root) and the
// caller's rule.
func (w *Watcher) ignored(p string, r *root, isDir bool) bool {
	rel, ok := within(p, r.path)
	if !ok {
		return true
	}
	if rel != "" && builtinIgnored(rel) {
		return true
	}
	return w.opts.Ignore != nil && w.opts.Ignore(p, isDir)
}
