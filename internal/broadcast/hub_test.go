package broadcast_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hmrd/hmrd/internal/broadcast"
	"github.com/hmrd/hmrd/internal/graph/propagate"
	"github.com/hmrd/hmrd/internal/signal"
)

const (
	epoch = "e1"
	proj  = "web"
	root  = "/src/web"
	// wait bounds every blocking Next in the tests: a broken hub fails
	// the test instead of hanging it.
	wait = 5 * time.Second
)

var clock = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func newHub(t testing.TB, opts broadcast.Options) *broadcast.Hub {
	t.Helper()
	if opts.Now == nil {
		opts.Now = func() time.Time { return clock }
	}
	if opts.DaemonVersion == "" {
		opts.DaemonVersion = "0.0.0-test"
	}
	h := broadcast.New(epoch, opts)
	h.AddProject(proj, root)
	t.Cleanup(h.Close)
	return h
}

func publish(t testing.TB, h *broadcast.Hub, n int) {
	t.Helper()
	for range n {
		if h.Publish(proj, 0, &signal.Custom{Event: "tick", Data: "null"}) == nil {
			t.Fatalf("Publish(%q) = nil", proj)
		}
	}
}

func subscribe(t testing.TB, h *broadcast.Hub, o broadcast.SubscribeOptions) *broadcast.Subscription {
	t.Helper()
	s, err := h.Subscribe(proj, o)
	if err != nil {
		t.Fatalf("Subscribe(%q, %+v): %v", proj, o, err)
	}
	t.Cleanup(s.Close)
	return s
}

func next(t testing.TB, s *broadcast.Subscription) *signal.Event {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	ev, err := s.Next(ctx)
	if err != nil {
		t.Fatalf("%s: Next: %v", s.ID(), err)
	}
	return ev
}

func nextErr(t testing.TB, s *broadcast.Subscription) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	ev, err := s.Next(ctx)
	if err == nil {
		t.Fatalf("%s: Next = %s seq %d, want an error", s.ID(), ev.Kind(), ev.Seq)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("%s: Next still blocked after %v, want the end of the stream", s.ID(), wait)
	}
	return err
}

func hello(t testing.TB, s *broadcast.Subscription) *signal.Hello {
	t.Helper()
	ev := next(t, s)
	h, ok := ev.Body.(*signal.Hello)
	if !ok {
		t.Fatalf("%s: first event is %s, want hello", s.ID(), ev.Kind())
	}
	if ev.Seq != h.HeadSeq || ev.Epoch != epoch || ev.Project != proj {
		t.Errorf("%s: hello event seq %d epoch %q project %q, want seq %d epoch %q project %q",
			s.ID(), ev.Seq, ev.Epoch, ev.Project, h.HeadSeq, epoch, proj)
	}
	return h
}

// expectSeqs reads events from..to, which must be sequenced and in order.
func expectSeqs(t testing.TB, s *broadcast.Subscription, from, to uint64) {
	t.Helper()
	for want := from; want <= to; want++ {
		ev := next(t, s)
		if ev.Seq != want || !signal.Sequenced(ev.Body) {
			t.Fatalf("%s: got %s seq %d, want a signal with seq %d", s.ID(), ev.Kind(), ev.Seq, want)
		}
	}
}

// expectIdle checks that nothing is queued (heartbeats are off in the
// tests that use it, so Next can only time out).
func expectIdle(t testing.TB, s *broadcast.Subscription) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if ev, err := s.Next(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("%s: Next = %v, %v; want nothing queued", s.ID(), ev, err)
	}
}

