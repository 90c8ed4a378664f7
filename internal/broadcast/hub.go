package broadcast

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hmrd/hmrd/internal/graph/propagate"
	"github.com/hmrd/hmrd/internal/signal"
)

// Defaults for zero Options fields (docs/design.md#limits-and-defaults).
const (
	DefaultHistory      = 4096
	DefaultHistoryBytes = 16 << 20
	DefaultQueueSize    = 256
	DefaultQueueBytes   = 8 << 20
	DefaultLagTimeout   = 10 * time.Second
	DefaultHeartbeat    = 15 * time.Second
)

var (
	// ErrUnknownProject: Subscribe named a project the hub does not have.
	ErrUnknownProject = errors.New("unknown project")
	// ErrProjectRemoved ends the subscriptions of a removed project.
	ErrProjectRemoved = errors.New("project removed")
	// ErrClosed ends subscriptions when the hub or the subscription itself
	// is closed.
	ErrClosed = errors.New("closed")
	// ErrSlowConsumer: the subscriber fell too far behind; see
	// SlowConsumerError.
	ErrSlowConsumer = errors.New("slow consumer")
)

// Limit names the bound a slow consumer exceeded.
type Limit int

const (
	// LimitEvents: its queue held QueueSize events when more arrived.
	LimitEvents Limit = iota
	// LimitBytes: its queue held QueueBytes or more when more arrived.
	LimitBytes
	// LimitLag: its oldest unread event had waited LagTimeout.
	LimitLag
)

// SlowConsumerError is the reason a subscriber was cut off. It unwraps to
// ErrSlowConsumer; ResumeFrom is where a new subscription should resume.
type SlowConsumerError struct {
	Subscriber string
	// Limit is the bound it exceeded; Why says so for people ("" reads as
	// a full queue of QueueCap events).
	Limit Limit
	Why   string
	// QueueCap is the subscriber's bound in events.
	QueueCap int
	// Seq is the event that did not fit (LimitEvents, LimitBytes) or the
	// oldest unread one (LimitLag).
	Seq uint64
	// ResumeFrom is the last seq the subscriber receives before the error.
	ResumeFrom uint64
}

func (e *SlowConsumerError) Error() string {
	why := e.Why
	if why == "" {
		why = fmt.Sprintf("queue of %d events full at seq %d", e.QueueCap, e.Seq)
	}
	return fmt.Sprintf("subscriber %s cut off: %s; resume from seq %d", e.Subscriber, why, e.ResumeFrom)
}

func (e *SlowConsumerError) Unwrap() error { return ErrSlowConsumer }

// Options configure a Hub. Zero fields take the defaults.
type Options struct {
	// History is how many sequenced events each project keeps for resume;
	// HistoryBytes bounds the same history by the events' Size. The oldest
	// go first.
	History      int
	HistoryBytes int
	// QueueSize and QueueBytes bound each subscriber's queue of live
	// events, in events and in bytes (their Size); LagTimeout bounds how
	// long its oldest event may wait unread (negative: no bound). A
	// subscriber past any of them is cut off (see the package doc).
	QueueSize  int
	QueueBytes int
	LagTimeout time.Duration
	// Heartbeat: a Next call idle this long returns a Heartbeat event.
	// Negative disables heartbeats.
	Heartbeat time.Duration
	// DaemonVersion is reported in Hello.
	DaemonVersion string
	// Now stamps Event.Time and is the clock of LagTimeout (Next calls it
	// too, for heartbeats, so it must be safe for concurrent use);
	// time.Now if nil.
	Now func() time.Time
}

// ClientInfo describes a subscriber, for status output.
type ClientInfo struct {
	Name, Version, Kind string
}

// SubscribeOptions say where a subscription starts and who it is.
type SubscribeOptions struct {
	// FromSeq and Epoch are the resume point: the last event the subscriber
	// saw. Epoch "" starts live.
	FromSeq uint64
	Epoch   string
	// ID names the subscriber; generated ("s1", "s2", ...) if empty.
	ID     string
	Client ClientInfo
	// Transport is "grpc" or "websocket", for status only.
	Transport string
	// QueueSize overrides Options.QueueSize when positive.
	QueueSize int
}

