package broadcast

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hmrd/hmrd/internal/signal"
)

// Subscription is one subscriber's stream of a project's events.
type Subscription struct {
	hub       *Hub
	p         *project
	project   string
	id        string
	client    ClientInfo
	transport string
	connected time.Time

	// idx is the position in project.subs, -1 once unregistered. Guarded
	// by project.mu, not mu.
	idx int

	// notify holds one token when something was queued for a waiting
	// Next or the subscription ended: a publisher never blocks on it and
	// Next never misses a wake-up.
	notify chan struct{}

	mu sync.Mutex
	// backlog is the Hello and the replay or resync, delivered before the
	// ring and outside its bound.
	backlog []*signal.Event
	// ring holds live events: n of them starting at first.
	ring     []*signal.Event
	first, n int
	// lastSeq is the seq of the last event queued (or of the head at
	// subscribe): what the subscriber will have seen once it has read
	// everything, hence its resume point when cut off and the head its
	// heartbeats report.
	lastSeq uint64
	// delivered is the seq of the last sequenced event Next returned.
	delivered uint64
	// err ends the stream once the queue is drained; closed (by Close)
	// ends it at once.
	err    error
	closed bool
	// waiting: Next found nothing and may be blocked on notify. push sends
	// a token only then, sparing the channel operation (a tenth of the
	// cost of Publish) while the subscriber is busy draining.
	waiting bool

	// ended is closed once err is set (cut off, removed, closed), so a
	// transport blocked on a slow peer can notice without calling Next.
	ended   chan struct{}
	endOnce sync.Once

	// Heartbeats (see Next): waitSince is when the current Next call began
	// waiting (monotonic nanoseconds since clockBase, never 0), 0 while
	// none waits; hbTimer, created by Subscribe when heartbeats are on,
	// wakes a waiting Next once it has waited the interval; hbArmed is
	// true while hbTimer is scheduled (whoever sets it resets the timer).
	waitSince atomic.Int64
	hbArmed   atomic.Bool
	hbTimer   *time.Timer

	// boundDone is the Done channel of the context Next last waited with
	// (only Next touches it); ctxStop, guarded by mu, unregisters the
	// wake-up bound to that context (see bind).
	boundDone <-chan struct{}
	ctxStop   func() bool
}

// ID is the subscriber id (also in its Hello).
func (s *Subscription) ID() string { return s.id }

// push queues ev unless the subscription has ended or its ring is full, in
// which case it is cut off; false means "unregister me". It never blocks.
func (s *Subscription) push(ev *signal.Event) bool {
	s.mu.Lock()
	if s.err != nil {
		s.mu.Unlock()
		return false
	}
	if s.n == len(s.ring) {
		s.err = &SlowConsumerError{Subscriber: s.id, QueueCap: len(s.ring), Seq: ev.Seq, ResumeFrom: s.lastSeq}
		s.mu.Unlock()
		s.end()
		s.wake()
		return false
	}
	i := s.first + s.n
	if i >= len(s.ring) {
		i -= len(s.ring)
	}
	s.ring[i] = ev
	s.n++
	s.lastSeq = ev.Seq
	wake := s.waiting
	s.waiting = false
	s.mu.Unlock()
	if wake {
		s.wake()
	}
	return true
}

// cut ends the stream with err after what is queued (if it has not ended
// already). The caller has unregistered s.
func (s *Subscription) cut(err error) {
	s.mu.Lock()
	if s.err == nil {
		s.err = err
	}
	s.mu.Unlock()
	s.end()
	s.wake()
}

func (s *Subscription) end() { s.endOnce.Do(func() { close(s.ended) }) }

// Done is closed when the subscription has ended (cut off as a slow
// consumer, its project removed, the hub or the subscription closed); Next
// may still deliver what was queued before the reason. Transports that
// send on their own goroutine select on it to stop waiting for a peer that
// no longer reads.
func (s *Subscription) Done() <-chan struct{} { return s.ended }

// Err is why the subscription ended, nil while it runs.
func (s *Subscription) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

func (s *Subscription) wake() {
	select {
	case s.notify <- struct{}{}:
	default: // a token is already pending; Next will look anyway
	}
}

// Close ends the subscription: a pending or later Next returns ErrClosed at
// once and queued events are dropped. Safe to call more than once and
// concurrently with Next.
func (s *Subscription) Close() {
	s.p.mu.Lock()
	if s.idx >= 0 {
		s.p.drop(s.idx)
	}
	s.p.mu.Unlock()
	s.mu.Lock()
	if !s.closed {
		s.closed = true
		s.err = fmt.Errorf("subscriber %s: subscription %w", s.id, ErrClosed)
		clear(s.backlog)
		s.backlog = nil
		clear(s.ring)
		s.first, s.n = 0, 0
	}
	stop := s.ctxStop
	s.ctxStop = nil
	s.mu.Unlock()
	if stop != nil {
		stop()
	}
	if s.hbTimer != nil {
		s.hbTimer.Stop()
	}
	s.end()
	s.wake()
}

