package reliability

import (
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	hmrdv1 "github.com/hmrd/hmrd/proto/hmrd/v1"
)

// 300 WebSocket and 20 gRPC subscribers, resuming like real runtimes:
// every one of them sees every seq, in order, exactly once — custom events
// and file edits interleaved — even the ones cut off for falling behind.
func TestFanOut(t *testing.T) {
	t.Parallel()
	nWS, nGRPC := 300, 20
	events, burst := pick(60, 1500), pick(200, 4000)
	tmp := shortTemp(t)
	root := filepath.Join(tmp, "app")
	writeTree(t, root, smallApp)
	d := startDaemon(t, filepath.Join(tmp, "s"), daemonOpts{http: "auto", roots: []string{root}})

	start := time.Now()
	f, err := d.startFleet(nWS, nGRPC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.stop()
	connected := time.Since(start)
	if st := d.status(t); len(st.GetSubscribers()) < nWS+nGRPC {
		t.Fatalf("status lists %d subscribers, want %d", len(st.GetSubscribers()), nWS+nGRPC)
	}

	sentinel := d.subscribeGRPC(t, &hmrdv1.SubscribeRequest{})
	start = time.Now()
	data := fmt.Sprintf("%q", strings.Repeat("x", 200))
	edits := 0
	for i := range events {
		if i%20 == 10 {
			// An edit publishes an update from the project goroutine while
			// custom events keep coming from here.
			writeTree(t, root, map[string]string{"src/dep.js": fmt.Sprintf("export const n = %d\n", 1000+i)})
			edits++
			continue
		}
		d.sendCustom(t, fmt.Sprintf("e%d", i), data)
	}
	// Then a burst from several publishers at once: subscribers fall
	// behind, and those cut off resume from their last seq.
	var wg sync.WaitGroup
	for p := range 8 {
		wg.Go(func() {
			for i := range burst / 8 {
				d.sendCustom(t, fmt.Sprintf("b%d-%d", p, i), data)
			}
		})
	}
	wg.Wait()
	// Batches are handled in order: once a last edit that breaks the
	// module has been signalled, every earlier edit's signal is out, and
	// the head is final.
	writeTree(t, root, map[string]string{"src/dep.js": "export const n = (\n"})
	sentinel.until(waitFor, func(ev *hmrdv1.Event) bool { return ev.GetError().GetCode() == "PARSE_ERROR" })
	head := d.head(t)
	if err := f.waitSeq(d.epoch, head, pick(30*time.Second, 120*time.Second)); err != nil {
		t.Fatal(err)
	}
	delivered := time.Since(start)
	problems, cutoffs, redials, resyncs := f.check()
	for _, p := range problems {
		t.Error(p)
	}
	if resyncs > 0 {
		t.Errorf("%d resyncs: every resume point was within history", resyncs)
	}
	t.Logf("%d WebSocket + %d gRPC subscribers connected in %v; head %d (%d custom events, %d edits) delivered to all in %v; %d cut off and resumed (%d redials)",
		nWS, nGRPC, connected.Round(time.Millisecond), head, events-edits+burst, edits, delivered.Round(time.Millisecond), cutoffs, redials)
	// The custom events reached each subscriber in the order sent.
	for _, r := range f.recs {
		r.mu.Lock()
		n := 0
		for _, c := range r.customs {
			if strings.HasPrefix(c, "b") {
				continue
			}
			for n%20 == 10 {
				n++
			}
			if c != fmt.Sprintf("e%d", n) {
				t.Errorf("%s: custom event %q where e%d was due", r.name, c, n)
				break
			}
			n++
		}
		r.mu.Unlock()
	}
}
