package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// `hmrd serve` on a TCP address under the remote-access rule prints what
// a client needs; `hmrd --grpc ... status` works with the fingerprint and
// the token, and is refused without them.
func TestServeRemoteAccess(t *testing.T) {
	for _, k := range []string{"HMRD_TOKEN", "HMRD_TLS_CA", "HMRD_TLS_FINGERPRINT"} {
		t.Setenv(k, "")
	}
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "main.js"), []byte("export {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	state := filepath.Join(t.TempDir(), "state")
	sock := socketPath(t)
	out, logs := newLineWriter(), newLineWriter()
	// --grpc-secure applies the rule that any non-loopback --grpc address
	// gets, on 127.0.0.1.
	stop := background(t, out, logs, "serve", "--socket", sock, "--grpc", "127.0.0.1:0", "--grpc-secure",
		"--state-dir", state, "--http", "off", "--log-level", "warn", root)
	defer stop()
	head := logs.waitFor(t, "requires TLS and a token")
	addr := regexp.MustCompile(`gRPC at (\S+) requires`).FindStringSubmatch(head)
	if addr == nil {
		t.Fatalf("no address in %q", head)
	}
	fpLine := logs.waitFor(t, "fingerprint")
	fp := regexp.MustCompile(`sha256:[0-9a-f]{64}`).FindString(fpLine)
	if fp == "" {
		t.Fatalf("no fingerprint in %q", fpLine)
	}
	tokenLine := logs.waitFor(t, "token")
	tokenFile := filepath.Join(state, "grpc-token")
	if !strings.Contains(tokenLine, tokenFile) {
		t.Fatalf("token line %q does not name %s", tokenLine, tokenFile)
	}
	token, err := os.ReadFile(tokenFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range logs.lines() {
		if strings.Contains(l, strings.TrimSpace(string(token))) {
			t.Fatalf("the token itself was printed: %q", l)
		}
	}

	r := run(t, "--grpc", addr[1], "--tls-fingerprint", fp, "--token-file", tokenFile, "status")
	if r.code != 0 || !strings.Contains(r.stdout, "tcp+tls:"+addr[1]) {
		t.Errorf("status with fingerprint and token file: %v", r)
	}
	r = run(t, "status", "--grpc", addr[1], "--tls-ca", filepath.Join(state, "grpc-cert.pem"), "--token", strings.TrimSpace(string(token)))
	if r.code != 0 {
		t.Errorf("status with CA file and token: %v", r)
	}
	t.Setenv("HMRD_TLS_FINGERPRINT", fp)
	t.Setenv("HMRD_TOKEN", strings.TrimSpace(string(token)))
	if r := run(t, "--grpc", addr[1], "status"); r.code != 0 {
		t.Errorf("status with HMRD_TLS_FINGERPRINT and HMRD_TOKEN: %v", r)
	}
	t.Setenv("HMRD_TLS_FINGERPRINT", "")
	t.Setenv("HMRD_TOKEN", "")
	if r := run(t, "--grpc", addr[1], "--tls-fingerprint", fp, "status"); r.code != 1 || !strings.Contains(r.stderr, "missing token") {
		t.Errorf("status without a token: %v, want exit 1 saying the token is missing", r)
	}
	if r := run(t, "--grpc", addr[1], "--token-file", tokenFile, "status"); r.code == 0 || !strings.Contains(r.stderr, "only sent over TLS") {
		t.Errorf("status with a token and no TLS: %v", r)
	}
	if r := run(t, "--grpc", addr[1], "--token", "x", "--token-file", tokenFile, "status"); r.code != 2 {
		t.Errorf("--token and --token-file together: %v, want a usage error", r)
	}
	// The unix socket needs neither.
	if r := run(t, "--socket", sock, "status"); r.code != 0 {
		t.Errorf("status on the unix socket: %v", r)
	}
}

// Client-only flags given to serve are a mistake, not silently ignored.
func TestServeRefusesClientAuthFlags(t *testing.T) {
	r := run(t, "--token", strings.Repeat("a", 64), "serve", "--socket", socketPath(t), "--http", "off", t.TempDir())
	if r.code != 2 || !strings.Contains(r.stderr, "--token") {
		t.Errorf("serve with --token: %v, want a usage error", r)
	}
	r = run(t, "serve", "--socket", socketPath(t), "--http", "0.0.0.0:5173", t.TempDir())
	if r.code == 0 || !strings.Contains(r.stderr, "--allow-host") {
		t.Errorf("serve on a public dev server address without --allow-host: %v", r)
	}
}
