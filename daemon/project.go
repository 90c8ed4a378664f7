package daemon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hmrd/hmrd/internal/broadcast"
	"github.com/hmrd/hmrd/internal/engine"
	"github.com/hmrd/hmrd/internal/fswatch"
	"github.com/hmrd/hmrd/internal/graph/propagate"
	"github.com/hmrd/hmrd/internal/signal"
	"github.com/hmrd/hmrd/internal/vfs"
)

// errProjectStopped: the project was removed (or the daemon is stopping)
// while a request for it waited.
var errProjectStopped = errors.New("project stopped")

// project is one watched tree. Its goroutine (run) is the only one that
// touches eng; everything else sends it closures through reqs and waits
// for the answer, so the graph needs no locks (docs/design.md#ownership).
type project struct {
	name string
	root string
	log  *slog.Logger
	hub  *broadcast.Hub
	eng  *engine.Project
	opts engine.Options
	w    *fswatch.Watcher
	// quiet is how long a batch whose only news is parse errors holds the
	// project's errors back, waiting for a follow-up write: editors that
	// write in several steps must not flash an error overlay
	// (docs/design.md#the-parse-error-hold).
	quiet time.Duration
	// holding is set while a parse-error hold is on: the hub's standing
	// errors then lag the engine's. errorsDirty is set while they may
	// differ (the engine reported a change not yet published). Both are
	// owned by the project goroutine.
	holding     bool
	errorsDirty bool
	// entryGrace is how long a subscription's entries outlive it.
	entryGrace time.Duration

	// regs are the bundler registrations; held the batches waiting for
	// rebuild gates (or behind one that does), oldest first; batchN numbers
	// the batches; the gate timer fires at the first held batch's earliest
	// gate timeout (bundler.go). All owned by the project goroutine.
	regs      []*registration
	held      []*heldBatch
	batchN    uint64
	gateTimer *time.Timer
	gateC     <-chan time.Time

	reqs chan func()
	done chan struct{}
	stop context.CancelFunc

	// onPaths, when set, is told the paths of every batch after it is
	// published (the dev server, whose dependency bundle depends on the
	// lockfile); it must not block.
	onPaths atomic.Pointer[func([]string)]

	// stats are read by Status from other goroutines.
	mu        sync.Mutex
	stats     engine.Stats
	latencies []time.Duration // ring of recent save → publish latencies
	latNext   int
	lastLat   time.Duration
	watches   int
}

const latencyWindow = 64

// parseErrorQuiet is Config.ParseErrorHold's default: DefaultParseErrorHold,
// unless a test sets it (docs/design.md#the-parse-error-hold).
var parseErrorQuiet = DefaultParseErrorHold

// batchApplied, when set (by tests), is called on the project goroutine
// after each batch of file changes is applied.
var batchApplied func(project string)

// openProject starts watching, then builds the graph; the caller runs run.
// Watching first means an edit made while the graph is being built is not
// lost: its batch waits in the watcher and is applied by run (content
// hashes make it a no-op when the scan already read the new content).
func openProject(name, root string, opts engine.Options, wopts fswatch.Options, quiet time.Duration, hub *broadcast.Hub, log *slog.Logger) (*project, error) {
	opts.Root = root
	p := &project{
		name:  name,
		root:  root,
		log:   log.With("project", name),
		hub:   hub,
		opts:  opts,
		quiet: quiet,
		reqs:  make(chan func()),
		done:  make(chan struct{}),

		entryGrace: entryGrace,
	}
	userIgnore := wopts.Ignore
	wopts.Ignore = func(path string, isDir bool) bool {
		if isDir && opts.Ignored(path+"/x") {
			return true
		}
		if !isDir && opts.Ignored(path) {
			return true
		}
		return userIgnore != nil && userIgnore(path, isDir)
	}
	if wopts.Logger == nil {
		wopts.Logger = p.log
	}
	roots := append([]string{root}, opts.WatchedRoots...)
	w, err := fswatch.New(roots, wopts)
	if err != nil {
		return nil, fmt.Errorf("watch project %s: %w", root, err)
	}
	var (
		eng  *engine.Project
		plan *engine.Plan
	)
	// The entries a person named must exist; a rescan later tolerates one
	// that is gone for a moment.
	strict := opts
	strict.RequireEntries = true
	duringBuild(func() { eng, plan, err = engine.Open(vfs.OS{}, strict) })
	if err != nil {
		w.Close()
		return nil, err
	}
	p.eng = eng
	p.w = w
	hub.AddProject(name, root, signalErrors(eng.Errors())...)
	p.logOpened(plan)
	p.refreshStats()
	p.log.Info("project open", "root", root, "modules", p.stats.Modules, "entries", p.stats.Entries, "watches", w.Watches())
	return p, nil
}

