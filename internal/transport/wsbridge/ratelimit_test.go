package wsbridge_test

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
	"github.com/hmrd/hmrd/internal/transport/wsbridge"
)

// A page retrying a refused handshake in a loop writes one log line per
// reason per second, not one per attempt.
func TestRefusedHandshakeLogIsRateLimited(t *testing.T) {
	g, err := httpguard.New(httpguard.Options{})
	if err != nil {
		t.Fatal(err)
	}
	g.AllowServer("127.0.0.1:5173")
	var logs lockedBuffer // a summary may be written from a timer
	b, err := wsbridge.New(&fakeService{}, wsbridge.Options{Guard: g, Project: "app",
		Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	refused := []http.Header{
		{"Origin": {"http://evil.example"}},
		{"Origin": {"http://localhost:5173"}}, // no token
	}
	const n = 1000
	start := time.Now()
	for i := 0; i < n; i++ {
		for _, h := range refused {
			r := httptest.NewRequest(http.MethodGet, "http://localhost:5173/@hmrd/ws", nil)
			r.Header = h.Clone()
			w := httptest.NewRecorder()
			b.ServeHTTP(w, r)
			if w.Code != http.StatusForbidden {
				t.Fatalf("refused handshake answered %d", w.Code)
			}
		}
	}
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	limit := len(refused) * (int(time.Since(start)/time.Second) + 2)
	if len(lines) > limit {
		t.Fatalf("%d refused handshakes wrote %d log lines (limit %d)", n*len(refused), len(lines), limit)
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
