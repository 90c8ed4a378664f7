package daemon

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/hmrd/hmrd/internal/devserver"
	"github.com/hmrd/hmrd/internal/engine"
	"github.com/hmrd/hmrd/internal/graph/propagate"
	hmrdv1 "github.com/hmrd/hmrd/proto/hmrd/v1"
)

// runDaemon runs a daemon with the dev server on a loopback port over a
// one-module project.
func runDaemon(t *testing.T, mutate func(*Config)) *Daemon {
	t.Helper()
	tmp, err := os.MkdirTemp("", "hmrd")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(tmp) })
	root := filepath.Join(tmp, "app")
	for name, content := range map[string]string{
		"index.html":  `<script type="module" src="/src/main.js"></script>`,
		"src/main.js": "import.meta.hot.accept()\n",
	} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(root, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfg := Config{Roots: []string{root}, Socket: filepath.Join(tmp, "s"), HTTPAddr: "127.0.0.1:0"}
	if mutate != nil {
		mutate(&cfg)
	}
	d, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- d.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-errc; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	select {
	case <-d.Ready():
	case err := <-errc:
		t.Fatalf("Run: %v", err)
	case <-time.After(20 * time.Second):
		t.Fatal("daemon not ready after 20s")
	}
	return d
}

// subscribeGRPC opens a stream over the daemon's unix socket and reads its
// Hello.
func subscribeGRPC(t *testing.T, ctx context.Context, d *Daemon) hmrdv1.HotService_SubscribeClient {
	t.Helper()
	cc, err := grpc.NewClient("unix://"+strings.TrimPrefix(d.Listeners()[0], "unix:"), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cc.Close() })
	s, err := hmrdv1.NewHotServiceClient(cc).Subscribe(ctx, &hmrdv1.SubscribeRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if resp, err := s.Recv(); err != nil || resp.GetEvent().GetHello() == nil {
		t.Fatalf("gRPC: first message %v, %v; want a hello", resp, err)
	}
	return s
}

// dialWS opens the WebSocket bridge as a tool would (no Origin, no token)
// and reads its Hello.
func dialWS(t *testing.T, ctx context.Context, d *Daemon) *websocket.Conn {
	t.Helper()
	u := "ws" + strings.TrimPrefix(strings.TrimSuffix(d.HTTPURL(), "/"), "http") + devserver.DefaultWSPath
	c, _, err := websocket.Dial(ctx, u, &websocket.DialOptions{Subprotocols: []string{"hmrd.v1"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.CloseNow() })
	c.SetReadLimit(64 << 20)
	if ev := readWS(t, ctx, c); ev.GetHello() == nil {
		t.Fatalf("WebSocket: first frame %v, want a hello", ev)
	}
	return c
}

func readWS(t *testing.T, ctx context.Context, c *websocket.Conn) *hmrdv1.Event {
	t.Helper()
	_, data, err := c.Read(ctx)
	if err != nil {
		t.Fatalf("WebSocket read: %v", err)
	}
	ev := &hmrdv1.Event{}
	if err := protojson.Unmarshal(data, ev); err != nil {
		t.Fatalf("WebSocket frame: %v", err)
	}
	return ev
}

// One batch that touched a module with hundreds of unresolved imports
// signals an update and an error per import. However many there are, a
// subscriber that reads — over gRPC or WebSocket — gets every one of them
// and is not cut off.
func TestErrorStormReachesEverySubscriber(t *testing.T) {
	const storm = 300
	d := runDaemon(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	grpcSub := subscribeGRPC(t, ctx, d)
	ws := dialWS(t, ctx, d)

	plan := &engine.Plan{
		Version:  1767323045123,
		Triggers: []string{"/src/main.js"},
		Updates:  []propagate.Update{{Type: propagate.UpdateJS, Path: "/src/main.js", AcceptedPath: "/src/main.js", Chain: []string{"/src/main.js"}}},
		Versions: map[string]int64{"/src/main.js": 1767323045123},
	}
	for i := range storm {
		plan.Errors = append(plan.Errors, engine.ModuleError{
			Module: "/src/main.js", File: "/src/main.js", Line: i + 1, Column: 8,
			Message: fmt.Sprintf("cannot resolve ./missing%d.js", i), Code: "UNRESOLVED_IMPORT",
		})
	}
	p, err := d.lookup("")
	if err != nil {
		t.Fatal(err)
	}
	if err := p.do(ctx, func() { p.publish(plan, timeZero) }); err != nil {
		t.Fatal(err)
	}

	wsDone := make(chan error, 1)
	go func() {
		for want := uint64(1); want <= storm+1; want++ {
			_, data, err := ws.Read(ctx)
			if err != nil {
				wsDone <- fmt.Errorf("WebSocket, waiting for seq %d: %w", want, err)
				return
			}
			ev := &hmrdv1.Event{}
			if err := protojson.Unmarshal(data, ev); err != nil || ev.Seq != want {
				wsDone <- fmt.Errorf("WebSocket: got %s (%v), want seq %d", data, err, want)
				return
			}
		}
		wsDone <- nil
	}()
	for want := uint64(1); want <= storm+1; want++ {
		resp, err := grpcSub.Recv()
		if err != nil {
			t.Fatalf("gRPC, waiting for seq %d: %v", want, err)
		}
		if ev := resp.GetEvent(); ev.Seq != want || (want == 1) != (ev.GetUpdate() != nil) {
			t.Fatalf("gRPC: got %v, want seq %d", ev, want)
		}
	}
	if err := <-wsDone; err != nil {
		t.Fatal(err)
	}
}
