package daemon

import (
	"runtime"
	"runtime/debug"
	"sync"
	"time"
)

// Large signals (custom events carry up to a few megabytes each) pass
// through several encodings on their way to subscribers, all garbage once
// delivered. After a burst of them the heap is small again, but the Go
// runtime collects only when the heap grows or every two minutes, and
// returns memory to the OS after collecting: an idle daemon measured at
// 165 MiB resident for two minutes after forty 4 MiB events, 22 MiB once
// collected and released. So once burstBytes of signals have been
// published and then burstQuiet passes with none, the garbage is
// collected and returned at once, as after a graph build (buildgc.go).

const (
	burstBytes = 32 << 20
	burstQuiet = time.Second
)

// bursts counts the bytes of signals published since the last release.
type bursts struct {
	mu    sync.Mutex
	bytes int
	timer *time.Timer
	// released, if set, is called after each release (tests).
	released func()
}

// published records signals of size bytes; past burstBytes it (re)arms the
// release for burstQuiet from now, so it runs once publishing pauses.
func (b *bursts) published(size int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.bytes += size
	if b.bytes < burstBytes {
		return
	}
	if b.timer == nil {
		b.timer = time.AfterFunc(burstQuiet, b.release)
	} else {
		b.timer.Reset(burstQuiet)
	}
}

func (b *bursts) release() {
	b.mu.Lock()
	b.bytes = 0
	done := b.released
	b.mu.Unlock()
	// sync.Pool caches (gRPC's pooled message buffers among them, sized
	// for the burst's largest events) outlive one collection in the pools'
	// victim caches: the first collection moves them there, the one
	// FreeOSMemory runs frees them and returns their pages.
	runtime.GC()
	debug.FreeOSMemory()
	if done != nil {
		done()
	}
}

func (b *bursts) stop() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.timer != nil {
		b.timer.Stop()
	}
}