// Next returns the subscription's next event, waiting for one. It returns
// a fresh Heartbeat event (Seq = HeadSeq = the last seq this stream
// carries, which is the head while it is idle) after Options.Heartbeat
// with nothing to deliver; ctx.Err() when ctx ends; and, once the queue is
// drained, the reason the subscription ended: a *SlowConsumerError,
// ErrProjectRemoved or ErrClosed (all wrapped; test with errors.Is). After
// Close it returns ErrClosed at once. Not safe for concurrent calls on one
// subscription.
func (s *Subscription) Next(ctx context.Context) (*signal.Event, error) {
	waiting := false
	defer func() {
		if waiting {
			s.waitSince.Store(0)
		}
	}()
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if ev, err := s.pop(true); ev != nil || err != nil {
			return ev, err
		}
		s.bind(ctx)
		if s.hbTimer == nil {
			<-s.notify
			continue
		}
		// The wait starts once per call, so spurious wake-ups (a stale
		// token) do not postpone the heartbeat. No timer is reset per
		// call: hbTimer fires at most about once per interval and wakes
		// the Next that has waited long enough (see hbFire).
		if !waiting {
			waiting = true
			s.waitSince.Store(monoNow())
			if !s.hbArmed.Load() && s.hbArmed.CompareAndSwap(false, true) {
				s.hbTimer.Reset(s.hub.opts.Heartbeat)
			}
		} else if time.Duration(monoNow()-s.waitSince.Load()) >= s.hub.opts.Heartbeat {
			return s.heartbeat()
		}
		<-s.notify
	}
}

// bind makes ctx's end wake Next, so that Next waits on notify alone (a
// channel receive, not a two-way select, per wait). Transports call Next
// with the same context every time, so this registers once per
// subscription; Close unregisters.
func (s *Subscription) bind(ctx context.Context) {
	done := ctx.Done()
	if done == s.boundDone {
		return
	}
	s.boundDone = done
	var stop func() bool
	if done != nil {
		stop = context.AfterFunc(ctx, s.wake)
	}
	s.mu.Lock()
	old := s.ctxStop
	if s.closed {
		s.ctxStop = nil // Close has run: unregister the new one too
	} else {
		s.ctxStop, stop = stop, nil
	}
	s.mu.Unlock()
	for _, f := range []func() bool{old, stop} {
		if f != nil {
			f()
		}
	}
}

// clockBase anchors the monotonic clock of heartbeat idleness.
var clockBase = time.Now()

func monoNow() int64 { return int64(time.Since(clockBase)) + 1 }

// hbFire runs when hbTimer expires: it wakes a Next that has waited the
// heartbeat interval, or re-arms for what is left of the current wait,
// or, with nobody waiting, leaves the timer idle for the next wait to arm.
func (s *Subscription) hbFire() {
	// Disarm before looking at waitSince: a Next that starts waiting after
	// this load sees hbArmed false and arms the timer itself.
	s.hbArmed.Store(false)
	since := s.waitSince.Load()
	if since == 0 {
		return
	}
	left := time.Duration(since + int64(s.hub.opts.Heartbeat) - monoNow())
	if left <= 0 {
		s.wake() // Next sees it has waited long enough
		return
	}
	if s.hbArmed.CompareAndSwap(false, true) {
		s.hbTimer.Reset(left)
	}
}

// pop takes the next event, or the end reason once nothing is queued, or
// neither, in which case wait marks s as waiting for a wake-up.
func (s *Subscription) pop(wait bool) (*signal.Event, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ev *signal.Event
	switch {
	case s.closed:
		return nil, s.err
	case len(s.backlog) > 0:
		ev = s.backlog[0]
		s.backlog[0] = nil
		s.backlog = s.backlog[1:]
		if len(s.backlog) == 0 {
			s.backlog = nil // let the replay's backing array go
		}
	case s.n > 0:
		ev = s.ring[s.first]
		s.ring[s.first] = nil
		s.first++
		if s.first == len(s.ring) {
			s.first = 0
		}
		s.n--
	default:
		s.waiting = wait && s.err == nil
		return nil, s.err
	}
	if signal.Sequenced(ev.Body) {
		s.delivered = ev.Seq
	}
	return ev, nil
}

// heartbeat is returned when Next was idle for the heartbeat interval. An
// event may have arrived just as the timer fired; it goes first, so a
// heartbeat never claims a head the subscriber has not been given.
func (s *Subscription) heartbeat() (*signal.Event, error) {
	if ev, err := s.pop(false); ev != nil || err != nil {
		return ev, err
	}
	s.mu.Lock()
	head := s.lastSeq
	s.mu.Unlock()
	return &signal.Event{
		Project: s.project, Seq: head, Epoch: s.hub.epoch, Time: s.hub.opts.Now(),
		Body: &signal.Heartbeat{HeadSeq: head},
	}, nil
}

// info reports s for Subscribers. The project's mu must be held (head is
// its head).
func (s *Subscription) info(head uint64) SubscriberInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	lag := uint64(0)
	if head > s.delivered {
		lag = head - s.delivered
	}
	return SubscriberInfo{
		ID: s.id, Project: s.project, Client: s.client, Transport: s.transport,
		LastSeq: s.delivered, Lag: lag,
		QueueDepth: s.n, QueueCap: len(s.ring), Backlog: len(s.backlog),
		Connected: s.connected,
	}
}
