package rpcauth_test

import (
	"crypto/tls"
	"encoding/hex"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hmrd/hmrd/internal/transport/rpcauth"
)

func mode(t *testing.T, path string) os.FileMode {
	t.Helper()
	fi, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

// The token is created once, private to the user, and read back as is.
func TestTokenFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	if err := rpcauth.EnsureDir(dir); err != nil {
		t.Fatal(err)
	}
	if m := mode(t, dir); m != 0o700 {
		t.Errorf("state directory mode %04o, want 0700", m)
	}
	path := filepath.Join(dir, rpcauth.TokenFile)
	tok, err := rpcauth.Token(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(tok) != 64 {
		t.Errorf("token %q: want 64 hex digits", tok)
	}
	if m := mode(t, path); m != 0o600 {
		t.Errorf("token file mode %04o, want 0600", m)
	}
	again, err := rpcauth.Token(path)
	if err != nil || again != tok {
		t.Fatalf("second Token = %q, %v; want the same token", again, err)
	}
	if got, err := rpcauth.ReadToken(path, false); err != nil || got != tok {
		t.Fatalf("ReadToken = %q, %v", got, err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("state directory holds %v: temporary files left behind", entries)
	}
}

// A token file others can read, or a symlink, is refused rather than used.
func TestTokenFileMustBePrivate(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, rpcauth.TokenFile)
	if err := os.WriteFile(path, []byte(strings.Repeat("a", 64)), 0o644); err != nil {
		t.Fatal(err)
	}
	os.Chmod(path, 0o644)
	if _, err := rpcauth.Token(path); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("group-readable token file: %v, want a refusal saying chmod 600", err)
	}
	os.Chmod(path, 0o600)
	link := filepath.Join(dir, "link")
	if err := os.Symlink(path, link); err != nil {
		t.Fatal(err)
	}
	if _, err := rpcauth.Token(link); err == nil {
		t.Fatal("a symlinked token file was used")
	}
	if err := os.WriteFile(path, []byte("short\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := rpcauth.Token(path); err == nil {
		t.Fatal("a short token was accepted")
	}
}

// The generated key pair is private, reused, and names the hosts given.
func TestGeneratedCertificate(t *testing.T) {
	dir := t.TempDir()
	c1, err := rpcauth.Certificate(dir, []string{"localhost", "devbox.test", "127.0.0.1", "192.0.2.7"})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{rpcauth.KeyFile, rpcauth.CertFile} {
		if m := mode(t, filepath.Join(dir, f)); m != 0o600 {
			t.Errorf("%s mode %04o, want 0600", f, m)
		}
	}
	leaf := c1.Leaf
	if err := leaf.VerifyHostname("devbox.test"); err != nil {
		t.Error(err)
	}
	if err := leaf.VerifyHostname("192.0.2.7"); err != nil {
		t.Error(err)
	}
	c2, err := rpcauth.Certificate(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rpcauth.Fingerprint(c1.Certificate[0]) != rpcauth.Fingerprint(c2.Certificate[0]) {
		t.Fatal("the certificate changed between two starts: pinned clients would break")
	}
}

func TestParseFingerprint(t *testing.T) {
	fp := rpcauth.Fingerprint([]byte("x"))
	hexPart := strings.TrimPrefix(fp, "sha256:")
	var colons []string
	for i := 0; i < len(hexPart); i += 2 {
		colons = append(colons, strings.ToUpper(hexPart[i:i+2]))
	}
	for _, s := range []string{fp, hexPart, "SHA256:" + strings.ToUpper(hexPart), "sha256 Fingerprint=" + strings.Join(colons, ":")} {
		b, err := rpcauth.ParseFingerprint(s)
		if err != nil || hex.EncodeToString(b) != hexPart {
			t.Errorf("ParseFingerprint(%q) = %x, %v", s, b, err)
		}
	}
	for _, s := range []string{"", "sha256:", "sha256:abcd", "md5:" + hexPart, hexPart + "00"} {
		if _, err := rpcauth.ParseFingerprint(s); err == nil {
			t.Errorf("ParseFingerprint(%q) accepted", s)
		}
	}
}

// A pinned client accepts the daemon's certificate whatever name it
// dialled, and refuses any other certificate.
func TestClientTLSPinning(t *testing.T) {
	dir := t.TempDir()
	cert, err := rpcauth.Certificate(dir, []string{"localhost"})
	if err != nil {
		t.Fatal(err)
	}
	other, err := rpcauth.Certificate(t.TempDir(), []string{"localhost"})
	if err != nil {
		t.Fatal(err)
	}
	l, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS13})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() { c.(*tls.Conn).Handshake(); c.Close() }()
		}
	}()
	handshake := func(cfg *tls.Config) error {
		c, err := net.Dial("tcp", l.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		return tls.Client(c, cfg).Handshake()
	}
	for _, tc := range []struct {
		name       string
		ca, fp, sn string
		ok         bool
	}{
		{"pin", "", rpcauth.Fingerprint(cert.Certificate[0]), "not-the-name.example", true},
		{"wrong pin", "", rpcauth.Fingerprint(other.Certificate[0]), "localhost", false},
		{"ca file", filepath.Join(dir, rpcauth.CertFile), "", "localhost", true},
		{"ca file, wrong name", filepath.Join(dir, rpcauth.CertFile), "", "elsewhere.example", false},
		{"ca file and pin", filepath.Join(dir, rpcauth.CertFile), rpcauth.Fingerprint(cert.Certificate[0]), "localhost", true},
	} {
		cfg, err := rpcauth.ClientTLS(tc.ca, tc.fp, tc.sn)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if err := handshake(cfg); (err == nil) != tc.ok {
			t.Errorf("%s: handshake %v, want ok=%v", tc.name, err, tc.ok)
		}
	}
	if _, err := rpcauth.ClientTLS("", "", ""); err == nil {
		t.Error("ClientTLS without CA or pin accepted")
	}
}
