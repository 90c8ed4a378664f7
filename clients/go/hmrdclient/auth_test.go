package hmrdclient_test

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hmrd/hmrd/clients/go/hmrdclient"
	"github.com/hmrd/hmrd/clients/go/hmrdtest"
	"github.com/hmrd/hmrd/internal/control"
	"github.com/hmrd/hmrd/internal/transport/rpcauth"
	"github.com/hmrd/hmrd/internal/transport/rpcserver"
)

// statusOnly is a daemon that answers Status.
type statusOnly struct{ control.Service }

func (statusOnly) Status(context.Context) control.Status { return control.Status{Epoch: "remote"} }

// secureDaemon serves the real gRPC server with TLS and a token on
// loopback, as the daemon serves an address other machines can reach.
type secureDaemon struct {
	addr, token, tokenFile, certFile, fingerprint string
}

func serveSecure(t *testing.T) secureDaemon {
	t.Helper()
	dir := t.TempDir()
	cert, err := rpcauth.Certificate(dir, []string{"localhost", "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	tokenFile := filepath.Join(dir, rpcauth.TokenFile)
	token, err := rpcauth.Token(tokenFile)
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := rpcserver.New(statusOnly{}, rpcserver.Options{Creds: rpcauth.ServerCredentials(cert), Token: token})
	go srv.Serve(l)
	t.Cleanup(srv.Stop)
	return secureDaemon{addr: l.Addr().String(), token: token, tokenFile: tokenFile,
		certFile: filepath.Join(dir, rpcauth.CertFile), fingerprint: rpcauth.Fingerprint(cert.Certificate[0])}
}

func statusEpoch(t *testing.T, target string, opts ...hmrdclient.Option) (string, error) {
	t.Helper()
	ctx := testCtx(t)
	c, err := hmrdclient.Dial(ctx, target, opts...)
	if err != nil {
		return "", err
	}
	defer c.Close()
	st, err := c.Status(ctx)
	return st.GetEpoch(), err
}

func clearAuthEnv(t *testing.T) {
	for _, k := range []string{hmrdclient.EnvToken, hmrdclient.EnvTLSCA, hmrdclient.EnvTLSFingerprint} {
		t.Setenv(k, "")
	}
}

func TestDialTLSAndToken(t *testing.T) {
	clearAuthEnv(t)
	d := serveSecure(t)
	pin := hmrdclient.WithTLS(hmrdclient.TLS{Fingerprint: d.fingerprint})
	for _, tc := range []struct {
		name string
		opts []hmrdclient.Option
	}{
		{"pin and token", []hmrdclient.Option{pin, hmrdclient.WithToken(d.token)}},
		{"pin and token file", []hmrdclient.Option{pin, hmrdclient.WithTokenFile(d.tokenFile)}},
		{"CA file and token", []hmrdclient.Option{hmrdclient.WithTLS(hmrdclient.TLS{CAFile: d.certFile}), hmrdclient.WithToken(d.token)}},
	} {
		if epoch, err := statusEpoch(t, d.addr, tc.opts...); err != nil || epoch != "remote" {
			t.Errorf("%s: Status = %q, %v", tc.name, epoch, err)
		}
	}
	if _, err := statusEpoch(t, d.addr, pin); !errors.Is(err, hmrdclient.ErrUnauthenticated) || !strings.Contains(err.Error(), "missing token") {
		t.Errorf("without a token: %v, want ErrUnauthenticated, missing token", err)
	}
	if _, err := statusEpoch(t, d.addr, pin, hmrdclient.WithToken(strings.Repeat("0", 64))); !errors.Is(err, hmrdclient.ErrUnauthenticated) {
		t.Errorf("with a wrong token: %v, want ErrUnauthenticated", err)
	}
	other, err := rpcauth.Certificate(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	wrongPin := hmrdclient.WithTLS(hmrdclient.TLS{Fingerprint: rpcauth.Fingerprint(other.Certificate[0])})
	if _, err := statusEpoch(t, d.addr, wrongPin, hmrdclient.WithToken(d.token)); err == nil || !strings.Contains(err.Error(), "not the pinned one") {
		t.Errorf("with another certificate's pin: %v, want a refusal naming the pin", err)
	}
}

// Without options, the environment says how to reach a remote daemon.
func TestDialTLSFromEnvironment(t *testing.T) {
	clearAuthEnv(t)
	d := serveSecure(t)
	t.Setenv(hmrdclient.EnvTLSFingerprint, d.fingerprint)
	t.Setenv(hmrdclient.EnvToken, d.token)
	if epoch, err := statusEpoch(t, d.addr); err != nil || epoch != "remote" {
		t.Fatalf("Status with HMRD_TLS_FINGERPRINT and HMRD_TOKEN = %q, %v", epoch, err)
	}
	t.Setenv(hmrdclient.EnvTLSFingerprint, "")
	t.Setenv(hmrdclient.EnvTLSCA, d.certFile)
	if epoch, err := statusEpoch(t, d.addr); err != nil || epoch != "remote" {
		t.Fatalf("Status with HMRD_TLS_CA and HMRD_TOKEN = %q, %v", epoch, err)
	}

	// The environment is for TCP: a unix socket ignores it.
	fake := hmrdtest.New("local")
	sock := socketPath(t)
	serve(t, fake, "unix", sock)
	if epoch, err := statusEpoch(t, sock); err != nil || epoch != "local" {
		t.Fatalf("unix socket with TLS variables set: %q, %v", epoch, err)
	}
}

// Dial refuses what cannot work or would leak the token, before any
// connection is made.
func TestDialRefusesInsecureCombinations(t *testing.T) {
	clearAuthEnv(t)
	sock := socketPath(t)
	serve(t, hmrdtest.New("e"), "unix", sock)
	tokenFile := filepath.Join(t.TempDir(), "tok")
	os.WriteFile(tokenFile, []byte(strings.Repeat("a", 64)), 0o600)
	for _, tc := range []struct {
		name, target string
		opts         []hmrdclient.Option
		want         string
	}{
		{"token without TLS", "127.0.0.1:1", []hmrdclient.Option{hmrdclient.WithToken(strings.Repeat("a", 64))}, "only sent over TLS"},
		{"token file without TLS", sock, []hmrdclient.Option{hmrdclient.WithTokenFile(tokenFile)}, "only sent over TLS"},
		{"remote address without TLS", "192.0.2.1:7070", nil, "serves TLS only"},
		{"remote name without TLS", "devbox.example:7070", nil, "serves TLS only"},
		{"TLS on a unix socket", sock, []hmrdclient.Option{hmrdclient.WithTLS(hmrdclient.TLS{Fingerprint: "sha256:" + strings.Repeat("0", 64)})}, "unix socket"},
		{"TLS without CA or pin", "127.0.0.1:1", []hmrdclient.Option{hmrdclient.WithTLS(hmrdclient.TLS{})}, "CA file or a certificate fingerprint"},
		{"short token", "127.0.0.1:1", []hmrdclient.Option{hmrdclient.WithTLS(hmrdclient.TLS{Fingerprint: "sha256:" + strings.Repeat("0", 64)}), hmrdclient.WithToken("short")}, "at least"},
	} {
		c, err := hmrdclient.Dial(testCtx(t), tc.target, tc.opts...)
		if err == nil {
			c.Close()
			t.Errorf("%s: Dial succeeded", tc.name)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want it to say %q", tc.name, err, tc.want)
		}
	}
}
