package vfs

import (
	"errors"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"
	"time"
)

// maxLinkHops bounds symlink chains the way the kernel's ELOOP does.
const maxLinkHops = 40

// Mem is an in-memory FS with files, directories and symlinks, for tests and
// benchmarks. Parent directories are created implicitly. The zero value is not
// usable; call NewMem.
type Mem struct {
	mu    sync.RWMutex
	nodes map[string]*memNode // clean absolute path → node
}

type memNode struct {
	dir     bool
	link    string // symlink target (absolute or relative to the link's dir); "" if not a link
	data    []byte
	modTime time.Time
}

// NewMem returns an empty filesystem holding only "/".
func NewMem() *Mem {
	return &Mem{nodes: map[string]*memNode{"/": {dir: true}}}
}

// WriteFile creates or replaces the file at the absolute path name.
func (m *Mem) WriteFile(name string, data []byte) {
	name = path.Clean(name)
	m.mu.Lock()
	defer m.mu.Unlock()
	m.mkdirAllLocked(path.Dir(name))
	m.nodes[name] = &memNode{data: append([]byte(nil), data...), modTime: time.Now()}
}

// MkdirAll creates the directory name and its parents.
func (m *Mem) MkdirAll(name string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.mkdirAllLocked(path.Clean(name))
}

// Symlink creates a symlink at name pointing at target (absolute, or
// relative to name's directory).
func (m *Mem) Symlink(target, name string) {
	name = path.Clean(name)
	m.mu.Lock()
	defer m.mu.Unlock()
	m.mkdirAllLocked(path.Dir(name))
	m.nodes[name] = &memNode{link: target, modTime: time.Now()}
}

// Remove deletes name and, if it is a directory, everything below it.
func (m *Mem) Remove(name string) {
	name = path.Clean(name)
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.nodes, name)
	prefix := name + "/"
	for p := range m.nodes {
		if strings.HasPrefix(p, prefix) {
			delete(m.nodes, p)
		}
	}
}

func (m *Mem) mkdirAllLocked(dir string) {
	for d := dir; ; d = path.Dir(d) {
		if n, ok := m.nodes[d]; ok && n.dir {
			break
		}
		m.nodes[d] = &memNode{dir: true, modTime: time.Now()}
		if d == "/" {
			break
		}
	}
}

// resolveLocked follows symlinks in every component of name and returns the
// real path and its node.
func (m *Mem) resolveLocked(name string) (string, *memNode, error) {
	if !path.IsAbs(name) {
		return "", nil, fs.ErrInvalid
	}
	hops := 0
	cur := "/"
	rest := strings.Split(strings.TrimPrefix(path.Clean(name), "/"), "/")
	for len(rest) > 0 {
		part := rest[0]
		rest = rest[1:]
		if part == "" || part == "." {
			continue
		}
		if part == ".." {
			cur = path.Dir(cur)
			continue
		}
		next := path.Join(cur, part)
		n, ok := m.nodes[next]
		if !ok {
			return "", nil, fs.ErrNotExist
		}
		if n.link != "" {
			hops++
			if hops > maxLinkHops {
				return "", nil, errors.New("too many levels of symbolic links")
			}
			target := n.link
			if !path.IsAbs(target) {
				target = path.Join(cur, target)
			}
			rest = append(strings.Split(strings.TrimPrefix(path.Clean(target), "/"), "/"), rest...)
			cur = "/"
			continue
		}
		if len(rest) > 0 && !n.dir {
			return "", nil, fs.ErrNotExist
		}
		cur = next
	}
	return cur, m.nodes[cur], nil
}

// ReadFile implements FS.
func (m *Mem) ReadFile(name string) ([]byte, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	_, n, err := m.resolveLocked(name)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	if n.dir {
		return nil, &fs.PathError{Op: "read", Path: name, Err: errors.New("is a directory")}
	}
	return append([]byte(nil), n.data...), nil
}

// ReadFileLimit implements FS.
func (m *Mem) ReadFileLimit(name string, limit int64) ([]byte, fs.FileInfo, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	real, n, err := m.resolveLocked(name)
	if err != nil {
		return nil, nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	info := memInfo{name: path.Base(real), n: n}
	if n.dir || int64(len(n.data)) > limit {
		return nil, info, nil
	}
	return append([]byte{}, n.data...), info, nil
}

// Stat implements FS.
func (m *Mem) Stat(name string) (fs.FileInfo, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	real, n, err := m.resolveLocked(name)
	if err != nil {
		return nil, &fs.PathError{Op: "stat", Path: name, Err: err}
	}
	return memInfo{name: path.Base(real), n: n}, nil
}

// Lstat implements FS: the directories of name are followed, its last
// element is not.
func (m *Mem) Lstat(name string) (fs.FileInfo, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if !path.IsAbs(name) {
		return nil, &fs.PathError{Op: "lstat", Path: name, Err: fs.ErrInvalid}
	}
	name = path.Clean(name)
	if name == "/" {
		return memInfo{name: "/", n: m.nodes["/"]}, nil
	}
	dir, base := path.Split(name)
	realDir, dn, err := m.resolveLocked(dir)
	if err == nil && !dn.dir {
		err = fs.ErrNotExist
	}
	if err != nil {
		return nil, &fs.PathError{Op: "lstat", Path: name, Err: err}
	}
	n, ok := m.nodes[path.Join(realDir, base)]
	if !ok {
		return nil, &fs.PathError{Op: "lstat", Path: name, Err: fs.ErrNotExist}
	}
	return memInfo{name: base, n: n}, nil
}

// ReadDir implements FS.
func (m *Mem) ReadDir(name string) ([]fs.DirEntry, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	real, n, err := m.resolveLocked(name)
	if err != nil {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: err}
	}
	if !n.dir {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: errors.New("not a directory")}
	}
	prefix := real + "/"
	if real == "/" {
		prefix = "/"
	}
	var out []fs.DirEntry
	for p, c := range m.nodes {
		if p == real || !strings.HasPrefix(p, prefix) || strings.Contains(p[len(prefix):], "/") {
			continue
		}
		out = append(out, memEntry{memInfo{name: p[len(prefix):], n: c}})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name() < out[j].Name() })
	return out, nil
}

// RealPath implements FS.
func (m *Mem) RealPath(name string) (string, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	real, _, err := m.resolveLocked(name)
	if err != nil {
		return "", &fs.PathError{Op: "realpath", Path: name, Err: err}
	}
	return real, nil
}

type memInfo struct {
	name string
	n    *memNode
}

func (i memInfo) Name() string { return i.name }
func (i memInfo) Size() int64  { return int64(len(i.n.data)) }
func (i memInfo) Mode() fs.FileMode {
	switch {
	case i.n.link != "":
		return fs.ModeSymlink | 0o777
	case i.n.dir:
		return fs.ModeDir | 0o755
	}
	return 0o644
}
func (i memInfo) ModTime() time.Time { return i.n.modTime }
func (i memInfo) IsDir() bool        { return i.n.dir }
func (i memInfo) Sys() any           { return nil }

type memEntry struct{ info memInfo }

func (e memEntry) Name() string               { return e.info.name }
func (e memEntry) IsDir() bool                { return e.info.n.dir }
func (e memEntry) Type() fs.FileMode          { return e.info.Mode().Type() }
func (e memEntry) Info() (fs.FileInfo, error) { return e.info, nil }
