package ratelog_test

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hmrd/hmrd/internal/transport/ratelog"
)

// recorder is a slog.Handler that keeps records and signals each one.
type recorder struct {
	mu      sync.Mutex
	records []slog.Record
	added   chan struct{}
}

func newRecorder() *recorder { return &recorder{added: make(chan struct{}, 1024)} }

func (r *recorder) Enabled(context.Context, slog.Level) bool { return true }
func (r *recorder) WithAttrs([]slog.Attr) slog.Handler       { return r }
func (r *recorder) WithGroup(string) slog.Handler            { return r }
func (r *recorder) Handle(_ context.Context, rec slog.Record) error {
	r.mu.Lock()
	r.records = append(r.records, rec.Clone())
	r.mu.Unlock()
	r.added <- struct{}{}
	return nil
}

func (r *recorder) lines() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, rec := range r.records {
		var b strings.Builder
		b.WriteString(rec.Message)
		rec.Attrs(func(a slog.Attr) bool {
			b.WriteString(" " + a.String())
			return true
		})
		out = append(out, b.String())
	}
	return out
}

// A flood writes one line per kind at once; the rest are counted, not
// written, while the interval lasts.
func TestFloodIsOneLinePerKind(t *testing.T) {
	rec := newRecorder()
	l := ratelog.New(slog.New(rec), time.Hour)
	for i := 0; i < 10000; i++ {
		l.Warn("host refused", "i", i)
		l.Warn("path refused", "i", i)
	}
	got := rec.lines()
	if len(got) != 2 || got[0] != "host refused i=0" || got[1] != "path refused i=0" {
		t.Fatalf("lines = %q, want the first of each kind only", got)
	}
}

// What was suppressed is reported once the interval is over, even when
// the flood has stopped.
func TestSuppressedCountReported(t *testing.T) {
	rec := newRecorder()
	l := ratelog.New(slog.New(rec), 50*time.Millisecond)
	for i := 0; i < 100; i++ {
		l.Warn("host refused")
	}
	deadline := time.After(10 * time.Second)
	for {
		lines := rec.lines()
		if len(lines) == 2 {
			if want := "host refused (repeated) suppressed=99"; !strings.HasPrefix(lines[1], want) {
				t.Fatalf("summary = %q, want prefix %q", lines[1], want)
			}
			break
		}
		select {
		case <-rec.added:
		case <-deadline:
			t.Fatalf("no summary line after 10s: %q", lines)
		}
	}
}

// A level the logger drops costs nothing and counts nothing.
func TestDisabledLevel(t *testing.T) {
	var b strings.Builder
	l := ratelog.New(slog.New(slog.NewTextHandler(&b, &slog.HandlerOptions{Level: slog.LevelError})), time.Hour)
	l.Warn("x")
	if b.Len() != 0 {
		t.Fatalf("wrote %q", b.String())
	}
}

// Close writes what is pending at once, and nothing is written afterwards.
func TestCloseFlushes(t *testing.T) {
	rec := newRecorder()
	l := ratelog.New(slog.New(rec), time.Hour)
	for i := 0; i < 5; i++ {
		l.Warn("host refused")
	}
	l.Close()
	got := rec.lines()
	if len(got) != 2 || !strings.HasPrefix(got[1], "host refused (repeated) suppressed=4") {
		t.Fatalf("lines = %q", got)
	}
	l.Warn("host refused")
	if n := len(rec.lines()); n != 2 {
		t.Fatalf("a line after Close within the interval was written: %q", rec.lines())
	}
}