// run owns the project until ctx ends or the project is removed.
func (p *project) run(ctx context.Context) {
	defer close(p.done)
	defer p.w.Close()
	// While errors are held, nothing about errors is published: the hub's
	// standing errors lag the engine's until the hold ends, and then one
	// syncErrorsNow publishes the difference, every file's errors included.
	var (
		heldFirst  time.Time // the first file event of the first held batch
		quietTimer *time.Timer
		quietC     <-chan time.Time
	)
	endHold := func() {
		p.holding, quietC = false, nil
		if quietTimer != nil {
			quietTimer.Stop()
		}
	}
	for {
		select {
		case <-ctx.Done():
			return
		case fn := <-p.reqs:
			fn()
		case <-p.gateC:
			p.drainHeld()
		case <-quietC:
			endHold()
			p.publishErrors(heldFirst)
		case b, ok := <-p.w.Batches():
			if !ok {
				return
			}
			first := b.First
			if first.IsZero() {
				first = time.Now()
			}
			if b.Rescan {
				endHold()
				p.rescan(b.Reason, first)
				continue
			}
			plan := p.eng.Apply(b.Paths)
			if batchApplied != nil {
				batchApplied(p.name)
			}
			p.logWarnings(plan)
			p.noteErrors(plan)
			switch {
			case plan.Empty():
				// No news (an identical write, a file nothing live
				// imports): a hold goes on as it was.
				p.refreshStats()
				continue
			case onlyParseErrors(plan):
				// A write that does not parse may be half of a save: hold
				// the errors back; a following batch decides.
				if !p.holding {
					p.holding, heldFirst = true, first
				}
				if quietTimer == nil {
					quietTimer = time.NewTimer(p.quiet)
				} else {
					quietTimer.Reset(p.quiet)
				}
				quietC = quietTimer.C
				continue
			}
			endHold()
			p.publish(plan, first)
			if f := p.onPaths.Load(); f != nil {
				(*f)(b.Paths)
			}
		}
	}
}

// onlyParseErrors: the plan's only news is new or changed parse errors.
func onlyParseErrors(plan *engine.Plan) bool {
	if len(plan.Errors) == 0 || len(plan.Updates) > 0 || plan.FullReload != nil || len(plan.Prune) > 0 || len(plan.Cleared) > 0 {
		return false
	}
	for _, e := range plan.Errors {
		if e.Code != "PARSE_ERROR" {
			return false
		}
	}
	return true
}

