// Package vfs is the small filesystem interface the engine packages (resolve,
// engine) read sources through, with an OS implementation and an in-memory one.
//
// Why not io/fs: module resolution needs absolute paths and symlink targets
// (workspace packages are symlinked into node_modules and must be followed back
// into the watched tree), which fs.FS's unrooted paths cannot express. Paths
// here are absolute and slash-separated; every method is safe for concurrent
// use by multiple goroutines.
package vfs

import (
	"io/fs"
	"os"
	"path/filepath"
)

// FS is what the engine needs from a filesystem.
type FS interface {
	// ReadFile returns the content of the file at the absolute path name,
	// following symlinks.
	ReadFile(name string) ([]byte, error)
	// Stat describes the file at name, following symlinks.
	Stat(name string) (fs.FileInfo, error)
	// ReadDir lists the directory at name, sorted by file name.
	ReadDir(name string) ([]fs.DirEntry, error)
	// RealPath returns name with every symlink resolved (like
	// filepath.EvalSymlinks); the result is absolute and clean.
	RealPath(name string) (string, error)
}

// OS is the real filesystem.
type OS struct{}

// ReadFile implements FS.
func (OS) ReadFile(name string) ([]byte, error) { return os.ReadFile(name) }

// Stat implements FS.
func (OS) Stat(name string) (fs.FileInfo, error) { return os.Stat(name) }

// ReadDir implements FS.
func (OS) ReadDir(name string) ([]fs.DirEntry, error) { return os.ReadDir(name) }

// RealPath implements FS.
func (OS) RealPath(name string) (string, error) {
	p, err := filepath.EvalSymlinks(name)
	if err != nil {
		return "", err
	}
	return filepath.Abs(p)
}
