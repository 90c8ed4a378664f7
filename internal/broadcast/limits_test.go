package broadcast_test

import (
	"errors"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"
	"time"
	"weak"

	"github.com/hmrd/hmrd/internal/broadcast"
	"github.com/hmrd/hmrd/internal/signal"
)

// bigBody is a custom event of about n bytes.
func bigBody(n int) *signal.Custom {
	return &signal.Custom{Event: "big", Data: `"` + strings.Repeat("x", n-2) + `"`}
}

// History is bounded in bytes as well as in events: the oldest events go
// first, nothing keeps them alive once they are gone, and a resume point
// before what is left gets a resync.
func TestHistoryBoundedByBytes(t *testing.T) {
	const (
		size   = 100 << 10
		budget = 10 * size
		events = 50
	)
	h := newHub(t, broadcast.Options{HistoryBytes: budget, Heartbeat: -1})
	weaks := make([]weak.Pointer[signal.Event], events+1)
	for seq := 1; seq <= events; seq++ {
		ev := h.Publish(proj, 0, bigBody(size))
		if ev.Size < size || ev.Size > size+100 {
			t.Fatalf("seq %d: Size = %d, want about %d", seq, ev.Size, size)
		}
		weaks[seq] = weak.Make(ev)
	}
	// 10 events of a bit more than 100 KiB do not fit in 10 × 100 KiB:
	// nine are kept, seqs 42..50.
	const oldest = events - 8
	runtime.GC()
	for seq := 1; seq <= events; seq++ {
		if alive := weaks[seq].Value() != nil; alive != (seq >= oldest) {
			t.Errorf("seq %d: still referenced %v, want %v", seq, alive, seq >= oldest)
		}
	}

	s := subscribe(t, h, broadcast.SubscribeOptions{Epoch: epoch, FromSeq: oldest - 1})
	if !hello(t, s).Resumed {
		t.Fatalf("resume from seq %d: not resumed", oldest-1)
	}
	expectSeqs(t, s, oldest, events)

	s = subscribe(t, h, broadcast.SubscribeOptions{Epoch: epoch, FromSeq: oldest - 2})
	if hello(t, s).Resumed {
		t.Fatalf("resume from seq %d: resumed, want a resync", oldest-2)
	}
	ev := next(t, s)
	if fr, ok := ev.Body.(*signal.FullReload); !ok || fr.Reason != "resync: history starts at seq 42; seqs 41..41 are gone" {
		t.Fatalf("after hello: %s %+v, want the resync", ev.Kind(), ev.Body)
	}

	// An event larger than the whole budget is not kept at all.
	h.Publish(proj, 0, bigBody(2*budget))
	s = subscribe(t, h, broadcast.SubscribeOptions{Epoch: epoch, FromSeq: events})
	if hello(t, s).Resumed {
		t.Fatalf("resume from seq %d after an oversized event: resumed, want a resync", events)
	}
}

// A subscriber that stops reading is cut off once its queue holds
// QueueBytes, long before it holds QueueSize large events; one that reads
// is not.
func TestQueueBoundedByBytes(t *testing.T) {
	const size = 100 << 10
	h := newHub(t, broadcast.Options{QueueBytes: 8 * size, Heartbeat: -1})
	stuck := subscribe(t, h, broadcast.SubscribeOptions{ID: "stuck"})
	reader := subscribe(t, h, broadcast.SubscribeOptions{ID: "reader"})
	hello(t, reader)
	for seq := uint64(1); seq <= 20; seq++ {
		h.Publish(proj, 0, bigBody(size))
		expectSeqs(t, reader, seq, seq)
	}
	// Eight events of a bit more than 100 KiB reach the 800 KiB bound: the
	// ninth does not fit.
	select {
	case <-stuck.Done():
	default:
		t.Fatal("stuck subscriber not cut off")
	}
	hello(t, stuck)
	expectSeqs(t, stuck, 1, 8)
	err := nextErr(t, stuck)
	var sce *broadcast.SlowConsumerError
	if !errors.As(err, &sce) || sce.Limit != broadcast.LimitBytes || sce.Seq != 9 || sce.ResumeFrom != 8 {
		t.Fatalf("stuck: Next error = %v (%+v), want the byte limit at seq 9, resume from 8", err, sce)
	}
	if want := "subscriber stuck cut off: queue of 800 KiB full at seq 9; resume from seq 8"; err.Error() != want {
		t.Errorf("error = %q\nwant    %q", err, want)
	}
	if subs := h.Subscribers(); len(subs) != 1 || subs[0].ID != "reader" {
		t.Errorf("Subscribers = %+v, want the reader alone", subs)
	}
}

