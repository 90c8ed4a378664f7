package fswatch

import (
	"github.com/fsnotify/fsnotify"
)

// Backend is the raw event source: fsnotify's Watcher, or a scripted fake in
// tests. Add and Remove name single directories (never recursive). Events
// carry the fsnotify conventions: Name is the watched directory joined with
// the child's name, Op is a bit set, a rename is a Rename of the old name
// followed by a Create of the new one. fsnotify.ErrEventOverflow on Errors
// means events were lost. The Watcher owns the Backend: Close closes it.
type Backend interface {
	Add(name string) error
	Remove(name string) error
	Events() <-chan fsnotify.Event
	Errors() <-chan error
	Close() error
}

// eventBuffer is the size of fsnotify's Events channel. A buffer lets the
// reader keep draining the kernel queue while the state goroutine stats
// files, and lets the state goroutine see a whole save sequence (vim's six
// events) in one drain, which is what keeps a save to one batch.
const eventBuffer = 1024

type fsnotifyBackend struct{ w *fsnotify.Watcher }

func newFsnotifyBackend() (Backend, error) {
	w, err := fsnotify.NewBufferedWatcher(eventBuffer)
	if err != nil {
		return nil, instanceError(err)
	}
	return fsnotifyBackend{w}, nil
}

func (b fsnotifyBackend) Add(name string) error         { return b.w.Add(name) }
func (b fsnotifyBackend) Remove(name string) error      { return b.w.Remove(name) }
func (b fsnotifyBackend) Events() <-chan fsnotify.Event { return b.w.Events }
func (b fsnotifyBackend) Errors() <-chan error          { return b.w.Errors }
func (b fsnotifyBackend) Close() error                  { return b.w.Close() }
