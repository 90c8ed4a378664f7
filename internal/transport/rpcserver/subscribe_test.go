package rpcserver_test

import (
	"context"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"github.com/hmrd/hmrd/internal/broadcast"
	"github.com/hmrd/hmrd/internal/signal"
	"github.com/hmrd/hmrd/internal/transport/rpcserver"
	hmrdv1 "github.com/hmrd/hmrd/proto/hmrd/v1"
)

// subsService hands out subscriptions of a real hub and lets the test see
// them: Done tells when the hub cut one off, with no polling.
type subsService struct {
	hubService
	subs chan *broadcast.Subscription
}

func (s *subsService) Subscribe(ctx context.Context, project string, o broadcast.SubscribeOptions, entries []string) (*broadcast.Subscription, error) {
	sub, err := s.hub.Subscribe(project, o)
	if err == nil {
		s.subs <- sub
	}
	return sub, err
}

type rpcEnv struct {
	hub  *broadcast.Hub
	svc  *subsService
	sock string
}

func newRPCEnv(t *testing.T, o broadcast.Options) *rpcEnv {
	t.Helper()
	o.Heartbeat = -1
	hub := broadcast.New("ep1", o)
	hub.AddProject("app", "/app")
	t.Cleanup(hub.Close)
	svc := &subsService{hubService: hubService{hub: hub}, subs: make(chan *broadcast.Subscription, 16)}
	srv := rpcserver.New(svc, rpcserver.Options{})
	sock := filepath.Join(t.TempDir(), "hmrd.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	t.Cleanup(srv.Stop)
	return &rpcEnv{hub: hub, svc: svc, sock: sock}
}

// subscribe opens a stream on its own connection and reads the Hello. A
// stuck client has fixed 64 KiB flow-control windows, so what it does not
// read backs up into the daemon instead of its own buffers.
func (e *rpcEnv) subscribe(t *testing.T, stuck bool) (hmrdv1.HotService_SubscribeClient, *broadcast.Subscription) {
	t.Helper()
	opts := []grpc.DialOption{grpc.WithTransportCredentials(insecure.NewCredentials())}
	if stuck {
		opts = append(opts, grpc.WithInitialWindowSize(64<<10), grpc.WithInitialConnWindowSize(64<<10))
	}
	cc, err := grpc.NewClient("unix://"+e.sock, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cc.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	stream, err := hmrdv1.NewHotServiceClient(cc).Subscribe(ctx, &hmrdv1.SubscribeRequest{Project: "app"})
	if err != nil {
		t.Fatal(err)
	}
	if resp, err := stream.Recv(); err != nil || resp.GetEvent().GetHello() == nil {
		t.Fatalf("first message: %v, %v; want a hello", resp, err)
	}
	return stream, <-e.svc.subs
}

func waitDone(t *testing.T, sub *broadcast.Subscription, within time.Duration) {
	t.Helper()
	select {
	case <-sub.Done():
	case <-time.After(within):
		t.Fatalf("subscriber %s not cut off within %v", sub.ID(), within)
	}
}

// readToEnd reads until the stream fails and returns the error with the
// last seq received.
func readToEnd(t *testing.T, stream hmrdv1.HotService_SubscribeClient) (uint64, error) {
	t.Helper()
	var last uint64
	for {
		resp, err := stream.Recv()
		if err != nil {
			return last, err
		}
		last = resp.GetEvent().GetSeq()
	}
}

func bigCustom(n int) *signal.Custom {
	return &signal.Custom{Event: "big", Data: `"` + strings.Repeat("x", n) + `"`}
}

// A client that stops reading while large events wait for it is cut off
// within seconds by the lag limit, long before its queue would fill, and
// told where to resume.
func TestStuckClientCutOffByLag(t *testing.T) {
	const lag = 300 * time.Millisecond
	e := newRPCEnv(t, broadcast.Options{LagTimeout: lag})
	stream, sub := e.subscribe(t, true)
	// One event goes to the client's window, one blocks in Send, the
	// third waits in the queue.
	for range 3 {
		e.hub.Publish("app", 0, bigCustom(512<<10))
	}
	start := time.Now()
	waitDone(t, sub, 10*time.Second)
	if waited := time.Since(start); waited < lag-50*time.Millisecond {
		t.Errorf("cut off %v after the events, before the lag timeout of %v", waited, lag)
	}
	last, err := readToEnd(t, stream)
	// The seq named is what Send had returned from when the stream was
	// cut; the event in the Send under way may still have gone out.
	var sent uint64
	if i := strings.Index(err.Error(), "resume from seq "); i >= 0 {
		fmt.Sscanf(err.Error()[i:], "resume from seq %d", &sent)
	}
	if status.Code(err) != codes.ResourceExhausted || !strings.Contains(err.Error(), "unread for") || sent+1 < last || sent > last {
		t.Fatalf("stream ended with %v after seq %d; want RESOURCE_EXHAUSTED naming the lag and seq %d (or the one before)", err, last, last)
	}
	if last >= 3 {
		t.Errorf("the client read every event (up to seq %d): nothing was cut", last)
	}
}

// A client that stops reading is cut off once its queue holds QueueBytes,
// whatever the count of events.
func TestStuckClientCutOffByBytes(t *testing.T) {
	e := newRPCEnv(t, broadcast.Options{QueueBytes: 1 << 20, LagTimeout: -1})
	stream, sub := e.subscribe(t, true)
	for range 20 {
		e.hub.Publish("app", 0, bigCustom(256<<10))
	}
	waitDone(t, sub, 10*time.Second)
	last, err := readToEnd(t, stream)
	if status.Code(err) != codes.ResourceExhausted || !strings.Contains(err.Error(), "queue of 1 MiB full") {
		t.Fatalf("stream ended with %v after seq %d; want RESOURCE_EXHAUSTED naming the byte limit", err, last)
	}
}

// One batch of far more events than a queue holds reaches a client that
// reads, whole; it is not cut off.
func TestBigBatchReachesReadingClient(t *testing.T) {
	const storm = 1000
	e := newRPCEnv(t, broadcast.Options{})
	stream, _ := e.subscribe(t, false)
	bodies := make([]signal.Body, storm)
	for i := range bodies {
		bodies[i] = &signal.Error{Module: "/src/a.js", Message: fmt.Sprintf("cannot resolve ./m%d.js", i), Code: "UNRESOLVED_IMPORT"}
	}
	e.hub.PublishBatch("app", 0, bodies...)
	for want := uint64(1); want <= storm; want++ {
		resp, err := stream.Recv()
		if err != nil {
			t.Fatalf("waiting for seq %d: %v", want, err)
		}
		if resp.GetEvent().GetSeq() != want {
			t.Fatalf("got seq %d, want %d", resp.GetEvent().GetSeq(), want)
		}
	}
}