func TestPublishSequences(t *testing.T) {
	h := newHub(t, broadcast.Options{Heartbeat: -1})
	a := subscribe(t, h, broadcast.SubscribeOptions{})
	b := subscribe(t, h, broadcast.SubscribeOptions{ID: "mine"})
	if a.ID() != "s1" || b.ID() != "mine" {
		t.Errorf("IDs = %q, %q; want s1, mine", a.ID(), b.ID())
	}

	e1 := h.Publish(proj, 42, &signal.Update{Triggers: []string{"/a.js"}})
	hb := h.Publish(proj, 0, &signal.Heartbeat{HeadSeq: 1})
	e2 := h.Publish(proj, 43, &signal.Prune{Paths: []string{"/b.js"}})
	if e1.Seq != 1 || e2.Seq != 2 || hb.Seq != 1 {
		t.Errorf("seqs = %d, %d (heartbeat %d); want 1, 2 (heartbeat 1)", e1.Seq, e2.Seq, hb.Seq)
	}
	if e1.Epoch != epoch || e1.Project != proj || e1.Version != 42 || !e1.Time.Equal(clock) {
		t.Errorf("event = %+v; want epoch %q project %q version 42 time %v", e1, epoch, proj, clock)
	}
	if got := h.Head(proj); got != 2 {
		t.Errorf("Head = %d, want 2", got)
	}
	if got := h.Last(proj); got != e2 {
		t.Errorf("Last = %v, want the prune event", got)
	}
	if h.Publish("nope", 0, &signal.Prune{}) != nil || h.Head("nope") != 0 || h.Last("nope") != nil {
		t.Error("unknown project: Publish, Head or Last reported something")
	}
	if h.Publish(proj, 0, nil) != nil {
		t.Error("Publish(nil body) returned an event")
	}

	for _, s := range []*broadcast.Subscription{a, b} {
		hl := hello(t, s)
		want := signal.Hello{ProtocolVersion: signal.ProtocolVersion, DaemonVersion: "0.0.0-test", Root: root, SubscriberID: s.ID()}
		if !reflect.DeepEqual(*hl, want) {
			t.Errorf("hello = %+v, want %+v", *hl, want)
		}
		// The very same pointers: transports cache encodings on them.
		for _, want := range []*signal.Event{e1, hb, e2} {
			if got := next(t, s); got != want {
				t.Errorf("%s: got %s seq %d (%p), want %s seq %d (%p)", s.ID(), got.Kind(), got.Seq, got, want.Kind(), want.Seq, want)
			}
		}
		expectIdle(t, s)
	}
}

func TestResume(t *testing.T) {
	resync := func(reason string) *propagate.FullReload {
		return &propagate.FullReload{Cause: propagate.CauseResync, Reason: reason, Path: "*"}
	}
	tests := []struct {
		name      string
		history   int
		published int
		from      uint64
		epoch     string
		resumed   bool
		replay    [2]uint64 // first, last replayed seq; zero for none
		resync    *propagate.FullReload
	}{
		{name: "fresh", published: 100, from: 7},
		{name: "at head", published: 100, from: 100, epoch: epoch, resumed: true},
		{name: "nothing published", from: 0, epoch: epoch, resumed: true},
		{name: "replay 100", published: 200, from: 100, epoch: epoch, resumed: true, replay: [2]uint64{101, 200}},
		{name: "replay all", published: 50, from: 0, epoch: epoch, resumed: true, replay: [2]uint64{1, 50}},
		{name: "oldest kept", history: 10, published: 100, from: 90, epoch: epoch, resumed: true, replay: [2]uint64{91, 100}},
		{name: "compacted", history: 10, published: 100, from: 89, epoch: epoch,
			resync: resync("resync: history starts at seq 91; seqs 90..90 are gone")},
		{name: "compacted far", history: 10, published: 100, from: 3, epoch: epoch,
			resync: resync("resync: history starts at seq 91; seqs 4..90 are gone")},
		{name: "foreign epoch", published: 100, from: 100, epoch: "e0",
			resync: resync("resync: daemon restarted: epoch e0 is not e1")},
		{name: "beyond head", published: 100, from: 101, epoch: epoch,
			resync: resync("resync: resume point seq 101 is beyond head seq 100")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHub(t, broadcast.Options{History: tc.history, QueueSize: 4, Heartbeat: -1})
			publish(t, h, tc.published)
			head := uint64(tc.published)
			s := subscribe(t, h, broadcast.SubscribeOptions{FromSeq: tc.from, Epoch: tc.epoch})

			hl := hello(t, s)
			if hl.Resumed != tc.resumed || hl.HeadSeq != head {
				t.Fatalf("hello resumed %v head %d, want resumed %v head %d", hl.Resumed, hl.HeadSeq, tc.resumed, head)
			}
			if tc.resync != nil {
				ev := next(t, s)
				fr, ok := ev.Body.(*signal.FullReload)
				if !ok || ev.Seq != head {
					t.Fatalf("after hello: %s seq %d, want full-reload seq %d", ev.Kind(), ev.Seq, head)
				}
				if fmt.Sprint(fr.FullReload) != fmt.Sprint(*tc.resync) {
					t.Errorf("resync = %+v\nwant     %+v", fr.FullReload, *tc.resync)
				}
				if h.Head(proj) != head || h.Last(proj) == ev {
					t.Error("the resync event took a seq or entered the history")
				}
			}
			if tc.replay[0] != 0 {
				// QueueSize is 4: the replay must not count against it.
				expectSeqs(t, s, tc.replay[0], tc.replay[1])
			}
			expectIdle(t, s)
			publish(t, h, 2)
			expectSeqs(t, s, head+1, head+2)
		})
	}
}