// A subscriber whose oldest queued event has waited LagTimeout is cut off,
// when the next event arrives or, if none does, by the hub's own sweep:
// one that stopped reading is released within seconds whatever is
// published. One that reads is never cut off, however long it runs.
func TestLagTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const lag = 10 * time.Second
		h := broadcast.New(epoch, broadcast.Options{LagTimeout: lag, Heartbeat: -1})
		defer h.Close()
		h.AddProject(proj, root)
		stuck := subscribe(t, h, broadcast.SubscribeOptions{ID: "stuck"})
		reader := subscribe(t, h, broadcast.SubscribeOptions{ID: "reader"})
		hello(t, reader)
		start := time.Now()
		publish(t, h, 1)
		expectSeqs(t, reader, 1, 1)

		// Nothing more is published: the sweep cuts it off.
		time.Sleep(lag - time.Millisecond)
		synctest.Wait()
		select {
		case <-stuck.Done():
			t.Fatalf("cut off after %v, before the lag timeout", time.Since(start))
		default:
		}
		time.Sleep(lag / 4)
		synctest.Wait()
		select {
		case <-stuck.Done():
		default:
			t.Fatalf("not cut off %v after its event was queued", time.Since(start))
		}
		hello(t, stuck)
		expectSeqs(t, stuck, 1, 1)
		err := nextErr(t, stuck)
		var sce *broadcast.SlowConsumerError
		if !errors.As(err, &sce) || sce.Limit != broadcast.LimitLag || sce.Seq != 1 || sce.ResumeFrom != 1 {
			t.Fatalf("stuck: Next error = %v (%+v), want the lag limit at seq 1, resume from 1", err, sce)
		}
		if want := "subscriber stuck cut off: seq 1 unread for 10s (limit 10s); resume from seq 1"; err.Error() != want {
			t.Errorf("error = %q\nwant    %q", err, want)
		}

		// An event that finds the oldest queued one too old cuts off at
		// once, between sweeps. Sweeps run every lag/4 from the first
		// event queued (seq 2 at t0) while events stay queued; seq 3,
		// queued at t0+1s, is found too old by seq 4 at t0+11s, before
		// the sweep of t0+12.5s.
		late := subscribe(t, h, broadcast.SubscribeOptions{ID: "late"})
		hello(t, late)
		publish(t, h, 1) // seq 2, t0
		expectSeqs(t, reader, 2, 2)
		expectSeqs(t, late, 2, 2)
		time.Sleep(time.Second)
		publish(t, h, 1) // seq 3, t0+1s, unread by late
		expectSeqs(t, reader, 3, 3)
		time.Sleep(lag)
		synctest.Wait()
		select {
		case <-late.Done():
			t.Fatal("late: cut off by a sweep before seq 4")
		default:
		}
		publish(t, h, 1) // seq 4, t0+11s
		expectSeqs(t, reader, 4, 4)
		select {
		case <-late.Done():
		default:
			t.Fatal("late: not cut off by seq 4")
		}
		expectSeqs(t, late, 3, 3)
		if err := nextErr(t, late); !errors.As(err, &sce) || sce.Limit != broadcast.LimitLag || sce.Seq != 3 {
			t.Fatalf("late: Next error = %v, want the lag limit at seq 3", err)
		}

		// The reader read everything as it came: still subscribed after
		// far more than the lag timeout.
		for range 10 {
			time.Sleep(lag)
			publish(t, h, 1)
			next(t, reader)
		}
		if subs := h.Subscribers(); len(subs) != 1 || subs[0].ID != "reader" {
			t.Errorf("Subscribers = %+v, want the reader alone", subs)
		}
	})
}

