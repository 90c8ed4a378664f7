package main

import (
	"context"
	"fmt"
	"os"
	"time"
)

// editTarget is one system under test as the edit loop sees it: a tree it
// watches and the subscribers that receive its signals.
type editTarget struct {
	name  string
	tree  *Tree
	subs  []*sigLog
	saves []Save
	revs  map[int]int // last revision written per module
	// after, when set, runs once an edit has settled (hmrd: read the
	// daemon's own latency of the batch from Status).
	after func(k int) error
}

func newEditTarget(name string, tree *Tree, subs ...*sigLog) *editTarget {
	return &editTarget{name: name, tree: tree, subs: subs, revs: map[int]int{}}
}

// edit saves a new revision of module i the way an editor does (open with
// truncation, one write, close), then waits until every subscriber got a
// signal or timeout passed, then waits settle more so that a duplicate
// signal of the same save is seen before the next save.
func (t *editTarget) edit(ctx context.Context, k, i int, warmup bool, timeout, settle time.Duration) error {
	if err := t.tree.Journal(i); err != nil {
		return err
	}
	t.revs[i]++
	m := &t.tree.Project.Modules[i]
	src := t.tree.Project.Source(m, t.revs[i])
	base := make([]int, len(t.subs))
	for j, s := range t.subs {
		base[j] = s.count()
	}
	f, err := os.OpenFile(t.tree.Path(i), os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		return fmt.Errorf("edit %s: %w", m.File, err)
	}
	// Save time: just before the write syscall (as docs/performance.md defines it).
	at := time.Now()
	_, werr := f.Write(src)
	cerr := f.Close()
	if werr != nil {
		return fmt.Errorf("edit %s: %w", m.File, werr)
	}
	if cerr != nil {
		return fmt.Errorf("edit %s: %w", m.File, cerr)
	}
	t.saves = append(t.saves, Save{Edit: k, Module: m.ID, At: at, Warmup: warmup})
	deadline := at.Add(timeout)
	for j, s := range t.subs {
		s.waitBeyond(ctx, base[j], deadline)
	}
	select {
	case <-time.After(settle):
	case <-ctx.Done():
		return ctx.Err()
	}
	for _, s := range t.subs {
		if err := s.failure(); err != nil {
			return fmt.Errorf("%s subscriber failed: %w", t.name, err)
		}
	}
	if t.after != nil {
		return t.after(k)
	}
	return nil
}

// accountings runs the one-signal-per-save check for every subscriber.
func (t *editTarget) accountings() []Accounting {
	out := make([]Accounting, len(t.subs))
	for j, s := range t.subs {
		out[j] = Account(s.name, t.saves, s.snapshot())
	}
	return out
}
