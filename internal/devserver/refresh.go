package devserver

import (
	"context"
	"path/filepath"
	"strings"

	"github.com/hmrd/hmrd/internal/engine"
	"github.com/hmrd/hmrd/internal/scan/jsscan"
)

// Fast Refresh (decision 0019). The graph decides which modules take part
// and which are boundaries (engine.Refresh, from the project's
// node_modules and the module's exports, returned with the module's import
// targets by the one graph call a request makes); this file applies that
// decision:
// pages get a preamble that installs the framework's runtime before any
// other script runs, and component modules get the transform of
// jsscan.AnalyzeRefresh, wired to the runtime's glue module refresh.js,
// plus, on a boundary, the accept that keeps component state.

// refreshGlue is where the runtime's glue module is served.
const refreshGlue = RuntimePrefix + "refresh.js"

// refreshEdits returns the edits of the Fast Refresh transform of code
// (esbuild's output for module id, whose part in Fast Refresh the graph
// says is rf), and whether the module needs its hot context (it accepts
// itself). A module with no component and no hook call, or in a project
// without a runtime, is left as it is.
func refreshEdits(rf engine.Refresh, id string, code []byte) ([]edit, bool) {
	if rf.Runtime == "" {
		return nil, false
	}
	r := jsscan.AnalyzeRefresh(code)
	if !r.HasRefresh() {
		return nil, false
	}
	at := preludeOffset(code)
	edits := []edit{{start: at, end: at, text: `import * as __hmrd_refresh from "` + refreshGlue + `";` + r.Head}}
	for _, in := range r.Inserts {
		edits = append(edits, edit{start: in.At, end: in.At, text: in.Text})
	}
	// The tail is one line after the last: the source map's lines stay.
	tail := ""
	if len(code) > 0 && code[len(code)-1] != '\n' {
		tail = "\n"
	}
	tail += r.Tail +
		` function $RefreshReg$(type, id) { __hmrd_refresh.register(type, ` + jsonString(id) + ` + " " + id); }` +
		` function $RefreshSig$() { return __hmrd_refresh.signature(); }`
	if rf.Boundary {
		tail += ` if (import.meta.hot) __hmrd_refresh.accept(import.meta.hot, ` + jsonString(id) + `, import.meta.url);`
	}
	edits = append(edits, edit{start: len(code), end: len(code), text: tail + "\n"})
	return edits, rf.Boundary
}

// refreshPreamble is the markup that installs the Fast Refresh runtime
// in a page whose part in Fast Refresh the graph says is rf, "" when its
// project has none. The runtime's packages are bundled first, with the
// others (they are not imports the graph knows).
func (s *Server) refreshPreamble(ctx context.Context, rf engine.Refresh) string {
	var code string
	switch rf.Runtime {
	case engine.RefreshReact:
		u, ok := s.refreshModuleURL(ctx, rf.Module)
		if !ok {
			return ""
		}
		code = `import * as rt from ` + jsonString(u) + `; import { install } from "` + refreshGlue + `"; install("react", rt);`
	case engine.RefreshPreact:
		core, ok1 := s.refreshModuleURL(ctx, rf.Module)
		utils, ok2 := s.refreshModuleURL(ctx, "@prefresh/utils")
		if !ok1 || !ok2 {
			return ""
		}
		code = `import ` + jsonString(core) + `; import * as utils from ` + jsonString(utils) + `; import { install } from "` + refreshGlue + `"; install("preact", utils);`
	default:
		return ""
	}
	return `<script type="module">` + strings.ReplaceAll(code, "</", `<\/`) + `</script>`
}

// refreshModuleURL is the URL of a runtime module: a package through the
// dependency bundle (built now if it lacks it), a file below the root at
// its path.
func (s *Server) refreshModuleURL(ctx context.Context, module string) (string, bool) {
	if !filepath.IsAbs(filepath.FromSlash(module)) {
		if !validPackageSpec(module) {
			return "", false
		}
		b, err := s.depsBundle(ctx, want{module: nil})
		if err != nil || b.entries[module] == nil {
			s.log.Warn("devserver: Fast Refresh runtime not bundled; components reload without it", "path", idPrefix+module)
			return "", false
		}
		return idPrefix + module, true
	}
	for _, root := range []string{s.realRoot, s.rootDir} {
		rel, err := filepath.Rel(root, filepath.FromSlash(module))
		if err == nil && filepath.IsLocal(rel) {
			return "/" + filepath.ToSlash(rel), true
		}
	}
	return "", false
}
