package fswatch

import (
	"os"
	"path/filepath"
)

// fence orders the watcher's own emissions against the kernel's event queue.
//
// fsnotify 1.10 does not export close-write, so a save shows up as several
// events (truncate, write, chmod) and the first one may already find the file
// complete. Once a path has gone out in a batch, every event for it that was
// queued before the batch left is redundant: the consumer reads the file after
// receiving the batch, so it sees those changes anyway. The fence makes
// "queued before" observable: at each emission the watcher writes one byte to
// a file in a private directory watched by the same inotify instance; the
// resulting event lands in the one queue behind every event generated before
// it. Until that event comes back, events for the emitted paths are dropped
// (see Watcher.suppress). A lost or late fence only costs a duplicate batch,
// never a lost change.
//
// Two files are used alternately because inotify merges an event identical to
// the one queued just before it, which would make two fences look like one.
type fence struct {
	dir    string
	files  [2]*os.File
	issued uint64 // fences written
	seen   uint64 // fence events received
}

func newFence(b Backend) (*fence, error) {
	dir, err := os.MkdirTemp("", "hmrd-fswatch-")
	if err != nil {
		return nil, err
	}
	f := &fence{dir: dir}
	for i := range f.files {
		if f.files[i], err = os.Create(filepath.Join(dir, []string{"a", "b"}[i])); err != nil {
			f.close()
			return nil, err
		}
	}
	if err := b.Add(dir); err != nil {
		f.close()
		return nil, err
	}
	return f, nil
}

// next writes the next fence and returns its number, or 0 when the write
// failed (then nothing may be suppressed).
func (f *fence) next() uint64 {
	n := f.issued + 1
	if _, err := f.files[n%2].WriteAt([]byte{'.'}, 0); err != nil {
		return 0
	}
	f.issued = n
	return n
}

// observe counts one fence event.
func (f *fence) observe() {
	if f.seen < f.issued {
		f.seen++
	}
}

// passed reports whether fence n has come back through the queue.
func (f *fence) passed(n uint64) bool { return f.seen >= n }

// idle reports whether every fence written has come back.
func (f *fence) idle() bool { return f.seen >= f.issued }

// resync forgets fences in flight: after an overflow their events may be
// lost. Counting them as seen can only end a suppression early, which costs
// a duplicate batch, never a lost path.
func (f *fence) resync() { f.seen = f.issued }

func (f *fence) close() {
	for _, file := range f.files {
		if file != nil {
			file.Close()
		}
	}
	os.RemoveAll(f.dir)
}
