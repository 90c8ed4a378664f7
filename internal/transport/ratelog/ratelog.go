// Package ratelog bounds how many lines a flood of refused requests
// writes to the daemon's log. A refusal is worth a line (someone should
// see that a page from another host tried, or that a tool sends no
// token), but a page retrying in a loop, or a scanner, must not bury the
// log in thousands of identical lines.
//
// A Limiter writes the first line of each kind at once, then at most one
// line of that kind per interval: the lines in between are counted, and
// the count is written as "suppressed" on the kind's next line, or on a
// summary line once the interval is over, so that no refusal goes unseen.
package ratelog

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// DefaultInterval is how often one kind of line may be written.
const DefaultInterval = time.Second

// maxKinds bounds the kinds a Limiter remembers. Callers pass fixed
// messages as kinds, so this is never reached in practice; past it, a kind
// not seen before shares one slot with every other.
const maxKinds = 256

// Limiter rate-limits log lines per kind. The zero value is not usable;
// New returns one. It is safe for concurrent use.
type Limiter struct {
	log      *slog.Logger
	interval time.Duration

	mu     sync.Mutex
	kinds  map[string]*kind
	closed bool
}

type kind struct {
	level      slog.Level
	last       time.Time   // when the last line of this kind was written
	suppressed int         // lines counted since then
	timer      *time.Timer // the scheduled summary, if any
}

// New returns a Limiter writing to log at most one line per kind per
// interval (DefaultInterval when interval <= 0).
func New(log *slog.Logger, interval time.Duration) *Limiter {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if interval <= 0 {
		interval = DefaultInterval
	}
	return &Limiter{log: log, interval: interval, kinds: map[string]*kind{}}
}

// Warn writes msg with args at level Warn, rate-limited by msg.
func (l *Limiter) Warn(msg string, args ...any) { l.Log(slog.LevelWarn, msg, args...) }

// Log writes msg with args at level, unless a line with the same msg was
// written less than an interval ago; then it only counts it.
func (l *Limiter) Log(level slog.Level, msg string, args ...any) {
	if !l.log.Enabled(context.Background(), level) {
		return
	}
	now := time.Now()
	l.mu.Lock()
	key := msg
	k := l.kinds[key]
	if k == nil && len(l.kinds) >= maxKinds {
		key = ""
		k = l.kinds[key]
	}
	if k == nil {
		k = &kind{level: level}
		l.kinds[key] = k
	} else if now.Sub(k.last) < l.interval {
		k.suppressed++
		if k.timer == nil && !l.closed {
			k.timer = time.AfterFunc(l.interval-now.Sub(k.last), func() { l.summary(key, msg) })
		}
		l.mu.Unlock()
		return
	}
	n := k.suppressed
	k.suppressed = 0
	k.last = now
	l.mu.Unlock()
	if n > 0 {
		args = append(args, "suppressed", n)
	}
	l.log.Log(context.Background(), level, msg, args...)
}

// summary writes the count of the lines suppressed in the interval that
// just ended, if no line of the kind has carried it yet.
func (l *Limiter) summary(key, msg string) {
	l.mu.Lock()
	k := l.kinds[key]
	k.timer = nil
	n := k.suppressed
	if n == 0 || l.closed {
		l.mu.Unlock()
		return
	}
	k.suppressed = 0
	k.last = time.Now()
	level := k.level
	l.mu.Unlock()
	l.writeSummary(key, msg, level, n)
}

func (l *Limiter) writeSummary(key, msg string, level slog.Level, n int) {
	if key == "" {
		msg = "other refusals"
	}
	l.log.Log(context.Background(), level, msg+" (repeated)", "suppressed", n, "interval", l.interval)
}

// Close stops the scheduled summaries and writes their counts at once;
// afterwards lines are still limited, but nothing is written later from a
// timer. The owner calls it when it stops (a test's logger may be gone by
// the time a timer fires).
func (l *Limiter) Close() {
	type pending struct {
		key   string
		level slog.Level
		n     int
	}
	var flush []pending
	l.mu.Lock()
	l.closed = true
	for key, k := range l.kinds {
		if k.timer != nil {
			k.timer.Stop()
			k.timer = nil
		}
		if k.suppressed > 0 {
			flush = append(flush, pending{key, k.level, k.suppressed})
			k.suppressed = 0
		}
	}
	l.mu.Unlock()
	for _, p := range flush {
		l.writeSummary(p.key, p.key, p.level, p.n)
	}
}
