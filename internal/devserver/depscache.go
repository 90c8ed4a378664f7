package devserver

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"slices"
	"strconv"
	"sync"
	"time"
)

// The dependency bundle is cached on disk, in node_modules/.hmrd/deps
// under the root, keyed by a hash of what decides its content: the lockfile,
// package.json, the build options (depsFormat) and the hmrd binary. A
// daemon that starts with a cache of its key serves it without building.

// depsFormat changes whenever the bundle's options or layout change.
const depsFormat = "hmrd-deps-1"

// lockfiles are the package managers' lockfiles, looked for in the
// directory of the nearest package.json and above (a workspace keeps one
// lockfile at its top).
var lockfiles = []string{"package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml", "bun.lockb", "bun.lock"}

// depsKeyFiles are the files whose content is part of the key: the root's
// package.json, then the lockfiles that exist (paths absolute). Files
// that do not exist are listed too: one appearing changes the key.
func (s *Server) depsKeyFiles() []string {
	files := []string{filepath.Join(s.realRoot, "package.json")}
	for dir := s.realRoot; ; {
		found := false
		for _, name := range lockfiles {
			p := filepath.Join(dir, name)
			files = append(files, p)
			if _, err := os.Stat(p); err == nil {
				found = true
			}
		}
		parent := filepath.Dir(dir)
		if found || parent == dir {
			return files
		}
		dir = parent
	}
}

// fileStamp is what a stat says about a key file: enough to notice a
// change without reading it.
type fileStamp struct {
	size  int64
	mtime time.Time
	ok    bool
}

func stampFiles(files []string) []fileStamp {
	out := make([]fileStamp, len(files))
	for i, f := range files {
		if fi, err := os.Stat(f); err == nil {
			out[i] = fileStamp{fi.Size(), fi.ModTime(), true}
		}
	}
	return out
}

// depsKey hashes the key files' contents with the bundle format and the
// binary's identity; perFile is each existing file's content hash, to say
// which one changed.
func depsKey(files []string) (key string, perFile map[string]string) {
	h := sha256.New()
	fmt.Fprintf(h, "%s\n%s\n", depsFormat, binaryID())
	perFile = map[string]string{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		sum := sha256.Sum256(data)
		perFile[f] = hex.EncodeToString(sum[:])
		fmt.Fprintf(h, "%s %s\n", f, perFile[f])
	}
	return hex.EncodeToString(h.Sum(nil))[:32], perFile
}

// binaryID identifies the running hmrd build: its module version and VCS
// stamp, esbuild's version, and the executable's size and time (a rebuilt
// binary may carry the same stamp).
var binaryID = sync.OnceValue(func() string {
	id := ""
	if bi, ok := debug.ReadBuildInfo(); ok {
		id = bi.Main.Version
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" || s.Key == "vcs.modified" {
				id += " " + s.Value
			}
		}
		for _, d := range bi.Deps {
			if d.Path == "github.com/evanw/esbuild" {
				id += " esbuild@" + d.Version
			}
		}
	}
	if exe, err := os.Executable(); err == nil {
		if fi, err := os.Stat(exe); err == nil {
			id += " " + strconv.FormatInt(fi.Size(), 10) + " " + strconv.FormatInt(fi.ModTime().UnixNano(), 10)
		}
	}
	return id
})

// depsCacheDir is the directory of the on-disk cache, "" when there is
// none: the packages bundled are in the root's node_modules, and the
// cache goes with them (removing node_modules removes it).
func (s *Server) depsCacheDir() string {
	if fi, err := os.Stat(filepath.Join(s.realRoot, "node_modules")); err == nil && fi.IsDir() {
		return filepath.Join(s.realRoot, "node_modules", ".hmrd", "deps")
	}
	return ""
}

// depsMeta is the cache's _metadata.json.
type depsMeta struct {
	Key     string            `json:"key"`
	Specs   []string          `json:"specs"`
	Entries map[string]string `json:"entries"` // spec → file
	Chunks  []string          `json:"chunks"`
	Failed  map[string]string `json:"failed,omitempty"`
	Missing []string          `json:"missing,omitempty"`
	// Exports are the named exports of CommonJS entries; Names the names
	// importers asked of them.
	Exports map[string][]string `json:"exports,omitempty"`
	Names   map[string][]string `json:"names,omitempty"`
}

const depsMetaName = "_metadata.json"

// cacheFileName is what the cache may hold besides the metadata.
var cacheFileName = regexp.MustCompile(`^[A-Za-z0-9_-]+\.js$`)

// loadDeps reads the cached bundle in dir if it was built under key.
func loadDeps(dir, key string) (*depsBundle, error) {
	data, err := os.ReadFile(filepath.Join(dir, depsMetaName))
	if err != nil {
		return nil, err
	}
	var m depsMeta
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", depsMetaName, err)
	}
	if m.Key != key {
		return nil, errors.New("built under another key")
	}
	b := newDepsBundle(key, m.Specs)
	for spec, names := range m.Exports {
		b.exports[spec] = names
	}
	for spec, names := range m.Names {
		b.names[spec] = names
	}
	read := func(name string) (*depFile, error) {
		if !cacheFileName.MatchString(name) {
			return nil, fmt.Errorf("bad file name %q", name)
		}
		body, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return nil, err
		}
		return newDepFile(name, body), nil
	}
	for spec, name := range m.Entries {
		if b.entries[spec], err = read(name); err != nil {
			return nil, err
		}
	}
	for _, name := range m.Chunks {
		if b.chunks[name], err = read(name); err != nil {
			return nil, err
		}
	}
	for spec, msg := range m.Failed {
		b.failed[spec] = msg
	}
	for _, spec := range m.Missing {
		b.missing[spec] = true
	}
	return b, nil
}

// saveDeps writes b to dir, replacing what was there: into a new
// directory beside it first, then renamed into place.
func saveDeps(dir string, b *depsBundle) error {
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return err
	}
	var r [6]byte
	rand.Read(r[:])
	tmp := dir + "_tmp_" + hex.EncodeToString(r[:])
	if err := os.Mkdir(tmp, 0o755); err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	m := depsMeta{Key: b.key, Specs: b.specs, Entries: map[string]string{}, Failed: b.failed, Exports: b.exports, Names: b.names}
	write := func(f *depFile) error {
		return os.WriteFile(filepath.Join(tmp, f.name), f.body, 0o644)
	}
	for spec, f := range b.entries {
		m.Entries[spec] = f.name
		if err := write(f); err != nil {
			return err
		}
	}
	for name, f := range b.chunks {
		m.Chunks = append(m.Chunks, name)
		if err := write(f); err != nil {
			return err
		}
	}
	slices.Sort(m.Chunks)
	for spec := range b.missing {
		m.Missing = append(m.Missing, spec)
	}
	slices.Sort(m.Missing)
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(tmp, depsMetaName), data, 0o644); err != nil {
		return err
	}
	old := dir + "_old_" + hex.EncodeToString(r[:])
	if err := os.Rename(dir, old); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	defer os.RemoveAll(old)
	return os.Rename(tmp, dir)
}
