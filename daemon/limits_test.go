package daemon

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/coder/websocket"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	hmrdv1 "github.com/hmrd/hmrd/proto/hmrd/v1"
)

// jsonString is a JSON string of n bytes.
func jsonString(n int) string { return `"` + strings.Repeat("x", n-2) + `"` }

func hotClient(t *testing.T, d *Daemon, opts ...grpc.DialOption) hmrdv1.HotServiceClient {
	t.Helper()
	opts = append(opts, grpc.WithTransportCredentials(insecure.NewCredentials()))
	cc, err := grpc.NewClient("unix://"+strings.TrimPrefix(d.Listeners()[0], "unix:"), opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cc.Close() })
	return hmrdv1.NewHotServiceClient(cc)
}

// A custom event's data is limited (1 MiB by default): a larger one is
// refused with INVALID_ARGUMENT naming the limit, over gRPC as over
// WebSocket. A raised limit holds for both transports, up to what a gRPC
// client can receive.
func TestCustomEventSizeLimit(t *testing.T) {
	d := runDaemon(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	hot := hotClient(t, d)
	sub := subscribeGRPC(t, ctx, d)

	if _, err := hot.SendCustom(ctx, &hmrdv1.SendCustomRequest{Event: "big", Data: jsonString(DefaultMaxCustomBytes)}); err != nil {
		t.Fatalf("data at the limit: %v", err)
	}
	if resp, err := sub.Recv(); err != nil || len(resp.GetEvent().GetCustom().GetData()) != DefaultMaxCustomBytes {
		t.Fatalf("data at the limit: subscriber got %v", err)
	}
	const want = `custom event "big" data is 1048577 bytes, over the limit of 1048576 bytes`
	_, err := hot.SendCustom(ctx, &hmrdv1.SendCustomRequest{Event: "big", Data: jsonString(DefaultMaxCustomBytes + 1)})
	if status.Code(err) != codes.InvalidArgument || status.Convert(err).Message() != want {
		t.Fatalf("data over the limit: %v\nwant INVALID_ARGUMENT %q", err, want)
	}

	ws := dialWS(t, ctx, d)
	frame := `{"id":"1","custom":{"event":"big","data":` + `"\"` + strings.Repeat("x", DefaultMaxCustomBytes-1) + `\""}}`
	if err := ws.Write(ctx, websocket.MessageText, []byte(frame)); err != nil {
		t.Fatal(err)
	}
	if r := readWS(t, ctx, ws).GetRefused(); r.GetCode() != "INVALID_ARGUMENT" || r.GetMessage() != want {
		t.Fatalf("WebSocket, data over the limit: refused %v\nwant INVALID_ARGUMENT %q", r, want)
	}

	if _, err := New(Config{MaxCustomBytes: MaxCustomBytesCeiling + 1}); err == nil {
		t.Fatal("New accepted a custom event limit over the ceiling")
	}
	d = runDaemon(t, func(c *Config) { c.MaxCustomBytes = MaxCustomBytesCeiling })
	hot = hotClient(t, d)
	sub = subscribeGRPC(t, ctx, d)
	max := jsonString(MaxCustomBytesCeiling)
	if _, err := hot.SendCustom(ctx, &hmrdv1.SendCustomRequest{Event: "big", Data: max}); err != nil {
		t.Fatalf("data at the ceiling, over gRPC: %v", err)
	}
	ws = dialWS(t, ctx, d)
	frame = `{"custom":{"event":"big","data":` + strconv.Quote(max) + `}}`
	if err := ws.Write(ctx, websocket.MessageText, []byte(frame)); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; { // both reach a gRPC subscriber with default options
		resp, err := sub.Recv()
		if err == nil && resp.GetEvent().GetHeartbeat() != nil {
			continue // a slow machine takes more than the heartbeat interval
		}
		if err != nil || resp.GetEvent().GetCustom().GetData() != max {
			t.Fatalf("data at the ceiling, event %d: subscriber got %v, %v", i+1, resp.GetEvent().GetKind(), err)
		}
		i++
	}
}

// A gRPC subscriber that stops reading while large custom events flow is
// cut off once Config.QueueBytes are queued for it, told where to resume,
// while one that reads gets every event.
func TestStuckSubscriberCutOffByQueueBytes(t *testing.T) {
	const events, size = 24, 256 << 10
	d := runDaemon(t, func(c *Config) { c.QueueBytes = 2 << 20 })
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	// Fixed 64 KiB flow-control windows: what it does not read backs up
	// into the daemon instead of its own buffers.
	stuck, err := hotClient(t, d, grpc.WithInitialWindowSize(64<<10), grpc.WithInitialConnWindowSize(64<<10)).
		Subscribe(ctx, &hmrdv1.SubscribeRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := stuck.Recv(); err != nil {
		t.Fatal(err)
	}
	reader := subscribeGRPC(t, ctx, d)
	hot := hotClient(t, d)
	data := jsonString(size)
	for seq := uint64(1); seq <= events; seq++ {
		if _, err := hot.SendCustom(ctx, &hmrdv1.SendCustomRequest{Event: "big", Data: data}); err != nil {
			t.Fatal(err)
		}
		if resp, err := reader.Recv(); err != nil || resp.GetEvent().GetSeq() != seq {
			t.Fatalf("reader, waiting for seq %d: %v, %v", seq, resp.GetEvent().GetSeq(), err)
		}
	}
	var last uint64
	for {
		resp, err := stuck.Recv()
		if err != nil {
			if status.Code(err) != codes.ResourceExhausted || !strings.Contains(err.Error(), "queue of 2 MiB full") {
				t.Fatalf("stuck subscriber ended with %v after seq %d, want RESOURCE_EXHAUSTED naming the byte limit", err, last)
			}
			break
		}
		last = resp.GetEvent().GetSeq()
	}
	// 2 MiB queued, one event blocked in Send, what the windows took.
	if last > 12 {
		t.Errorf("stuck subscriber got up to seq %d: more than 2 MiB were queued for it", last)
	}
}

// heapInuse is the heap in use once garbage (and sync.Pool caches, which
// survive one collection) is collected.
func heapInuse() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}

// rss is the resident set of the process in MiB (Linux), 0 if unknown.
func rss() float64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	var size, res uint64
	fmt.Sscan(string(b), &size, &res)
	return float64(res*uint64(os.Getpagesize())) / (1 << 20)
}

