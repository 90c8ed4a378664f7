package daemon

import "time"

// SetEntryGrace sets how long a subscription's entries outlive it, for the
// projects opened from now on; it returns a function that restores the
// default. Tests that use it must not run in parallel.
func SetEntryGrace(d time.Duration) (restore func()) {
	entryGrace = d
	return func() { entryGrace = defaultEntryGrace }
}
