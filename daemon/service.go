package daemon

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/hmrd/hmrd/internal/broadcast"
	"github.com/hmrd/hmrd/internal/control"
	"github.com/hmrd/hmrd/internal/engine"
	"github.com/hmrd/hmrd/internal/fswatch"
	"github.com/hmrd/hmrd/internal/graph/propagate"
	"github.com/hmrd/hmrd/internal/signal"
)

// service implements control.Service on the Daemon. Graph work runs on the
// project's goroutine through project.do; the hub is safe to call directly.
type service Daemon

var _ control.Service = (*service)(nil)

func (s *service) d() *Daemon { return (*Daemon)(s) }

func (s *service) Subscribe(ctx context.Context, name string, o broadcast.SubscribeOptions, entries []string) (*broadcast.Subscription, error) {
	if o.FromSeq > 0 && o.Epoch == "" {
		// A seq means nothing without the epoch it counts in: starting live
		// would silently drop what the subscriber missed.
		return nil, control.InvalidArgument("resume from seq %d without an epoch: send the epoch of the Hello that seq came after, or neither to start live", o.FromSeq)
	}
	p, err := s.d().lookup(name)
	if err != nil {
		return nil, err
	}
	if len(entries) > 0 {
		if err := p.holdEntries(ctx, entries); err != nil {
			return nil, err
		}
	}
	sub, err := s.hub.Subscribe(p.name, o)
	if err != nil {
		if len(entries) > 0 {
			p.releaseEntries(entries, 0)
		}
		return nil, err
	}
	if len(entries) > 0 {
		// The entries are this subscription's: they go when it ends.
		go func() {
			<-sub.Done()
			p.releaseEntries(entries, p.entryGrace)
		}()
	}
	return sub, nil
}

func (s *service) Invalidate(ctx context.Context, name, module, firstInvalidatedBy string) (uint64, error) {
	if module == "" {
		return 0, control.InvalidArgument("invalidate: no module given")
	}
	p, err := s.d().lookup(name)
	if err != nil {
		return 0, err
	}
	var seq uint64
	var unknown bool
	err = p.do(ctx, func() {
		if unknown = !p.eng.Has(module); unknown {
			return
		}
		plan := p.eng.Invalidate(module, firstInvalidatedBy)
		if evs := p.publishInvalidate(plan); len(evs) > 0 {
			seq = evs[0].Seq
		}
	})
	if err == nil && unknown {
		return 0, control.NotFound("invalidate: project %q has no module %s", p.name, module)
	}
	return seq, err
}

func (s *service) ReportLoaded(ctx context.Context, name string, modules []string) ([]string, error) {
	p, err := s.d().lookup(name)
	if err != nil {
		return nil, err
	}
	var unknown []string
	err = p.do(ctx, func() { unknown = p.eng.MarkLoaded(modules...) })
	return unknown, err
}

func (s *service) SendCustom(ctx context.Context, name, event, data, from string) (uint64, error) {
	if event == "" {
		return 0, control.InvalidArgument("custom event: no event name")
	}
	if len(data) > s.cfg.MaxCustomBytes {
		if len(event) > 64 {
			event = event[:61] + "..."
		}
		return 0, control.InvalidArgument("custom event %q data is %d bytes, over the limit of %d bytes", event, len(data), s.cfg.MaxCustomBytes)
	}
	if data == "" {
		data = "null"
	} else if !json.Valid([]byte(data)) {
		// Validated here, once, for every transport: subscribers parse it.
		return 0, control.InvalidArgument("custom event %q: data is not valid JSON", event)
	}
	p, err := s.d().lookup(name)
	if err != nil {
		return 0, err
	}
	if from != "" && from != control.AnonymousSender && !s.hub.HasSubscriber(p.name, from) {
		return 0, control.InvalidArgument("custom event %q: sender %q is not a subscriber of project %q", event, from, p.name)
	}
	// A caller that has given up (deadline passed, cancelled) is told the
	// call failed, so the event must not reach subscribers either.
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("custom event %q: %w", event, err)
	}
	ev := s.hub.Publish(p.name, 0, &signal.Custom{Event: event, Data: data, From: from})
	if ev == nil {
		return 0, fmt.Errorf("project %q: %w", p.name, control.ErrUnknownProject)
	}
	s.bursts.published(ev.Size)
	return ev.Seq, nil
}

func (s *service) AddProject(ctx context.Context, root, name string, entries []string, dev control.DevServer) (control.ProjectInfo, error) {
	if root == "" {
		return control.ProjectInfo{}, control.InvalidArgument("add project: no root given")
	}
	// A relative root is relative to the daemon's working directory, as
	// the proto says; the CLI and the Go client make roots absolute first.
	abs, err := filepath.Abs(root)
	if err != nil {
		return control.ProjectInfo{}, control.InvalidArgument("add project %s: %v", root, err)
	}
	switch fi, err := os.Stat(abs); {
	case errors.Is(err, fs.ErrNotExist):
		return control.ProjectInfo{}, control.NotFound("add project %s: no such directory", abs)
	case err != nil:
		return control.ProjectInfo{}, control.InvalidArgument("add project %s: %v", abs, err)
	case !fi.IsDir():
		return control.ProjectInfo{}, control.InvalidArgument("add project %s: not a directory", abs)
	}
	p, err := s.d().addProject(abs, name, entries, s.d().serves(dev))
	if err != nil {
		if errors.As(err, new(*engine.EntryError)) {
			return control.ProjectInfo{}, control.InvalidArgument("%v", err)
		}
		return control.ProjectInfo{}, err
	}
	// The daemon serves the project, since it owns the engine the dev
	// server asks; a dev server that cannot start undoes the add.
	if _, err := s.d().startSite(p, dev); err != nil {
		if rerr := s.d().removeProject(p.name); rerr != nil {
			s.log.Error("add project: undo after the dev server failed", "project", p.name, "err", rerr)
		}
		return control.ProjectInfo{}, control.InvalidArgument("add project %s: %v", abs, err)
	}
	return s.info(p), nil
}

