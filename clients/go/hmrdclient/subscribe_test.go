package hmrdclient_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/hmrd/hmrd/clients/go/hmrdclient"
	"github.com/hmrd/hmrd/clients/go/hmrdtest"
	hmrdv1 "github.com/hmrd/hmrd/proto/hmrd/v1"
)

// fastBackoff keeps reconnect tests quick; the logic is the same.
var fastBackoff = hmrdclient.WithBackoff(5*time.Millisecond, 50*time.Millisecond)

func update(path string) *hmrdv1.Event {
	return &hmrdv1.Event{Kind: &hmrdv1.Event_Update{Update: &hmrdv1.Update{
		Updates: []*hmrdv1.ModuleUpdate{{Path: path, AcceptedPath: path}},
	}}}
}

func publish(t *testing.T, d *hmrdtest.Daemon, project string, paths ...string) {
	t.Helper()
	for _, p := range paths {
		if _, err := d.Publish(project, update(p)); err != nil {
			t.Fatal(err)
		}
	}
}

// next is Next with the test's deadline.
func next(t *testing.T, sub *hmrdclient.Subscription) *hmrdv1.Event {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ev, err := sub.Next(ctx)
	if err != nil {
		t.Fatalf("Next: %v", err)
	}
	return ev
}

func wantHello(t *testing.T, ev *hmrdv1.Event, epoch string, resumed bool) {
	t.Helper()
	h := ev.GetHello()
	if h == nil || h.GetEpoch() != epoch || h.GetResumed() != resumed {
		t.Fatalf("got %s, want hello epoch %s resumed=%v", hmrdclient.Describe(ev), epoch, resumed)
	}
}

// wantSignals reads len(seqs) events and checks they are exactly those
// signals of that epoch, in order.
func wantSignals(t *testing.T, sub *hmrdclient.Subscription, epoch string, seqs ...uint64) {
	t.Helper()
	for _, seq := range seqs {
		ev := next(t, sub)
		if ev.GetHello() != nil || ev.GetHeartbeat() != nil || ev.GetEpoch() != epoch || ev.GetSeq() != seq {
			t.Fatalf("got %q (epoch %s), want signal seq %d of epoch %s", hmrdclient.Describe(ev), ev.GetEpoch(), seq, epoch)
		}
	}
}

// stateLog records OnState calls for a test to wait on.
type stateLog struct {
	mu     sync.Mutex
	states []hmrdclient.State
	ch     chan hmrdclient.State
}

func newStateLog() *stateLog { return &stateLog{ch: make(chan hmrdclient.State, 64)} }

func (l *stateLog) on(s hmrdclient.State, _ error) {
	l.mu.Lock()
	l.states = append(l.states, s)
	l.mu.Unlock()
	l.ch <- s
}

// wait blocks until the subscription reports state s.
func (l *stateLog) wait(t *testing.T, s hmrdclient.State) {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case got := <-l.ch:
			if got == s {
				return
			}
		case <-deadline:
			t.Fatalf("state %v not reported", s)
		}
	}
}

func (l *stateLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return fmt.Sprint(l.states)
}

func TestSubscribeLiveAndReplay(t *testing.T) {
	d := hmrdtest.New("e1")
	d.AddProject(&hmrdv1.Project{Name: "app", Root: "/app"})
	c := dial(t, serve(t, d, "unix", socketPath(t)).Target(), fastBackoff)
	publish(t, d, "app", "/a.js", "/b.js", "/c.js")

	// No epoch: live from the head, nothing replayed.
	live := c.Subscribe(testCtx(t), hmrdclient.SubscribeOptions{})
	defer live.Close()
	wantHello(t, next(t, live), "e1", false)
	if e, s := live.Position(); e != "e1" || s != 3 {
		t.Errorf("live Position = %s %d, want e1 3", e, s)
	}

	// Resume point in history: exactly the signals after it.
	replay := c.Subscribe(testCtx(t), hmrdclient.SubscribeOptions{Project: "app", Epoch: "e1", FromSeq: 1})
	defer replay.Close()
	wantHello(t, next(t, replay), "e1", true)
	wantSignals(t, replay, "e1", 2, 3)

	publish(t, d, "app", "/d.js")
	wantSignals(t, live, "e1", 4)
	wantSignals(t, replay, "e1", 4)
}