// TestReplayOutsideBound: a resumer whose replay is far longer than its queue
// is not cut off, and its live queue still has its full size.
func TestReplayOutsideBound(t *testing.T) {
	h := newHub(t, broadcast.Options{History: 1000, QueueSize: 4, Heartbeat: -1})
	publish(t, h, 500)
	s := subscribe(t, h, broadcast.SubscribeOptions{FromSeq: 0, Epoch: epoch})
	publish(t, h, 4) // fills the live queue exactly
	if info := h.Subscribers(); len(info) != 1 || info[0].Backlog != 501 || info[0].QueueDepth != 4 || info[0].QueueCap != 4 {
		t.Fatalf("Subscribers = %+v, want one with backlog 501 and 4/4 queued", info)
	}
	hello(t, s)
	expectSeqs(t, s, 1, 504)
	expectIdle(t, s)
}

func TestSlowConsumer(t *testing.T) {
	const (
		healthy = 50
		events  = 1000
		batch   = 100
		queue   = 256
	)
	h := newHub(t, broadcast.Options{QueueSize: queue, Heartbeat: -1})
	slow := subscribe(t, h, broadcast.SubscribeOptions{ID: "slow"})

	// Each healthy subscriber reports when it has read a batch's last event,
	// and the publisher waits for all of them before the next batch: their
	// queues (256) never overflow however the scheduler runs them, while
	// the slow one never reads at all.
	progress := make(chan uint64, healthy)
	errs := make(chan error, healthy)
	var wg sync.WaitGroup
	for i := range healthy {
		s := subscribe(t, h, broadcast.SubscribeOptions{Transport: "websocket"})
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), wait)
			defer cancel()
			err := func() error {
				if ev, err := s.Next(ctx); err != nil || ev.Kind() != "hello" {
					return fmt.Errorf("healthy %d: first Next = %v, %v; want hello", i, ev, err)
				}
				for want := uint64(1); want <= events; want++ {
					ev, err := s.Next(ctx)
					if err != nil {
						return fmt.Errorf("healthy %d: Next (want seq %d): %w", i, want, err)
					}
					if ev.Seq != want {
						return fmt.Errorf("healthy %d: got seq %d, want %d", i, ev.Seq, want)
					}
					if want%batch == 0 {
						progress <- want
					}
				}
				return nil
			}()
			if err != nil {
				errs <- err
			}
		}()
	}
	deadline := time.After(wait)
	for sent := 0; sent < events; sent += batch {
		publish(t, h, batch)
		for range healthy {
			select {
			case <-progress:
			case err := <-errs:
				t.Fatal(err)
			case <-deadline:
				t.Fatalf("healthy subscribers did not read up to seq %d within %v", sent+batch, wait)
			}
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}

	if got := len(h.Subscribers()); got != healthy {
		t.Errorf("Subscribers lists %d, want the %d healthy ones (the slow one is cut off)", got, healthy)
	}
	// The slow one gets what was queued before the cut, then the reason.
	hello(t, slow)
	expectSeqs(t, slow, 1, queue)
	err := nextErr(t, slow)
	var sce *broadcast.SlowConsumerError
	if !errors.Is(err, broadcast.ErrSlowConsumer) || !errors.As(err, &sce) {
		t.Fatalf("slow: Next error = %v, want ErrSlowConsumer", err)
	}
	const wantMsg = "subscriber slow cut off: queue of 256 events full at seq 257; resume from seq 256"
	if err.Error() != wantMsg || sce.ResumeFrom != queue || sce.Seq != queue+1 {
		t.Errorf("slow: error = %q (%+v)\nwant %q", err, *sce, wantMsg)
	}
	if err2 := nextErr(t, slow); err2 != err {
		t.Errorf("slow: Next after the end = %v, want the same error again", err2)
	}

	// Resuming from where the error says picks up exactly the rest.
	again := subscribe(t, h, broadcast.SubscribeOptions{FromSeq: sce.ResumeFrom, Epoch: epoch})
	if !hello(t, again).Resumed {
		t.Fatal("resume after cut-off: not resumed")
	}
	expectSeqs(t, again, queue+1, events)
}

