package daemon_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/hmrd/hmrd/daemon"
)

// rawGet sends one GET with the request-target exactly as written (no
// client cleans it) to the daemon's dev server.
func rawGet(t *testing.T, d *daemon.Daemon, target string) (int, http.Header, string) {
	t.Helper()
	u, err := url.Parse(d.HTTPURL())
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", target, u.Host)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("GET %s: %v", target, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(body)
}

// Request paths with ".." or empty segments are refused with 400 before
// anything else sees them: no redirect to a cleaned path (which
// http.ServeMux would send), whatever the path names.
func TestHTTPDotDotAndDoubleSlashRefusedBeforeRedirect(t *testing.T) {
	td := startDaemon(t, func(c *daemon.Config) { c.HTTPAddr = "127.0.0.1:0" })
	if code, _, _ := rawGet(t, td.d, "/src/app.js"); code != 200 {
		t.Fatalf("control /src/app.js: %d, want 200", code)
	}
	for _, target := range []string{
		"/src/../index.html", "/src/./app.js", "//src/app.js", "/src//app.js", "/src/app.js/..",
		"/@hmrd/../index.html", "/@hmrd//ws", "//@hmrd/ws", "/@hmrd/ws/..", "/../etc/passwd",
	} {
		code, h, body := rawGet(t, td.d, target)
		if code != http.StatusBadRequest {
			t.Errorf("GET %s: status %d (Location %q), want 400", target, code, h.Get("Location"))
		}
		if h.Get("Location") != "" {
			t.Errorf("GET %s: redirects to %q", target, h.Get("Location"))
		}
		if code == http.StatusBadRequest && !strings.Contains(body, "path") {
			t.Errorf("GET %s: body %q does not say what is wrong", target, body)
		}
	}
}
