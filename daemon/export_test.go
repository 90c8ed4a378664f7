package daemon

import "time"

// SetParseErrorQuiet sets the parse-error quiet window of the projects
// opened from now on; restore puts the default back.
func SetParseErrorQuiet(d time.Duration) (restore func()) {
	old := parseErrorQuiet
	parseErrorQuiet = d
	return func() { parseErrorQuiet = old }
}

// OnBatchApplied has fn called on a project's goroutine each time it has
// applied a batch of file changes (before anything is published).
func OnBatchApplied(fn func(project string)) (restore func()) {
	old := batchApplied
	batchApplied = fn
	return func() { batchApplied = old }
}

// SetEntryGrace sets how long a subscription's entries outlive it, for the
// projects opened from now on; it returns a function that restores the
// default. Tests that use it must not run in parallel.
func SetEntryGrace(d time.Duration) (restore func()) {
	entryGrace = d
	return func() { entryGrace = defaultEntryGrace }
}
