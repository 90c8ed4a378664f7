package hmrdtest

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"runtime"
	"slices"

	"github.com/hmrd/hmrd/internal/broadcast"
	"github.com/hmrd/hmrd/internal/control"
	"github.com/hmrd/hmrd/internal/engine"
	"github.com/hmrd/hmrd/internal/signal"
	hmrdv1 "github.com/hmrd/hmrd/proto/hmrd/v1"
)

// service is the control surface the gRPC adapter calls, as the daemon's
// is, with the test's answers where the daemon would ask its engine.
// Validation and messages follow the daemon's.
type service Daemon

var _ control.Service = (*service)(nil)

func (s *service) d() *Daemon { return (*Daemon)(s) }

func (s *service) Subscribe(_ context.Context, name string, o broadcast.SubscribeOptions, _ []string) (*broadcast.Subscription, error) {
	if o.FromSeq > 0 && o.Epoch == "" {
		return nil, control.InvalidArgument("resume from seq %d without an epoch: send the epoch of the Hello that seq came after, or neither to start live", o.FromSeq)
	}
	d := s.d()
	d.mu.Lock()
	defer d.mu.Unlock()
	p, err := d.lookupLocked(name)
	if err != nil {
		return nil, err
	}
	sub, err := d.hub.Subscribe(p.name, o)
	if err == nil {
		d.notifyLocked()
	}
	return sub, err
}

