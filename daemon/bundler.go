package daemon

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hmrd/hmrd/internal/broadcast"
	"github.com/hmrd/hmrd/internal/control"
	"github.com/hmrd/hmrd/internal/engine"
	"github.com/hmrd/hmrd/internal/signal"
)

// Bundlers register with a project to report facts and changes and,
// optionally, to gate its batches (docs/bundlers.md). A registration's
// state that the batch path reads (its acknowledged batch, its facts) is
// owned by the project goroutine; the queue of gate batches it has not
// taken yet is under its own lock, so the project goroutine never waits
// for a bundler.

// Gate timeouts (docs/operations.md#rebuild-gates).
const (
	DefaultGateTimeout = 5 * time.Second
	MaxGateTimeout     = 60 * time.Second
)

// maxGateQueue bounds the batches queued for a gate that does not read
// them; the oldest go first (an acknowledgement covers every earlier
// batch, so a gate that catches up loses nothing it needs).
const maxGateQueue = 1024

var regIDs atomic.Uint64

// registration is one bundler's registration with project p.
type registration struct {
	id        string
	p         *project
	client    broadcast.ClientInfo
	connected time.Time
	gate      bool
	timeout   time.Duration
	version   string

	// Owned by the project goroutine.
	acked    uint64
	timeouts uint64
	// facts are the modules the registration reported, as it reported
	// them: a rescan builds a new engine, which is told them again.
	facts map[string]engine.ReportedModule

	mu     sync.Mutex
	queue  []control.GateBatch
	notify chan struct{}
	closed bool
}

func (s *service) Register(ctx context.Context, name string, o control.RegisterOptions) (control.Registration, error) {
	p, err := s.d().lookup(name)
	if err != nil {
		return nil, err
	}
	r := &registration{
		id:        "r" + strconv.FormatUint(regIDs.Add(1), 10),
		p:         p,
		client:    o.Client,
		connected: time.Now(),
		gate:      o.Gate,
		facts:     map[string]engine.ReportedModule{},
		notify:    make(chan struct{}, 1),
		version:   s.cfg.Version,
	}
	if o.Gate {
		r.timeout = s.cfg.GateTimeout
		if o.GateTimeout > 0 {
			r.timeout = min(o.GateTimeout, MaxGateTimeout)
		}
	}
	err = p.do(ctx, func() {
		// A gate acknowledges what it registers after: the batches held
		// now wait only for the gates that saw them.
		r.acked = p.batchN
		p.regs = append(p.regs, r)
	})
	if err != nil {
		return nil, err
	}
	p.log.Info("registered", "registration", r.id, "client", o.Client.Name, "gate", r.gate, "gate_timeout", r.timeout)
	return r, nil
}

func (r *registration) Info() control.RegistrationInfo {
	return control.RegistrationInfo{ID: r.id, Root: r.p.root, HeadSeq: r.p.hub.Head(r.p.name), GateTimeout: r.timeout,
		Epoch: r.p.hub.Epoch(), DaemonVersion: r.version}
}

func (r *registration) Report(ctx context.Context, rep engine.Report) (control.Applied, error) {
	rep.Owner = r.id
	if err := rep.Validate(); err != nil {
		return control.Applied{}, control.InvalidArgument("report: %v", err)
	}
	var out control.Applied
	err := r.p.do(ctx, func() {
		if r.isClosed() {
			return
		}
		r.remember(&rep)
		plan := r.p.eng.Report(rep)
		out.Unknown = plan.Unknown
		out.Batch = r.p.applyPlan(plan, time.Now())
	})
	return out, err
}

// remember keeps the registration's facts as the engine now has them.
func (r *registration) remember(rep *engine.Report) {
	if rep.Replace {
		clear(r.facts)
	}
	for _, id := range rep.Withdraw {
		delete(r.facts, id)
	}
	for _, c := range rep.Changes {
		if c.Kind == engine.ChangeDelete && c.Module != "" {
			delete(r.facts, c.Module)
		}
	}
	for _, m := range rep.Modules {
		r.facts[m.ID] = m
	}
}

