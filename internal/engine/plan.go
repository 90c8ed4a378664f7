package engine

import (
	"fmt"

	"github.com/hmrd/hmrd/internal/graph/propagate"
)

// Plan is everything one batch (or invalidate) signals. An empty Plan
// signals nothing.
type Plan struct {
	// Version is the token stamped on this batch's modules (0 if none was).
	Version int64
	// Triggers are the module IDs (or pages) whose change caused this plan.
	Triggers []string
	// Updates are the boundaries to re-import, in propagation order.
	Updates []propagate.Update
	// FullReload, when set, supersedes Updates and Prune.
	FullReload *propagate.FullReload
	// Prune lists modules no longer imported by anything live: runtimes run
	// their dispose and prune handlers.
	Prune []string
	// Errors are the errors of live modules (syntax errors, imports that
	// do not resolve, files too large) that are new or changed since the
	// last plan, one per module, in module ID order: the module cannot be
	// updated as it is now. Open's plan has every error standing then.
	Errors []ModuleError
	// Cleared are the modules whose errors no longer stand: fixed,
	// deleted, or no longer live.
	Cleared []string
	// Versions maps every module stamped by this plan to its new version.
	Versions map[string]int64
	// Changes are the inputs whose change made the plan: the batch's files
	// and the modules a bundler reported changed.
	Changes []Change
	// Unknown are the module IDs a bundler's report named as changed that
	// the graph does not know.
	Unknown []string
	// Warnings are scan diagnostics worth a log line (non-literal dynamic
	// imports, accept() arguments that cannot be read); not signals.
	Warnings []ModuleError
}

// Empty reports whether the plan signals nothing.
func (p *Plan) Empty() bool {
	return len(p.Updates) == 0 && p.FullReload == nil && len(p.Prune) == 0 && len(p.Errors) == 0 && len(p.Cleared) == 0
}

// ModuleError is a problem in one module, positioned for a person.
type ModuleError struct {
	// Module is the module ID; File the absolute path.
	Module string
	File   string
	// Line and Column are 1-based; 0 when unknown.
	Line, Column int
	Message      string
	// Frame shows the offending line with a caret.
	Frame string
	// Code classifies it: "PARSE_ERROR", "UNRESOLVED_IMPORT", "TOO_LARGE",
	// "READ_ERROR", or for warnings "DYNAMIC_IMPORT", "HOT_API", "GLOB" (an
	// import.meta.glob pattern refused).
	Code string
}

func (e ModuleError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Column, e.Message)
	}
	return e.File + ": " + e.Message
}