// rescan rebuilds the graph from disk after the watcher lost events: any
// runtime may now be stale, so every subscriber reloads. What the disk does
// not say carries over: the entries subscribers hold and the modules
// runtimes reported loaded.
func (p *project) rescan(reason string, first time.Time) {
	var (
		eng  *engine.Project
		plan *engine.Plan
		err  error
	)
	duringBuild(func() { eng, plan, err = engine.Open(vfs.OS{}, p.opts) })
	if err != nil {
		p.log.Error("rescan failed", "err", err)
		p.emit(0, []signal.Body{&signal.Error{Message: fmt.Sprintf("rescan %s: %v", p.root, err), Code: "READ_ERROR"}}, nil, nil, timeZero, false, nil)
		return
	}
	p.logOpened(plan)
	p.logOpened(eng.Adopt(p.eng))
	p.eng = eng
	p.reReport()
	p.log.Warn("rescan", "reason", reason)
	// Behind any batch the gates hold, so that signals keep their order.
	p.emit(0, []signal.Body{&signal.FullReload{FullReload: propagate.FullReload{
		Cause:  propagate.CauseRescan,
		Reason: "rescan: " + reason + "; the graph was rebuilt from disk",
		Path:   "*",
	}}}, nil, nil, timeZero, false, nil)
	// The new graph's errors replace the old one's.
	p.errorsDirty = true
	p.publishErrors(timeZero)
	p.recordLatency(first)
	p.refreshStats()
}

// publish turns a batch's plan into signals, in the order runtimes apply
// them: the update (or full reload), then prunes, then how the project's
// errors changed (errorBodies). They go to the hub as one batch: however
// many errors there are, a subscriber that keeps up takes them all
// (broadcast.Hub.PublishBatch).
//
// The batch goes through the rebuild gates, if any (bundler.go).
func (p *project) publish(plan *engine.Plan, first time.Time) {
	bodies := append(signalBodies(plan), p.errorBodies()...)
	p.emit(plan.Version, bodies, signalChanges(plan.Changes), plan.Triggers, first, true, plan.Versions)
}

// publishErrors publishes how the project's errors changed, alone (the end
// of a parse-error hold, a rescan, entries held or released), behind any
// batch the gates hold.
func (p *project) publishErrors(first time.Time) {
	p.emit(0, p.errorBodies(), nil, nil, first, false, nil)
}

// syncErrorsNow publishes how the project's errors changed, unless a
// parse-error hold is on (its end publishes them).
func (p *project) syncErrorsNow() {
	if !p.holding {
		p.publishErrors(timeZero)
	}
}

// publishInvalidate publishes the plan of an invalidate: it changes no
// errors, and publishes none, so a held error stays held.
//
// Behind batches the gates hold it waits its turn, and nil is returned.
func (p *project) publishInvalidate(plan *engine.Plan) []*signal.Event {
	if len(p.held) > 0 {
		p.emit(plan.Version, signalBodies(plan), nil, plan.Triggers, timeZero, false, nil)
		return nil
	}
	out := p.hub.PublishBatch(p.name, plan.Version, signalBodies(plan)...)
	p.logSignals(out, plan.Triggers, timeZero)
	return out
}

// signalBodies are the update (or full reload) and prune of plan.
func signalBodies(plan *engine.Plan) []signal.Body {
	bodies := make([]signal.Body, 0, 2)
	switch {
	case plan.FullReload != nil:
		fr := &signal.FullReload{FullReload: *plan.FullReload}
		if len(fr.Partial) > 0 {
			fr.Versions = plan.Versions
		}
		bodies = append(bodies, fr)
	case len(plan.Updates) > 0:
		u := &signal.Update{Updates: plan.Updates, Versions: plan.Versions, Triggers: plan.Triggers}
		for _, x := range plan.Updates {
			if x.FirstInvalidatedBy != "" {
				u.FirstInvalidatedBy = x.FirstInvalidatedBy
				break
			}
		}
		bodies = append(bodies, u)
	}
	if plan.FullReload == nil && len(plan.Prune) > 0 {
		bodies = append(bodies, &signal.Prune{Paths: plan.Prune})
	}
	return bodies
}

// noteErrors records that plan changed the engine's standing errors.
func (p *project) noteErrors(plan *engine.Plan) {
	if len(plan.Errors) > 0 || len(plan.Cleared) > 0 {
		p.errorsDirty = true
	}
}

