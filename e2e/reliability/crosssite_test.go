package reliability

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/encoding/protojson"

	hmrdv1 "github.com/hmrd/hmrd/proto/hmrd/v1"
)

// handshake is one WebSocket upgrade request, written by hand so that
// every header is exactly what a browser, a rebinding page or an attacker
// would send.
type handshake struct {
	host   string // Host header; "-" sends none
	origin string // Origin header; "" sends none
	query  string // after /@hmrd/ws
}

// wsHandshake performs h against addr. It returns the HTTP status, and
// for a 101 the first event the bridge sent (its Hello).
func wsHandshake(t *testing.T, addr string, h handshake) (int, *hmrdv1.Event) {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(waitFor))
	var b strings.Builder
	fmt.Fprintf(&b, "GET /@hmrd/ws%s HTTP/1.1\r\n", h.query)
	if h.host != "-" {
		fmt.Fprintf(&b, "Host: %s\r\n", h.host)
	}
	if h.origin != "" {
		fmt.Fprintf(&b, "Origin: %s\r\n", h.origin)
	}
	b.WriteString("Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n" +
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: hmrd.v1\r\n\r\n")
	if _, err := io.WriteString(c, b.String()); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, &http.Request{Method: "GET"})
	if err != nil {
		t.Fatalf("handshake %+v: %v", h, err)
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		resp.Body.Close()
		return resp.StatusCode, nil
	}
	payload, err := readFrame(br)
	if err != nil {
		t.Fatalf("handshake %+v: reading the first frame: %v", h, err)
	}
	ev := &hmrdv1.Event{}
	if err := protojson.Unmarshal(payload, ev); err != nil {
		t.Fatalf("handshake %+v: first frame %q: %v", h, payload, err)
	}
	return resp.StatusCode, ev
}

// readFrame reads one unmasked, unfragmented server frame's payload.
func readFrame(r *bufio.Reader) ([]byte, error) {
	var hdr [2]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, err
	}
	n := uint64(hdr[1] & 0x7f)
	switch n {
	case 126:
		var ext [2]byte
		if _, err := io.ReadFull(r, ext[:]); err != nil {
			return nil, err
		}
		n = uint64(binary.BigEndian.Uint16(ext[:]))
	case 127:
		var ext [8]byte
		if _, err := io.ReadFull(r, ext[:]); err != nil {
			return nil, err
		}
		n = binary.BigEndian.Uint64(ext[:])
	}
	if n > 1<<20 {
		return nil, fmt.Errorf("frame of %d bytes", n)
	}
	payload := make([]byte, n)
	_, err := io.ReadFull(r, payload)
	return payload, err
}

