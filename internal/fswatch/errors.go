package fswatch

import (
	"errors"
	"fmt"
	"syscall"
)

// ErrWatchLimit is wrapped by errors from adding a watch when the kernel ran
// out of inotify watches (ENOSPC from inotify_add_watch). Test with
// errors.Is; the message tells the operator which sysctl to raise.
var ErrWatchLimit = errors.New("inotify watch limit reached: raise fs.inotify.max_user_watches (sysctl -w fs.inotify.max_user_watches=524288)")

// ErrMaxWatches is wrapped by errors from adding a watch beyond
// Options.MaxWatches.
var ErrMaxWatches = errors.New("watch limit of this project reached (Options.MaxWatches)")

// SysctlMaxWatches is the kernel's per-user limit of inotify watches.
const SysctlMaxWatches = "fs.inotify.max_user_watches"

// atLimit reports whether err is a watch limit: the kernel's or the
// watcher's own. Directories that cannot be watched for that reason are
// polled.
func atLimit(err error) bool {
	return errors.Is(err, ErrWatchLimit) || errors.Is(err, ErrMaxWatches)
}

// ErrInstanceLimit is wrapped by New's error when no inotify instance could
// be created (EMFILE/ENFILE from inotify_init1).
var ErrInstanceLimit = errors.New("inotify instance limit reached: raise fs.inotify.max_user_instances (sysctl -w fs.inotify.max_user_instances=1024) or the open-file limit (ulimit -n)")

// watchError wraps an Add failure for dir. The errno stays reachable through
// errors.Is, after the sentence a person can act on.
func watchError(dir string, err error) error {
	if errors.Is(err, syscall.ENOSPC) {
		return fmt.Errorf("watch %s: %w (%w)", dir, ErrWatchLimit, err)
	}
	return fmt.Errorf("watch %s: %w", dir, err)
}

// instanceError wraps a failure to create the inotify instance.
func instanceError(err error) error {
	if errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE) {
		return fmt.Errorf("create inotify instance: %w (%w)", ErrInstanceLimit, err)
	}
	return fmt.Errorf("create inotify instance: %w", err)
}