// A daemon that goes away and comes back on the same address with the same
// epoch (its state kept): the subscription reconnects and receives exactly
// the signals it missed, then live ones.
func TestSubscribeReconnectSameEpoch(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			d := hmrdtest.New("e1")
			d.AddProject(&hmrdv1.Project{Name: "app", Root: "/app"})
			srv := serve(t, d, tr.network, tr.addr(t))
			addr := srv.Target()
			c := dial(t, addr, fastBackoff)
			states := newStateLog()
			sub := c.Subscribe(testCtx(t), hmrdclient.SubscribeOptions{Project: "app", OnState: states.on})
			defer sub.Close()

			wantHello(t, next(t, sub), "e1", false)
			publish(t, d, "app", "/1.js", "/2.js")
			wantSignals(t, sub, "e1", 1, 2)

			srv.Stop()
			states.wait(t, hmrdclient.StateReconnecting)
			publish(t, d, "app", "/3.js", "/4.js", "/5.js") // missed while down
			serve(t, d, tr.network, addr)

			wantHello(t, next(t, sub), "e1", true)
			wantSignals(t, sub, "e1", 3, 4, 5)
			publish(t, d, "app", "/6.js")
			wantSignals(t, sub, "e1", 6)
			if got := sub.State(); got != hmrdclient.StateConnected {
				t.Errorf("State = %v, want connected (history %s)", got, states)
			}
		})
	}
}

// A new daemon instance (new epoch): the old resume point means nothing
// there, so the subscription gets the new Hello and one resync
// FullReload, then the new epoch's live signals.
func TestSubscribeReconnectNewEpoch(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			d := hmrdtest.New("e1")
			d.AddProject(&hmrdv1.Project{Name: "app", Root: "/app"})
			srv := serve(t, d, tr.network, tr.addr(t))
			addr := srv.Target()
			c := dial(t, addr, fastBackoff)
			states := newStateLog()
			sub := c.Subscribe(testCtx(t), hmrdclient.SubscribeOptions{Project: "app", OnState: states.on})
			defer sub.Close()

			wantHello(t, next(t, sub), "e1", false)
			publish(t, d, "app", "/1.js", "/2.js")
			wantSignals(t, sub, "e1", 1, 2)

			srv.Stop()
			states.wait(t, hmrdclient.StateReconnecting)
			d.Restart("e2")
			publish(t, d, "app", "/new.js") // e2 seq 1, before we are back
			serve(t, d, tr.network, addr)

			wantHello(t, next(t, sub), "e2", false)
			ev := next(t, sub)
			if fr := ev.GetFullReload(); fr.GetCause() != hmrdv1.FullReloadCause_FULL_RELOAD_CAUSE_RESYNC || ev.GetEpoch() != "e2" {
				t.Fatalf("got %s, want a resync full reload of e2", hmrdclient.Describe(ev))
			}
			if e, s := sub.Position(); e != "e2" || s != 1 {
				t.Errorf("Position after resync = %s %d, want e2 1", e, s)
			}
			publish(t, d, "app", "/x.js")
			wantSignals(t, sub, "e2", 2)
		})
	}
}

// Same epoch, but the resume point fell out of the daemon's history: a
// resync, then live.
func TestSubscribeResumeHistoryGone(t *testing.T) {
	d := hmrdtest.New("e1", hmrdtest.WithHistory(2))
	d.AddProject(&hmrdv1.Project{Name: "app", Root: "/app"})
	srv := serve(t, d, "unix", socketPath(t))
	c := dial(t, srv.Target(), fastBackoff)
	states := newStateLog()
	sub := c.Subscribe(testCtx(t), hmrdclient.SubscribeOptions{OnState: states.on})
	defer sub.Close()
	wantHello(t, next(t, sub), "e1", false)
	publish(t, d, "app", "/1.js")
	wantSignals(t, sub, "e1", 1)

	srv.Stop()
	states.wait(t, hmrdclient.StateReconnecting)
	publish(t, d, "app", "/2.js", "/3.js", "/4.js", "/5.js") // log keeps 4, 5
	serve(t, d, "unix", srv.Target())

	wantHello(t, next(t, sub), "e1", false)
	if ev := next(t, sub); ev.GetFullReload().GetCause() != hmrdv1.FullReloadCause_FULL_RELOAD_CAUSE_RESYNC {
		t.Fatalf("got %s, want resync", hmrdclient.Describe(ev))
	}
	publish(t, d, "app", "/6.js")
	wantSignals(t, sub, "e1", 6)
}

// Cut off as a slow consumer: the stream ends with ResourceExhausted and
// the subscription resumes without loss, even of signals published while
// it was away.
func TestSubscribeCutOffResumes(t *testing.T) {
	d := hmrdtest.New("e1")
	d.AddProject(&hmrdv1.Project{Name: "app", Root: "/app"})
	c := dial(t, serve(t, d, "unix", socketPath(t)).Target(), fastBackoff)
	states := newStateLog()
	sub := c.Subscribe(testCtx(t), hmrdclient.SubscribeOptions{Project: "app", OnState: states.on})
	defer sub.Close()
	wantHello(t, next(t, sub), "e1", false)
	publish(t, d, "app", "/1.js")
	wantSignals(t, sub, "e1", 1)

	d.CutOff("app")
	states.wait(t, hmrdclient.StateReconnecting)
	publish(t, d, "app", "/2.js", "/3.js")
	wantHello(t, next(t, sub), "e1", true)
	wantSignals(t, sub, "e1", 2, 3)
}