// SubscriberInfo is a subscriber's state, for status output. Subscribers
// that were cut off or closed are no longer listed.
type SubscriberInfo struct {
	ID, Project string
	Client      ClientInfo
	Transport   string
	// LastSeq is the seq of the last sequenced event Next returned: the
	// subscriber's position (its resume point at subscribe time until it
	// has read past it).
	LastSeq uint64
	// Lag is the project head minus LastSeq: events published that it has
	// not yet read.
	Lag uint64
	// QueueDepth is the number of live events queued: at most QueueCap,
	// except while it holds a batch taken whole (see PublishBatch).
	QueueDepth, QueueCap int
	// Backlog is the number of Hello, replayed and resync events not yet
	// read; they are outside the queue's bounds.
	Backlog   int
	Connected time.Time
}

// Hub is the sequenced fan-out for every project of one daemon instance.
type Hub struct {
	epoch string
	opts  Options
	ids   atomic.Uint64

	// sweeper looks for lagging subscribers every sweepEvery while any
	// event is queued (see sweep); sweepArmed is true while it is
	// scheduled, and whoever sets it resets the timer. Nil when
	// LagTimeout is off.
	sweeper    *time.Timer
	sweepArmed atomic.Bool
	sweepEvery time.Duration

	// mu guards the maps and closed. Lock order: Hub.mu, project.mu,
	// Subscription.mu; nobody takes an outer lock while holding an inner one.
	mu       sync.RWMutex
	projects map[string]*project
	// heads remembers where removed projects stopped, so a project added
	// again continues its numbering: a client's (epoch, seq) from before the
	// removal must not match a different event after it.
	heads  map[string]uint64
	closed bool
}

// project is one project's sequence, history and subscribers, guarded by mu.
type project struct {
	name, root string

	mu   sync.Mutex
	head uint64
	// hist is a ring of the last len(hist) sequenced events: seq s is at
	// s % len(hist); the kept ones are head-kept+1 .. head, the other slots
	// are nil. histBytes is the Size of the kept ones.
	hist      []*signal.Event
	kept      int
	histBytes int
	last      *signal.Event
	// subs are the subscriptions still receiving; each knows its index so
	// removal is O(1) (order does not matter).
	subs []*Subscription
	// gone is set once the project is removed or the hub closed.
	gone    bool
	goneErr error
	// errors are the errors standing at head, by module: the last Error
	// published for each module that no ErrorCleared has named since.
	errors map[string]*signal.Error
}

// stand records what body does to the standing errors. p.mu must be held
// (or p not yet shared).
func (p *project) stand(body signal.Body) {
	switch b := body.(type) {
	case *signal.Error:
		if b != nil && b.Module != "" {
			p.errors[b.Module] = b
		}
	case *signal.ErrorCleared:
		for _, m := range b.Modules {
			delete(p.errors, m)
		}
	}
}

// standing is the standing errors in module ID order, nil when there are
// none. p.mu must be held.
func (p *project) standing() []*signal.Error {
	if len(p.errors) == 0 {
		return nil
	}
	out := make([]*signal.Error, 0, len(p.errors))
	for _, e := range p.errors {
		out = append(out, e)
	}
	slices.SortFunc(out, func(a, b *signal.Error) int { return cmp.Compare(a.Module, b.Module) })
	return out
}

