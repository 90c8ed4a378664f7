package rpcserver_test

import (
	"context"
	"net"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/hmrd/hmrd/internal/transport/rpcserver"
)

// serve runs a server with an unused service on a loopback port.
func serve(t *testing.T, o rpcserver.Options) (*rpcserver.Server, string) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := rpcserver.New(&hubService{}, o)
	go srv.Serve(l)
	t.Cleanup(srv.Stop)
	return srv, l.Addr().String()
}

// An open health Watch stream would never end by itself: GracefulStop ends
// it (after telling the watcher NOT_SERVING) instead of waiting on it for
// the daemon's whole grace period.
func TestGracefulStopEndsHealthWatch(t *testing.T) {
	srv, addr := serve(t, rpcserver.Options{})
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	w, err := healthpb.NewHealthClient(conn).Watch(ctx, &healthpb.HealthCheckRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if resp, err := w.Recv(); err != nil || resp.Status != healthpb.HealthCheckResponse_SERVING {
		t.Fatalf("first watch status = %v, %v; want SERVING", resp, err)
	}
	stopped := make(chan struct{})
	go func() { srv.GracefulStop(); close(stopped) }()
	select {
	case <-stopped:
	case <-time.After(10 * time.Second):
		t.Fatal("GracefulStop still waits on the health Watch stream after 10s")
	}
	var last healthpb.HealthCheckResponse_ServingStatus
	for {
		resp, err := w.Recv()
		if err != nil {
			break
		}
		last = resp.Status
	}
	if last != healthpb.HealthCheckResponse_NOT_SERVING {
		t.Errorf("the watcher's last status was %v, want NOT_SERVING before the stream ended", last)
	}
}
