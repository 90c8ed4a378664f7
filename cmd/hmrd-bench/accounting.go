package main

import (
	"fmt"
	"slices"
	"sort"
	"time"
)

// Save is one edit as a system saw it: the module written and the instant
// just before the write syscall.
type Save struct {
	Edit   int    // position in the edit plan
	Module string // module ID of the edited file
	At     time.Time
	// Warmup saves are checked for one signal like the others but left
	// out of the latency figures.
	Warmup bool
}

// Signal is one HMR signal one subscriber received.
type Signal struct {
	At   time.Time
	Kind string // "update", "full-reload", "prune", "error", ...
	Seq  uint64 // hmrd's per-project seq; 0 for Vite
	// Triggers are the modules the signal says changed (hmrd's
	// Update.triggers / FullReload.triggered_by). Empty when the protocol
	// does not say (Vite's update names boundaries, not triggers): then
	// the signal is attributed by time alone.
	Triggers []string
	// Published is when the server says it published the signal (hmrd's
	// Event.time); zero when the protocol does not say.
	Published time.Time
}

// Outcome is what one subscriber saw for one save.
type Outcome struct {
	Edit    int           `json:"edit"`
	Module  string        `json:"module"`
	Signals int           `json:"signals"`
	Latency time.Duration `json:"latency_ns"` // save → first signal; 0 when none
	// Publish and Delivery split Latency at the first signal's publish
	// time: save → publish and publish → receive (0 when not known).
	Publish   time.Duration `json:"save_to_publish_ns,omitempty"`
	Delivery  time.Duration `json:"publish_to_receive_ns,omitempty"`
	Published bool          `json:"-"`
	Kinds     []string      `json:"kinds,omitempty"`
	Seq       uint64        `json:"first_seq,omitempty"` // of the first signal
	Warmup    bool          `json:"warmup,omitempty"`
	// Mismatch: a signal in this save's window names other triggers.
	Mismatch bool `json:"trigger_mismatch,omitempty"`
}

// Accounting is the one-signal-per-save check of one subscriber.
type Accounting struct {
	Subscriber string    `json:"subscriber"`
	Outcomes   []Outcome `json:"outcomes"`
	// Before counts signals received before the first save (not charged
	// to any edit; expected 0).
	Before     int      `json:"signals_before_first_save"`
	Missing    int      `json:"missing"`    // saves with no signal
	Duplicates int      `json:"duplicates"` // signals beyond the first of a save
	Mismatched int      `json:"trigger_mismatches"`
	Violations []string `json:"violations,omitempty"`
}

// OK reports exactly one signal per save, each naming the saved module.
func (a *Accounting) OK() bool {
	return a.Before == 0 && a.Missing == 0 && a.Duplicates == 0 && a.Mismatched == 0
}

// Latencies are the save → first signal latencies of the measured (not
// warm-up) saves that got a signal.
func (a *Accounting) Latencies() []time.Duration {
	return a.pick(func(o *Outcome) time.Duration { return o.Latency }, false)
}

// PublishLatencies are save → publish of the measured saves whose first
// signal says when it was published.
func (a *Accounting) PublishLatencies() []time.Duration {
	return a.pick(func(o *Outcome) time.Duration { return o.Publish }, true)
}

// DeliveryLatencies are publish → receive, likewise.
func (a *Accounting) DeliveryLatencies() []time.Duration {
	return a.pick(func(o *Outcome) time.Duration { return o.Delivery }, true)
}

func (a *Accounting) pick(f func(*Outcome) time.Duration, needPublish bool) []time.Duration {
	var out []time.Duration
	for i := range a.Outcomes {
		o := &a.Outcomes[i]
		if o.Signals == 0 || o.Warmup || needPublish && !o.Published {
			continue
		}
		out = append(out, f(o))
	}
	return out
}

// Account charges every signal to the latest save at or before it (saves
// are sequential: the next one starts only after the previous one's
// signal and a settle window, so a signal after save k and before save
// k+1 belongs to k) and counts per save. It does not modify its inputs.
func Account(subscriber string, saves []Save, signals []Signal) Accounting {
	saves = slices.Clone(saves)
	sort.SliceStable(saves, func(i, j int) bool { return saves[i].At.Before(saves[j].At) })
	signals = slices.Clone(signals)
	sort.SliceStable(signals, func(i, j int) bool { return signals[i].At.Before(signals[j].At) })

	a := Accounting{Subscriber: subscriber, Outcomes: make([]Outcome, len(saves))}
	for i, s := range saves {
		a.Outcomes[i] = Outcome{Edit: s.Edit, Module: s.Module, Warmup: s.Warmup}
	}
	for _, sig := range signals {
		// The first save strictly after the signal, minus one.
		k := sort.Search(len(saves), func(i int) bool { return saves[i].At.After(sig.At) }) - 1
		if k < 0 {
			a.Before++
			a.Violations = append(a.Violations, fmt.Sprintf("%s seq %d before the first save", sig.Kind, sig.Seq))
			continue
		}
		o := &a.Outcomes[k]
		if o.Signals == 0 {
			o.Latency = sig.At.Sub(saves[k].At)
			o.Seq = sig.Seq
			if !sig.Published.IsZero() {
				o.Publish = sig.Published.Sub(saves[k].At)
				o.Delivery = sig.At.Sub(sig.Published)
				o.Published = true
			}
		}
		o.Signals++
		o.Kinds = append(o.Kinds, sig.Kind)
		if len(sig.Triggers) > 0 && !slices.Contains(sig.Triggers, saves[k].Module) {
			if !o.Mismatch {
				a.Mismatched++
			}
			o.Mismatch = true
			a.Violations = append(a.Violations, fmt.Sprintf("edit %d (%s): %s seq %d names %v", o.Edit, o.Module, sig.Kind, sig.Seq, sig.Triggers))
		}
	}
	for _, o := range a.Outcomes {
		switch {
		case o.Signals == 0:
			a.Missing++
			a.Violations = append(a.Violations, fmt.Sprintf("edit %d (%s): no signal", o.Edit, o.Module))
		case o.Signals > 1:
			a.Duplicates += o.Signals - 1
			a.Violations = append(a.Violations, fmt.Sprintf("edit %d (%s): %d signals %v", o.Edit, o.Module, o.Signals, o.Kinds))
		}
	}
	return a
}

// SeqCheck is the fan-out check of one subscriber: every expected seq,
// once each, in increasing order.
type SeqCheck struct {
	Got        int // signals received within the expected range
	Missing    int
	Duplicates int
	OutOfOrder int
}

// CheckSeqs compares the seqs a subscriber received (in arrival order)
// with the contiguous range first..last that was published.
func CheckSeqs(got []uint64, first, last uint64) SeqCheck {
	var c SeqCheck
	seen := make(map[uint64]bool, len(got))
	var prev uint64
	for _, s := range got {
		if s < first || s > last {
			continue
		}
		c.Got++
		if seen[s] {
			c.Duplicates++
			continue
		}
		seen[s] = true
		if s < prev {
			c.OutOfOrder++
		}
		prev = max(prev, s)
	}
	if last >= first {
		c.Missing = int(last-first+1) - len(seen)
	}
	return c
}