// The WebSocket bridge decides from Host, Origin and token together. Every
// combination a page on another site, a DNS-rebinding page or a local tool
// can produce, with positive controls: the ones that must work do.
func TestCrossSiteWebSocketMatrix(t *testing.T) {
	t.Parallel()
	tmp := shortTemp(t)
	root := filepath.Join(tmp, "app")
	writeTree(t, root, smallApp)
	d := startDaemon(t, filepath.Join(tmp, "s"), daemonOpts{http: "auto", roots: []string{root}})
	_, port, _ := net.SplitHostPort(d.httpAddr)
	self := "http://127.0.0.1:" + port
	tok := "?token=" + d.token
	evil := "evil.com:" + port
	for _, tc := range []struct {
		name string
		h    handshake
		ok   bool
	}{
		// Positive controls.
		{"same origin 127.0.0.1", handshake{d.httpAddr, self, tok}, true},
		{"same origin localhost", handshake{"localhost:" + port, "http://localhost:" + port, tok}, true},
		{"same origin [::1]", handshake{"[::1]:" + port, "http://[::1]:" + port, tok}, true},
		{"same origin *.localhost", handshake{"app.localhost:" + port, "http://app.localhost:" + port, tok}, true},
		{"localhost page on 127.0.0.1 host", handshake{d.httpAddr, "http://localhost:" + port, tok}, true},
		{"no Origin with token", handshake{d.httpAddr, "", tok}, true},
		{"no Origin without token (a tool)", handshake{d.httpAddr, "", ""}, true},
		{"no Origin, localhost host", handshake{"localhost:" + port, "", ""}, true},

		// Cross-site WebSocket hijacking.
		{"evil Origin", handshake{d.httpAddr, "http://evil.com", ""}, false},
		{"evil Origin with a leaked token", handshake{d.httpAddr, "http://evil.com", tok}, false},
		{"evil Origin on the server's port", handshake{d.httpAddr, "http://evil.com:" + port, tok}, false},
		{"https evil Origin", handshake{d.httpAddr, "https://evil.com", tok}, false},
		{"null Origin", handshake{d.httpAddr, "null", tok}, false},
		{"malformed Origin", handshake{d.httpAddr, "://", tok}, false},
		{"loopback Origin on another port", handshake{d.httpAddr, "http://127.0.0.1:1", tok}, false},
		{"https loopback Origin", handshake{d.httpAddr, "https://127.0.0.1:" + port, tok}, false},
		{"Origin with a path", handshake{d.httpAddr, self + "/", tok}, false},
		{"Origin with userinfo", handshake{d.httpAddr, "http://a@127.0.0.1:" + port, tok}, false},
		{"look-alike Origin 127.0.0.1.evil.com", handshake{d.httpAddr, "http://127.0.0.1.evil.com:" + port, tok}, false},
		{"look-alike Origin localhost.evil.com", handshake{d.httpAddr, "http://localhost.evil.com:" + port, tok}, false},
		{"same Origin without token", handshake{d.httpAddr, self, ""}, false},
		{"same Origin with wrong token", handshake{d.httpAddr, self, "?token=" + strings.Repeat("0", 32)}, false},
		{"same Origin with token prefix", handshake{d.httpAddr, self, "?token=" + d.token[:16]}, false},
		{"same Origin with empty token", handshake{d.httpAddr, self, "?token="}, false},
		{"no Origin with wrong token", handshake{d.httpAddr, "", "?token=nope"}, false},

		// DNS rebinding: the page's own origin is evil.com, resolved to
		// 127.0.0.1, so Host and Origin agree.
		{"rebinding: Host and Origin evil.com", handshake{evil, "http://" + evil, tok}, false},
		{"rebinding: Host evil.com, no Origin", handshake{evil, "", ""}, false},
		{"rebinding: Host evil.com, loopback Origin", handshake{evil, self, tok}, false},
		{"Host localhost.evil.com", handshake{"localhost.evil.com:" + port, "", ""}, false},
		{"Host 127.0.0.1.nip.io", handshake{"127.0.0.1.nip.io:" + port, "", ""}, false},
		{"Host 0.0.0.0", handshake{"0.0.0.0:" + port, "", ""}, false},
		{"Host of a LAN address", handshake{"192.168.1.10:" + port, "", ""}, false},
		{"Host [localhost]", handshake{"[localhost]:" + port, "", ""}, false},
		{"no Host", handshake{"-", "", ""}, false},
		{"empty Host", handshake{"", "", ""}, false},
	} {
		status, hello := wsHandshake(t, d.httpAddr, tc.h)
		switch {
		case tc.ok && (status != http.StatusSwitchingProtocols || hello.GetHello() == nil):
			t.Errorf("%s: %+v: status %d, first event %v; want the upgrade and a Hello", tc.name, tc.h, status, hello)
		case !tc.ok && status == http.StatusSwitchingProtocols:
			t.Errorf("%s: %+v: upgraded (first event %v); want it refused", tc.name, tc.h, hello)
		case !tc.ok && status != http.StatusForbidden && status != http.StatusBadRequest:
			t.Errorf("%s: %+v: status %d, want 403 (or 400 for a request without a Host)", tc.name, tc.h, status)
		}
	}

	// Plain HTTP follows the same Host rule.
	for host, want := range map[string]int{
		d.httpAddr: 200, "localhost:" + port: 200, evil: 403, "localhost.evil.com": 403,
	} {
		if r := rawGet(t, d.httpAddr, "/src/main.js", map[string]string{"Host": host}); r.status != want {
			t.Errorf("GET /src/main.js with Host %q: %d, want %d", host, r.status, want)
		}
	}
}

// --allow-host and --allow-origin extend the allowlists by exactly the
// names given, never by suffix or look-alike.
func TestHostAllowlist(t *testing.T) {
	t.Parallel()
	tmp := shortTemp(t)
	root := filepath.Join(tmp, "app")
	writeTree(t, root, smallApp)
	d := startDaemon(t, filepath.Join(tmp, "s"), daemonOpts{http: "auto", roots: []string{root},
		args: []string{"--allow-host", "dev.example", "--allow-origin", "http://tools.example:3000"}})
	_, port, _ := net.SplitHostPort(d.httpAddr)
	tok := "?token=" + d.token
	for host, want := range map[string]int{
		"dev.example:" + port:     200,
		"dev.example":             200,
		"DEV.EXAMPLE:" + port:     200,
		"dev.example.:" + port:    200,
		"sub.dev.example:" + port: 403,
		"dev.example.evil.com":    403,
		"devXexample":             403,
		"evil.com:" + port:        403,
		"tools.example:3000":      403, // an allowed origin is not an allowed host
	} {
		if r := rawGet(t, d.httpAddr, "/src/main.js", map[string]string{"Host": host}); r.status != want {
			t.Errorf("GET with Host %q: %d, want %d", host, r.status, want)
		}
	}
	for _, tc := range []struct {
		name string
		h    handshake
		ok   bool
	}{
		{"allowed host, its origin", handshake{"dev.example:" + port, "http://dev.example:" + port, tok}, true},
		{"allowed host, no Origin", handshake{"dev.example:" + port, "", ""}, true},
		{"allowed origin", handshake{d.httpAddr, "http://tools.example:3000", tok}, true},
		{"allowed origin without token", handshake{d.httpAddr, "http://tools.example:3000", ""}, false},
		{"allowed origin, other port", handshake{d.httpAddr, "http://tools.example:3001", tok}, false},
		{"allowed host, evil origin", handshake{"dev.example:" + port, "http://evil.com", tok}, false},
		{"allowed host's origin on another port", handshake{"dev.example:" + port, "http://dev.example:1", tok}, false},
		{"subdomain of the allowed host", handshake{"sub.dev.example:" + port, "http://sub.dev.example:" + port, tok}, false},
	} {
		status, hello := wsHandshake(t, d.httpAddr, tc.h)
		if got := status == http.StatusSwitchingProtocols && hello.GetHello() != nil; got != tc.ok {
			t.Errorf("%s: %+v: status %d, first event %v; want ok=%v", tc.name, tc.h, status, hello, tc.ok)
		}
	}
}
