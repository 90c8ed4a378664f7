package daemon

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/hmrd/hmrd/internal/sockpath"
)

// DefaultSocket is where the daemon listens and clients look by default
// (see sockpath.Default).
func DefaultSocket() string { return sockpath.Default() }

// listenUnix listens on path with mode 0600 in a 0700 directory. A socket
// file left behind by a killed daemon (nothing accepts on it) is replaced;
// a live daemon on it is an error, never silently displaced.
func listenUnix(path string) (net.Listener, error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("hmrd: socket directory %s: %w", dir, err)
	}
	if fi, err := os.Lstat(path); err == nil {
		if fi.Mode()&os.ModeSocket == 0 {
			return nil, fmt.Errorf("hmrd: socket %s: a file that is not a socket is in the way", path)
		}
		c, err := net.DialTimeout("unix", path, time.Second)
		if err == nil {
			c.Close()
			return nil, fmt.Errorf("hmrd: socket %s: another hmrd daemon is listening there (stop it, or pass --socket)", path)
		}
		if !errors.Is(err, syscall.ECONNREFUSED) && !errors.Is(err, syscall.ENOENT) {
			return nil, fmt.Errorf("hmrd: socket %s: probe: %w", path, err)
		}
		// Stale: the daemon that made it is gone.
		if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("hmrd: remove stale socket %s: %w", path, err)
		}
	}
	l, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("hmrd: listen %s: %w", path, err)
	}
	// The directory is already private; the mode on the socket itself
	// guards a --socket placed in a shared directory. (A umask around bind
	// would close the window, but umask is process-wide.)
	if err := os.Chmod(path, 0o600); err != nil {
		l.Close()
		return nil, fmt.Errorf("hmrd: chmod socket %s: %w", path, err)
	}
	return l, nil
}
