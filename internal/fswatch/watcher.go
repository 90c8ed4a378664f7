package fswatch

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fsnotify/fsnotify"
)

// Batch is one coalesced set of changed paths.
type Batch struct {
	// Paths are absolute, clean, deduplicated and sorted: files or
	// directories written, created, removed or renamed. A directory path
	// stands for everything below it (a removed directory took its files
	// along; a created one is also walked and its contents listed). Paths
	// say where to look, not what happened: read the file system to learn
	// the current state.
	Paths []string
	// Rescan: events were lost (queue overflow, root re-created); the
	// consumer must rescan everything. Paths may still list what is known.
	Rescan bool
	// Reason says why Rescan is set, a sentence.
	Reason string
	// First is when the first raw event of this batch arrived, for latency
	// accounting.
	First time.Time
}

// Options tune a Watcher. The zero value is ready to use.
type Options struct {
	// Ignore is an extra ignore rule, called with absolute paths. Always
	// ignored in addition: node_modules, .git, dist, coverage (as any path
	// component below a root) and editor scratch files (vim `*~`, `.*.swp`,
	// `.*.swx`, `4913`; JetBrains `*___jb_tmp___`, `*___jb_old___`; emacs
	// `.#*`, `#*#`). An ignored directory is not watched at all.
	Ignore func(path string, isDir bool) bool
	// Quiet is how long a suspicious path (missing, empty, or newly
	// created) waits for a follow-up event before it is reported. Default
	// 50ms.
	Quiet time.Duration
	// Settle is the idle time that ends a burst, and that ends a save
	// written in place after the file was seen empty. Default 30ms.
	Settle time.Duration
	// MaxSettle bounds how long a burst is gathered before a batch goes out
	// anyway. Default 250ms; while a VCS lock is held it is extended up to
	// 5s.
	MaxSettle time.Duration
	// Backend is the event source; nil means a real fsnotify watcher.
	Backend Backend
	// Logger receives debug logs for skipped paths and warnings for backend
	// errors; nil discards them.
	Logger *slog.Logger
}

const (
	defaultQuiet     = 50 * time.Millisecond
	defaultSettle    = 30 * time.Millisecond
	defaultMaxSettle = 250 * time.Millisecond
	// lockMax bounds a burst gathered under a VCS lock, and is also the age
	// after which a lock file counts as stale (left by a crashed git).
	lockMax = 5 * time.Second
	// burstPaths distinct paths within Settle switch to burst mode.
	burstPaths = 8
	// rescanBackoff: at most one rescan batch per period.
	rescanBackoff = 100 * time.Millisecond
	// batchBuffer is the capacity of the Batches channel.
	batchBuffer = 64
	// maxGroup bounds how many queued events are handled before the
	// watcher looks at timers and the consumer again.
	maxGroup = 4096
	// suppressFor bounds a fence suppression in case its fence is lost.
	suppressFor = 2 * time.Second
	// Polling for a vanished root whose ancestors cannot be watched.
	pollMin = 100 * time.Millisecond
	pollMax = 5 * time.Second
)

// Stats are counters for `hmrd status` and tests.
type Stats struct {
	Watches   int    // directories under watch in the project trees
	Events    uint64 // raw events handled
	Batches   uint64 // batches handed to the consumer
	Rescans   uint64 // rescan batches among them
	Overflows uint64 // event queue overflows reported by the backend
	Errors    uint64 // other backend errors (logged, never fatal)
}

// Watcher turns one project's file events into Batches. See the package
// documentation for ordering and backpressure.
type Watcher struct {
	opts    Options
	log     *slog.Logger
	backend Backend
	batches chan Batch
	done    chan struct{}
	exited  chan struct{}
	// inspect runs a function on the owner goroutine: tests use it to look
	// at the state without racing it.
	inspect chan func()

	closeOnce sync.Once
	closeErr  error

	watches   atomic.Int64
	events    atomic.Uint64
	sent      atomic.Uint64
	rescans   atomic.Uint64
	overflows atomic.Uint64
	errs      atomic.Uint64

	// Everything below is owned by the run goroutine (and by New before it
	// starts it).
	roots    []*root
	dirs     map[string]dirFlags        // every directory with a backend watch, and why
	children map[string]map[string]bool // tree directory → watched tree subdirectories
	// walked: directories a run-time walk found and reported. Their own
	// Create event, when it comes (mkdir -p raced the walk), is old news.
	walked   map[string]bool
	vcs      map[string]*vcsLock    // VCS directory → lock state
	fence    *fence                 // nil: no suppression (fake backends)
	suppress map[string]suppression // emitted path → fence that ends its suppression
	pending  map[string]*entry      // paths not yet in a batch
	burst    burstState
	win      window
	rescan   rescanState
	out      *outBatch // emitted, not yet accepted by the consumer
	// lastRename: the previous raw event was a bare Rename, so a Create
	// now is the other half of a rename (the new name) rather than a new
	// file. inotify queues both halves of a rename back to back.
	lastRename bool
}

