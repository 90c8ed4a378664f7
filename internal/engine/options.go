package engine

import (
	"path"
	"strings"
	"time"
)

// Options configure a Project.
type Options struct {
	// Root is the project root: an absolute, symlink-free path.
	Root string
	// WatchedRoots are further trees whose files are treated as source
	// (workspace packages); a package symlinked into node_modules whose real
	// path lies inside one is followed instead of becoming external.
	WatchedRoots []string
	// Entries are extra entry modules (paths relative to Root, or module
	// IDs like "/src/server.ts"), for runtimes without an HTML page.
	Entries []string
	// RequireEntries makes Open fail when one of Entries does not resolve
	// (a daemon starting with the entries a person named), instead of
	// reporting it in the plan (a rescan, where a file may be gone for a
	// moment).
	RequireEntries bool
	// IgnoreDirs are directory names never searched for pages
	// (default: node_modules, dist, coverage, and every name starting with ".").
	IgnoreDirs []string
	// Conditions for package.json exports/imports (resolver default if nil).
	Conditions []string
	// ExtraConditions are active besides Conditions or the default
	// (a user's --condition flags, e.g. "development").
	ExtraConditions []string
	// SignalIdenticalWrites makes a write with unchanged content propagate
	// like an edit (touch-to-reload). Off by default: editors and formatters
	// rewrite files with the same bytes all the time.
	SignalIdenticalWrites bool
	// EmptyReadWait bounds how long a file that had content and now reads
	// empty is read again before the empty content is taken: editors that
	// save without a rename truncate the file and write it a moment later
	// (default 50ms; negative: take it at once).
	EmptyReadWait time.Duration
	// MaxFileSize bounds what is read and scanned as source (default 4 MiB);
	// a larger module is an error, a larger asset is tracked by size.
	MaxFileSize int64
	// Now is the clock for version tokens (default time.Now).
	Now func() time.Time
	// NativeESM is set when a dev server serves the project as native ES
	// modules (hmrd serve): importing a file type that needs a compiler
	// plugin (.vue, .svelte, …) is then the importer's error, and a change
	// to a .env file in the root reloads (see vite.go).
	NativeESM bool
	// Workers bounds parallel scanning (default GOMAXPROCS).
	Workers int
}

const defaultMaxFileSize = 4 << 20

const (
	defaultEmptyReadWait = 50 * time.Millisecond
	// emptyReadPoll is the first pause before an empty read is read again;
	// each further pause is one longer (5, 10, 15, 20 ms: 50 ms in four).
	emptyReadPoll = 5 * time.Millisecond
)

var defaultIgnoreDirs = []string{"node_modules", "dist", "coverage"}

func (o *Options) ignoredDir(name string) bool {
	if strings.HasPrefix(name, ".") {
		return true
	}
	dirs := o.IgnoreDirs
	if dirs == nil {
		dirs = defaultIgnoreDirs
	}
	for _, d := range dirs {
		if d == name {
			return true
		}
	}
	return false
}

// Ignored reports whether the absolute path lies in an ignored directory
// below the root (the watcher uses the same rule).
func (o *Options) Ignored(p string) bool {
	rel, ok := strings.CutPrefix(p, o.Root+"/")
	if !ok {
		return false
	}
	for _, part := range strings.Split(path.Dir(rel), "/") {
		if part != "." && o.ignoredDir(part) {
			return true
		}
	}
	return false
}