// New returns a hub whose events carry epoch.
func New(epoch string, opts Options) *Hub {
	if opts.History <= 0 {
		opts.History = DefaultHistory
	}
	if opts.HistoryBytes <= 0 {
		opts.HistoryBytes = DefaultHistoryBytes
	}
	if opts.QueueSize <= 0 {
		opts.QueueSize = DefaultQueueSize
	}
	if opts.QueueBytes <= 0 {
		opts.QueueBytes = DefaultQueueBytes
	}
	if opts.LagTimeout == 0 {
		opts.LagTimeout = DefaultLagTimeout
	}
	if opts.Heartbeat == 0 {
		opts.Heartbeat = DefaultHeartbeat
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	h := &Hub{epoch: epoch, opts: opts, projects: map[string]*project{}, heads: map[string]uint64{}}
	if opts.LagTimeout > 0 {
		h.sweepEvery = max(opts.LagTimeout/4, time.Millisecond)
		h.sweeper = time.AfterFunc(h.sweepEvery, h.sweep)
		h.sweeper.Stop() // Publish arms it
	}
	return h
}

// Epoch is the hub's epoch.
func (h *Hub) Epoch() string { return h.epoch }

// AddProject makes a project known, with errs as its standing errors: the
// errors found while the project opened, which no event announced (errors
// without a module are left out, as Publish leaves them out). Adding a
// known project does nothing (it keeps its root, sequence, errors and
// subscribers).
func (h *Hub) AddProject(name, root string, errs ...*signal.Error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed || h.projects[name] != nil {
		return
	}
	head := h.heads[name]
	delete(h.heads, name)
	p := &project{name: name, root: root, head: head, hist: make([]*signal.Event, h.opts.History), errors: map[string]*signal.Error{}}
	for _, e := range errs {
		p.stand(e)
	}
	h.projects[name] = p
}

// RemoveProject forgets a project; each of its subscriptions ends with
// ErrProjectRemoved once its queue is drained.
func (h *Hub) RemoveProject(name string) {
	h.mu.Lock()
	p := h.projects[name]
	if p == nil {
		h.mu.Unlock()
		return
	}
	delete(h.projects, name)
	p.mu.Lock()
	h.heads[name] = p.head
	h.mu.Unlock()
	p.end(ErrProjectRemoved, func(s *Subscription) error {
		return fmt.Errorf("subscriber %s of project %q: %w", s.id, name, ErrProjectRemoved)
	})
	p.mu.Unlock()
}

// Close ends every subscription with ErrClosed (after its queued events);
// later Subscribe calls fail and Publish does nothing.
func (h *Hub) Close() {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return
	}
	h.closed = true
	ps := h.projects
	h.projects = map[string]*project{}
	h.mu.Unlock()
	if h.sweeper != nil {
		h.sweeper.Stop()
	}
	for _, p := range ps {
		p.mu.Lock()
		p.end(errHubClosed, func(s *Subscription) error {
			return fmt.Errorf("subscriber %s: hub %w", s.id, ErrClosed)
		})
		p.mu.Unlock()
	}
}

var errHubClosed = fmt.Errorf("hub %w", ErrClosed)

// end marks p gone and ends its subscriptions. p.mu must be held.
func (p *project) end(reason error, subErr func(*Subscription) error) {
	p.gone, p.goneErr = true, reason
	for _, s := range p.subs {
		s.idx = -1
		s.cut(subErr(s))
	}
	p.subs, p.hist, p.last, p.errors = nil, nil, nil, nil
}

func (h *Hub) project(name string) *project {
	h.mu.RLock()
	p := h.projects[name]
	h.mu.RUnlock()
	return p
}

// Publish stamps body as the project's next event (the next seq if the body
// is sequenced, the head seq otherwise), keeps sequenced events in history,
// and queues the event for every subscriber without blocking, cutting off
// those past a limit. It returns the event, or nil if the project is
// unknown (or removed, or the hub closed) or body is nil.
func (h *Hub) Publish(name string, version int64, body signal.Body) *signal.Event {
	if body == nil {
		return nil
	}
	p := h.project(name)
	if p == nil {
		return nil
	}
	ev := h.newEvent(p, version, body, nil, nil)
	one := [1]*signal.Event{ev}
	if !h.publish(p, one[:], ev.Size) {
		return nil
	}
	return ev
}