func (r *registration) Ack(ctx context.Context, batch uint64) error {
	return r.p.do(ctx, func() {
		if batch > r.acked && batch <= r.p.batchN {
			r.acked = batch
		}
		r.p.drainHeld()
	})
}

func (r *registration) GateBatches() <-chan struct{} { return r.notify }

// Ended is the project goroutine's end: the project was removed, or the
// daemon is stopping (it stops the projects before it waits for streams).
func (r *registration) Ended() <-chan struct{} { return r.p.done }

func (r *registration) NextGateBatches() []control.GateBatch {
	r.mu.Lock()
	defer r.mu.Unlock()
	q := r.queue
	r.queue = nil
	return q
}

// send queues a batch for the gate; it never blocks.
func (r *registration) send(gb control.GateBatch) {
	r.mu.Lock()
	if len(r.queue) >= maxGateQueue {
		r.queue = slices.Delete(r.queue, 0, 1)
	}
	r.queue = append(r.queue, gb)
	r.mu.Unlock()
	select {
	case r.notify <- struct{}{}:
	default:
	}
}

func (r *registration) isClosed() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.closed
}

// Close ends the registration: its gate no longer holds anything, and the
// facts it reported are withdrawn, with the signals that takes.
func (r *registration) Close() {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return
	}
	r.closed = true
	r.mu.Unlock()
	p := r.p
	err := p.do(context.Background(), func() {
		p.regs = slices.DeleteFunc(p.regs, func(x *registration) bool { return x == r })
		if len(r.facts) > 0 || p.eng.Owned(r.id) > 0 {
			p.applyPlan(p.eng.Withdraw(r.id), time.Now())
		}
		p.drainHeld()
	})
	p.log.Info("registration ended", "registration", r.id, "err", err)
}

// status describes the registration; on the project goroutine.
func (r *registration) status(now time.Time) control.RegistrationStatus {
	st := control.RegistrationStatus{
		ID: r.id, Project: r.p.name, Client: r.client, Modules: r.p.eng.Owned(r.id),
		Connected: r.connected, Gate: r.gate, GateTimeout: r.timeout, AckedBatch: r.acked, Timeouts: r.timeouts,
	}
	if r.gate {
		for _, h := range r.p.held {
			if h.gated && h.n > r.acked {
				st.Pending++
				if st.Pending == 1 {
					st.OldestPending = now.Sub(h.sent)
				}
			}
		}
	}
	return st
}

// heldBatch is a batch's signals waiting for the gates, or waiting behind
// a batch that does.
type heldBatch struct {
	n       uint64 // 0 when not gated
	gated   bool
	version int64
	bodies  []signal.Body
	changes []signal.Change
	notes   []string
	sent    time.Time
	first   time.Time
	trigs   []string
}

// applyPlan publishes the plan of a batch from the watcher or a bundler:
// through the rebuild gates when there are any. It returns the batch
// number, 0 when the plan signalled nothing.
func (p *project) applyPlan(plan *engine.Plan, first time.Time) uint64 {
	p.logWarnings(plan)
	p.noteErrors(plan)
	if plan.Empty() {
		p.refreshStats()
		return 0
	}
	bodies := append(signalBodies(plan), p.errorBodies()...)
	return p.emit(plan.Version, bodies, signalChanges(plan.Changes), plan.Triggers, first, true, plan.Versions)
}

// emit publishes one batch of signals, or holds it: a gated batch waits
// for every gate's acknowledgement (or its timeout), and any batch waits
// behind one held before it, so signals keep their order. It returns the
// batch number of a gated batch (0 for others).
func (p *project) emit(version int64, bodies []signal.Body, changes []signal.Change, triggers []string, first time.Time, gated bool, versions map[string]int64) uint64 {
	if len(bodies) == 0 {
		return 0
	}
	h := &heldBatch{gated: gated, version: version, bodies: bodies, changes: changes, sent: time.Now(), first: first, trigs: triggers}
	if gated {
		p.batchN++
		h.n = p.batchN
		gb := control.GateBatch{Batch: h.n, Version: version, Changes: changes, Versions: versions}
		for _, b := range bodies {
			gb.Signals = append(gb.Signals, (&signal.Event{Body: b}).Kind())
		}
		for _, r := range p.regs {
			if r.gate {
				r.send(gb)
			}
		}
	}
	p.held = append(p.held, h)
	p.drainHeld()
	return h.n
}

