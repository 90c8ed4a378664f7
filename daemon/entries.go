package daemon

import (
	"context"
	"errors"
	"time"

	"github.com/hmrd/hmrd/internal/control"
	"github.com/hmrd/hmrd/internal/engine"
)

// defaultEntryGrace is how long the entries a subscription declared stay
// after it ends: a runtime that reconnects (the Go client resumes within
// 2 s; a slow consumer cut off resumes at once) holds them again before
// they go, so an edit in the gap is still signalled and replayed to it.
const defaultEntryGrace = 10 * time.Second

// entryGrace is defaultEntryGrace unless a test shortens it; a project
// copies it when it opens.
var entryGrace = defaultEntryGrace

// holdEntries makes entries (as a subscriber gave them) entries of the
// project on behalf of one subscription; releaseEntries gives them back.
// An entry that does not resolve is an invalid argument, and then none is
// held.
func (p *project) holdEntries(ctx context.Context, entries []string) error {
	var holdErr error
	err := p.do(ctx, func() {
		for i, e := range entries {
			_, plan, err := p.eng.HoldEntry(e)
			if err != nil {
				for _, held := range entries[:i] {
					p.eng.ReleaseEntry(held)
				}
				holdErr = err
				var ee *engine.EntryError
				if errors.As(err, &ee) {
					holdErr = control.InvalidArgument("%v", err)
				}
				return
			}
			p.logOpened(plan)
		}
		p.refreshStats()
	})
	if err != nil {
		return err
	}
	return holdErr
}

// releaseEntries gives back the entries a subscription held, after grace.
// A project that stopped meanwhile has nothing to give back.
func (p *project) releaseEntries(entries []string, grace time.Duration) {
	release := func() {
		p.do(context.Background(), func() {
			for _, e := range entries {
				p.eng.ReleaseEntry(e)
			}
			p.refreshStats()
		})
	}
	if grace <= 0 {
		release()
		return
	}
	time.AfterFunc(grace, release)
}

// logOpened logs what scanning found in modules read to build the graph
// (a project opening or rescanned, an entry declared): nothing there is
// signalled, so errors are warnings a person should see.
func (p *project) logOpened(plan *engine.Plan) {
	for _, w := range plan.Warnings {
		p.log.Warn("scan", "code", w.Code, "module", w.Module, "line", w.Line, "column", w.Column, "msg", w.Message)
	}
	for _, e := range plan.Errors {
		p.log.Warn("module error", "code", e.Code, "module", e.Module, "file", e.File, "line", e.Line, "column", e.Column, "msg", e.Message)
	}
}
