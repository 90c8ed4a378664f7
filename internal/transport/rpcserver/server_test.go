package rpcserver_test

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	reflectionpb "google.golang.org/grpc/reflection/grpc_reflection_v1"
	"google.golang.org/grpc/status"

	"github.com/hmrd/hmrd/internal/broadcast"
	"github.com/hmrd/hmrd/internal/control"
	"github.com/hmrd/hmrd/internal/transport/rpcauth"
	"github.com/hmrd/hmrd/internal/transport/rpcserver"
	hmrdv1 "github.com/hmrd/hmrd/proto/hmrd/v1"
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

// statusService answers Status and refuses every subscription.
type statusService struct{ control.Service }

func (statusService) Status(context.Context) control.Status {
	return control.Status{DaemonVersion: "test"}
}

func (statusService) Subscribe(context.Context, string, broadcast.SubscribeOptions, []string) (*broadcast.Subscription, error) {
	return nil, control.ErrUnknownProject
}

// With a token set, every RPC (unary, streaming, health, reflection) is
// refused without "authorization: Bearer <token>", before any handler
// runs; with it, the RPC is served.
func TestTokenRequiredOnEveryRPC(t *testing.T) {
	cert, err := rpcauth.Certificate(t.TempDir(), []string{"localhost"})
	if err != nil {
		t.Fatal(err)
	}
	const token = "0123456789abcdef0123456789abcdef"
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var logs lockedBuffer
	srv := rpcserver.New(statusService{}, rpcserver.Options{
		Creds: rpcauth.ServerCredentials(cert), Token: token,
		Logger: slog.New(slog.NewTextHandler(&logs, nil)),
	})
	go srv.Serve(l)
	t.Cleanup(srv.Stop)
	addr := l.Addr().String()

	tlsCfg, err := rpcauth.ClientTLS("", rpcauth.Fingerprint(cert.Certificate[0]), "")
	if err != nil {
		t.Fatal(err)
	}
	dial := func(opts ...grpc.DialOption) *grpc.ClientConn {
		conn, err := grpc.NewClient(addr, opts...)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close() })
		return conn
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	calls := func(conn *grpc.ClientConn) map[string]error {
		_, statusErr := hmrdv1.NewAdminServiceClient(conn).Status(ctx, &hmrdv1.StatusRequest{})
		var subErr error
		if s, err := hmrdv1.NewHotServiceClient(conn).Subscribe(ctx, &hmrdv1.SubscribeRequest{}); err != nil {
			subErr = err
		} else {
			_, subErr = s.Recv()
		}
		_, healthErr := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{})
		var reflErr error
		if rc, err := reflectionpb.NewServerReflectionClient(conn).ServerReflectionInfo(ctx); err != nil {
			reflErr = err
		} else {
			rc.Send(&reflectionpb.ServerReflectionRequest{MessageRequest: &reflectionpb.ServerReflectionRequest_ListServices{}})
			_, reflErr = rc.Recv()
		}
		return map[string]error{"Status": statusErr, "Subscribe": subErr, "Health": healthErr, "Reflection": reflErr}
	}

	creds := grpc.WithTransportCredentials(credentials.NewTLS(tlsCfg))
	for name, err := range calls(dial(creds)) {
		if status.Code(err) != codes.Unauthenticated || !strings.Contains(err.Error(), "missing token") {
			t.Errorf("%s without a token: %v, want UNAUTHENTICATED, missing token", name, err)
		}
	}
	for name, err := range calls(dial(creds, grpc.WithPerRPCCredentials(rpcauth.BearerToken("fedcba9876543210fedcba9876543210")))) {
		if status.Code(err) != codes.Unauthenticated || !strings.Contains(err.Error(), "wrong token") {
			t.Errorf("%s with a wrong token: %v, want UNAUTHENTICATED, wrong token", name, err)
		}
	}
	got := calls(dial(creds, grpc.WithPerRPCCredentials(rpcauth.BearerToken(token))))
	for name, err := range got {
		want := codes.OK
		if name == "Subscribe" {
			want = codes.NotFound // the handler ran
		}
		if status.Code(err) != want {
			t.Errorf("%s with the token: %v, want %v", name, err, want)
		}
	}
	// No TLS, no service.
	plain := dial(grpc.WithTransportCredentials(insecure.NewCredentials()))
	if _, err := hmrdv1.NewAdminServiceClient(plain).Status(ctx, &hmrdv1.StatusRequest{}); status.Code(err) != codes.Unavailable {
		t.Errorf("Status over plaintext: %v, want UNAVAILABLE", err)
	}
	if strings.Contains(logs.String(), token) {
		t.Error("the token was logged")
	}
	if !strings.Contains(logs.String(), "grpc refused") {
		t.Errorf("refusals not logged: %q", logs.String())
	}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