type dirFlags uint8

const (
	flagTree   dirFlags = 1 << iota // a directory of a project tree
	flagVCS                         // a VCS directory, watched for its lock
	flagAnchor                      // nearest existing ancestor of a vanished root
)

// fileState is what the last stat of a pending path found.
type fileState uint8

const (
	stMissing  fileState = iota
	stEmpty              // a regular file of size 0: maybe truncated before a write
	stComplete           // anything else that exists
	stDir
)

// entry is a path waiting for a batch.
type entry struct {
	first time.Time // arrival of its first event since it was last reported
	state fileState
	// fresh: the first event was a plain create, so the consumer has never
	// heard of this path. A fresh file may be an atomic-save temp file that
	// is about to be renamed over the real one: it waits for Quiet, and when
	// the real file goes out, fresh paths go along with it.
	fresh bool
	// writing: the file was seen empty (truncated) and has content now:
	// an in-place save in progress, whose further writes may follow. It
	// waits until the writes stop for Settle (see Watcher.apply).
	writing bool
	hold    time.Time // quiet deadline; zero: ready for the next batch
}

type suppression struct {
	fence uint64
	until time.Time
}

type burstState struct {
	on       bool
	start    time.Time // when gathering began
	last     time.Time // last relevant event
	lockGone time.Time // last time a VCS lock went away
	locked   bool      // a VCS lock was held during this burst
}

// window counts distinct paths seen within Settle of the first of them.
type window struct {
	start time.Time
	paths map[string]bool
}

type rescanState struct {
	pending bool
	reasons []string
	first   time.Time
	last    time.Time // when the last rescan batch was emitted
}

type outBatch struct {
	paths   map[string]bool
	rescan  bool
	reasons []string
	first   time.Time
	built   *Batch
}

func (o *outBatch) batch() Batch {
	if o.built == nil {
		b := Batch{Rescan: o.rescan, Reason: strings.Join(o.reasons, "; "), First: o.first}
		b.Paths = make([]string, 0, len(o.paths))
		for p := range o.paths {
			b.Paths = append(b.Paths, p)
		}
		sort.Strings(b.Paths)
		o.built = &b
	}
	return *o.built
}

