//go:build unix

package vfs

import (
	"path/filepath"
	"syscall"
	"testing"
)

// A FIFO is refused at once instead of blocking until a writer comes.
func TestReadFileLimitFIFO(t *testing.T) {
	p := filepath.Join(t.TempDir(), "pipe.js")
	if err := syscall.Mkfifo(p, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	if _, _, err := (OS{}).ReadFileLimit(p, 1<<20); err == nil {
		t.Fatal("ReadFileLimit of a FIFO succeeded")
	}
}
