package daemon_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"

	"github.com/hmrd/hmrd/daemon"
	"github.com/hmrd/hmrd/internal/transport/rpcauth"
	hmrdv1 "github.com/hmrd/hmrd/proto/hmrd/v1"
)

func fileMode(t *testing.T, path string) os.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

// A TCP listener under the remote-access rule (any non-loopback address;
// GRPCSecure forces it on 127.0.0.1 for this test) serves only TLS, and
// only RPCs carrying the daemon's token, streams and health included. The
// unix socket stays as it is.
func TestRemoteGRPCRequiresTLSAndToken(t *testing.T) {
	state := filepath.Join(shortTemp(t), "state")
	td := startDaemon(t, func(c *daemon.Config) {
		c.GRPCAddr = "127.0.0.1:0"
		c.GRPCSecure = true
		c.StateDir = state
	})
	ra, ok := td.d.RemoteAccess()
	if !ok {
		t.Fatal("RemoteAccess: no authenticated listener")
	}
	if ra.TokenFile != filepath.Join(state, rpcauth.TokenFile) || ra.CertFile != filepath.Join(state, rpcauth.CertFile) {
		t.Errorf("RemoteAccess = %+v: files outside the state directory", ra)
	}
	for _, f := range []string{ra.TokenFile, ra.CertFile, filepath.Join(state, rpcauth.KeyFile)} {
		if m := fileMode(t, f); m != 0o600 {
			t.Errorf("%s: mode %04o, want 0600", f, m)
		}
	}
	if m := fileMode(t, state); m != 0o700 {
		t.Errorf("state directory mode %04o, want 0700", m)
	}
	token, err := rpcauth.ReadToken(ra.TokenFile, true)
	if err != nil {
		t.Fatal(err)
	}
	certPEM, err := os.ReadFile(ra.CertFile)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(ra.Fingerprint, "sha256:") || !strings.Contains(string(certPEM), "CERTIFICATE") {
		t.Fatalf("fingerprint %q, certificate %q", ra.Fingerprint, certPEM)
	}
	found := false
	for _, l := range td.d.Listeners() {
		found = found || l == "tcp+tls:"+ra.Addr
	}
	if !found {
		t.Errorf("Listeners %v do not list tcp+tls:%s", td.d.Listeners(), ra.Addr)
	}

	ctx := ctxT(t)
	dial := func(opts ...grpc.DialOption) *grpc.ClientConn {
		conn, err := grpc.NewClient(ra.Addr, opts...)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close() })
		return conn
	}
	plain := dial(grpc.WithTransportCredentials(insecure.NewCredentials()))
	if _, err := hmrdv1.NewAdminServiceClient(plain).Status(ctx, &hmrdv1.StatusRequest{}); err == nil {
		t.Fatal("Status over plaintext TCP was served")
	}
	tlsCfg, err := rpcauth.ClientTLS("", ra.Fingerprint, "")
	if err != nil {
		t.Fatal(err)
	}
	creds := grpc.WithTransportCredentials(credentials.NewTLS(tlsCfg))
	noToken := dial(creds)
	if _, err := hmrdv1.NewAdminServiceClient(noToken).Status(ctx, &hmrdv1.StatusRequest{}); status.Code(err) != codes.Unauthenticated {
		t.Errorf("Status without a token: %v, want UNAUTHENTICATED", err)
	}
	if s, err := hmrdv1.NewHotServiceClient(noToken).Subscribe(ctx, &hmrdv1.SubscribeRequest{}); err == nil {
		if _, err := s.Recv(); status.Code(err) != codes.Unauthenticated {
			t.Errorf("Subscribe without a token: %v, want UNAUTHENTICATED", err)
		}
	}
	if w, err := healthpb.NewHealthClient(noToken).Watch(ctx, &healthpb.HealthCheckRequest{}); err == nil {
		if _, err := w.Recv(); status.Code(err) != codes.Unauthenticated {
			t.Errorf("health Watch without a token: %v, want UNAUTHENTICATED", err)
		}
	}

	authed := dial(creds, grpc.WithPerRPCCredentials(rpcauth.BearerToken(token)))
	if st, err := hmrdv1.NewAdminServiceClient(authed).Status(ctx, &hmrdv1.StatusRequest{}); err != nil || st.Epoch != td.d.Epoch() {
		t.Fatalf("Status with TLS and the token: %v, %v", st, err)
	}
	s, err := hmrdv1.NewHotServiceClient(authed).Subscribe(ctx, &hmrdv1.SubscribeRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if ev := recvEvent(t, s); ev.GetHello() == nil {
		t.Fatalf("first event %v, want Hello", ev)
	}
	// The unix socket needs neither.
	if _, err := td.admin.Status(ctx, &hmrdv1.StatusRequest{}); err != nil {
		t.Fatalf("Status on the unix socket: %v", err)
	}
}