// TestConcurrentSubscribe: subscribers join while a publisher runs flat out;
// each sees a gap-free, duplicate-free sequence from its resume point.
func TestConcurrentSubscribe(t *testing.T) {
	const (
		events = 10000
		subs   = 20
	)
	h := newHub(t, broadcast.Options{History: 2 * events, QueueSize: 2 * events, Heartbeat: -1})
	rng := rand.New(rand.NewPCG(1, uint64(time.Now().UnixNano())))
	joinAt := make(map[int]bool, subs)
	for len(joinAt) < subs {
		joinAt[rng.IntN(events)] = true
	}

	joins := make(chan int, subs)
	go func() {
		defer close(joins)
		for i := range events {
			if joinAt[i] {
				joins <- i // buffered: the publisher does not wait for joiners
			}
			h.Publish(proj, int64(i), &signal.Custom{Event: "tick", Data: strconv.Itoa(i)})
		}
	}()

	errs := make(chan error, subs)
	n := 0
	for range joins {
		kind := n % 5
		n++
		back := uint64(rng.IntN(300))
		go func() { errs <- joinAndRead(h, kind, back, events) }()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

// joinAndRead subscribes in one of five ways and checks the stream up to
// seq last.
func joinAndRead(h *broadcast.Hub, kind int, back, last uint64) error {
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	head := h.Head(proj) // the publisher moves on before Subscribe runs
	o := broadcast.SubscribeOptions{Epoch: epoch}
	what := ""
	switch kind {
	case 0:
		o.Epoch, what = "", "fresh"
	case 1:
		o.FromSeq, what = head, "at head"
	case 2:
		o.FromSeq, what = head-min(back, head), "behind"
	case 3:
		o.FromSeq, what = 0, "from 0"
	case 4:
		o.Epoch, o.FromSeq, what = "e0", head, "foreign epoch"
	}
	s, err := h.Subscribe(proj, o)
	if err != nil {
		return err
	}
	defer s.Close()
	ev, err := s.Next(ctx)
	if err != nil {
		return fmt.Errorf("%s %s: hello: %w", what, s.ID(), err)
	}
	hl, ok := ev.Body.(*signal.Hello)
	if !ok || hl.Resumed != (kind >= 1 && kind <= 3) {
		return fmt.Errorf("%s %s: first event %s %+v", what, s.ID(), ev.Kind(), ev.Body)
	}
	want := o.FromSeq + 1
	if !hl.Resumed {
		want = hl.HeadSeq + 1
	}
	if kind == 4 {
		ev, err := s.Next(ctx)
		if err != nil {
			return fmt.Errorf("%s %s: resync: %w", what, s.ID(), err)
		}
		if fr, ok := ev.Body.(*signal.FullReload); !ok || fr.Cause != propagate.CauseResync || ev.Seq != hl.HeadSeq {
			return fmt.Errorf("%s %s: after hello: %s seq %d, want resync seq %d", what, s.ID(), ev.Kind(), ev.Seq, hl.HeadSeq)
		}
	}
	for ; want <= last; want++ {
		ev, err := s.Next(ctx)
		if err != nil {
			return fmt.Errorf("%s %s: waiting for seq %d: %w", what, s.ID(), want, err)
		}
		if ev.Seq != want || ev.Body.(*signal.Custom).Data != strconv.FormatUint(want-1, 10) {
			return fmt.Errorf("%s %s (from %d): got seq %d, want %d", what, s.ID(), o.FromSeq, ev.Seq, want)
		}
	}
	return nil
}

func TestHeartbeat(t *testing.T) {
	h := newHub(t, broadcast.Options{Heartbeat: 20 * time.Millisecond})
	s := subscribe(t, h, broadcast.SubscribeOptions{})
	hello(t, s)
	publish(t, h, 3)
	expectSeqs(t, s, 1, 3)

	ev := next(t, s) // nothing queued: waits the heartbeat interval
	hb, ok := ev.Body.(*signal.Heartbeat)
	if !ok || hb.HeadSeq != 3 || ev.Seq != 3 || ev.Epoch != epoch || ev.Project != proj {
		t.Fatalf("idle Next = %s %+v seq %d, want heartbeat with head 3", ev.Kind(), ev.Body, ev.Seq)
	}
	if h.Head(proj) != 3 {
		t.Errorf("a heartbeat moved the head to %d", h.Head(proj))
	}
	publish(t, h, 1)
	expectSeqs(t, s, 4, 4)
}

// Each Next waits the full interval before a heartbeat, however many
// earlier calls returned events meanwhile (the timer is not reset per call,
// so a firing armed for an earlier wait must not end a later one early).
func TestHeartbeatWaitsFullIntervalPerCall(t *testing.T) {
	const interval = 60 * time.Millisecond
	h := newHub(t, broadcast.Options{Heartbeat: interval})
	s := subscribe(t, h, broadcast.SubscribeOptions{})
	hello(t, s)
	for i := range 3 {
		// Arrives while Next waits, before the interval is up.
		time.AfterFunc(interval/3, func() { publish(t, h, 1) })
		ev := next(t, s)
		if _, ok := ev.Body.(*signal.Custom); !ok || ev.Seq != uint64(i+1) {
			t.Fatalf("Next = %s seq %d, want custom seq %d", ev.Kind(), ev.Seq, i+1)
		}
	}
	start := time.Now()
	ev := next(t, s)
	if _, ok := ev.Body.(*signal.Heartbeat); !ok {
		t.Fatalf("idle Next = %s, want heartbeat", ev.Kind())
	}
	if waited := time.Since(start); waited < interval {
		t.Fatalf("heartbeat after %v of idleness, want at least %v", waited, interval)
	}
}

func TestNextContext(t *testing.T) {
	h := newHub(t, broadcast.Options{Heartbeat: -1})
	s := subscribe(t, h, broadcast.SubscribeOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Next(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Next(cancelled ctx) error = %v, want context.Canceled", err)
	}
	hello(t, s) // still there
	ctx, cancel = context.WithTimeout(context.Background(), 5*time.Millisecond)
	defer cancel()
	if _, err := s.Next(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Next(idle, deadline) error = %v, want context.DeadlineExceeded", err)
	}
}

// blockedNext calls Next in a goroutine once nothing is queued for s; the
// returned channel gets its error.
func blockedNext(s *broadcast.Subscription) <-chan error {
	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		ev, err := s.Next(ctx)
		if err == nil {
			err = fmt.Errorf("got %s seq %d", ev.Kind(), ev.Seq)
		}
		done <- err
	}()
	return done
}

func TestRemoveProject(t *testing.T) {
	h := newHub(t, broadcast.Options{Heartbeat: -1})
	queued := subscribe(t, h, broadcast.SubscribeOptions{})
	waiting := subscribe(t, h, broadcast.SubscribeOptions{})
	publish(t, h, 2)
	hello(t, waiting)
	expectSeqs(t, waiting, 1, 2)
	done := blockedNext(waiting)

	h.RemoveProject(proj)
	h.RemoveProject(proj) // no-op
	if err := <-done; !errors.Is(err, broadcast.ErrProjectRemoved) {
		t.Errorf("blocked Next: %v, want ErrProjectRemoved", err)
	}
	hello(t, queued)
	expectSeqs(t, queued, 1, 2)
	if err := nextErr(t, queued); !errors.Is(err, broadcast.ErrProjectRemoved) || !strings.Contains(err.Error(), `"web"`) {
		t.Errorf("Next after the queue: %v, want ErrProjectRemoved naming the project", err)
	}
	if _, err := h.Subscribe(proj, broadcast.SubscribeOptions{}); !errors.Is(err, broadcast.ErrUnknownProject) {
		t.Errorf("Subscribe after remove: %v, want ErrUnknownProject", err)
	}
	if h.Publish(proj, 0, &signal.Prune{}) != nil || len(h.Subscribers()) != 0 {
		t.Error("removed project still publishes or lists subscribers")
	}

	// Added again, it continues its numbering with an empty history: seq 2
	// of this epoch still means the event it meant before.
	h.AddProject(proj, root)
	if got := h.Head(proj); got != 2 {
		t.Fatalf("Head after re-add = %d, want 2", got)
	}
	atHead := subscribe(t, h, broadcast.SubscribeOptions{FromSeq: 2, Epoch: epoch})
	older := subscribe(t, h, broadcast.SubscribeOptions{FromSeq: 1, Epoch: epoch})
	publish(t, h, 1)
	if !hello(t, atHead).Resumed {
		t.Error("resume at head after re-add: not resumed")
	}
	expectSeqs(t, atHead, 3, 3)
	if hello(t, older).Resumed {
		t.Error("resume from a seq before the re-add: resumed, want resync")
	}
	if ev := next(t, older); ev.Body.(*signal.FullReload).Reason != "resync: history starts at seq 3; seqs 2..2 are gone" {
		t.Errorf("resync reason = %q", ev.Body.(*signal.FullReload).Reason)
	}
}

func TestHubClose(t *testing.T) {
	h := newHub(t, broadcast.Options{Heartbeat: -1})
	queued := subscribe(t, h, broadcast.SubscribeOptions{})
	waiting := subscribe(t, h, broadcast.SubscribeOptions{})
	publish(t, h, 1)
	hello(t, waiting)
	expectSeqs(t, waiting, 1, 1)
	done := blockedNext(waiting)

	h.Close()
	h.Close()
	if err := <-done; !errors.Is(err, broadcast.ErrClosed) {
		t.Errorf("blocked Next: %v, want ErrClosed", err)
	}
	hello(t, queued)
	expectSeqs(t, queued, 1, 1)
	if err := nextErr(t, queued); !errors.Is(err, broadcast.ErrClosed) {
		t.Errorf("Next after the queue: %v, want ErrClosed", err)
	}
	if _, err := h.Subscribe(proj, broadcast.SubscribeOptions{}); !errors.Is(err, broadcast.ErrClosed) {
		t.Errorf("Subscribe after Close: %v, want ErrClosed", err)
	}
	h.AddProject("other", root)
	if h.Publish(proj, 0, &signal.Prune{}) != nil || h.Publish("other", 0, &signal.Prune{}) != nil {
		t.Error("Publish after Close returned an event")
	}
}

func TestSubscriptionClose(t *testing.T) {
	h := newHub(t, broadcast.Options{Heartbeat: -1})
	s := subscribe(t, h, broadcast.SubscribeOptions{})
	other := subscribe(t, h, broadcast.SubscribeOptions{})
	publish(t, h, 1)
	// Close wins over queued events: the caller is done with them.
	s.Close()
	s.Close()
	if err := nextErr(t, s); !errors.Is(err, broadcast.ErrClosed) {
		t.Errorf("Next after Close, with events queued: %v, want ErrClosed at once", err)
	}
	publish(t, h, 1) // must not reach s
	if err := nextErr(t, s); !errors.Is(err, broadcast.ErrClosed) {
		t.Errorf("Next after Close and Publish: %v, want ErrClosed", err)
	}
	for _, info := range h.Subscribers() {
		if info.ID == s.ID() {
			t.Errorf("closed subscriber %s still listed", s.ID())
		}
	}
	hello(t, other)
	expectSeqs(t, other, 1, 2)

	// Close of a subscription blocked in Next ends it.
	w := subscribe(t, h, broadcast.SubscribeOptions{})
	hello(t, w)
	done := blockedNext(w)
	w.Close()
	if err := <-done; !errors.Is(err, broadcast.ErrClosed) {
		t.Errorf("blocked Next on Close: %v, want ErrClosed", err)
	}
}

func TestSubscribers(t *testing.T) {
	var now time.Time
	h := newHub(t, broadcast.Options{Heartbeat: -1, QueueSize: 8, Now: func() time.Time { return now }})
	h.AddProject("api", "/src/api")
	now = clock
	a := subscribe(t, h, broadcast.SubscribeOptions{Client: broadcast.ClientInfo{Name: "vite", Version: "6", Kind: "bundler"}, Transport: "grpc"})
	now = clock.Add(time.Second)
	b := subscribe(t, h, broadcast.SubscribeOptions{ID: "b", Transport: "websocket", QueueSize: 16})
	if _, err := h.Subscribe("api", broadcast.SubscribeOptions{ID: "c"}); err != nil {
		t.Fatal(err)
	}
	publish(t, h, 5)
	hello(t, a)
	expectSeqs(t, a, 1, 2)
	_ = b

	want := []broadcast.SubscriberInfo{
		{ID: "c", Project: "api", QueueCap: 8, Backlog: 1, Connected: clock.Add(time.Second)},
		{ID: "s1", Project: proj, Client: broadcast.ClientInfo{Name: "vite", Version: "6", Kind: "bundler"}, Transport: "grpc",
			LastSeq: 2, Lag: 3, QueueDepth: 3, QueueCap: 8, Connected: clock},
		{ID: "b", Project: proj, Transport: "websocket", LastSeq: 0, Lag: 5, QueueDepth: 5, QueueCap: 16, Backlog: 1, Connected: clock.Add(time.Second)},
	}
	got := h.Subscribers()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Subscribers =\n%+v\nwant\n%+v", got, want)
	}
}

// Done closes when a subscriber is cut off, so a transport stuck sending
// to a peer that stopped reading can end the stream with Err.
func TestDoneOnCutOff(t *testing.T) {
	h := broadcast.New("e1", broadcast.Options{QueueSize: 2, Heartbeat: -1})
	h.AddProject("p", "/p")
	s, err := h.Subscribe("p", broadcast.SubscribeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-s.Done():
		t.Fatal("Done closed while running")
	default:
	}
	for i := 0; i < 3; i++ {
		h.Publish("p", 0, &signal.Custom{Event: "x"})
	}
	select {
	case <-s.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("Done not closed after the queue overflowed")
	}
	if !errors.Is(s.Err(), broadcast.ErrSlowConsumer) {
		t.Fatalf("Err = %v, want ErrSlowConsumer", s.Err())
	}
}

// The errors an Error publishes stand until an ErrorCleared names their
// module; a later Error for the module replaces the earlier one. Every
// Hello carries the errors standing at its head seq, for a fresh and a
// resumed subscriber and with a resync alike.
func TestHelloCarriesStandingErrors(t *testing.T) {
	h := newHub(t, broadcast.Options{Heartbeat: -1, History: 4})
	modules := func(errs []*signal.Error) []string {
		var out []string
		for _, e := range errs {
			out = append(out, e.Module+" "+e.Message)
		}
		return out
	}
	first := hello(t, subscribe(t, h, broadcast.SubscribeOptions{}))
	if len(first.Errors) != 0 {
		t.Fatalf("hello before any error: errors %v", modules(first.Errors))
	}

	h.Publish(proj, 0, &signal.Error{Module: "/b.js", Message: "b broken", Code: "PARSE_ERROR"})
	h.Publish(proj, 0, &signal.Error{Module: "/a.js", Message: "a broken", Code: "PARSE_ERROR"})
	h.Publish(proj, 0, &signal.Error{Message: "rescan failed", Code: "READ_ERROR"}) // no module: an event only
	h.Publish(proj, 0, &signal.Error{Module: "/b.js", Message: "b still broken", Code: "UNRESOLVED_IMPORT"})
	want := []string{"/a.js a broken", "/b.js b still broken"}
	if got := modules(hello(t, subscribe(t, h, broadcast.SubscribeOptions{})).Errors); !reflect.DeepEqual(got, want) {
		t.Errorf("hello errors = %q, want %q", got, want)
	}

	h.Publish(proj, 0, &signal.ErrorCleared{Modules: []string{"/a.js", "/gone.js"}})
	want = []string{"/b.js b still broken"}
	if got := modules(hello(t, subscribe(t, h, broadcast.SubscribeOptions{})).Errors); !reflect.DeepEqual(got, want) {
		t.Errorf("after clearing /a.js: hello errors = %q, want %q", got, want)
	}
	// A resumed subscriber gets the state at the head, then the replay.
	r := subscribe(t, h, broadcast.SubscribeOptions{Epoch: epoch, FromSeq: 4})
	if hl := hello(t, r); !hl.Resumed || !reflect.DeepEqual(modules(hl.Errors), want) {
		t.Errorf("resumed hello: resumed %v errors %q, want true %q", hl.Resumed, modules(hl.Errors), want)
	}
	expectSeqs(t, r, 5, 5)
	// A resync's Hello has them too.
	rs := subscribe(t, h, broadcast.SubscribeOptions{Epoch: "other", FromSeq: 1})
	if hl := hello(t, rs); hl.Resumed || !reflect.DeepEqual(modules(hl.Errors), want) {
		t.Errorf("resync hello: resumed %v errors %q, want false %q", hl.Resumed, modules(hl.Errors), want)
	}
	if got := modules(h.Errors(proj)); !reflect.DeepEqual(got, want) {
		t.Errorf("Errors = %q, want %q", got, want)
	}
	if h.Errors("nope") != nil {
		t.Error("Errors of an unknown project is not nil")
	}
}

// A project's standing errors can be given when it is added (the errors
// found while it opened, which no event announced); adding it again keeps
// what it has.
func TestAddProjectWithStandingErrors(t *testing.T) {
	h := broadcast.New(epoch, broadcast.Options{Heartbeat: -1})
	t.Cleanup(h.Close)
	h.AddProject("p", "/p", &signal.Error{Module: "/x.js", Message: "x"}, &signal.Error{Message: "no module"})
	h.AddProject("p", "/p", &signal.Error{Module: "/y.js", Message: "y"})
	s, err := h.Subscribe("p", broadcast.SubscribeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ev, err := s.Next(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if errs := ev.Body.(*signal.Hello).Errors; len(errs) != 1 || errs[0].Module != "/x.js" {
		t.Errorf("hello errors = %+v, want /x.js only", errs)
	}
}

// Errors stamp nothing: Error and ErrorCleared carry version 0 in a batch
// that carries a version token.
func TestErrorsCarryNoVersion(t *testing.T) {
	h := newHub(t, broadcast.Options{Heartbeat: -1})
	evs := h.PublishBatch(proj, 42, &signal.Update{}, &signal.ErrorCleared{Modules: []string{"/a.js"}}, &signal.Error{Module: "/b.js"})
	if len(evs) != 3 || evs[0].Version != 42 || evs[1].Version != 0 || evs[2].Version != 0 {
		t.Fatalf("versions %d %d %d, want 42 0 0", evs[0].Version, evs[1].Version, evs[2].Version)
	}
	if ev := h.Publish(proj, 43, &signal.Error{Module: "/c.js"}); ev.Version != 0 {
		t.Errorf("Publish(Error) version %d, want 0", ev.Version)
	}
}
