package devserver

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"sync"
	"time"
)

// rootCheckEvery is how often the server checks, without a request, that
// the root path still names the directory it holds open.
const rootCheckEvery = time.Second

// rootHandle is the server's open directory handle on the project root
// (an os.Root, through which every file is opened). It follows the path:
// when the root is deleted, or renamed away, and made again (a checkout of
// the whole tree, a scaffolder, `mv app app.old`), the next use opens the
// new directory, so nothing is ever served from the old one.
//
// Holding a deleted directory open keeps it alive, and the kernel reports
// its deletion to the watcher (IN_DELETE_SELF) only when the last
// reference goes. So the handle is also checked every rootCheckEvery, and
// let go of when the path names another directory or none, whether or not
// requests come.
type rootHandle struct {
	path string // the real root
	log  *slog.Logger

	mu     sync.Mutex
	root   *os.Root    // nil while the path names no directory
	id     fs.FileInfo // the directory root is open on
	closed bool

	stop chan struct{}
	done chan struct{}
}

func openRootHandle(path string, log *slog.Logger) (*rootHandle, error) {
	h := &rootHandle{path: path, log: log, stop: make(chan struct{}), done: make(chan struct{})}
	if err := h.open(); err != nil {
		return nil, err
	}
	go h.watch()
	return h, nil
}

// open opens the directory the path names now. The caller holds mu, or
// owns h alone.
func (h *rootHandle) open() error {
	r, err := os.OpenRoot(h.path)
	if err != nil {
		return err
	}
	// The identity of what was opened, not of what the path names a
	// moment later.
	id, err := r.Stat(".")
	if err != nil {
		r.Close()
		return err
	}
	h.root, h.id = r, id
	return nil
}

// get returns the handle on the directory the path names now, re-opening
// it when the root was replaced; fs.ErrNotExist while there is none. It
// costs one stat.
func (h *rootHandle) get() (*os.Root, error) {
	now, statErr := os.Stat(h.path)
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil, os.ErrClosed
	}
	if h.root != nil && statErr == nil && os.SameFile(now, h.id) {
		return h.root, nil
	}
	if h.root != nil {
		// Requests still reading through the old handle finish: os.Root
		// closes its descriptor once the last of them is done.
		h.root.Close()
		h.root, h.id = nil, nil
		h.log.Info("devserver: the root directory was replaced or removed; letting go of the old one", "root", h.path)
	}
	if statErr != nil {
		return nil, fmt.Errorf("root %s: %w", h.path, statErr)
	}
	if err := h.open(); err != nil {
		return nil, fmt.Errorf("root %s: %w", h.path, err)
	}
	return h.root, nil
}

// watch checks the handle every rootCheckEvery until close.
func (h *rootHandle) watch() {
	defer close(h.done)
	t := time.NewTicker(rootCheckEvery)
	defer t.Stop()
	for {
		select {
		case <-h.stop:
			return
		case <-t.C:
			if _, err := h.get(); err != nil && !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, os.ErrClosed) {
				h.log.Debug("devserver: root check", "root", h.path, "err", err)
			}
		}
	}
}

func (h *rootHandle) close() error {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return nil
	}
	h.closed = true
	r := h.root
	h.root = nil
	h.mu.Unlock()
	close(h.stop)
	<-h.done
	if r == nil {
		return nil
	}
	return r.Close()
}
