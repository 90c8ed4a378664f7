package hmrdclient

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"sync"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/connectivity"
	"google.golang.org/grpc/status"

	hmrdv1 "github.com/hmrd/hmrd/proto/hmrd/v1"
)

// SubscribeOptions says what to subscribe to and where to start.
type SubscribeOptions struct {
	// Project name; "" when the daemon has exactly one project.
	Project string
	// Resume point: the last seq and epoch already seen. An empty Epoch
	// starts live (FromSeq is then ignored by the daemon).
	FromSeq uint64
	Epoch   string
	// Client describes the subscriber in `hmrd status`; nil uses the
	// Client's default (see WithClientInfo).
	Client *hmrdv1.ClientInfo
	// Entries are extra entry modules this runtime executes.
	Entries []string
	// OnState, when set, is called on the subscription's goroutine at
	// every change of state, with the error that caused a disconnect (or
	// ended the subscription). It must not block for long. No call
	// happens after Close returns.
	OnState func(State, error)
}

// State is where a Subscription's connection stands.
type State int32

const (
	// StateConnecting: the first attempt is under way.
	StateConnecting State = iota
	// StateConnected: the stream is open (its Hello arrived).
	StateConnected
	// StateReconnecting: the stream broke; redialling with backoff.
	StateReconnecting
	// StateClosed: the subscription ended (context, Close, or an error a
	// retry cannot fix such as an unknown project).
	StateClosed
)

func (s State) String() string {
	switch s {
	case StateConnecting:
		return "connecting"
	case StateConnected:
		return "connected"
	case StateReconnecting:
		return "reconnecting"
	case StateClosed:
		return "closed"
	}
	return fmt.Sprintf("State(%d)", int32(s))
}

// Subscription is a project's signal stream that survives disconnects.
// See the package documentation for ordering and backpressure.
type Subscription struct {
	c      *Client
	opts   SubscribeOptions
	cancel context.CancelFunc
	events chan *hmrdv1.Event
	done   chan struct{} // closed when run returns; err is set before

	mu    sync.Mutex
	state State
	epoch string // resume point: last delivered signal
	seq   uint64
	err   error
}

// Subscribe starts a subscription; it connects in the background, so it
// never fails itself: errors come from Next. Cancelling ctx or calling
// Close ends it.
func (c *Client) Subscribe(ctx context.Context, opts SubscribeOptions) *Subscription {
	if opts.Client == nil {
		opts.Client = c.opts.clientInfo
	}
	ctx, cancel := context.WithCancel(ctx)
	s := &Subscription{
		c:      c,
		opts:   opts,
		cancel: cancel,
		events: make(chan *hmrdv1.Event),
		done:   make(chan struct{}),
		epoch:  opts.Epoch,
		seq:    opts.FromSeq,
	}
	go s.run(ctx)
	return s
}

