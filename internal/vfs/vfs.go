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
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// FS is what the engine needs from a filesystem.
type FS interface {
	// ReadFile returns the content of the file at the absolute path name,
	// following symlinks.
	ReadFile(name string) ([]byte, error)
	// ReadFileLimit describes the file at name, following symlinks, and
	// returns its content unless it is a directory or larger than limit
	// bytes (then data is nil and err is nil). One open serves both, where
	// Stat then ReadFile would look the path up twice.
	ReadFileLimit(name string, limit int64) (data []byte, info fs.FileInfo, err error)
	// Stat describes the file at name, following symlinks.
	Stat(name string) (fs.FileInfo, error)
	// Lstat describes the file at name itself: a symlink as a link. The
	// resolver uses it to learn, in the one call it makes per candidate
	// file anyway, whether the file is a link whose target must be found.
	Lstat(name string) (fs.FileInfo, error)
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

// ReadFileLimit implements FS.
func (OS) ReadFileLimit(name string, limit int64) ([]byte, fs.FileInfo, error) {
	// O_NONBLOCK: opening a FIFO for reading would otherwise wait for a
	// writer; it changes nothing for regular files and directories.
	f, err := os.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	if info.IsDir() || info.Size() > limit {
		return nil, info, nil
	}
	if !info.Mode().IsRegular() {
		return nil, nil, &fs.PathError{Op: "read", Path: name, Err: errNotRegular}
	}
	// Read until EOF, not just Size bytes: a file may grow (or shrink)
	// between the fstat and the read. Size+1 bytes of room means the usual
	// case ends with one read and one EOF.
	buf := make([]byte, info.Size()+1)
	n := 0
	for {
		if n == len(buf) {
			if int64(n) > limit {
				return nil, grownInfo{info, int64(n)}, nil
			}
			buf = append(buf, make([]byte, min(int64(n), limit+1-int64(n)))...)
		}
		m, err := f.Read(buf[n:])
		n += m
		if err == io.EOF {
			return buf[:n], info, nil
		}
		if err != nil {
			return nil, nil, err
		}
	}
}

var errNotRegular = errors.New("not a regular file")

// grownInfo is a FileInfo whose file grew past the read limit while it was
// read: Size reports at least what was read.
type grownInfo struct {
	fs.FileInfo
	size int64
}

func (g grownInfo) Size() int64 { return g.size }

// Stat implements FS.
func (OS) Stat(name string) (fs.FileInfo, error) { return os.Stat(name) }

// Lstat implements FS.
func (OS) Lstat(name string) (fs.FileInfo, error) { return os.Lstat(name) }

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
