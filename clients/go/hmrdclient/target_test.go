package hmrdclient

import (
	"path/filepath"
	"strconv"
	"testing"
	"time"

	hmrdv1 "github.com/hmrd/hmrd/proto/hmrd/v1"
)

func TestParseTarget(t *testing.T) {
	t.Setenv("HMRD_SOCKET", "/run/h/hmrd.sock")
	rel, _ := filepath.Abs("x/h.sock")
	for _, tc := range []struct{ in, network, addr string }{
		{"", "unix", "/run/h/hmrd.sock"},
		{"/tmp/a.sock", "unix", "/tmp/a.sock"},
		{"unix:///tmp/a.sock", "unix", "/tmp/a.sock"},
		{"unix:/tmp/a.sock", "unix", "/tmp/a.sock"},
		{"x/h.sock", "unix", rel},
		{"127.0.0.1:7070", "tcp", "127.0.0.1:7070"},
		{"[::1]:7070", "tcp", "[::1]:7070"},
		{"localhost:7070", "tcp", "localhost:7070"},
		{"tcp://127.0.0.1:1", "tcp", "127.0.0.1:1"},
	} {
		ep, err := parseTarget(tc.in)
		if err != nil {
			t.Errorf("parseTarget(%q): %v", tc.in, err)
			continue
		}
		if ep.network != tc.network || ep.address != tc.addr {
			t.Errorf("parseTarget(%q) = %s %s, want %s %s", tc.in, ep.network, ep.address, tc.network, tc.addr)
		}
	}
	for _, bad := range []string{"unix://", "tcp://nohost"} {
		if ep, err := parseTarget(bad); err == nil {
			t.Errorf("parseTarget(%q) = %v, want error", bad, ep)
		}
	}
}

func TestBackoff(t *testing.T) {
	s := &Subscription{c: &Client{opts: options{minBackoff: 50 * time.Millisecond, maxBackoff: 2 * time.Second}}}
	for attempt, want := range []time.Duration{50, 100, 200, 400, 800, 1600, 2000, 2000, 2000} {
		want *= time.Millisecond
		for range 20 {
			if got := s.backoff(attempt); got < want/2 || got > want {
				t.Fatalf("backoff(%d) = %v, want in [%v, %v]", attempt, got, want/2, want)
			}
		}
	}
	if got := s.backoff(1000); got > 2*time.Second {
		t.Errorf("backoff(1000) = %v: overflowed the cap", got)
	}
}

// The resume point only moves past what was delivered, and a resync is
// not mistaken for a duplicate.
func TestAdvanceAndDuplicate(t *testing.T) {
	sig := func(epoch string, seq uint64) *hmrdv1.Event {
		return &hmrdv1.Event{Epoch: epoch, Seq: seq, Kind: &hmrdv1.Event_Prune{Prune: &hmrdv1.Prune{}}}
	}
	hello := func(epoch string, head uint64, resumed bool) *hmrdv1.Event {
		return &hmrdv1.Event{Epoch: epoch, Seq: head, Kind: &hmrdv1.Event_Hello{Hello: &hmrdv1.Hello{Epoch: epoch, HeadSeq: head, Resumed: resumed}}}
	}
	resync := func(epoch string, seq uint64) *hmrdv1.Event {
		return &hmrdv1.Event{Epoch: epoch, Seq: seq, Kind: &hmrdv1.Event_FullReload{FullReload: &hmrdv1.FullReload{Cause: hmrdv1.FullReloadCause_FULL_RELOAD_CAUSE_RESYNC}}}
	}
	s := &Subscription{}
	pos := func() string { e, q := s.Position(); return e + ":" + itoa(q) }

	// Fresh: the Hello gives the starting point.
	h := hello("e1", 7, false)
	s.advance(h, h.GetHello())
	if pos() != "e1:7" {
		t.Fatalf("after first hello: %s", pos())
	}
	s.advance(sig("e1", 8), h.GetHello())
	if !s.duplicate(sig("e1", 8)) || !s.duplicate(sig("e1", 3)) || s.duplicate(sig("e1", 9)) || s.duplicate(sig("e2", 1)) {
		t.Error("duplicate misjudged")
	}
	// Heartbeats never move it.
	s.advance(&hmrdv1.Event{Epoch: "e1", Seq: 20, Kind: &hmrdv1.Event_Heartbeat{Heartbeat: &hmrdv1.Heartbeat{HeadSeq: 20}}}, h.GetHello())
	if pos() != "e1:8" {
		t.Fatalf("after heartbeat: %s", pos())
	}
	// A non-resumed Hello of another epoch waits for its resync.
	h2 := hello("e2", 4, false)
	s.advance(h2, h2.GetHello())
	if pos() != "e1:8" {
		t.Fatalf("after new-epoch hello: %s", pos())
	}
	// A resync without a seq of its own lands on the Hello's head.
	if s.duplicate(resync("e1", 0)) {
		t.Error("a resync counted as duplicate")
	}
	s.advance(resync("e2", 0), h2.GetHello())
	if pos() != "e2:4" {
		t.Fatalf("after resync: %s", pos())
	}
}

func itoa(n uint64) string { return strconv.FormatUint(n, 10) }
