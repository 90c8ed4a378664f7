package reliability

import (
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	hmrdv1 "github.com/hmrd/hmrd/proto/hmrd/v1"
)

// transports opens a stream over gRPC or WebSocket from a resume point.
var transports = []struct {
	name string
	open func(t *testing.T, d *daemonProc, epoch string, seq uint64) *stream
}{
	{"grpc", func(t *testing.T, d *daemonProc, epoch string, seq uint64) *stream {
		return d.subscribeGRPC(t, &hmrdv1.SubscribeRequest{Epoch: epoch, FromSeq: seq})
	}},
	{"websocket", func(t *testing.T, d *daemonProc, epoch string, seq uint64) *stream {
		return d.subscribeWS(t, epoch, seq)
	}},
}

// A subscriber that reconnects with its resume point gets exactly what it
// missed, in order, then live events; one whose resume point cannot be
// honoured gets one resync carrying the head.
func TestResumeAfterReconnect(t *testing.T) {
	t.Parallel()
	tmp := shortTemp(t)
	root := filepath.Join(tmp, "app")
	writeTree(t, root, smallApp)
	d := startDaemon(t, filepath.Join(tmp, "s"), daemonOpts{http: "auto", roots: []string{root}})
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			s := tr.open(t, d, "", 0)
			hello := s.next(waitFor).GetHello()
			if hello == nil || hello.GetResumed() {
				t.Fatalf("first Hello %v", hello)
			}
			var last uint64
			for i := range 5 {
				seq := d.sendCustom(t, tr.name, fmt.Sprintf("%d", i))
				if ev := s.next(waitFor); ev.GetSeq() != seq {
					t.Fatalf("live: got %s, want seq %d", describeAll([]*hmrdv1.Event{ev}), seq)
				}
				last = seq
			}
			s.stop()
			// Missed while away: customs and an edit's update.
			var missed []uint64
			for i := range pick(7, 500) {
				missed = append(missed, d.sendCustom(t, tr.name, fmt.Sprintf("%d", 100+i)))
			}
			writeTree(t, root, map[string]string{"src/dep.js": "export const n = '" + tr.name + "'\n"})
			waitCond(t, waitFor, "the edit's update", func() bool { return d.head(t) > missed[len(missed)-1] })
			head := d.head(t)

			s2 := tr.open(t, d, hello.GetEpoch(), last)
			h2 := s2.next(waitFor).GetHello()
			if h2 == nil || !h2.GetResumed() || h2.GetHeadSeq() != head {
				t.Fatalf("resume: Hello %v, want resumed at head %d", h2, head)
			}
			for want := last + 1; want <= head; want++ {
				ev := s2.next(waitFor)
				if ev.GetSeq() != want || isResync(ev) {
					t.Fatalf("replay: got %s, want seq %d", describeAll([]*hmrdv1.Event{ev}), want)
				}
			}
			live := d.sendCustom(t, tr.name, `"live"`)
			if ev := s2.next(waitFor); ev.GetSeq() != live {
				t.Fatalf("after the replay: got %s, want live seq %d", describeAll([]*hmrdv1.Event{ev}), live)
			}
			s2.stop()

			// At the head: nothing to replay.
			s3 := tr.open(t, d, hello.GetEpoch(), live)
			if h := s3.next(waitFor).GetHello(); !h.GetResumed() {
				t.Fatalf("resume at the head: %v", h)
			}
			next := d.sendCustom(t, tr.name, `"next"`)
			if ev := s3.next(waitFor); ev.GetSeq() != next {
				t.Fatalf("resume at the head: got %s, want %d", describeAll([]*hmrdv1.Event{ev}), next)
			}
			s3.stop()

			// Resume points that cannot be honoured: one resync each.
			for _, bad := range []struct {
				epoch string
				seq   uint64
			}{{hello.GetEpoch(), next + 1000}, {"0123456789abcdef", 3}} {
				s4 := tr.open(t, d, bad.epoch, bad.seq)
				h := s4.next(waitFor).GetHello()
				ev := s4.next(waitFor)
				if h == nil || h.GetResumed() || !isResync(ev) || ev.GetSeq() != next || ev.GetFullReload().GetPath() != "*" {
					t.Fatalf("resume from %+v: Hello %v then %s; want a Hello that does not resume and a resync at %d",
						bad, h, describeAll([]*hmrdv1.Event{ev}), next)
				}
				after := d.sendCustom(t, tr.name, `"after"`)
				if ev := s4.next(waitFor); ev.GetSeq() != after {
					t.Fatalf("after the resync: %s, want %d", describeAll([]*hmrdv1.Event{ev}), after)
				}
				next = after
				s4.stop()
			}
		})
	}
}

// A subscriber away while more events were published than history keeps
// (4096 per project) cannot be brought up to date event by event: it gets
// a Hello that does not resume and one FullReload{RESYNC} naming why, then
// live events.
func TestResumeAfterCompaction(t *testing.T) {
	t.Parallel()
	tmp := shortTemp(t)
	root := filepath.Join(tmp, "app")
	writeTree(t, root, smallApp)
	d := startDaemon(t, filepath.Join(tmp, "s"), daemonOpts{http: "auto", roots: []string{root}})
	first := d.sendCustom(t, "first", "")
	epoch := d.epoch
	// Past the history, from 4 publishers.
	const history = 4096
	n := pick(history+200, 3*history)
	var wg sync.WaitGroup
	for p := range 4 {
		wg.Go(func() {
			for i := range n / 4 {
				d.sendCustom(t, "flood", fmt.Sprintf("%d", p*n+i))
			}
		})
	}
	wg.Wait()
	head := d.head(t)
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			s := tr.open(t, d, epoch, first)
			h := s.next(waitFor).GetHello()
			ev := s.next(waitFor)
			if h == nil || h.GetResumed() || !isResync(ev) || ev.GetSeq() < head || ev.GetFullReload().GetPath() != "*" {
				t.Fatalf("resume from seq %d of %d: Hello %v then %s; want a resync at the head", first, head, h, describeAll([]*hmrdv1.Event{ev}))
			}
			if r := ev.GetFullReload().GetReason(); !strings.Contains(r, "history") {
				t.Errorf("resync reason %q does not say the history moved past the resume point", r)
			}
			live := d.sendCustom(t, "live", "")
			if ev := s.next(waitFor); ev.GetSeq() != live {
				t.Fatalf("after the resync: %s, want %d", describeAll([]*hmrdv1.Event{ev}), live)
			}
			// Resuming from within what history still holds works again.
			s.stop()
			s2 := tr.open(t, d, epoch, live-10)
			if h := s2.next(waitFor).GetHello(); !h.GetResumed() {
				t.Fatalf("resume within history: %v", h)
			}
			for want := live - 9; want <= live; want++ {
				if ev := s2.next(waitFor); ev.GetSeq() != want {
					t.Fatalf("replay: %s, want %d", describeAll([]*hmrdv1.Event{ev}), want)
				}
			}
		})
	}
}
