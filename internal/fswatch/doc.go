// Package fswatch turns fsnotify events for one project (a set of root
// directories) into coalesced [Batch]es of changed paths.
//
// # What it watches
//
// Every directory below the roots is watched, except the always-ignored ones
// (node_modules, .git, dist, coverage) and those Options.Ignore rejects. A
// directory that appears later is watched first and then listed, and
// everything it already holds is reported, so `mkdir -p a/b/c && echo x >
// a/b/c/x.js` is seen although a/b and a/b/c existed before any watch on
// them. Symlinked directories are not followed. Directories that vanish
// during a walk, cannot be read or cannot be watched are skipped with a
// debug log; only running out of inotify watches or instances is an error
// (New returns it; at run time it is logged and watching goes on). The
// repository directory of each root (.git of the root or its nearest
// ancestor) is watched on its own, not recursively, only to notice
// index.lock; nothing in it is ever reported.
//
// # When a batch goes out
//
// A single save is reported at once, without a fixed debounce: an event
// whose path now holds a non-empty regular file emits a batch right away. A
// path that is missing (renamed away, removed) or empty (truncated before
// the write) is suspicious: it waits for Options.Quiet, reset by further
// events on it, and goes out as soon as a later event finds it complete, or
// when the wait ends. A file seen empty and then written is an editor
// saving in place, maybe in several writes: it goes out once the writes
// stop for Options.Settle (each write extends the wait, at most
// Options.MaxSettle after its first event), so the batch is formed after
// the last one. A file that is new to the consumer (a plain create)
// also waits, because atomic savers write a temp file and rename it over
// the real one; when the real file goes out, such new paths go with it, so
// no batch ever names only a temp file. Directory events go out at once;
// chmod-only events are ignored. Events that were already queued together
// are judged together, so a save sequence (vim: rename x→x~, create x,
// write x, chmod x, remove x~) gives one batch.
//
// Bursts are gathered: while a VCS lock (index.lock) is held, and when
// Options.Settle sees 8 or more distinct paths, the watcher stops emitting
// per event and sends one batch when things have been idle for Settle
// (after the lock went), or after Options.MaxSettle (5s under a lock). See
// docs/decisions/0003-watcher-coalescing.md.
//
// Lost events (fsnotify.ErrEventOverflow) and a root re-created after it
// vanished produce a batch with Rescan set: the consumer must rescan
// everything. Rescan batches are rate-limited to one per 100ms; requests in
// between fold into the next one. A vanished root is first reported as a
// path (the consumer sees the deletion); the watcher then watches its
// nearest existing ancestor (or polls, with backoff up to 5s, when it
// cannot) until it is back.
//
// # Ordering and backpressure
//
// One goroutine owns all state: it reads the backend, stats paths, runs
// the timers and sends batches. Batches are delivered in the order they
// were formed, and a path's latest batch is formed after its latest event,
// so a consumer that reads the file system when it handles a batch ends up
// with the current state. A path can appear in more than one batch (a
// second write of one save that arrived after the first batch); content
// hashing downstream makes that a no-op. Fence events (see fence.go) keep
// such repeats rare.
//
// Batches is buffered (64). When it is full the watcher does not block:
// new paths are merged into one pending batch (paths united, Rescan and
// reasons combined, earliest First) that is handed over as soon as the
// consumer makes room. The backend is therefore always drained, no path is
// ever dropped, and a slow consumer sees fewer, larger batches. Close stops
// the goroutine, closes the backend and then closes Batches; what is still
// in the channel can be received, a merged batch that did not fit is
// dropped.
package fswatch