// PublishBatch publishes bodies (nil ones skipped) as one batch: the events
// of one engine plan, in order, with consecutive seqs. Each subscriber
// takes the batch as a unit, under the same limits as one event: a
// subscriber within its limits when the batch arrives takes all of it,
// however large, so a batch alone never cuts off a subscriber that keeps
// up (its queue grows past QueueSize for the batch and returns to it as it
// reads); one past a limit takes none of it and is cut off. It returns the
// events, or nil if the project is unknown (or removed, or the hub closed)
// or there are no bodies.
func (h *Hub) PublishBatch(name string, version int64, bodies ...signal.Body) []*signal.Event {
	return h.PublishNoted(name, version, nil, nil, bodies...)
}

// PublishNoted is PublishBatch with the batch's changed inputs and notes
// for people, set on every event of the batch (see signal.Event).
func (h *Hub) PublishNoted(name string, version int64, changes []signal.Change, notes []string, bodies ...signal.Body) []*signal.Event {
	p := h.project(name)
	if p == nil {
		return nil
	}
	evs := make([]*signal.Event, 0, len(bodies))
	size := 0
	for _, b := range bodies {
		if b != nil {
			ev := h.newEvent(p, version, b, changes, notes)
			size += ev.Size
			evs = append(evs, ev)
		}
	}
	if len(evs) == 0 || !h.publish(p, evs, size) {
		return nil
	}
	return evs
}

// newEvent is an event of p with its Size; publish stamps the rest. Error
// and ErrorCleared stamp no module: their version is 0, whatever batch
// they go out with.
func (h *Hub) newEvent(p *project, version int64, body signal.Body, changes []signal.Change, notes []string) *signal.Event {
	switch body.(type) {
	case *signal.Error, *signal.ErrorCleared:
		version = 0
	}
	ev := &signal.Event{Project: p.name, Epoch: h.epoch, Version: version, Body: body, Changes: changes, Notes: notes}
	ev.Size = ev.EstimateSize() // outside p.mu: it walks the body
	return ev
}

// publish numbers, keeps and queues evs (of total Size size); false if p
// is gone.
func (h *Hub) publish(p *project, evs []*signal.Event, size int) bool {
	p.mu.Lock()
	if p.gone {
		p.mu.Unlock()
		return false
	}
	now := h.opts.Now()
	for _, ev := range evs {
		ev.Seq, ev.Time = p.head, now
		if signal.Sequenced(ev.Body) {
			p.head++
			ev.Seq = p.head
			p.keep(ev, h.opts.HistoryBytes)
			p.last = ev
			p.stand(ev.Body)
		}
	}
	// Enqueueing under p.mu is what orders events across subscribers and
	// against Subscribe's snapshot; push only appends to a ring and pokes a
	// buffered channel, so it never blocks.
	for i := 0; i < len(p.subs); {
		if p.subs[i].push(evs, size) {
			i++
			continue
		}
		p.drop(i) // cut off: moves the last subscriber to i
	}
	queued := len(p.subs) > 0
	p.mu.Unlock()
	if queued {
		h.armSweep()
	}
	return true
}

// keep adds ev, the new head, to the history ring, dropping the oldest
// events beyond len(p.hist) or maxBytes. Dropped slots are cleared, so the
// history holds no reference to them. p.mu must be held.
func (p *project) keep(ev *signal.Event, maxBytes int) {
	n := uint64(len(p.hist))
	i := ev.Seq % n
	if p.kept == len(p.hist) { // slot i holds the oldest event
		p.histBytes -= p.hist[i].Size
		p.kept--
	}
	p.hist[i] = ev
	p.kept++
	p.histBytes += ev.Size
	for p.histBytes > maxBytes && p.kept > 0 {
		j := (p.head - uint64(p.kept) + 1) % n
		p.histBytes -= p.hist[j].Size
		p.hist[j] = nil
		p.kept--
	}
}

