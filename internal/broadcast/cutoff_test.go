package broadcast_test

import (
	"errors"
	"testing"

	"github.com/hmrd/hmrd/internal/broadcast"
)

// CutOff ends every subscriber of the project as a full queue would: what
// was queued first, then a SlowConsumerError to resume from; other
// projects are untouched and the subscribers can resume.
func TestCutOff(t *testing.T) {
	h := newHub(t, broadcast.Options{Heartbeat: -1})
	h.AddProject("other", "/other")
	a := subscribe(t, h, broadcast.SubscribeOptions{ID: "a"})
	b := subscribe(t, h, broadcast.SubscribeOptions{ID: "b"})
	other, err := h.Subscribe("other", broadcast.SubscribeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(other.Close)
	publish(t, h, 2)
	hello(t, a)
	expectSeqs(t, a, 1, 1) // a has read seq 1; seq 2 is still queued

	if n := h.CutOff(proj); n != 2 {
		t.Fatalf("CutOff = %d, want 2", n)
	}
	if n := h.CutOff("nope"); n != 0 {
		t.Errorf("CutOff(unknown) = %d, want 0", n)
	}
	select {
	case <-a.Done():
	default:
		t.Error("Done not closed after CutOff")
	}
	publish(t, h, 1) // seq 3: reaches nobody cut off
	expectSeqs(t, a, 2, 2)
	err = nextErr(t, a)
	var sce *broadcast.SlowConsumerError
	if !errors.As(err, &sce) || !errors.Is(err, broadcast.ErrSlowConsumer) {
		t.Fatalf("after CutOff: Next = %v, want a SlowConsumerError", err)
	}
	if sce.Subscriber != "a" || sce.ResumeFrom != 2 || sce.Seq != 3 {
		t.Errorf("SlowConsumerError = %+v, want subscriber a, resume from 2, seq 3", *sce)
	}
	hello(t, b)
	expectSeqs(t, b, 1, 2)
	if err := nextErr(t, b); !errors.Is(err, broadcast.ErrSlowConsumer) {
		t.Errorf("b: Next = %v, want ErrSlowConsumer", err)
	}
	if subs := h.Subscribers(); len(subs) != 1 || subs[0].Project != "other" {
		t.Errorf("Subscribers = %+v, want only the other project's", subs)
	}

	again := subscribe(t, h, broadcast.SubscribeOptions{Epoch: epoch, FromSeq: sce.ResumeFrom})
	if !hello(t, again).Resumed {
		t.Fatal("resume after CutOff: not resumed")
	}
	expectSeqs(t, again, 3, 3)
}