// The events of one batch go to each subscriber as a unit: a subscriber
// within its limits when the batch comes takes all of it, however far
// past QueueSize that goes; one already at its limit takes none of it.
func TestPublishBatchAdmittedWhole(t *testing.T) {
	const queue = 4
	h := newHub(t, broadcast.Options{QueueSize: queue, Heartbeat: -1})
	empty := subscribe(t, h, broadcast.SubscribeOptions{ID: "empty"})
	hello(t, empty)
	behind := subscribe(t, h, broadcast.SubscribeOptions{ID: "behind"})
	hello(t, behind)
	full := subscribe(t, h, broadcast.SubscribeOptions{ID: "full"})
	hello(t, full)
	publish(t, h, queue-1) // seqs 1..3
	expectSeqs(t, empty, 1, queue-1)
	h.Publish(proj, 0, &signal.Custom{Event: "x", Data: "1"}) // seq 4
	expectSeqs(t, empty, queue, queue)
	expectSeqs(t, behind, 1, 1)
	// empty has nothing queued, behind three events, full four.

	const storm = 300
	bodies := make([]signal.Body, 0, storm+3)
	bodies = append(bodies, &signal.Update{Triggers: []string{"/a.js"}}, nil, &signal.Prune{Paths: []string{"/b.js"}})
	for i := range storm {
		bodies = append(bodies, &signal.Error{Module: "/a.js", Message: "cannot resolve ./m" + strconv.Itoa(i), Code: "UNRESOLVED_IMPORT"})
	}
	evs := h.PublishBatch(proj, 7, bodies...)
	if len(evs) != storm+2 || evs[0].Seq != queue+1 || evs[len(evs)-1].Seq != queue+storm+2 || evs[1].Version != 7 {
		t.Fatalf("PublishBatch = %d events, seqs %d..%d; want %d events, seqs %d..%d", len(evs), evs[0].Seq, evs[len(evs)-1].Seq, storm+2, queue+1, queue+storm+2)
	}
	if h.Head(proj) != queue+storm+2 || h.Last(proj) != evs[len(evs)-1] {
		t.Errorf("Head %d, Last %v after the batch", h.Head(proj), h.Last(proj))
	}
	for i, ev := range evs {
		if got := next(t, empty); got != ev {
			t.Fatalf("empty: event %d of the batch is %s seq %d, want seq %d", i, got.Kind(), got.Seq, ev.Seq)
		}
	}
	expectSeqs(t, behind, 2, queue+storm+2)
	expectSeqs(t, full, 1, queue)
	err := nextErr(t, full)
	var sce *broadcast.SlowConsumerError
	if !errors.As(err, &sce) || sce.Limit != broadcast.LimitEvents || sce.Seq != queue+1 || sce.ResumeFrom != queue {
		t.Fatalf("full: Next error = %v, want its queue of %d full at seq %d", err, queue, queue+1)
	}

	// Having read the batch, both are back within their bound: four more
	// fit, the fifth does not.
	publish(t, h, queue)
	for _, info := range h.Subscribers() {
		if info.QueueDepth != queue || info.QueueCap != queue {
			t.Errorf("%s: %d/%d queued, want %d/%d", info.ID, info.QueueDepth, info.QueueCap, queue, queue)
		}
	}
	publish(t, h, 1)
	if subs := h.Subscribers(); len(subs) != 0 {
		t.Errorf("Subscribers = %+v, want both cut off", subs)
	}
	if h.PublishBatch(proj, 0) != nil || h.PublishBatch(proj, 0, nil) != nil || h.PublishBatch("nope", 0, &signal.Prune{}) != nil {
		t.Error("PublishBatch of nothing, or to an unknown project, returned events")
	}
}