// drop unregisters p.subs[i]. p.mu must be held.
func (p *project) drop(i int) {
	s := p.subs[i]
	last := len(p.subs) - 1
	p.subs[i] = p.subs[last]
	p.subs[i].idx = i
	p.subs[last] = nil
	p.subs = p.subs[:last]
	s.idx = -1
}

// armSweep schedules a sweep for lagging subscribers unless one is. Publish
// calls it after queueing, so a sweep that has begun sees the new events or
// is followed by another.
func (h *Hub) armSweep() {
	if h.sweeper != nil && !h.sweepArmed.Load() && h.sweepArmed.CompareAndSwap(false, true) {
		h.sweeper.Reset(h.sweepEvery)
	}
}

// sweep cuts off every subscriber whose oldest queued event has waited
// LagTimeout: one that stopped reading is released even when nothing more
// is published. It runs every sweepEvery while events are queued, so a
// subscriber is cut off at most a quarter of LagTimeout late.
func (h *Hub) sweep() {
	// Disarm before looking: a Publish that queues after this sees the
	// timer disarmed and arms it itself.
	h.sweepArmed.Store(false)
	h.mu.RLock()
	ps := make([]*project, 0, len(h.projects))
	for _, p := range h.projects {
		ps = append(ps, p)
	}
	h.mu.RUnlock()
	now := h.opts.Now()
	queued := false
	for _, p := range ps {
		p.mu.Lock()
		for i := 0; i < len(p.subs); {
			ended, q := p.subs[i].checkLag(now)
			if ended {
				p.drop(i)
				continue
			}
			queued = queued || q
			i++
		}
		p.mu.Unlock()
	}
	if queued {
		h.armSweep()
	}
}