// drainHeld publishes the held batches that may go, in order: a gated one
// once every gate acknowledged it or timed out on it (a note on its
// signals and a log line say which gate did not answer). It arms the gate
// timer for the first batch still held.
func (p *project) drainHeld() {
	now := time.Now()
	for len(p.held) > 0 {
		h := p.held[0]
		if h.gated && !p.released(h, now) {
			break
		}
		p.held = slices.Delete(p.held, 0, 1)
		out := p.hub.PublishNoted(p.name, h.version, h.changes, h.notes, h.bodies...)
		p.logSignals(out, h.trigs, h.first)
	}
	p.armGateTimer(now)
}

// released reports whether held batch h may go: no gate is waited for any
// more. Gates that time out on it are noted.
func (p *project) released(h *heldBatch, now time.Time) bool {
	ok := true
	for _, r := range p.regs {
		if !r.gate || r.acked >= h.n {
			continue
		}
		if now.Sub(h.sent) < r.timeout {
			ok = false
			continue
		}
		// Timed out: this batch goes without the gate, and so do the
		// earlier ones it acknowledges by being past.
		r.acked = h.n
		r.timeouts++
		note := fmt.Sprintf("rebuild gate %s (%s) did not acknowledge batch %d within %s; signals released without it", r.id, r.client.Name, h.n, r.timeout)
		h.notes = append(h.notes, note)
		p.log.Warn("gate timeout", "registration", r.id, "client", r.client.Name, "batch", h.n, "timeout", r.timeout)
	}
	return ok
}

// armGateTimer sets the gate timer to the earliest timeout of the first
// held batch, or stops it.
func (p *project) armGateTimer(now time.Time) {
	var next time.Duration = -1
	if len(p.held) > 0 && p.held[0].gated {
		h := p.held[0]
		for _, r := range p.regs {
			if r.gate && r.acked < h.n {
				if d := h.sent.Add(r.timeout).Sub(now); next < 0 || d < next {
					next = d
				}
			}
		}
	}
	if p.gateTimer == nil {
		p.gateTimer = time.NewTimer(time.Hour)
		p.gateTimer.Stop()
	}
	p.gateTimer.Stop()
	p.gateC = nil
	if next >= 0 {
		p.gateTimer.Reset(max(next, 0))
		p.gateC = p.gateTimer.C
	}
}

// reReport tells a rebuilt engine (after a rescan) the facts every
// registration had reported.
func (p *project) reReport() {
	for _, r := range p.regs {
		if len(r.facts) == 0 {
			continue
		}
		rep := engine.Report{Owner: r.id}
		for _, id := range sortedFactIDs(r.facts) {
			rep.Modules = append(rep.Modules, r.facts[id])
		}
		p.eng.Report(rep)
	}
}

func sortedFactIDs(m map[string]engine.ReportedModule) []string {
	ids := make([]string, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// signalChanges converts a plan's changed inputs.
func signalChanges(cs []engine.Change) []signal.Change {
	if len(cs) == 0 {
		return nil
	}
	out := make([]signal.Change, len(cs))
	for i, c := range cs {
		out[i] = signal.Change{File: c.File, Module: c.Module, Kind: signal.ChangeKind(c.Kind)}
	}
	return out
}

// registrations describes the project's registrations for Status.
func (p *project) registrations(ctx context.Context) []control.RegistrationStatus {
	var out []control.RegistrationStatus
	_ = p.do(ctx, func() {
		now := time.Now()
		for _, r := range p.regs {
			out = append(out, r.status(now))
		}
	})
	return out
}
