package engine

import (
	"path"
	"strings"
	"sync"

	"github.com/hmrd/hmrd/internal/scan/jsscan"
)

// Fast Refresh boundaries. A dev server that applies the Fast Refresh
// transform (jsscan.AnalyzeRefresh) to a module whose exports are all
// components makes it accept itself: an edit re-runs it and refreshes the
// components in place, keeping their state. The engine must see that
// accept as if the source had it, or it would walk past the module to its
// importers (and `hmrd explain` would say so). So the rule lives here,
// once: a project source module (.js .jsx .ts .tsx outside node_modules)
// of a project that has a Fast Refresh runtime installed, whose exports
// are all components, is self-accepting. The dev server asks the graph
// (ServeInfo.Refresh) rather than deciding again.

// Refresh runtimes.
const (
	RefreshReact  = "react"
	RefreshPreact = "preact"
)

// Refresh is how a module takes part in Fast Refresh.
type Refresh struct {
	// Runtime is RefreshReact, RefreshPreact or "" (the project has no
	// Fast Refresh runtime, or the module is not a project source).
	Runtime string
	// Module is what a page loads for the runtime: a package specifier
	// ("react-refresh/runtime", "@prefresh/core") or the absolute path of
	// a file (the copy of the React runtime @vitejs/plugin-react ships,
	// which its package does not export).
	Module string
	// Boundary is set when the module accepts itself because every export
	// is a component.
	Boundary bool
}

// refreshMarkers are the files whose presence in a node_modules directory
// says which runtime a project has, in order of preference: prefresh
// (which needs preact itself), react-refresh, then the runtime that
// @vitejs/plugin-react bundles (it no longer depends on react-refresh).
var refreshMarkers = []struct {
	runtime, module string
	files           []string // below node_modules; the first is the module's file
}{
	{RefreshPreact, "@prefresh/core", []string{"@prefresh/core/package.json", "@prefresh/utils/package.json", "preact/package.json"}},
	{RefreshReact, "react-refresh/runtime", []string{"react-refresh/runtime.js", "react/package.json"}},
	{RefreshReact, "", []string{"@vitejs/plugin-react/dist/refresh-runtime.js", "react/package.json"}},
}

// refreshCache remembers, per directory, the runtime its modules get. It
// is filled by scans on worker goroutines, hence the mutex, and emptied
// by each batch, so that a runtime installed while the daemon runs is
// found by the next edit.
type refreshCache struct {
	mu   sync.Mutex
	dirs map[string]Refresh
}

func (c *refreshCache) reset() {
	c.mu.Lock()
	c.dirs = nil
	c.mu.Unlock()
}

// refreshRuntime returns the runtime (Boundary unset) of a source file.
func (p *Project) refreshRuntime(file string) Refresh {
	if !refreshSource(file) {
		return Refresh{}
	}
	dir := path.Dir(file)
	c := &p.refresh
	c.mu.Lock()
	rt, ok := c.dirs[dir]
	c.mu.Unlock()
	if ok {
		return rt
	}
	rt = p.findRefreshRuntime(dir)
	c.mu.Lock()
	if c.dirs == nil {
		c.dirs = map[string]Refresh{}
	}
	c.dirs[dir] = rt
	c.mu.Unlock()
	return rt
}

// findRefreshRuntime looks for a runtime in the node_modules directories
// from dir up, as Node would find its packages: each marker file in the
// nearest directory that has it.
func (p *Project) findRefreshRuntime(dir string) Refresh {
	for _, m := range refreshMarkers {
		var first string
		found := true
		for i, f := range m.files {
			at, ok := p.nearestNodeModule(dir, f)
			if !ok {
				found = false
				break
			}
			if i == 0 {
				first = at
			}
		}
		if !found {
			continue
		}
		module := m.module
		if module == "" {
			module = first
		}
		return Refresh{Runtime: m.runtime, Module: module}
	}
	return Refresh{}
}

// nearestNodeModule finds node_modules/rel in dir or the closest of its
// parents that has it.
func (p *Project) nearestNodeModule(dir, rel string) (string, bool) {
	for {
		f := path.Join(dir, "node_modules", rel)
		if info, err := p.fs.Stat(f); err == nil && !info.IsDir() {
			return f, true
		}
		parent := path.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}

// refreshNote is what `hmrd explain` says of a Fast Refresh boundary.
const refreshNote = "a Fast Refresh boundary: every export is a component, so the dev server's refresh transform makes it accept itself (component state is kept)"

// refreshSource reports whether the transform applies to file: JS, JSX,
// TS or TSX outside node_modules, as @vitejs/plugin-react decides; and
// whether a page loads the runtime (HTML).
func refreshSource(file string) bool {
	switch path.Ext(file) {
	case ".js", ".jsx", ".ts", ".tsx", ".html", ".htm":
	default:
		return false
	}
	return !strings.Contains(file, "/node_modules/")
}

// refreshBoundary applies the rule to a module's scan: it reports whether
// the Fast Refresh transform makes the module accept itself.
func (p *Project) refreshBoundary(file string, res *jsscan.Result) bool {
	if p.refreshRuntime(file).Runtime == "" {
		return false
	}
	return jsscan.AnalyzeRefresh(res.Code).Boundary
}

// refreshOf is the Refresh of the module or page file, boundary being
// its Hot.Refresh fact.
func (p *Project) refreshOf(file string, boundary bool) Refresh {
	rt := p.refreshRuntime(file)
	if rt.Runtime != "" {
		rt.Boundary = boundary
	}
	return rt
}
