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

	// queueCap is the bound in events (QueueSize).
	queueCap int

	mu sync.Mutex
	// backlog is the Hello and the replay or resync, delivered before the
	// ring and outside its bounds.
	backlog []*signal.Event
	// ring holds live events: n of them starting at first, of total Size
	// bytes. It has queueCap slots, more while a batch overdraws it.
	ring     []*signal.Event
	first, n int
	bytes    int
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

// push queues evs (of total Size size) unless the subscription has ended
// or is past a limit, in which case it is cut off; false means "unregister
// me". The limits apply to the queue as it is before evs: a subscriber
// within them takes all of evs, whatever their number and size. It never
// blocks.
func (s *Subscription) push(evs []*signal.Event, size int) bool {
	s.mu.Lock()
	if s.err != nil {
		s.mu.Unlock()
		return false
	}
	if err := s.overLimit(evs[0]); err != nil {
		s.err = err
		s.mu.Unlock()
		s.end()
		s.wake()
		return false
	}
	if s.n+len(evs) > len(s.ring) {
		s.grow(s.n + len(evs))
	}
	for _, ev := range evs {
		i := s.first + s.n
		if i >= len(s.ring) {
			i -= len(s.ring)
		}
		s.ring[i] = ev
		s.n++
	}
	s.bytes += size
	s.lastSeq = evs[len(evs)-1].Seq
	wake := s.waiting
	s.waiting = false
	s.mu.Unlock()
	if wake {
		s.wake()
	}
	return true
}

// overLimit is the error that cuts s off if its queue is past a limit
// when ev arrives, nil if it is not. s.mu must be held.
func (s *Subscription) overLimit(ev *signal.Event) *SlowConsumerError {
	o := &s.hub.opts
	lagged := s.n > 0 && o.LagTimeout > 0 && ev.Time.Sub(s.ring[s.first].Time) >= o.LagTimeout
	if s.n < s.queueCap && s.bytes < o.QueueBytes && !lagged {
		return nil
	}
	e := &SlowConsumerError{Subscriber: s.id, QueueCap: s.queueCap, Seq: ev.Seq, ResumeFrom: s.lastSeq}
	switch {
	case s.n >= s.queueCap:
		e.Limit = LimitEvents
	case s.bytes >= o.QueueBytes:
		e.Limit, e.Why = LimitBytes, fmt.Sprintf("queue of %s full at seq %d", formatBytes(o.QueueBytes), ev.Seq)
	default:
		e.lagged(s.ring[s.first], ev.Time, o.LagTimeout)
	}
	return e
}

// lagged makes e the error of a subscriber whose oldest unread event is
// oldest at now.
func (e *SlowConsumerError) lagged(oldest *signal.Event, now time.Time, limit time.Duration) {
	e.Limit, e.Seq = LimitLag, oldest.Seq
	e.Why = fmt.Sprintf("seq %d unread for %v (limit %v)", oldest.Seq, now.Sub(oldest.Time).Round(time.Millisecond), limit)
}

// grow makes room for n events in the ring, keeping their order. s.mu
// must be held.
func (s *Subscription) grow(n int) {
	ring := make([]*signal.Event, max(n, 2*len(s.ring)))
	k := copy(ring, s.ring[s.first:min(s.first+s.n, len(s.ring))])
	copy(ring[k:], s.ring[:s.n-k])
	s.ring, s.first = ring, 0
}

// checkLag cuts s off if its oldest queued event has waited the lag
// timeout at now. It reports whether s was cut off (or had ended: either
// way it must be unregistered) and whether events stay queued. The
// project's mu must be held.
func (s *Subscription) checkLag(now time.Time) (ended, queued bool) {
	s.mu.Lock()
	if s.err != nil {
		s.mu.Unlock()
		return true, false
	}
	if s.n == 0 {
		s.mu.Unlock()
		return false, false
	}
	oldest := s.ring[s.first]
	if now.Sub(oldest.Time) < s.hub.opts.LagTimeout {
		s.mu.Unlock()
		return false, true
	}
	e := &SlowConsumerError{Subscriber: s.id, QueueCap: s.queueCap, ResumeFrom: s.lastSeq}
	e.lagged(oldest, now, s.hub.opts.LagTimeout)
	s.err = e
	s.mu.Unlock()
	s.end()
	s.wake()
	return true, false
}

// formatBytes writes n in the largest binary unit that divides it.
func formatBytes(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
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
		s.ring = nil
		s.first, s.n, s.bytes = 0, 0, 0
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
		s.bytes -= ev.Size
		if s.n == 0 && len(s.ring) > s.queueCap {
			// A batch overdrew the ring: let the large one go.
			s.ring, s.first = make([]*signal.Event, s.queueCap), 0
		}
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
		QueueDepth: s.n, QueueCap: s.queueCap, Backlog: len(s.backlog),
		Connected: s.connected,
	}
}
