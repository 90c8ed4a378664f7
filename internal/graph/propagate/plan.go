// Package propagate decides what an edit does: which accept boundaries
// re-import which modules, or a full reload with a reason a person can act
// on. It follows Vite's propagateUpdate (≥ 5.1) with hmrd's deliberate
// differences (docs/design.md#propagation): decline is honoured, modules
// that nothing live imports are silent, and every full reload says why and
// along which chain.
//
// Compute is pure: it reads the graph and changes nothing, so the same code
// answers "what would an edit of X do" (explain) and real edits.
package propagate

// UpdateType says how a boundary is updated.
type UpdateType uint8

const (
	// UpdateJS: the runtime re-imports AcceptedPath and runs the boundary's
	// accept callbacks (Vite's js-update).
	UpdateJS UpdateType = iota
	// UpdateCSS: a <link rel=stylesheet> is swapped in place (css-update).
	UpdateCSS
)

func (t UpdateType) String() string {
	if t == UpdateCSS {
		return "css"
	}
	return "js"
}

// Update is one boundary accepting one module.
type Update struct {
	Type UpdateType
	// Path is the boundary: the module whose accept callback runs.
	Path string
	// AcceptedPath is the module the boundary re-imports (Path itself for a
	// self-accepting boundary).
	AcceptedPath string
	// IsWithinCircularImport: the boundary lies on an import loop through
	// the chain; a runtime reloads if the re-import fails (TDZ errors).
	IsWithinCircularImport bool
	// FirstInvalidatedBy is set on updates caused by invalidate(): the module
	// whose invalidate started the chain.
	FirstInvalidatedBy string
	// Chain runs from the changed module to the boundary: why this update.
	Chain []string
}

// FullReload means no boundary can take the change: the page (or runtime)
// must reload.
type FullReload struct {
	// Cause classifies the reload for programs (the Reason is for people).
	Cause Cause
	// Reason is a sentence a person can act on.
	Reason string
	// Chain is the import path that reached the dead end, from the changed
	// module outward.
	Chain []string
	// TriggeredBy is the module or page whose change caused the reload.
	TriggeredBy string
	// Path is "*" for every page, or a page ("/index.html") when only
	// pages showing it must reload.
	Path string
	// Partial are the boundaries the batch's other changed modules reach,
	// set on a dead end (CauseNoBoundary, CauseDeclined) of a batch that
	// has some: a runtime told to skip dead ends (webpack's
	// ignoreUnaccepted, ignoreDeclined) applies them instead of reloading.
	Partial []Update
}

// Result is what propagation of one change decided.
type Result struct {
	Updates    []Update
	FullReload *FullReload
}

// Empty reports whether the change signals nothing.
func (r Result) Empty() bool { return len(r.Updates) == 0 && r.FullReload == nil }

// Cause classifies a full reload so runtimes and tools can react to the kind
// of reload without parsing the reason sentence.
type Cause uint8

const (
	// CauseNoBoundary: the change reached a module nothing accepts (a dead end).
	CauseNoBoundary Cause = iota
	// CauseDeclined: a module on the chain declines hot updates.
	CauseDeclined
	// CausePage: an HTML page (an entry) changed.
	CausePage
	// CauseConfig: resolution or compile settings (tsconfig, package.json) changed.
	CauseConfig
	// CauseInvalidateLoop: invalidate() came back to the module that started it.
	CauseInvalidateLoop
	// CauseInvalidateEntry: an entry invalidated itself; nothing imports it.
	CauseInvalidateEntry
	// CauseRescan: the watcher lost events and the project was rescanned.
	CauseRescan
	// CauseResync: a subscriber's resume point is gone (or from another
	// daemon instance); its state must be rebuilt.
	CauseResync
)

var causeNames = [...]string{"no-boundary", "declined", "page", "config", "invalidate-loop", "invalidate-entry", "rescan", "resync"}

func (c Cause) String() string {
	if int(c) < len(causeNames) {
		return causeNames[c]
	}
	return "unknown"
}