// After a flood of 4 MiB custom events (the largest allowed: 4 MiB less
// 64 KiB) — to subscribers that read, over gRPC and WebSocket, and to ones
// that stopped reading — the heap returns to within twice what it was
// before: nothing keeps the events once they are delivered, cut off or out
// of history. (History is kept below one event here, so that any event
// still held is one held by mistake.) Once the burst is over the daemon
// returns the memory to the OS: resident memory comes back within twice
// its idle size too, without waiting for the runtime's own collection.
func TestMemoryReturnsAfterFlood(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector's instrumentation makes megabyte events take seconds each, and its shadow memory is resident too")
	}
	const (
		size   = MaxCustomBytesCeiling
		events = 40
	)
	d := runDaemon(t, func(c *Config) { c.MaxCustomBytes = size; c.HistoryBytes = 1 << 20 })
	released := make(chan struct{}, 8)
	d.bursts.mu.Lock()
	d.bursts.released = func() { released <- struct{}{} }
	d.bursts.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	hot := hotClient(t, d)
	reader := subscribeGRPC(t, ctx, d)
	ws := dialWS(t, ctx, d)
	stuck, err := hotClient(t, d, grpc.WithInitialWindowSize(64<<10), grpc.WithInitialConnWindowSize(64<<10)).
		Subscribe(ctx, &hmrdv1.SubscribeRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := stuck.Recv(); err != nil {
		t.Fatal(err)
	}
	stuckWS := dialWS(t, ctx, d)
	var seq uint64
	send := func(data string) {
		t.Helper()
		seq++
		if _, err := hot.SendCustom(ctx, &hmrdv1.SendCustomRequest{Event: "x", Data: data}); err != nil {
			t.Fatal(err)
		}
		if resp, err := reader.Recv(); err != nil || resp.GetEvent().GetSeq() != seq {
			t.Fatalf("gRPC reader, waiting for seq %d: %v", seq, err)
		}
		if ev := readWS(t, ctx, ws); ev.GetSeq() != seq {
			t.Fatalf("WebSocket reader: seq %d, want %d", ev.GetSeq(), seq)
		}
	}
	send("1") // every path warm
	idle, idleRSS := heapInuse(), rss()

	big := jsonString(size)
	for range events {
		send(big)
	}
	peakRSS := rss()
	// The stuck ones were cut off (by the queue's bytes, or the page by
	// the write timeout): read what reached them, to the end.
	for {
		if _, err := stuck.Recv(); err != nil {
			break
		}
	}
	for {
		if _, _, err := stuckWS.Read(ctx); err != nil {
			if ctx.Err() != nil {
				t.Fatal("stuck page never closed")
			}
			break
		}
	}
	// A last burst, to readers only, ends the flood: the release that
	// follows finds everything delivered or dropped. (Repeated if the
	// machine stalled long enough in it for a release to run early.)
	for {
		for len(released) > 0 {
			<-released
		}
		for range burstBytes/size + 1 {
			send(big)
		}
		send("2") // the project's last event, kept for status, is small again
		if len(released) == 0 {
			break
		}
	}
	select {
	case <-released:
	case <-ctx.Done():
		t.Fatal("no release after the burst")
	}
	afterRSS := rss()
	after := heapInuse()
	t.Logf("heap in use: idle %.1f MiB, after %d events of %.2f MiB %.1f MiB; resident: idle %.1f MiB, peak %.1f MiB, after %.1f MiB",
		float64(idle)/(1<<20), seq-2, float64(size)/(1<<20), float64(after)/(1<<20), idleRSS, peakRSS, afterRSS)
	if after > 2*idle {
		t.Errorf("heap in use after the flood %.1f MiB, more than twice the idle %.1f MiB", float64(after)/(1<<20), float64(idle)/(1<<20))
	}
	if afterRSS > 2*idleRSS {
		t.Errorf("resident after the flood %.1f MiB, more than twice the idle %.1f MiB", afterRSS, idleRSS)
	}
}

// Memory goes back to the OS once after a burst of large events, when
// publishing pauses; small events never cause a release.
func TestBurstRelease(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var b bursts
		defer b.stop()
		var released atomic.Int32
		b.released = func() { released.Add(1) }
		for range 100 {
			b.published(1 << 10)
		}
		time.Sleep(2 * burstQuiet)
		synctest.Wait()
		if n := released.Load(); n != 0 {
			t.Fatalf("%d releases after 100 KiB of events, want none", n)
		}
		for range 3 * burstBytes / (4 << 20) {
			b.published(4 << 20)
			time.Sleep(burstQuiet / 2)
		}
		synctest.Wait()
		if released.Load() != 0 {
			t.Fatal("released while the burst went on")
		}
		time.Sleep(burstQuiet)
		synctest.Wait()
		if n := released.Load(); n != 1 {
			t.Fatalf("%d releases once the burst was over, want 1", n)
		}
		b.published(1 << 10)
		time.Sleep(2 * burstQuiet)
		synctest.Wait()
		if n := released.Load(); n != 1 {
			t.Fatalf("%d releases after a small event, want still 1", n)
		}
	})
}
