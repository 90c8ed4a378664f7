package fswatch

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Polling: when a watch limit is reached (the kernel's
// fs.inotify.max_user_watches, or Options.MaxWatches), the directories
// that could not be watched are polled instead of refusing the tree. Each
// such directory is the top of a polled tree: everything below it is
// listed and stat'ed every Options.PollInterval and compared with the
// previous listing. A file created, changed (size, modification time,
// inode or type) or removed there is reported like an event would have
// been, so an edit is seen within one interval. At each poll the watcher
// also tries to watch the polled trees again (stopping at the first that
// still does not fit), so raising the limit ends the polling without a
// restart.

const defaultPollInterval = 2 * time.Second

// pollTree is one directory that could not be watched, and the state of
// everything below it at the last poll.
type pollTree struct {
	root *root
	snap map[string]pollSig
}

// pollSig is what a poll compares.
type pollSig struct {
	mode  fs.FileMode // type bits only
	size  int64
	mtime time.Time
	ino   uint64
}

func sigOf(fi fs.FileInfo) pollSig {
	s := pollSig{mode: fi.Mode().Type(), size: fi.Size(), mtime: fi.ModTime()}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		s.ino = st.Ino
	}
	if s.mode.IsDir() {
		// A directory's size and time change with its entries, which are
		// compared one by one.
		s.size, s.mtime = 0, time.Time{}
	}
	return s
}

func (s pollSig) state() fileState {
	switch {
	case s.mode.IsDir():
		return stDir
	case s.mode.IsRegular() && s.size == 0:
		return stEmpty
	}
	return stComplete
}

// Degraded says how a watcher falls short of watching everything.
type Degraded struct {
	// Polled is the number of directories polled instead of watched; 0
	// when every directory is watched (then the other fields are zero).
	Polled int
	// Limit is the limit that was reached: a sysctl (SysctlMaxWatches, or
	// user.max_inotify_watches in a user namespace that sets a lower one),
	// or LimitMaxWatches for Options.MaxWatches.
	Limit string
	// Value is the limit's value when it was reached (0 if unknown).
	Value int
	// Raise is a command that raises the kernel's limit ("" for
	// Options.MaxWatches).
	Raise string
	// Interval is Options.PollInterval.
	Interval time.Duration
}

// LimitMaxWatches is Degraded.Limit when Options.MaxWatches was reached.
const LimitMaxWatches = "max-watches"

// watchLimit is the limit of inotify watches that applies, and its
// sysctl: the kernel's per-user fs.inotify.max_user_watches, or the user
// namespace's user.max_inotify_watches when that is lower (rootless
// containers). A value of 0 is unknown.
func watchLimit() (name string, value int) {
	name, value = SysctlMaxWatches, readSysctl("fs/inotify/max_user_watches")
	if ns := readSysctl("user/max_inotify_watches"); ns > 0 && (value == 0 || ns < value) {
		return "user.max_inotify_watches", ns
	}
	return name, value
}

