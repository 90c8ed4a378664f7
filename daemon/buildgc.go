package daemon

import (
	"runtime/debug"
	"sync"
)

// Building a graph from scratch (a project opening, a rescan) allocates
// several times the graph it keeps — mostly esbuild's per-file garbage from
// transforming TypeScript, dead as soon as the facts are read — and the Go
// runtime hands freed memory back to the OS only gradually. When the last
// running build ends, the garbage is collected and returned at once, so the
// daemon's resident memory right after a project opens is what the graph
// needs, not the build's high-water mark.

var builds struct {
	mu     sync.Mutex
	active int
}

// duringBuild runs fn, a from-scratch graph build, and releases the build's
// garbage to the OS after the last concurrent build.
func duringBuild(fn func()) {
	builds.mu.Lock()
	builds.active++
	builds.mu.Unlock()
	defer func() {
		builds.mu.Lock()
		builds.active--
		last := builds.active == 0
		builds.mu.Unlock()
		if last {
			// Off the caller's path: it goes on to serve while the
			// collector runs.
			go debug.FreeOSMemory()
		}
	}()
	fn()
}