// New watches roots (directories) recursively, honouring the ignore rules,
// and returns once every watch is in place: any change made after New
// returns is reported. A root that is missing, not a directory or cannot be
// watched is an error, as is running out of inotify watches or instances
// (the error names the sysctl to raise).
func New(roots []string, opts Options) (*Watcher, error) {
	if len(roots) == 0 {
		return nil, errors.New("watch: no roots")
	}
	if opts.Quiet <= 0 {
		opts.Quiet = defaultQuiet
	}
	if opts.Settle <= 0 {
		opts.Settle = defaultSettle
	}
	if opts.MaxSettle <= 0 {
		opts.MaxSettle = defaultMaxSettle
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	paths, err := cleanRoots(roots)
	if err != nil {
		return nil, err
	}
	backend := opts.Backend
	if backend == nil {
		if backend, err = newFsnotifyBackend(); err != nil {
			return nil, err
		}
	}
	w := &Watcher{
		opts:     opts,
		log:      log,
		backend:  backend,
		batches:  make(chan Batch, batchBuffer),
		done:     make(chan struct{}),
		exited:   make(chan struct{}),
		inspect:  make(chan func()),
		dirs:     make(map[string]dirFlags),
		children: make(map[string]map[string]bool),
		walked:   make(map[string]bool),
		vcs:      make(map[string]*vcsLock),
		suppress: make(map[string]suppression),
		pending:  make(map[string]*entry),
		win:      window{paths: make(map[string]bool)},
	}
	for _, p := range paths {
		w.roots = append(w.roots, &root{path: p})
	}
	for _, r := range w.roots {
		if err := w.watch(r.path, flagTree); err != nil {
			backend.Close()
			return nil, err
		}
		if err := w.addTree(r.path, r, nil); err != nil {
			backend.Close()
			return nil, err
		}
		if err := w.setupVCS(r, time.Now()); err != nil {
			backend.Close()
			return nil, err
		}
	}
	if opts.Backend == nil {
		if f, err := newFence(backend); err != nil {
			log.Debug("watch: no fence, duplicate batches possible", "err", err)
		} else {
			w.fence = f
		}
	}
	go w.run()
	return w, nil
}

// cleanRoots makes roots absolute and clean, checks they are directories
// (a symlink to one is fine), and drops roots nested in other roots.
func cleanRoots(roots []string) ([]string, error) {
	var out []string
	for _, r := range roots {
		abs, err := filepath.Abs(r)
		if err != nil {
			return nil, fmt.Errorf("watch %s: %w", r, err)
		}
		fi, err := os.Stat(abs)
		if err != nil {
			return nil, fmt.Errorf("watch %s: %w", abs, err)
		}
		if !fi.IsDir() {
			return nil, fmt.Errorf("watch %s: not a directory", abs)
		}
		out = append(out, abs)
	}
	sort.Slice(out, func(i, j int) bool { return len(out[i]) < len(out[j]) })
	var kept []string
	for _, r := range out {
		nested := false
		for _, k := range kept {
			if _, ok := within(r, k); ok {
				nested = true
				break
			}
		}
		if !nested {
			kept = append(kept, r)
		}
	}
	return kept, nil
}

// within returns p relative to dir (slash-separated, "" for dir itself) and
// whether p is dir or below it.
func within(p, dir string) (string, bool) {
	if p == dir {
		return "", true
	}
	prefix := dir
	if !strings.HasSuffix(prefix, string(filepath.Separator)) {
		prefix += string(filepath.Separator)
	}
	if strings.HasPrefix(p, prefix) {
		return filepath.ToSlash(p[len(prefix):]), true
	}
	return "", false
}

// Batches delivers the batches in order. It is closed after Close.
func (w *Watcher) Batches() <-chan Batch { return w.batches }

// Watches is the number of project directories under watch.
func (w *Watcher) Watches() int { return int(w.watches.Load()) }

// Stats returns the watcher's counters.
func (w *Watcher) Stats() Stats {
	return Stats{
		Watches:   w.Watches(),
		Events:    w.events.Load(),
		Batches:   w.sent.Load(),
		Rescans:   w.rescans.Load(),
		Overflows: w.overflows.Load(),
		Errors:    w.errs.Load(),
	}
}

// Close stops the watcher, closes the backend and then Batches. Batches
// already in the channel can still be received; a merged batch that did
// not fit is dropped. Close may be called more than once.
func (w *Watcher) Close() error {
	w.closeOnce.Do(func() {
		close(w.done)
		<-w.exited
		w.closeErr = w.backend.Close()
		if w.fence != nil {
			w.fence.close()
		}
	})
	return w.closeErr
}

// run is the one goroutine that owns the watcher's state.
func (w *Watcher) run() {
	defer close(w.exited)
	defer close(w.batches)
	events, errs := w.backend.Events(), w.backend.Errors()
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	group := make([]fsnotify.Event, 0, 64)
	for {
		var sendC chan<- Batch
		var next Batch
		if w.out != nil {
			sendC, next = w.batches, w.out.batch()
		}
		if d := w.nextDeadline(); d.IsZero() {
			timer.Stop()
		} else {
			timer.Reset(time.Until(d))
		}
		select {
		case <-w.done:
			return
		case ev, ok := <-events:
			if !ok {
				w.log.Error("watch: backend closed its event channel; no more changes will be seen")
				events = nil
				continue
			}
			// Take whatever else is already queued, so that a whole save
			// sequence is judged at once.
			group = append(group[:0], ev)
		drain:
			for len(group) < maxGroup {
				select {
				case ev, ok := <-events:
					if !ok {
						break drain
					}
					group = append(group, ev)
				default:
					break drain
				}
			}
			w.handleGroup(group, time.Now())
		case err, ok := <-errs:
			if !ok {
				errs = nil
				continue
			}
			w.handleError(err, time.Now())
		case sendC <- next:
			w.delivered(next)
		case <-timer.C:
			w.onTimer(time.Now())
		case f := <-w.inspect:
			f()
		}
	}
}

func (w *Watcher) delivered(b Batch) {
	w.out = nil
	w.sent.Add(1)
	if b.Rescan {
		w.rescans.Add(1)
	}
}

func (w *Watcher) handleError(err error, now time.Time) {
	if errors.Is(err, fsnotify.ErrEventOverflow) {
		w.overflows.Add(1)
		w.log.Warn("watch: event queue overflowed, rescanning", "err", err)
		if w.fence != nil {
			w.fence.resync()
		}
		clear(w.suppress)
		w.requestRescan("inotify event queue overflowed", now)
		return
	}
	w.errs.Add(1)
	w.log.Warn("watch: backend error", "err", err)
}

// nextDeadline is the earliest time onTimer has work, or zero.
func (w *Watcher) nextDeadline() time.Time {
	var d time.Time
	earlier := func(t time.Time) {
		if !t.IsZero() && (d.IsZero() || t.Before(d)) {
			d = t
		}
	}
	if w.burst.on {
		// Nothing waits on its own timer in a burst (enterBurst), and a
		// burst may hold many thousands of paths: skip the scan.
		earlier(w.burstDeadline(time.Now()))
	} else {
		for _, e := range w.pending {
			earlier(e.hold)
		}
	}
	if w.rescan.pending {
		earlier(w.rescan.last.Add(rescanBackoff))
	}
	for _, r := range w.roots {
		if r.missing {
			earlier(r.pollAt)
		}
	}
	return d
}

func (w *Watcher) onTimer(now time.Time) {
	for _, r := range w.roots {
		if r.missing && !r.pollAt.IsZero() && !now.Before(r.pollAt) {
			w.anchorRoot(r, now)
		}
	}
	if w.rescan.pending && !now.Before(w.rescan.last.Add(rescanBackoff)) {
		w.emitRescan(now)
	}
	if w.burst.on {
		if now.Before(w.burstDeadline(now)) {
			return
		}
		w.emitEntries(func(*entry) bool { return true }, now)
		if !w.lockHeld(now) && !now.Before(later(w.burst.last, w.burst.lockGone).Add(w.opts.Settle)) {
			w.burst = burstState{lockGone: w.burst.lockGone}
		} else {
			// MaxSettle cut a long burst: keep gathering the rest.
			w.burst.start, w.burst.locked = now, w.lockHeld(now)
		}
		return
	}
	expired := false
	for _, e := range w.pending {
		if !e.hold.IsZero() && !now.Before(e.hold) {
			e.hold = time.Time{}
			expired = true
		}
	}
	if expired {
		w.emitReady(now)
	}
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// burstDeadline is when the current burst's batch goes out.
func (w *Watcher) burstDeadline(now time.Time) time.Time {
	b := &w.burst
	limit := w.opts.MaxSettle
	if b.locked {
		limit = max(limit, lockMax)
	}
	maxAt := b.start.Add(limit)
	if w.lockHeld(now) {
		// Gather until the lock goes, or goes stale.
		at := maxAt
		for _, l := range w.vcs {
			if l.held(now) && l.since.Add(lockMax).Before(at) {
				at = l.since.Add(lockMax)
			}
		}
		return at
	}
	idle := later(b.last, b.lockGone).Add(w.opts.Settle)
	if idle.Before(maxAt) {
		return idle
	}
	return maxAt
}

// enterBurst switches to settle mode: everything pending waits for the end
// of the burst, and suspicious paths stop waiting on their own timers.
func (w *Watcher) enterBurst(now time.Time) {
	if w.lockHeld(now) {
		w.burst.locked = true
	}
	if w.burst.on {
		return
	}
	w.burst.on, w.burst.start, w.burst.last = true, now, now
	for _, e := range w.pending {
		e.hold = time.Time{}
	}
	clear(w.win.paths)
}

// noteActivity feeds burst detection with one relevant path.
func (w *Watcher) noteActivity(name string, now time.Time) {
	if w.lockHeld(now) {
		w.enterBurst(now)
	}
	if w.burst.on {
		w.burst.last = now
		return
	}
	if now.Sub(w.win.start) > w.opts.Settle {
		w.win.start = now
		clear(w.win.paths)
	}
	w.win.paths[name] = true
	if len(w.win.paths) >= burstPaths {
		w.enterBurst(now)
	}
}

// mark records that name needs reporting. hold asks for a quiet wait
// (ignored in a burst); freshIfNew applies when name was not pending.
func (w *Watcher) mark(name string, state fileState, hold, freshIfNew bool, now time.Time) {
	e := w.pending[name]
	if e == nil {
		e = &entry{first: now, fresh: freshIfNew}
		w.pending[name] = e
	} else if e.hold.IsZero() {
		// Already decided: it goes out with the next batch as it is.
		e.state = state
		return
	}
	e.state = state
	if hold && !w.burst.on {
		e.hold = now.Add(w.opts.Quiet)
	} else {
		e.hold = time.Time{}
	}
}

// emitReady sends the paths that are ready, together with fresh paths that
// exist complete or already vanished again (temp files of an atomic save go
// out with the file they were renamed to, never alone).
func (w *Watcher) emitReady(now time.Time) {
	ready := false
	for _, e := range w.pending {
		if e.hold.IsZero() {
			ready = true
			break
		}
	}
	if !ready {
		return
	}
	w.emitEntries(func(e *entry) bool {
		return e.hold.IsZero() || (e.fresh && e.state != stEmpty)
	}, now)
}

// emitEntries moves the pending entries that pass take into a batch.
func (w *Watcher) emitEntries(take func(*entry) bool, now time.Time) {
	var paths, files []string
	var first time.Time
	for p, e := range w.pending {
		if !take(e) {
			continue
		}
		delete(w.pending, p)
		paths = append(paths, p)
		if e.state != stDir {
			files = append(files, p)
		}
		if first.IsZero() || e.first.Before(first) {
			first = e.first
		}
	}
	w.emit(paths, files, false, "", first, now)
}

// requestRescan asks for a rescan batch, at most one per rescanBackoff;
// requests in between fold into the next one.
func (w *Watcher) requestRescan(reason string, now time.Time) {
	r := &w.rescan
	if !slices.Contains(r.reasons, reason) {
		r.reasons = append(r.reasons, reason)
	}
	if !r.pending {
		r.pending, r.first = true, now
	}
	if r.last.IsZero() || !now.Before(r.last.Add(rescanBackoff)) {
		w.emitRescan(now)
	}
}

// emitRescan sends the rescan batch with every pending path: a rescan
// covers them, but listing them costs nothing and loses nothing.
func (w *Watcher) emitRescan(now time.Time) {
	r := &w.rescan
	first := r.first
	var paths []string
	for p, e := range w.pending {
		paths = append(paths, p)
		if e.first.Before(first) {
			first = e.first
		}
	}
	clear(w.pending)
	w.emit(paths, nil, true, strings.Join(r.reasons, "; "), first, now)
	*r = rescanState{last: now}
}

// emit merges a batch into the outgoing one and tries to hand it over
// without blocking. A consumer that is behind gets one larger batch later
// instead of stalling the event reader.
func (w *Watcher) emit(paths, files []string, rescan bool, reason string, first, now time.Time) {
	if len(paths) == 0 && !rescan {
		return
	}
	if w.out == nil {
		w.out = &outBatch{paths: make(map[string]bool, len(paths)), first: first}
	}
	o := w.out
	o.built = nil
	for _, p := range paths {
		o.paths[p] = true
	}
	if rescan {
		o.rescan = true
		for _, r := range strings.Split(reason, "; ") {
			if !slices.Contains(o.reasons, r) {
				o.reasons = append(o.reasons, r)
			}
		}
	}
	if !first.IsZero() && (o.first.IsZero() || first.Before(o.first)) {
		o.first = first
	}
	if w.fence != nil && len(files) > 0 {
		if n := w.fence.next(); n > 0 {
			if len(w.suppress) > 1<<16 {
				clear(w.suppress) // only costs duplicates
			}
			for _, p := range files {
				w.suppress[p] = suppression{fence: n, until: now.Add(suppressFor)}
			}
		}
	}
	b := o.batch()
	select {
	case w.batches <- b:
		w.delivered(b)
	default:
	}
}