func (s *service) RemoveProject(ctx context.Context, name string) error {
	return s.d().removeProject(name)
}

func (s *service) ListProjects(ctx context.Context) []control.ProjectInfo {
	ps := s.d().projectList()
	out := make([]control.ProjectInfo, len(ps))
	for i, p := range ps {
		out[i] = s.info(p)
	}
	return out
}

func (s *service) info(p *project) control.ProjectInfo {
	st, _, _, _ := p.snapshotStats()
	info := control.ProjectInfo{Name: p.name, Root: p.root, Stats: st, HeadSeq: s.hub.Head(p.name)}
	if site := s.d().siteOf(p.name); site != nil {
		info.HTTPURL = site.url
	}
	return info
}

func (s *service) Explain(ctx context.Context, name, module string) (engine.Explanation, error) {
	p, err := s.d().lookup(name)
	if err != nil {
		return engine.Explanation{}, err
	}
	if module == "" {
		return engine.Explanation{}, control.InvalidArgument("explain: no module given")
	}
	// A relative file path is relative to the project root, as users type
	// it from there.
	if module[0] != '/' {
		module = filepath.Join(p.root, module)
	}
	var ex engine.Explanation
	err = p.do(ctx, func() { ex = p.eng.Explain(module) })
	return ex, err
}

func (s *service) Compile(ctx context.Context, name, file string, src []byte) ([]byte, *engine.ModuleError, error) {
	p, err := s.d().lookup(name)
	if err != nil {
		return nil, nil, err
	}
	var t engine.CompileTarget
	var terr error
	if err := p.do(ctx, func() { t, terr = p.eng.CompileTargetOf(file) }); err != nil {
		return nil, nil, err
	}
	if terr != nil {
		return nil, nil, control.InvalidArgument("%s", terr.Error())
	}
	// Off the project's goroutine: a big file's compile must not hold
	// the project's edits.
	code, merr := engine.Compile(t, src)
	return code, merr, nil
}

func (s *service) Graph(ctx context.Context, name string) (*engine.Snapshot, error) {
	p, err := s.d().lookup(name)
	if err != nil {
		return nil, err
	}
	var snap *engine.Snapshot
	// Signals of the project are published from its goroutine, so the hub's
	// head read there is exactly the last signal the snapshot reflects.
	err = p.do(ctx, func() {
		snap = p.eng.Snapshot()
		snap.HeadSeq = s.hub.Head(p.name)
	})
	return snap, err
}

func (s *service) Status(ctx context.Context) control.Status {
	st := control.Status{
		DaemonVersion:   s.cfg.Version,
		ProtocolVersion: signal.ProtocolVersion,
		Epoch:           s.epoch,
		Started:         s.started,
		Listeners:       s.d().Listeners(),
		Subscribers:     s.hub.Subscribers(),
	}
	for _, p := range s.d().projectList() {
		_, watches, last, median := p.snapshotStats()
		deg := p.w.Degraded()
		if deg.Limit == fswatch.LimitMaxWatches && deg.Raise == "" {
			deg.Raise = "restart hmrd serve with a larger --max-watches (0: only the kernel's limit)"
		}
		st.Projects = append(st.Projects, control.ProjectStatus{
			ProjectInfo:   s.info(p),
			Watches:       watches,
			LastSignal:    s.hub.Last(p.name),
			LastLatency:   last,
			MedianLatency: median,
			Degraded:      deg,
		})
		st.Registrations = append(st.Registrations, p.registrations(ctx)...)
	}
	st.HeapBytes, st.Goroutines = memStats()
	return st
}

func (s *service) ServeModule(ctx context.Context, name, id string, specs []string) (engine.ServeInfo, bool, error) {
	p, err := s.d().lookup(name)
	if err != nil {
		return engine.ServeInfo{}, false, err
	}
	var (
		info engine.ServeInfo
		ok   bool
	)
	err = p.do(ctx, func() {
		info, ok = p.eng.ServeInfo(id, specs)
		if ok {
			p.eng.MarkLoaded(info.ID)
		}
	})
	return info, ok, err
}

func (s *service) Reload(ctx context.Context, name, reason string) (uint64, error) {
	p, err := s.d().lookup(name)
	if err != nil {
		return 0, err
	}
	var seq uint64
	// On the project's goroutine, so it never falls between the signals
	// of one batch.
	err = p.do(ctx, func() {
		reload := &signal.FullReload{FullReload: propagate.FullReload{Cause: propagate.CauseConfig, Reason: reason, Path: "*"}}
		if len(p.held) > 0 {
			// Behind the batches the rebuild gates hold: no seq yet.
			p.emit(0, []signal.Body{reload}, nil, nil, timeZero, false, nil)
			return
		}
		if ev := s.hub.Publish(p.name, 0, reload); ev != nil {
			seq = ev.Seq
			p.log.Info("signal", "seq", ev.Seq, "kind", ev.Kind(), "reason", reason)
		}
	})
	return seq, err
}
