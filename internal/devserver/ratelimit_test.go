package devserver

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hmrd/hmrd/internal/transport/httpguard"
)

// lockedBuffer is a log destination shared by concurrent handlers.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) lines() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Split(strings.TrimSpace(l.b.String()), "\n")
}

// A flood of refused requests (foreign Host, malformed path, denied file,
// /@fs/ outside the root) writes a handful of log lines, not one per
// request: one per reason per second at most, plus the suppressed count.
func TestRefusalLogIsRateLimited(t *testing.T) {
	_, root := newTree(t, canaryFiles)
	guard, err := httpguard.New(httpguard.Options{Token: "tok-123"})
	if err != nil {
		t.Fatal(err)
	}
	var logs lockedBuffer
	srv, err := New(newFakeService(), Options{Project: "demo", Root: root, Guard: guard, Runtime: testRuntime,
		Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	kinds := []struct{ host, target string }{
		{"evil.example", "/src/safe.js"},
		{"localhost", "/src/../.env"},
		{"localhost", "/.env"},
		{"localhost", "/@fs/etc/passwd"},
	}
	const n = 500
	start := time.Now()
	for i := 0; i < n; i++ {
		for _, k := range kinds {
			r := httptest.NewRequest(http.MethodGet, "http://"+k.host+k.target, nil)
			r.RequestURI = k.target
			w := httptest.NewRecorder()
			srv.ServeHTTP(w, r)
			if w.Code == http.StatusOK {
				t.Fatalf("GET %s (Host %s) answered 200", k.target, k.host)
			}
		}
	}
	// Each kind may write once per started second, plus one summary.
	limit := len(kinds) * (int(time.Since(start)/time.Second) + 2)
	lines := logs.lines()
	if len(lines) > limit {
		t.Fatalf("%d refused requests wrote %d log lines (limit %d); first: %q", n*len(kinds), len(lines), limit, lines[:min(8, len(lines))])
	}
	for _, want := range []string{"host refused", "path refused", "outside the root"} {
		found := false
		for _, l := range lines {
			found = found || strings.Contains(l, want)
		}
		if !found {
			t.Errorf("no %q line in the log: %q", want, lines)
		}
	}
}
