package reliability

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"net/http"

	"github.com/coder/websocket"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/hmrd/hmrd/clients/go/hmrdclient"
	hmrdv1 "github.com/hmrd/hmrd/proto/hmrd/v1"
)

// recorder checks one subscriber's view of a project's signal stream
// across reconnects: every seq exactly once, in order, and a resync only
// where one is allowed.
type recorder struct {
	name string

	mu         sync.Mutex
	started    bool
	epoch      string
	last       uint64 // seq of the last signal seen (or the start head)
	wantResync bool   // a Hello that did not resume: a resync must follow
	hellos     int
	resyncs    int
	cutoffs    int
	redials    int
	signals    int
	customs    []string // Custom.event names, in order
	problems   []string
	changed    chan struct{} // pinged on every event
}

func newRecorder(name string) *recorder {
	return &recorder{name: name, changed: make(chan struct{}, 1)}
}

func (r *recorder) problem(format string, args ...any) {
	if len(r.problems) < 20 {
		r.problems = append(r.problems, fmt.Sprintf(format, args...))
	}
}

// add takes one event in arrival order.
func (r *recorder) add(ev *hmrdv1.Event) {
	r.mu.Lock()
	defer func() {
		r.mu.Unlock()
		select {
		case r.changed <- struct{}{}:
		default:
		}
	}()
	switch {
	case ev.GetHello() != nil:
		h := ev.GetHello()
		r.hellos++
		switch {
		case !r.started:
			r.started, r.epoch, r.last = true, h.GetEpoch(), h.GetHeadSeq()
		case h.GetResumed():
			if h.GetEpoch() != r.epoch {
				r.problem("resumed Hello of epoch %s, resume point in %s", h.GetEpoch(), r.epoch)
			}
		default:
			r.wantResync = true
		}
	case ev.GetHeartbeat() != nil:
	case isResync(ev):
		r.resyncs++
		if !r.wantResync {
			r.problem("unexpected resync at seq %d: %s", ev.GetSeq(), ev.GetFullReload().GetReason())
		}
		r.wantResync = false
		r.epoch, r.last = ev.GetEpoch(), ev.GetSeq()
	default:
		r.signals++
		if r.wantResync {
			r.problem("seq %d after a Hello that did not resume, without a resync first", ev.GetSeq())
			r.wantResync = false
		}
		if ev.GetEpoch() != r.epoch {
			r.problem("seq %d of epoch %s, stream in %s", ev.GetSeq(), ev.GetEpoch(), r.epoch)
		}
		if ev.GetSeq() != r.last+1 {
			r.problem("seq %d after %d", ev.GetSeq(), r.last)
		}
		r.last = ev.GetSeq()
		if c := ev.GetCustom(); c != nil {
			r.customs = append(r.customs, c.GetEvent())
		}
	}
}

// position is the resume point.
func (r *recorder) position() (string, uint64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.epoch, r.last
}

// waitSeq waits until the recorder has seen seq of epoch, or d passes.
func (r *recorder) waitSeq(epoch string, seq uint64, d time.Duration) error {
	deadline := time.After(d)
	for {
		r.mu.Lock()
		e, last := r.epoch, r.last
		r.mu.Unlock()
		if e == epoch && last >= seq {
			return nil
		}
		select {
		case <-r.changed:
		case <-deadline:
			return fmt.Errorf("%s: at %s/%d after %v, want %s/%d", r.name, e, last, d, epoch, seq)
		}
	}
}

// waitHello waits for the first Hello.
func (r *recorder) waitHello(d time.Duration) error {
	deadline := time.After(d)
	for {
		r.mu.Lock()
		ok := r.started
		r.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-r.changed:
		case <-deadline:
			return fmt.Errorf("%s: no Hello within %v", r.name, d)
		}
	}
}

func (r *recorder) summary() (problems []string, cutoffs, redials, resyncs int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.problems...), r.cutoffs, r.redials, r.resyncs
}

// maxRedials bounds the reconnects of one resuming subscriber, so a
// daemon that keeps refusing ends the loop.
const maxRedials = 200

// runWS is a resuming WebSocket subscriber, like the browser runtime: it
// reconnects with its resume point after any close until ctx ends, and
// fetches the token again when a handshake is refused (a restarted daemon
// has a new one).
func (d *daemonProc) runWS(ctx context.Context, r *recorder) {
	token := d.token
	for attempt := 0; ctx.Err() == nil; attempt++ {
		if attempt > maxRedials {
			r.mu.Lock()
			r.problem("gave up after %d reconnects", attempt)
			r.mu.Unlock()
			return
		}
		if attempt > 0 {
			r.mu.Lock()
			r.redials++
			r.mu.Unlock()
			select {
			case <-ctx.Done():
				return
			case <-time.After(time.Duration(min(attempt, 10)) * 20 * time.Millisecond):
			}
		}
		epoch, seq := r.position()
		dctx, cancel := context.WithTimeout(ctx, waitFor)
		c, resp, err := dialWS(dctx, d.httpAddr, wsURL(d.httpAddr, token, epoch, seq), nil)
		cancel()
		if err != nil {
			if resp != nil && resp.StatusCode == http.StatusForbidden {
				if tok, err := tryFetchToken(d.httpAddr); err == nil {
					token = tok
				}
			}
			continue
		}
		for {
			ev, err := readWSEvent(ctx, c)
			if err != nil {
				if websocket.CloseStatus(err) == websocket.StatusTryAgainLater {
					r.mu.Lock()
					r.cutoffs++
					r.mu.Unlock()
				}
				break
			}
			r.add(ev)
		}
		c.CloseNow()
	}
}