// Heartbeats are passed through and do not move the resume point.
func TestSubscribeHeartbeats(t *testing.T) {
	d := hmrdtest.New("e1")
	d.AddProject(&hmrdv1.Project{Name: "app", Root: "/app"})
	c := dial(t, serve(t, d, "unix", socketPath(t)).Target())
	sub := c.Subscribe(testCtx(t), hmrdclient.SubscribeOptions{Project: "app"})
	defer sub.Close()
	wantHello(t, next(t, sub), "e1", false)
	if err := d.Heartbeat("app"); err != nil {
		t.Fatal(err)
	}
	if ev := next(t, sub); ev.GetHeartbeat() == nil {
		t.Fatalf("got %s, want heartbeat", hmrdclient.Describe(ev))
	}
	publish(t, d, "app", "/1.js")
	wantSignals(t, sub, "e1", 1)
}

// Errors a redial cannot fix end the subscription: Next returns them.
func TestSubscribePermanentError(t *testing.T) {
	d := hmrdtest.New("e1")
	d.AddProject(&hmrdv1.Project{Name: "a", Root: "/a"})
	d.AddProject(&hmrdv1.Project{Name: "b", Root: "/b"})
	c := dial(t, serve(t, d, "unix", socketPath(t)).Target())

	sub := c.Subscribe(testCtx(t), hmrdclient.SubscribeOptions{Project: "nope"})
	_, err := sub.Next(testCtx(t))
	if !errors.Is(err, hmrdclient.ErrNotFound) {
		t.Errorf("unknown project: Next = %v, want ErrNotFound", err)
	}
	if sub.State() != hmrdclient.StateClosed {
		t.Errorf("State = %v, want closed", sub.State())
	}

	sub = c.Subscribe(testCtx(t), hmrdclient.SubscribeOptions{})
	if _, err := sub.Next(testCtx(t)); !errors.Is(err, hmrdclient.ErrInvalidArgument) {
		t.Errorf("ambiguous project: Next = %v, want ErrInvalidArgument", err)
	}

	// A project removed under a subscriber ends its stream for good.
	sub = c.Subscribe(testCtx(t), hmrdclient.SubscribeOptions{Project: "a"})
	wantHello(t, next(t, sub), "e1", false)
	if err := c.RemoveProject(testCtx(t), "a"); err != nil {
		t.Fatal(err)
	}
	if _, err := sub.Next(testCtx(t)); !errors.Is(err, hmrdclient.ErrNotFound) {
		t.Errorf("removed project: Next = %v, want ErrNotFound", err)
	}
}

func TestSubscribeCloseAndCancel(t *testing.T) {
	d := hmrdtest.New("e1")
	d.AddProject(&hmrdv1.Project{Name: "app", Root: "/app"})
	c := dial(t, serve(t, d, "unix", socketPath(t)).Target())

	sub := c.Subscribe(testCtx(t), hmrdclient.SubscribeOptions{})
	wantHello(t, next(t, sub), "e1", false)
	sub.Close()
	if _, err := sub.Next(testCtx(t)); !errors.Is(err, hmrdclient.ErrClosed) {
		t.Errorf("after Close: Next = %v, want ErrClosed", err)
	}

	ctx, cancel := context.WithCancel(testCtx(t))
	sub = c.Subscribe(ctx, hmrdclient.SubscribeOptions{})
	wantHello(t, next(t, sub), "e1", false)
	cancel()
	if _, err := sub.Next(testCtx(t)); !errors.Is(err, context.Canceled) {
		t.Errorf("after cancel: Next = %v, want context.Canceled", err)
	}

	// Closing the Client ends its subscriptions instead of retrying.
	c2 := dial(t, c.Addr())
	sub2 := c2.Subscribe(testCtx(t), hmrdclient.SubscribeOptions{})
	wantHello(t, next(t, sub2), "e1", false)
	c2.Close()
	if _, err := sub2.Next(testCtx(t)); !errors.Is(err, hmrdclient.ErrClosed) {
		t.Errorf("after Client.Close: Next = %v, want ErrClosed", err)
	}

	// Next's own deadline does not end the subscription.
	sub = c.Subscribe(testCtx(t), hmrdclient.SubscribeOptions{})
	defer sub.Close()
	wantHello(t, next(t, sub), "e1", false)
	short, cancelShort := context.WithTimeout(testCtx(t), 10*time.Millisecond)
	defer cancelShort()
	if _, err := sub.Next(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Next with short deadline = %v, want DeadlineExceeded", err)
	}
	publish(t, d, "app", "/1.js")
	wantSignals(t, sub, "e1", 1)
}