// Next returns the next event, blocking until one arrives, ctx ends, or the
// subscription ends (then the error says why: the subscription context's
// error, ErrClosed, or an *Error such as an unknown project).
func (s *Subscription) Next(ctx context.Context) (*hmrdv1.Event, error) {
	select {
	case ev := <-s.events:
		return ev, nil
	case <-s.done:
		s.mu.Lock()
		defer s.mu.Unlock()
		return nil, s.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Close ends the subscription; Next then returns ErrClosed.
func (s *Subscription) Close() error {
	s.mu.Lock()
	if s.err == nil {
		s.err = ErrClosed
	}
	s.mu.Unlock()
	s.cancel()
	<-s.done
	return nil
}

// State is the connection state now.
func (s *Subscription) State() State {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state
}

// Position is the resume point: the epoch and seq of the last signal
// handed out by Next (or, for a moment, the one Next is about to return),
// or the starting point before any. Save it to resume in another process.
func (s *Subscription) Position() (epoch string, seq uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.epoch, s.seq
}

func (s *Subscription) setState(st State, err error) {
	s.mu.Lock()
	changed := s.state != st
	s.state = st
	s.mu.Unlock()
	if changed && s.opts.OnState != nil {
		s.opts.OnState(st, err)
	}
}

// run is the subscription's goroutine: one stream after another until
// the context ends or an error no retry can fix.
func (s *Subscription) run(ctx context.Context) {
	var final error
	defer func() {
		s.mu.Lock()
		if s.err == nil {
			s.err = final
		}
		err := s.err
		s.mu.Unlock()
		// The last callback runs before done is closed, so that none runs
		// after Close (or a Next that saw the end) has returned.
		s.setState(StateClosed, err)
		close(s.done)
	}()
	attempt := 0
	for {
		connected, err := s.stream(ctx)
		if ctx.Err() != nil {
			final = fmt.Errorf("subscribe: %w", ctx.Err())
			return
		}
		if s.c.cc.GetState() == connectivity.Shutdown {
			final = fmt.Errorf("subscribe: %w", ErrClosed) // Client.Close
			return
		}
		if permanent(err) {
			final = rpcError(ctx, "subscribe", err)
			return
		}
		if connected {
			attempt = 0
		}
		s.setState(StateReconnecting, rpcError(ctx, "subscribe", err))
		t := time.NewTimer(s.backoff(attempt))
		select {
		case <-ctx.Done():
			t.Stop()
			final = fmt.Errorf("subscribe: %w", ctx.Err())
			return
		case <-t.C:
		}
		attempt++
		// Our backoff has passed: the connection must not sit out gRPC's
		// own on top of it (a fail-fast call would fail at once).
		s.c.cc.ResetConnectBackoff()
	}
}

// backoff is min·2^attempt capped at max, with jitter in [d/2, d] so that
// many subscribers of a restarted daemon do not redial in lockstep.
func (s *Subscription) backoff(attempt int) time.Duration {
	d := s.c.opts.minBackoff
	for i := 0; i < attempt && d < s.c.opts.maxBackoff; i++ {
		d *= 2
	}
	d = min(d, s.c.opts.maxBackoff)
	half := d / 2
	return half + rand.N(half+1)
}

// permanent says whether a stream error is one a redial cannot fix: the
// daemon answered and said no (unknown or removed project, ambiguous
// project, unsupported protocol). Everything else (daemon gone, cut off as
// a slow consumer, network trouble, a clean end of stream at shutdown) is
// retried.
func permanent(err error) bool {
	if err == nil || errors.Is(err, io.EOF) {
		return false
	}
	switch status.Code(err) {
	case codes.InvalidArgument, codes.NotFound, codes.AlreadyExists, codes.PermissionDenied,
		codes.Unauthenticated, codes.FailedPrecondition, codes.Unimplemented, codes.OutOfRange:
		return true
	}
	return false
}

// stream runs one Subscribe call to its end; connected reports whether the
// daemon answered with a Hello, which resets the backoff.
func (s *Subscription) stream(ctx context.Context) (connected bool, err error) {
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	epoch, seq := s.Position()
	req := &hmrdv1.SubscribeRequest{
		Project:          s.opts.Project,
		FromSeq:          seq,
		Epoch:            epoch,
		Client:           s.opts.Client,
		ProtocolVersions: []uint32{ProtocolVersion},
		Entries:          s.opts.Entries,
	}
	st, err := s.c.hot.Subscribe(sctx, req)
	if err != nil {
		return false, err
	}
	var hello *hmrdv1.Hello
	for {
		resp, err := st.Recv()
		if err != nil {
			return connected, err
		}
		ev := resp.GetEvent()
		if ev == nil {
			continue
		}
		if h := ev.GetHello(); h != nil {
			hello = h
			if !connected {
				connected = true
				s.setState(StateConnected, nil)
			}
		} else if s.duplicate(ev) {
			continue
		}
		// Advance before the hand-off, so that Position covers an event as
		// soon as Next can return it. The send only fails when the
		// subscription ends, and then the resume point no longer matters.
		s.advance(ev, hello)
		select {
		case s.events <- ev:
		case <-ctx.Done():
			return connected, ctx.Err()
		}
	}
}

// duplicate reports a signal already delivered: same epoch, seq not past
// the resume point. A daemon replaying a little too much must not make a
// runtime apply an update twice. A resync is never a duplicate: it says
// the resume point itself is void.
func (s *Subscription) duplicate(ev *hmrdv1.Event) bool {
	if ev.GetHeartbeat() != nil || isResync(ev) {
		return false
	}
	epoch, seq := s.Position()
	return epoch != "" && ev.GetEpoch() == epoch && ev.GetSeq() <= seq
}

func isResync(ev *hmrdv1.Event) bool {
	return ev.GetFullReload().GetCause() == hmrdv1.FullReloadCause_FULL_RELOAD_CAUSE_RESYNC
}

// advance moves the resume point past a delivered event.
//   - A Hello moves it only for a subscription that had none (it started
//     live at the head). A Hello that does not resume leaves the old point
//     until the resync FullReload that follows is delivered: should the
//     stream break in between, the next attempt asks again and gets the
//     resync again instead of silently skipping it.
//   - A resync FullReload moves it to the head of the new stream.
//   - Other signals move it to their own (epoch, seq); heartbeats never.
func (s *Subscription) advance(ev *hmrdv1.Event, hello *hmrdv1.Hello) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case ev.GetHello() != nil:
		if s.epoch == "" {
			s.epoch, s.seq = ev.GetHello().GetEpoch(), ev.GetHello().GetHeadSeq()
		}
	case ev.GetHeartbeat() != nil:
	case isResync(ev):
		epoch, seq := ev.GetEpoch(), ev.GetSeq()
		if epoch == "" {
			epoch = hello.GetEpoch()
		}
		if hello.GetEpoch() == epoch {
			seq = max(seq, hello.GetHeadSeq())
		}
		s.epoch, s.seq = epoch, seq
	case ev.GetEpoch() != "":
		s.epoch, s.seq = ev.GetEpoch(), ev.GetSeq()
	}
}