// runClient is a subscriber through the Go client library, which resumes
// by itself.
func runClient(ctx context.Context, c *hmrdclient.Client, r *recorder) {
	sub := c.Subscribe(ctx, hmrdclient.SubscribeOptions{Client: &hmrdv1.ClientInfo{Name: r.name, Kind: "go"}})
	defer sub.Close()
	for {
		ev, err := sub.Next(ctx)
		if err != nil {
			if ctx.Err() == nil {
				r.mu.Lock()
				r.problem("subscription ended: %v", err)
				r.mu.Unlock()
			}
			return
		}
		r.add(ev)
	}
}

// runGRPC is a resuming gRPC subscriber on a raw stream (no client
// library, so nothing is filtered): it resubscribes from its resume point
// after any error until ctx ends.
func (d *daemonProc) runGRPC(ctx context.Context, r *recorder) {
	hot := hmrdv1.NewHotServiceClient(d.cc)
	for attempt := 0; ctx.Err() == nil; attempt++ {
		if attempt > maxRedials {
			r.mu.Lock()
			r.problem("gave up after %d reconnects", attempt)
			r.mu.Unlock()
			return
		}
		if attempt > 0 {
			r.mu.Lock()
			r.redials++
			r.mu.Unlock()
			select {
			case <-ctx.Done():
				return
			case <-time.After(time.Duration(min(attempt, 10)) * 20 * time.Millisecond):
			}
		}
		epoch, seq := r.position()
		st, err := hot.Subscribe(ctx, &hmrdv1.SubscribeRequest{Epoch: epoch, FromSeq: seq,
			Client: &hmrdv1.ClientInfo{Name: r.name, Kind: "go"}})
		if err != nil {
			continue
		}
		for {
			resp, err := st.Recv()
			if err != nil {
				if status.Code(err) == codes.ResourceExhausted {
					r.mu.Lock()
					r.cutoffs++
					r.mu.Unlock()
				}
				break
			}
			r.add(resp.GetEvent())
		}
	}
}

// fleet is a set of resuming subscribers.
type fleet struct {
	recs    []*recorder
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	closers []func() error
}

// startFleet starts nWS WebSocket and nGRPC gRPC subscribers on raw
// streams, and nClient through the Go client library, and waits for every
// Hello.
func (d *daemonProc) startFleet(nWS, nGRPC, nClient int) (*fleet, error) {
	ctx, cancel := context.WithCancel(context.Background())
	f := &fleet{cancel: cancel}
	add := func(name string, run func(context.Context, *recorder)) {
		r := newRecorder(name)
		f.recs = append(f.recs, r)
		f.wg.Go(func() { run(ctx, r) })
	}
	for i := range nWS {
		add(fmt.Sprintf("ws-%d", i), d.runWS)
	}
	for i := range nGRPC {
		add(fmt.Sprintf("grpc-%d", i), d.runGRPC)
	}
	if nClient > 0 {
		c, err := hmrdclient.Dial(ctx, d.socket, hmrdclient.WithBackoff(20*time.Millisecond, 500*time.Millisecond))
		if err != nil {
			cancel()
			return nil, err
		}
		f.closers = append(f.closers, c.Close)
		for i := range nClient {
			add(fmt.Sprintf("client-%d", i), func(ctx context.Context, r *recorder) { runClient(ctx, c, r) })
		}
	}
	for _, r := range f.recs {
		if err := r.waitHello(waitFor); err != nil {
			f.stop()
			return nil, err
		}
	}
	return f, nil
}

func (f *fleet) stop() {
	f.cancel()
	f.wg.Wait()
	for _, c := range f.closers {
		c()
	}
}

// waitSeq waits until every subscriber has seen seq of epoch.
func (f *fleet) waitSeq(epoch string, seq uint64, d time.Duration) error {
	deadline := time.Now().Add(d)
	var errs []error
	for _, r := range f.recs {
		if err := r.waitSeq(epoch, seq, max(time.Until(deadline), time.Millisecond)); err != nil {
			errs = append(errs, err)
			if len(errs) > 10 {
				break
			}
		}
	}
	return errors.Join(errs...)
}

// check returns the problems of every subscriber, and totals.
func (f *fleet) check() (problems []string, cutoffs, redials, resyncs int) {
	for _, r := range f.recs {
		p, c, rd, rs := r.summary()
		for _, x := range p {
			problems = append(problems, r.name+": "+x)
		}
		cutoffs += c
		redials += rd
		resyncs += rs
	}
	return
}