func readSysctl(name string) int {
	data, err := os.ReadFile("/proc/sys/" + name)
	if err != nil {
		return 0
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil {
		return 0
	}
	return n
}

// raiseCommand suggests a new value for a kernel limit: 524288 (what most
// distributions now default to), or double the current one above it.
func raiseCommand(sysctl string, value int) string {
	return fmt.Sprintf("sudo sysctl -w %s=%d", sysctl, max(524288, 2*value))
}

// Degraded reports whether part of the trees is polled, and why. Safe for
// concurrent use.
func (w *Watcher) Degraded() Degraded {
	w.degMu.Lock()
	defer w.degMu.Unlock()
	return w.deg
}

// pollDir polls dir, which could not be watched because of err (a limit),
// from now on. report, when set, gets every path below it, as addTree's
// walk would have.
func (w *Watcher) pollDir(dir string, r *root, err error, report func(string, fileState)) {
	snap := w.scanTree(dir, r)
	w.polls[dir] = &pollTree{root: r, snap: snap}
	if report != nil {
		for p, s := range snap {
			report(p, s.state())
		}
	}
	if w.degLimit == "" {
		w.degLimit, w.degValue = LimitMaxWatches, w.opts.MaxWatches
		if !errors.Is(err, ErrMaxWatches) {
			w.degLimit, w.degValue = watchLimit()
		}
		w.log.Warn("watch: watch limit reached; polling the directories that do not fit",
			"limit", w.degLimit, "value", w.degValue, "interval", w.opts.PollInterval, "dir", dir, "err", err)
	} else {
		w.log.Debug("watch: polling", "dir", dir)
	}
	if w.pollAt.IsZero() {
		w.pollAt = time.Now().Add(w.opts.PollInterval)
	}
	w.updateDegraded()
}

// scanTree lists everything below dir that is not ignored, without
// following symlinks.
func (w *Watcher) scanTree(dir string, r *root) map[string]pollSig {
	snap := make(map[string]pollSig)
	var walk func(string)
	walk = func(d string) {
		entries, err := os.ReadDir(d)
		if err != nil {
			return
		}
		for _, de := range entries {
			p := filepath.Join(d, de.Name())
			if w.ignored(p, r, de.IsDir()) {
				continue
			}
			fi, err := de.Info()
			if err != nil {
				continue // vanished since the listing
			}
			snap[p] = sigOf(fi)
			if de.IsDir() {
				walk(p)
			}
		}
	}
	walk(dir)
	return snap
}

// dropPolls stops polling dir and every polled tree below it (dir was
// removed or renamed away, or its root vanished).
func (w *Watcher) dropPolls(dir string) {
	changed := false
	for top := range w.polls {
		if _, ok := within(top, dir); ok {
			delete(w.polls, top)
			changed = true
		}
	}
	if changed {
		w.updateDegraded()
	}
}

// poll compares every polled tree with its last listing and reports the
// differences, after trying to watch it again.
func (w *Watcher) poll(now time.Time) {
	tops := make([]string, 0, len(w.polls))
	for top := range w.polls {
		tops = append(tops, top)
	}
	slices.Sort(tops)
	tryWatch := true
	found := false
	for _, top := range tops {
		pt := w.polls[top]
		if pt == nil {
			continue
		}
		if tryWatch {
			err := w.watch(top, flagTree)
			if err == nil {
				// It fits now: watch it (what does not fit below it is
				// polled afresh), then report what changed since the last
				// poll; what changes from now on is an event.
				delete(w.polls, top)
				w.addTree(top, pt.root, nil)
				found = w.diff(pt.snap, w.scanTree(top, pt.root), now) || found
				continue
			}
			if atLimit(err) {
				tryWatch = false
			}
		}
		cur := w.scanTree(top, pt.root)
		found = w.diff(pt.snap, cur, now) || found
		pt.snap = cur
	}
	if len(tops) > 0 && len(w.polls) == 0 {
		w.log.Info("watch: every directory is watched again; polling stopped")
	}
	w.updateDegraded()
	if found && !w.burst.on {
		w.emitReady(now)
	}
}

// diff marks what differs between two listings of a tree. Directories are
// reported when they appear or vanish; their contents are compared entry
// by entry.
func (w *Watcher) diff(old, cur map[string]pollSig, now time.Time) bool {
	found := false
	for p, s := range cur {
		if o, ok := old[p]; !ok || o != s {
			w.mark(p, s.state(), false, false, now)
			found = true
		}
	}
	for p := range old {
		if _, ok := cur[p]; !ok {
			w.mark(p, stMissing, false, false, now)
			found = true
		}
	}
	return found
}

// updateDegraded publishes the polling state for Degraded.
func (w *Watcher) updateDegraded() {
	n := 0
	for _, pt := range w.polls {
		n++ // the top
		for _, s := range pt.snap {
			if s.mode.IsDir() {
				n++
			}
		}
	}
	var d Degraded
	if n > 0 {
		d = Degraded{Polled: n, Limit: w.degLimit, Value: w.degValue, Interval: w.opts.PollInterval}
		if d.Limit != LimitMaxWatches {
			d.Raise = raiseCommand(d.Limit, d.Value)
		}
	} else {
		w.degLimit, w.degValue = "", 0
		w.pollAt = time.Time{}
	}
	w.degMu.Lock()
	w.deg = d
	w.degMu.Unlock()
}
