// Package sockpath is the one definition of where the daemon listens and
// keeps its state by default, shared by the daemon and the Go client so
// the two cannot drift.
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

// StateDir is where the daemon keeps what outlives one run (the gRPC
// token and TLS key pair for remote access): $XDG_STATE_HOME/hmrd, else
// ~/.local/state/hmrd, else the default socket's directory. Unlike
// $XDG_RUNTIME_DIR it survives a logout, so the token and the certificate
// fingerprint clients were given stay valid.
func StateDir() string {
	if dir := os.Getenv("XDG_STATE_HOME"); dir != "" && filepath.IsAbs(dir) {
		return filepath.Join(dir, "hmrd")
	}
	if home, err := os.UserHomeDir(); err == nil && home != "" {
		return filepath.Join(home, ".local", "state", "hmrd")
	}
	return filepath.Dir(Default())
}