// Loopback TCP stays as it was: plaintext, no token, nothing written to
// the state directory.
func TestLoopbackGRPCStaysPlain(t *testing.T) {
	state := filepath.Join(shortTemp(t), "state")
	td := startDaemon(t, func(c *daemon.Config) {
		c.GRPCAddr = "127.0.0.1:0"
		c.StateDir = state
	})
	if _, ok := td.d.RemoteAccess(); ok {
		t.Fatal("RemoteAccess on a loopback listener")
	}
	var addr string
	for _, l := range td.d.Listeners() {
		if a, ok := strings.CutPrefix(l, "tcp:"); ok {
			addr = a
		}
	}
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := hmrdv1.NewAdminServiceClient(conn).Status(ctxT(t), &hmrdv1.StatusRequest{}); err != nil {
		t.Fatalf("Status on loopback TCP: %v", err)
	}
	if _, err := os.Stat(state); !os.IsNotExist(err) {
		t.Errorf("state directory created for a loopback listener: %v", err)
	}
}

// The same state directory gives the same token and certificate on the
// next start, so remote clients keep working across restarts.
func TestRemoteCredentialsSurviveRestart(t *testing.T) {
	state := filepath.Join(shortTemp(t), "state")
	secure := func(c *daemon.Config) {
		c.GRPCAddr = "127.0.0.1:0"
		c.GRPCSecure = true
		c.StateDir = state
	}
	first := startDaemon(t, secure)
	ra1, _ := first.d.RemoteAccess()
	second := startDaemon(t, func(c *daemon.Config) { secure(c) })
	ra2, _ := second.d.RemoteAccess()
	if ra1.Fingerprint == "" || ra1.Fingerprint != ra2.Fingerprint || ra1.TokenFile != ra2.TokenFile {
		t.Fatalf("first %+v, second %+v: want the same certificate and token file", ra1, ra2)
	}
}

// Configurations that would serve the API or the dev server to other
// machines without what protects them are refused before anything
// listens.
func TestNewRefusesUnsafeRemoteConfig(t *testing.T) {
	root := t.TempDir()
	for _, tc := range []struct {
		name string
		cfg  daemon.Config
		want string
	}{
		{"public dev server without --allow-host", daemon.Config{HTTPAddr: "0.0.0.0:5173"}, "--allow-host"},
		{"dev server on all interfaces", daemon.Config{HTTPAddr: ":5173"}, "--allow-host"},
		{"dev server on a LAN address", daemon.Config{HTTPAddr: "192.0.2.1:5173"}, "--allow-host"},
		{"certificate without key", daemon.Config{GRPCAddr: "0.0.0.0:7070", TLSCert: "c.pem"}, "--tls-key"},
		{"key without certificate", daemon.Config{GRPCAddr: "0.0.0.0:7070", TLSKey: "k.pem"}, "--tls-cert"},
		{"certificate without --grpc", daemon.Config{TLSCert: "c.pem", TLSKey: "k.pem"}, "--grpc"},
		{"--grpc-secure without --grpc", daemon.Config{GRPCSecure: true}, "--grpc"},
	} {
		tc.cfg.Roots = []string{root}
		if _, err := daemon.New(tc.cfg); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: New = %v, want an error naming %s", tc.name, err, tc.want)
		}
	}
	for _, cfg := range []daemon.Config{
		{HTTPAddr: "0.0.0.0:5173", AllowHosts: []string{"devbox.lan"}},
		{HTTPAddr: "localhost:5173"},
		{HTTPAddr: "127.0.0.2:5173"},
		{HTTPAddr: "[::1]:5173"},
		{HTTPAddr: "off"},
	} {
		cfg.Roots = []string{root}
		if _, err := daemon.New(cfg); err != nil {
			t.Errorf("New(%+v): %v", cfg, err)
		}
	}
}