func (s *service) Invalidate(_ context.Context, name, module, firstInvalidatedBy string) (uint64, error) {
	if module == "" {
		return 0, control.InvalidArgument("invalidate: no module given")
	}
	d := s.d()
	d.mu.Lock()
	p, err := d.lookupLocked(name)
	if err == nil && p.graph != nil && !p.graph.has(module) {
		err = control.NotFound("invalidate: project %q has no module %s", p.name, module)
	}
	fn := d.invalidate
	d.mu.Unlock()
	if err != nil || fn == nil {
		return 0, err
	}
	// fn runs without the lock: it may call the Daemon.
	ev, err := fn(&hmrdv1.InvalidateRequest{Project: name, Module: module, FirstInvalidatedBy: firstInvalidatedBy})
	if err != nil || ev == nil {
		return 0, err
	}
	body, err := signalBody(ev)
	if err != nil {
		return 0, fmt.Errorf("hmrdtest: the SetInvalidate function's event: %w", err)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if p, err = d.lookupLocked(name); err != nil {
		return 0, err
	}
	out, err := d.publishLocked(p, ev.GetVersion(), body)
	if err != nil {
		return 0, err
	}
	return out.Seq, nil
}

func (s *service) ReportLoaded(_ context.Context, name string, modules []string) ([]string, error) {
	d := s.d()
	d.mu.Lock()
	defer d.mu.Unlock()
	p, err := d.lookupLocked(name)
	if err != nil {
		return nil, err
	}
	var unknown []string
	for _, m := range modules {
		if p.graph == nil || !p.graph.has(m) {
			unknown = append(unknown, m)
		}
	}
	return unknown, nil
}

func (s *service) SendCustom(_ context.Context, name, event, data, from string) (uint64, error) {
	if event == "" {
		return 0, control.InvalidArgument("custom event: no event name")
	}
	if data == "" {
		data = "null"
	} else if !json.Valid([]byte(data)) {
		return 0, control.InvalidArgument("custom event %q: data is not valid JSON", event)
	}
	d := s.d()
	d.mu.Lock()
	defer d.mu.Unlock()
	p, err := d.lookupLocked(name)
	if err != nil {
		return 0, err
	}
	if from != "" && from != control.AnonymousSender && !d.hub.HasSubscriber(p.name, from) {
		return 0, control.InvalidArgument("custom event %q: sender %q is not a subscriber of project %q", event, from, p.name)
	}
	ev, err := d.publishLocked(p, 0, &signal.Custom{Event: event, Data: data, From: from})
	if err != nil {
		return 0, err
	}
	return ev.Seq, nil
}

// AddProject ignores dev: the fake serves no HTTP.
func (s *service) AddProject(_ context.Context, root, name string, entries []string, _ control.DevServer) (control.ProjectInfo, error) {
	if root == "" {
		return control.ProjectInfo{}, control.InvalidArgument("add project: no root given")
	}
	// Relative to the working directory, as the daemon takes it; unlike
	// the daemon's, the directory need not exist.
	root, err := filepath.Abs(root)
	if err != nil {
		return control.ProjectInfo{}, control.InvalidArgument("add project %s: %v", root, err)
	}
	d := s.d()
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, n := range d.order {
		if d.projects[n].root == root {
			return control.ProjectInfo{}, control.InvalidArgument("add project %s: already watched as project %q", root, n)
		}
	}
	if name == "" {
		name = uniqueName(filepath.Base(root), d.projects)
	} else if d.projects[name] != nil {
		return control.ProjectInfo{}, control.InvalidArgument("add project %s: the name %q is taken", root, name)
	}
	return d.infoLocked(d.addLocked(name, root, engine.Stats{Entries: len(entries)})), nil
}

func (s *service) RemoveProject(_ context.Context, name string) error {
	d := s.d()
	d.mu.Lock()
	defer d.mu.Unlock()
	p, err := d.lookupLocked(name)
	if err != nil {
		return err
	}
	delete(d.projects, p.name)
	d.order = slices.DeleteFunc(d.order, func(n string) bool { return n == p.name })
	d.hub.RemoveProject(p.name)
	return nil
}

func (s *service) ListProjects(context.Context) []control.ProjectInfo {
	d := s.d()
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make([]control.ProjectInfo, len(d.order))
	for i, n := range d.order {
		out[i] = d.infoLocked(d.projects[n])
	}
	return out
}

func (d *Daemon) infoLocked(p *project) control.ProjectInfo {
	return control.ProjectInfo{Name: p.name, Root: p.root, Stats: p.stats, HeadSeq: d.hub.Head(p.name)}
}

func (s *service) Explain(_ context.Context, name, module string) (engine.Explanation, error) {
	d := s.d()
	d.mu.Lock()
	defer d.mu.Unlock()
	p, err := d.lookupLocked(name)
	if err != nil {
		return engine.Explanation{}, err
	}
	if module == "" {
		return engine.Explanation{}, control.InvalidArgument("explain: no module given")
	}
	if module[0] != '/' {
		module = filepath.Join(p.root, module)
	}
	if ex, ok := p.explain[module]; ok {
		return ex, nil
	}
	// The engine's answer for a module outside the graph.
	return engine.Explanation{Module: module, Note: "not in the module graph: no entry imports it, so an edit signals nothing"}, nil
}

func (s *service) Graph(_ context.Context, name string) (*engine.Snapshot, error) {
	d := s.d()
	d.mu.Lock()
	defer d.mu.Unlock()
	p, err := d.lookupLocked(name)
	if err != nil {
		return nil, err
	}
	snap := &engine.Snapshot{Root: p.root}
	if p.graph != nil {
		snap = p.graph.snap
	}
	// Stamped as the daemon stamps it: the last seq the graph reflects.
	out := *snap
	out.HeadSeq = d.hub.Head(p.name)
	return &out, nil
}

func (s *service) Status(context.Context) control.Status {
	d := s.d()
	d.mu.Lock()
	defer d.mu.Unlock()
	st := control.Status{
		DaemonVersion:   d.cfg.version,
		ProtocolVersion: signal.ProtocolVersion,
		Epoch:           d.hub.Epoch(),
		Started:         d.started,
		Subscribers:     d.hub.Subscribers(),
		Goroutines:      runtime.NumGoroutine(),
	}
	for srv := range d.servers {
		st.Listeners = append(st.Listeners, srv.Listener())
	}
	slices.Sort(st.Listeners)
	for _, n := range d.order {
		p := d.projects[n]
		st.Projects = append(st.Projects, control.ProjectStatus{
			ProjectInfo:   d.infoLocked(p),
			LastSignal:    d.hub.Last(p.name),
			LastLatency:   p.last,
			MedianLatency: p.median,
		})
	}
	return st
}

// ServeModule serves the dev server, which the fake does not run.
func (s *service) ServeModule(_ context.Context, name, _ string, _ []string) (engine.ServeInfo, bool, error) {
	d := s.d()
	d.mu.Lock()
	defer d.mu.Unlock()
	_, err := d.lookupLocked(name)
	return engine.ServeInfo{}, false, err
}

// Reload serves the dev server, which the fake does not run.
func (s *service) Reload(_ context.Context, name, _ string) (uint64, error) {
	d := s.d()
	d.mu.Lock()
	defer d.mu.Unlock()
	_, err := d.lookupLocked(name)
	return 0, err
}

// Compile compiles with the file's language and esbuild's defaults: the
// fake reads no tsconfig.
func (s *service) Compile(_ context.Context, name, file string, src []byte) ([]byte, *engine.ModuleError, error) {
	d := s.d()
	d.mu.Lock()
	_, err := d.lookupLocked(name)
	d.mu.Unlock()
	if err != nil {
		return nil, nil, err
	}
	t, ok := engine.DefaultCompileTarget(file)
	if !ok || !filepath.IsAbs(file) {
		return nil, nil, control.InvalidArgument("compile: %s is not an absolute path of a JavaScript, TypeScript or JSX file", file)
	}
	code, merr := engine.Compile(t, src)
	return code, merr, nil
}

// Register is not offered by the fake: registrations change the graph,
// which the fake does not compute. Programs that register test against a
// real daemon (daemon.New with a temporary socket).
func (s *service) Register(context.Context, string, control.RegisterOptions) (control.Registration, error) {
	return nil, fmt.Errorf("hmrdtest: bundler registration: %w", control.ErrUnimplemented)
}