// Head is the project's last assigned seq (0 if unknown or nothing yet).
func (h *Hub) Head(name string) uint64 {
	p := h.project(name)
	if p == nil {
		return 0
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.head
}

// Last is the project's last sequenced event, nil if none or unknown.
func (h *Hub) Last(name string) *signal.Event {
	p := h.project(name)
	if p == nil {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.last
}

// Errors are the project's standing errors (see signal.ErrorCleared) in
// module ID order: those it was added with, changed by every Error and
// ErrorCleared published since. Nil if there are none or the project is
// unknown.
func (h *Hub) Errors(name string) []*signal.Error {
	p := h.project(name)
	if p == nil {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.standing()
}

// Subscribe starts a subscription to a project: its first event is a Hello,
// then the replay or resync that o's resume point calls for (see the package
// doc), then live events. It fails with ErrUnknownProject, or ErrClosed once
// the hub is closed.
func (h *Hub) Subscribe(name string, o SubscribeOptions) (*Subscription, error) {
	h.mu.RLock()
	p, closed := h.projects[name], h.closed
	h.mu.RUnlock()
	if closed {
		return nil, fmt.Errorf("subscribe to project %q: %w", name, errHubClosed)
	}
	if p == nil {
		return nil, fmt.Errorf("subscribe to project %q: %w", name, ErrUnknownProject)
	}
	id := o.ID
	if id == "" {
		id = "s" + strconv.FormatUint(h.ids.Add(1), 10)
	}
	size := o.QueueSize
	if size <= 0 {
		size = h.opts.QueueSize
	}
	s := &Subscription{
		hub: h, p: p, project: name, id: id,
		client: o.Client, transport: o.Transport, connected: h.opts.Now(),
		queueCap: size,
		ring:     make([]*signal.Event, size), // outside the lock: it is the one big allocation
		ended:    make(chan struct{}),
		notify:   make(chan struct{}, 1),
		idx:      -1,
	}
	if h.opts.Heartbeat > 0 {
		s.hbTimer = time.AfterFunc(h.opts.Heartbeat, s.hbFire)
		s.hbTimer.Stop() // Next arms it when it waits
	}

	p.mu.Lock()
	defer p.mu.Unlock()
	if p.gone {
		if errors.Is(p.goneErr, ErrProjectRemoved) {
			return nil, fmt.Errorf("subscribe to project %q: %w", name, ErrUnknownProject)
		}
		return nil, fmt.Errorf("subscribe to project %q: %w", name, p.goneErr)
	}
	s.backlog, s.delivered = h.start(p, id, o)
	s.lastSeq = p.head
	s.idx = len(p.subs)
	p.subs = append(p.subs, s)
	return s, nil
}

// start builds a new subscription's Hello and replay or resync and returns
// them with the seq the subscriber's state stands at. p.mu must be held:
// the snapshot and the registration must not be split by a Publish.
func (h *Hub) start(p *project, id string, o SubscribeOptions) (backlog []*signal.Event, at uint64) {
	hello := &signal.Hello{
		ProtocolVersion: signal.ProtocolVersion,
		DaemonVersion:   h.opts.DaemonVersion,
		HeadSeq:         p.head,
		Root:            p.root,
		SubscriberID:    id,
		Errors:          p.standing(),
	}
	helloEv := h.event(p, hello)
	if o.Epoch == "" {
		return []*signal.Event{helloEv}, p.head
	}
	if why := p.unresumable(h.epoch, o); why != "" {
		resync := h.event(p, &signal.FullReload{FullReload: propagate.FullReload{
			Cause:  propagate.CauseResync,
			Reason: "resync: " + why,
			Path:   "*",
		}})
		// Until it reads the resync the subscriber's state stands nowhere.
		return []*signal.Event{helloEv, resync}, 0
	}
	hello.Resumed = true
	backlog = make([]*signal.Event, 1, 1+p.head-o.FromSeq)
	backlog[0] = helloEv
	n := uint64(len(p.hist))
	for seq := o.FromSeq + 1; seq <= p.head; seq++ {
		backlog = append(backlog, p.hist[seq%n])
	}
	return backlog, o.FromSeq
}

// unresumable says why o's resume point cannot be served from history, ""
// if it can. p.mu must be held.
func (p *project) unresumable(epoch string, o SubscribeOptions) string {
	switch oldest := p.head - uint64(p.kept) + 1; {
	case o.Epoch != epoch:
		return fmt.Sprintf("daemon restarted: epoch %s is not %s", o.Epoch, epoch)
	case o.FromSeq > p.head:
		return fmt.Sprintf("resume point seq %d is beyond head seq %d", o.FromSeq, p.head)
	case o.FromSeq+1 < oldest:
		return fmt.Sprintf("history starts at seq %d; seqs %d..%d are gone", oldest, o.FromSeq+1, oldest-1)
	}
	return ""
}

// event is an unsequenced event at p's head (Hello, resync). p.mu must be
// held.
func (h *Hub) event(p *project, body signal.Body) *signal.Event {
	return &signal.Event{Project: p.name, Seq: p.head, Epoch: h.epoch, Time: h.opts.Now(), Body: body}
}

// Subscribers lists the receiving subscribers of every project, by project,
// then connection time.
func (h *Hub) Subscribers() []SubscriberInfo {
	h.mu.RLock()
	ps := make([]*project, 0, len(h.projects))
	for _, p := range h.projects {
		ps = append(ps, p)
	}
	h.mu.RUnlock()
	var out []SubscriberInfo
	for _, p := range ps {
		p.mu.Lock()
		for _, s := range p.subs {
			out = append(out, s.info(p.head))
		}
		p.mu.Unlock()
	}
	slices.SortFunc(out, func(a, b SubscriberInfo) int {
		return cmp.Or(cmp.Compare(a.Project, b.Project), a.Connected.Compare(b.Connected), cmp.Compare(a.ID, b.ID))
	})
	return out
}

// HasSubscriber reports whether id names a subscription of the project that
// is still receiving: a sender naming itself in a custom event must be one.
func (h *Hub) HasSubscriber(name, id string) bool {
	p := h.project(name)
	if p == nil {
		return false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, s := range p.subs {
		if s.id == id {
			return true
		}
	}
	return false
}
