// Package sockpath is the one definition of where the daemon listens by
// default, shared by the daemon and the Go client so the two cannot drift.
package sockpath

import (
	"os"
	"path/filepath"
	"strconv"
)

// Default is $HMRD_SOCKET, else $XDG_RUNTIME_DIR/hmrd/hmrd.sock, else
// <tmp>/hmrd-<uid>/hmrd.sock. The directory is private to the user (0700):
// anyone who can connect can read the project's module graph.
func Default() string {
	if s := os.Getenv("HMRD_SOCKET"); s != "" {
		return s
	}
	if dir := os.Getenv("XDG_RUNTIME_DIR"); dir != "" {
		return filepath.Join(dir, "hmrd", "hmrd.sock")
	}
	return filepath.Join(os.TempDir(), "hmrd-"+strconv.Itoa(os.Getuid()), "hmrd.sock")
}