// errorBodies bring the hub's standing errors (what subscribers were
// told) to the engine's, if they may differ: one ErrorCleared for the
// modules whose errors went away, then one Error for each module whose
// error is new or changed, in module ID order. The hub stamps neither with
// a version: they carry 0, whichever batch publishes them (a held error
// goes out with a later batch).
func (p *project) errorBodies() []signal.Body {
	if !p.errorsDirty {
		return nil
	}
	p.errorsDirty = false
	told := map[string]*signal.Error{}
	for _, e := range p.hub.Errors(p.name) {
		told[e.Module] = e
	}
	now := signalErrors(p.eng.Errors())
	standing := make(map[string]bool, len(now))
	for _, e := range now {
		standing[e.Module] = true
	}
	var cleared []string
	for m := range told {
		if !standing[m] {
			cleared = append(cleared, m)
		}
	}
	var bodies []signal.Body
	if len(cleared) > 0 {
		slices.Sort(cleared)
		bodies = append(bodies, &signal.ErrorCleared{Modules: cleared})
	}
	for _, e := range now {
		if old := told[e.Module]; old == nil || *old != *e {
			bodies = append(bodies, e)
		}
	}
	return bodies
}

// signalErrors converts engine errors to Error bodies.
func signalErrors(errs []engine.ModuleError) []*signal.Error {
	out := make([]*signal.Error, len(errs))
	for i, e := range errs {
		out[i] = &signal.Error{Message: e.Message, Module: e.Module, File: e.File, Line: e.Line, Column: e.Column, Frame: e.Frame, Code: e.Code}
	}
	return out
}

// logSignals logs what was published and records the batch's latency.
func (p *project) logSignals(out []*signal.Event, triggers []string, first time.Time) {
	if len(out) > 0 {
		p.recordLatency(first)
		for _, ev := range out {
			p.log.Info("signal", "seq", ev.Seq, "kind", ev.Kind(), "triggers", triggers)
		}
	}
	p.refreshStats()
}

func (p *project) logWarnings(plan *engine.Plan) {
	for _, w := range plan.Warnings {
		p.log.Warn("scan", "code", w.Code, "module", w.Module, "line", w.Line, "column", w.Column, "msg", w.Message)
	}
	for _, e := range plan.Errors {
		p.log.Debug("module error", "code", e.Code, "module", e.Module, "msg", e.Message)
	}
}

func (p *project) recordLatency(first time.Time) {
	if first.IsZero() {
		return
	}
	d := time.Since(first)
	p.mu.Lock()
	if len(p.latencies) < latencyWindow {
		p.latencies = append(p.latencies, d)
	} else {
		p.latencies[p.latNext] = d
	}
	p.latNext = (p.latNext + 1) % latencyWindow
	p.lastLat = d
	p.mu.Unlock()
}

func (p *project) refreshStats() {
	st := p.eng.Stats()
	watches := p.w.Watches()
	p.mu.Lock()
	p.stats = st
	p.watches = watches
	p.mu.Unlock()
}

// snapshotStats is safe from any goroutine.
func (p *project) snapshotStats() (st engine.Stats, watches int, last, median time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	st, watches, last = p.stats, p.watches, p.lastLat
	if n := len(p.latencies); n > 0 {
		sorted := slices.Clone(p.latencies)
		slices.Sort(sorted)
		median = sorted[n/2]
	}
	return
}

// do runs fn on the project goroutine and waits for it.
func (p *project) do(ctx context.Context, fn func()) error {
	ran := make(chan struct{})
	select {
	case p.reqs <- func() { fn(); close(ran) }:
	case <-p.done:
		return fmt.Errorf("project %s: %w", p.name, errProjectStopped)
	case <-ctx.Done():
		return ctx.Err()
	}
	<-ran
	return nil
}

// timeZero marks a publish with no file event behind it (invalidate): no
// latency is recorded.
var timeZero time.Time
