package daemon

import (
	"context"
	"errors"
	"strings"
	"testing"
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

// A custom event's data is limited (1 MiB by default): over gRPC a larger
// one is refused with INVALID_ARGUMENT naming the limit, over WebSocket
// the page is closed with 1009 and the same sentence. A raised limit
// holds for both transports, beyond gRPC's default request size.
func TestCustomEventSizeLimit(t *testing.T) {
	d := runDaemon(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
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
	frame := `{"custom":{"event":"big","data":` + `"\"` + strings.Repeat("x", DefaultMaxCustomBytes-1) + `\""}}`
	if err := ws.Write(ctx, websocket.MessageText, []byte(frame)); err != nil {
		t.Fatal(err)
	}
	_, _, err = ws.Read(ctx)
	var ce websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != websocket.StatusMessageTooBig || ce.Reason != want {
		t.Fatalf("WebSocket, data over the limit: %v\nwant 1009 %q", err, want)
	}

	d = runDaemon(t, func(c *Config) { c.MaxCustomBytes = 6 << 20 })
	hot = hotClient(t, d)
	if _, err := hot.SendCustom(ctx, &hmrdv1.SendCustomRequest{Event: "big", Data: jsonString(5 << 20)}); err != nil {
		t.Fatalf("5 MiB under a 6 MiB limit, over gRPC: %v", err)
	}
	ws = dialWS(t, ctx, d)
	frame = `{"custom":{"event":"big","data":` + `"\"` + strings.Repeat("x", 5<<20) + `\""}}`
	if err := ws.Write(ctx, websocket.MessageText, []byte(frame)); err != nil {
		t.Fatal(err)
	}
	if ev := readWS(t, ctx, ws); len(ev.GetCustom().GetData()) != 5<<20+2 {
		t.Fatalf("5 MiB under a 6 MiB limit, over WebSocket: got %d bytes back", len(ev.GetCustom().GetData()))
	}
}

// With the default limits, a gRPC subscriber that stops reading while
// large custom events flow is cut off after a few megabytes, told where
// to resume, while one that reads gets every event.
func TestStuckSubscriberCutOffByQueueBytes(t *testing.T) {
	const events = 30
	d := runDaemon(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
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
	data := jsonString(DefaultMaxCustomBytes)
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
			if status.Code(err) != codes.ResourceExhausted || !strings.Contains(err.Error(), "queue of 8 MiB full") {
				t.Fatalf("stuck subscriber ended with %v after seq %d, want RESOURCE_EXHAUSTED naming the byte limit", err, last)
			}
			break
		}
		last = resp.GetEvent().GetSeq()
	}
	if last > 12 {
		t.Errorf("stuck subscriber got up to seq %d: more than 8 MiB were queued for it", last)
	}
}
