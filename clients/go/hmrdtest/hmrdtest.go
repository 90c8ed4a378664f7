// Package hmrdtest is a small in-memory stand-in for the hmrd daemon that
// serves the real gRPC API (HotService, ProjectService, AdminService) on a
// unix socket or a TCP port, for tests of the Go client, the CLI, and
// programs built on them — as net/http/httptest is for HTTP.
//
// A Daemon holds the state (epoch, projects, each project's event log,
// subscribers); a Server serves it on one listener. Stopping a Server and
// serving the same Daemon again on the same address is a daemon restart
// that kept its state (same epoch: subscribers resume); Restart first
// gives a new epoch with empty logs, like a fresh daemon process.
//
// The fake honours resume the way the daemon does: a subscriber with the
// current epoch and a from_seq still in the log gets Hello{resumed} and
// the missed events; any other resume point gets Hello and one FullReload
// with cause RESYNC; no epoch starts live. It decides no HMR semantics:
// tests publish the events they want with Publish.
package hmrdtest

import (
	"context"
	"fmt"
	"net"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	hmrdv1 "github.com/hmrd/hmrd/proto/hmrd/v1"
)

// Daemon is the fake daemon's state. Its methods are safe for concurrent
// use, also while Servers serve it.
type Daemon struct {
	mu       sync.Mutex
	version  string
	epoch    string
	started  time.Time
	history  int
	queue    int
	order    []string
	projects map[string]*project
	subs     map[*subscriber]struct{}
	nextSub  int
	servers  map[*Server]struct{}
	requests []proto.Message
	// changed is closed and replaced whenever the set of subscribers
	// changes, so WaitSubscribers needs no polling.
	changed    chan struct{}
	invalidate func(*hmrdv1.InvalidateRequest) (*hmrdv1.Event, error)
}

type project struct {
	info    *hmrdv1.Project
	events  []*hmrdv1.Event // the log, oldest first; trimmed to history
	head    uint64
	last    *hmrdv1.Event
	graph   *hmrdv1.GetGraphResponse
	explain map[string]*hmrdv1.ExplainResponse
}

type subscriber struct {
	id        string
	project   string
	client    *hmrdv1.ClientInfo
	ch        chan *hmrdv1.Event
	kick      chan error // buffered 1: why the stream must end
	connected time.Time
	lastSeq   uint64
}

// New returns a fake daemon with the given epoch and no projects.
func New(epoch string) *Daemon {
	return &Daemon{
		version:  "0.0.0-test",
		epoch:    epoch,
		started:  time.Now(),
		queue:    256,
		projects: map[string]*project{},
		subs:     map[*subscriber]struct{}{},
		servers:  map[*Server]struct{}{},
		changed:  make(chan struct{}),
	}
}

// SetVersion sets the daemon version reported in Hello and Status.
func (d *Daemon) SetVersion(v string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.version = v
}

// SetHistory bounds each project's log to n events (0: unbounded), so
// tests can make a resume point fall out of history.
func (d *Daemon) SetHistory(n int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.history = n
	for _, p := range d.projects {
		p.trim(n)
	}
}

// SetInvalidate sets what Invalidate does: fn returns the event to publish
// (nil: nothing signalled, seq 0) or an error. By default Invalidate only
// records the request.
func (d *Daemon) SetInvalidate(fn func(*hmrdv1.InvalidateRequest) (*hmrdv1.Event, error)) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.invalidate = fn
}

// Epoch is the current epoch.
func (d *Daemon) Epoch() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.epoch
}

// Restart makes the daemon a new instance: a new epoch, every project's
// log empty and its seq back at 0. Stop the Servers first, as a real
// restart would; subscribers still attached are cut off.
func (d *Daemon) Restart(epoch string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.epoch = epoch
	d.started = time.Now()
	for _, p := range d.projects {
		p.events, p.head, p.last = nil, 0, nil
		p.info.HeadSeq = 0
	}
	for s := range d.subs {
		s.end(status.Error(codes.Unavailable, "daemon restarting"))
	}
}

// AddProject adds a project (name and root are what matter) and returns
// its name.
func (d *Daemon) AddProject(p *hmrdv1.Project) string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.addLocked(proto.Clone(p).(*hmrdv1.Project))
}

func (d *Daemon) addLocked(info *hmrdv1.Project) string {
	if info.Name == "" {
		info.Name = filepath.Base(info.Root)
	}
	base := info.Name
	for i := 2; d.projects[info.Name] != nil; i++ {
		info.Name = fmt.Sprintf("%s-%d", base, i)
	}
	d.projects[info.Name] = &project{info: info, explain: map[string]*hmrdv1.ExplainResponse{}}
	d.order = append(d.order, info.Name)
	return info.Name
}

// SetGraph sets what GetGraph returns for the project.
func (d *Daemon) SetGraph(projectName string, g *hmrdv1.GetGraphResponse) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if p := d.projects[projectName]; p != nil {
		p.graph = proto.Clone(g).(*hmrdv1.GetGraphResponse)
	}
}

// SetExplain sets what Explain returns for module in the project.
func (d *Daemon) SetExplain(projectName, module string, r *hmrdv1.ExplainResponse) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if p := d.projects[projectName]; p != nil {
		p.explain[module] = proto.Clone(r).(*hmrdv1.ExplainResponse)
	}
}

// Requests are the control requests received so far (Invalidate,
// ReportLoaded, SendCustom, AddProject, RemoveProject, Explain, GetGraph),
// oldest first.
func (d *Daemon) Requests() []proto.Message {
	d.mu.Lock()
	defer d.mu.Unlock()
	return slices.Clone(d.requests)
}

func (d *Daemon) record(m proto.Message) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.requests = append(d.requests, proto.Clone(m))
}

// Publish appends a signal to the project's log and sends it to the
// project's subscribers. It fills in project, epoch, the next seq and the
// time, and returns the event as published. Hello and Heartbeat are not
// signals: use Heartbeat for the latter.
func (d *Daemon) Publish(projectName string, ev *hmrdv1.Event) (*hmrdv1.Event, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	p, err := d.lookupLocked(projectName)
	if err != nil {
		return nil, err
	}
	return d.publishLocked(p, ev), nil
}

func (d *Daemon) publishLocked(p *project, ev *hmrdv1.Event) *hmrdv1.Event {
	ev = proto.Clone(ev).(*hmrdv1.Event)
	p.head++
	p.info.HeadSeq = p.head
	ev.Project, ev.Epoch, ev.Seq = p.info.Name, d.epoch, p.head
	if ev.Time == nil {
		ev.Time = timestamppb.Now()
	}
	p.events = append(p.events, ev)
	p.trim(d.history)
	p.last = ev
	d.fanoutLocked(p.info.Name, ev)
	return ev
}

func (p *project) trim(n int) {
	if n > 0 && len(p.events) > n {
		p.events = slices.Delete(p.events, 0, len(p.events)-n)
	}
}

// Heartbeat sends a heartbeat with the head seq to the project's live
// subscribers; it takes no seq.
func (d *Daemon) Heartbeat(projectName string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	p, err := d.lookupLocked(projectName)
	if err != nil {
		return err
	}
	d.fanoutLocked(p.info.Name, d.heartbeatLocked(p))
	return nil
}

func (d *Daemon) heartbeatLocked(p *project) *hmrdv1.Event {
	return &hmrdv1.Event{
		Project: p.info.Name, Epoch: d.epoch, Seq: p.head, Time: timestamppb.Now(),
		Kind: &hmrdv1.Event_Heartbeat{Heartbeat: &hmrdv1.Heartbeat{HeadSeq: p.head}},
	}
}

// fanoutLocked queues ev for every subscriber of the project without
// blocking: a full queue cuts that subscriber off, as the daemon does with
// slow consumers.
func (d *Daemon) fanoutLocked(projectName string, ev *hmrdv1.Event) {
	for s := range d.subs {
		if s.project != projectName {
			continue
		}
		select {
		case s.ch <- ev:
			if ev.GetHeartbeat() == nil {
				s.lastSeq = ev.Seq
			}
		default:
			s.end(status.Errorf(codes.ResourceExhausted, "subscriber %s too slow: queue of %d full; resume from seq %d", s.id, cap(s.ch), s.lastSeq))
		}
	}
}

func (s *subscriber) end(err error) {
	select {
	case s.kick <- err:
	default: // already ending
	}
}

// CutOff ends every stream of the project with ResourceExhausted, as the
// daemon cuts off a slow consumer; the subscribers may resume.
func (d *Daemon) CutOff(projectName string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for s := range d.subs {
		if s.project == projectName {
			s.end(status.Errorf(codes.ResourceExhausted, "subscriber %s too slow: resume from seq %d", s.id, s.lastSeq))
		}
	}
}

// Subscribers is how many streams are attached to the project now.
func (d *Daemon) Subscribers(projectName string) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	n := 0
	for s := range d.subs {
		if s.project == projectName {
			n++
		}
	}
	return n
}

// WaitSubscribers blocks until the project has at least n subscribers
// (registered and about to get their Hello), or ctx ends.
func (d *Daemon) WaitSubscribers(ctx context.Context, projectName string, n int) error {
	for {
		d.mu.Lock()
		got := 0
		for s := range d.subs {
			if s.project == projectName {
				got++
			}
		}
		changed := d.changed
		d.mu.Unlock()
		if got >= n {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return fmt.Errorf("wait for %d subscribers of %s (have %d): %w", n, projectName, got, ctx.Err())
		}
	}
}

func (d *Daemon) notifyLocked() {
	close(d.changed)
	d.changed = make(chan struct{})
}

// lookupLocked resolves a project name the way the daemon does: empty
// means the only project.
func (d *Daemon) lookupLocked(name string) (*project, error) {
	if name == "" {
		switch len(d.order) {
		case 0:
			return nil, status.Error(codes.NotFound, "no projects: unknown project (add one with `hmrd add DIR`)")
		case 1:
			return d.projects[d.order[0]], nil
		}
		return nil, status.Errorf(codes.InvalidArgument, "the daemon has %d projects (%s): the request must name one", len(d.order), strings.Join(d.order, ", "))
	}
	if p := d.projects[name]; p != nil {
		return p, nil
	}
	return nil, status.Errorf(codes.NotFound, "project %q: unknown project (projects: %s)", name, strings.Join(d.order, ", "))
}

// Server serves a Daemon on one listener.
type Server struct {
	d       *Daemon
	gs      *grpc.Server
	network string
	addr    string
	served  chan struct{}
}

// Serve serves d on network ("unix" or "tcp") and address (a socket path,
// or "127.0.0.1:0" for a free port). Stop ends it.
func (d *Daemon) Serve(network, address string) (*Server, error) {
	lis, err := net.Listen(network, address)
	if err != nil {
		return nil, fmt.Errorf("hmrdtest: listen %s %s: %w", network, address, err)
	}
	gs := grpc.NewServer()
	hmrdv1.RegisterHotServiceServer(gs, &hotServer{d: d})
	hmrdv1.RegisterProjectServiceServer(gs, &projectServer{d: d})
	hmrdv1.RegisterAdminServiceServer(gs, &adminServer{d: d})
	s := &Server{d: d, gs: gs, network: network, addr: lis.Addr().String(), served: make(chan struct{})}
	d.mu.Lock()
	d.servers[s] = struct{}{}
	d.mu.Unlock()
	go func() {
		defer close(s.served)
		_ = gs.Serve(lis) // returns when Stop closes the listener
	}()
	return s, nil
}

// Target is the address to pass to hmrdclient.Dial: the socket path, or
// host:port.
func (s *Server) Target() string { return s.addr }

// Listener is the address as Status lists it ("unix:/path", "tcp:host:port").
func (s *Server) Listener() string { return s.network + ":" + s.addr }

// Stop closes the listener (a unix socket file is removed) and every
// connection at once, as a daemon that dies does; streams end with an
// error on the client side. It is safe to call twice.
func (s *Server) Stop() {
	s.gs.Stop()
	<-s.served
	s.d.mu.Lock()
	delete(s.d.servers, s)
	s.d.mu.Unlock()
}

type hotServer struct {
	hmrdv1.UnimplementedHotServiceServer
	d *Daemon
}

func (h *hotServer) Subscribe(req *hmrdv1.SubscribeRequest, stream hmrdv1.HotService_SubscribeServer) error {
	d := h.d
	d.mu.Lock()
	p, err := d.lookupLocked(req.GetProject())
	if err != nil {
		d.mu.Unlock()
		return err
	}
	d.nextSub++
	s := &subscriber{
		id:        fmt.Sprintf("sub-%d", d.nextSub),
		project:   p.info.Name,
		client:    proto.Clone(req.GetClient()).(*hmrdv1.ClientInfo),
		ch:        make(chan *hmrdv1.Event, d.queue),
		kick:      make(chan error, 1),
		connected: time.Now(),
		lastSeq:   p.head,
	}
	hello := &hmrdv1.Hello{
		ProtocolVersion: 1, DaemonVersion: d.version, Epoch: d.epoch,
		HeadSeq: p.head, Root: p.info.Root, SubscriberId: s.id,
	}
	// The first event is the Hello; then, while the lock still keeps
	// Publish out, the replay or the resync is taken from the log, so no
	// event falls between the replay and the live queue.
	first := []*hmrdv1.Event{{
		Project: p.info.Name, Epoch: d.epoch, Seq: p.head, Time: timestamppb.Now(),
		Kind: &hmrdv1.Event_Hello{Hello: hello},
	}}
	if req.GetEpoch() != "" {
		if p.canResume(d.epoch, req.GetEpoch(), req.GetFromSeq()) {
			hello.Resumed = true
			for _, ev := range p.events {
				if ev.Seq > req.GetFromSeq() {
					first = append(first, ev)
				}
			}
		} else {
			first = append(first, &hmrdv1.Event{
				Project: p.info.Name, Epoch: d.epoch, Seq: p.head, Time: timestamppb.Now(),
				Kind: &hmrdv1.Event_FullReload{FullReload: &hmrdv1.FullReload{
					Reason: fmt.Sprintf("cannot resume from epoch %s seq %d: reload to resync", req.GetEpoch(), req.GetFromSeq()),
					Path:   "*",
					Cause:  hmrdv1.FullReloadCause_FULL_RELOAD_CAUSE_RESYNC,
				}},
			})
		}
	}
	d.subs[s] = struct{}{}
	d.notifyLocked()
	d.mu.Unlock()
	defer func() {
		d.mu.Lock()
		delete(d.subs, s)
		d.notifyLocked()
		d.mu.Unlock()
	}()

	for _, ev := range first {
		if err := stream.Send(&hmrdv1.SubscribeResponse{Event: ev}); err != nil {
			return err
		}
	}
	ctx := stream.Context()
	for {
		select {
		case ev := <-s.ch:
			if err := stream.Send(&hmrdv1.SubscribeResponse{Event: ev}); err != nil {
				return err
			}
		case err := <-s.kick:
			return err
		case <-ctx.Done():
			return nil
		}
	}
}

// canResume: same epoch, and every signal after from is still in the log.
func (p *project) canResume(epoch, reqEpoch string, from uint64) bool {
	if reqEpoch != epoch || from > p.head {
		return false
	}
	if from == p.head {
		return true
	}
	return len(p.events) > 0 && p.events[0].Seq <= from+1
}

func (h *hotServer) Invalidate(_ context.Context, req *hmrdv1.InvalidateRequest) (*hmrdv1.InvalidateResponse, error) {
	d := h.d
	d.record(req)
	d.mu.Lock()
	defer d.mu.Unlock()
	p, err := d.lookupLocked(req.GetProject())
	if err != nil {
		return nil, err
	}
	if req.GetModule() == "" {
		return nil, status.Error(codes.InvalidArgument, "invalidate: no module given")
	}
	if d.invalidate == nil {
		return &hmrdv1.InvalidateResponse{}, nil
	}
	ev, err := d.invalidate(req)
	if err != nil || ev == nil {
		return &hmrdv1.InvalidateResponse{}, err
	}
	return &hmrdv1.InvalidateResponse{Seq: d.publishLocked(p, ev).Seq}, nil
}

func (h *hotServer) ReportLoaded(_ context.Context, req *hmrdv1.ReportLoadedRequest) (*hmrdv1.ReportLoadedResponse, error) {
	d := h.d
	d.record(req)
	d.mu.Lock()
	defer d.mu.Unlock()
	p, err := d.lookupLocked(req.GetProject())
	if err != nil {
		return nil, err
	}
	resp := &hmrdv1.ReportLoadedResponse{}
	for _, m := range req.GetModules() {
		if !slices.ContainsFunc(p.graph.GetModules(), func(gm *hmrdv1.Module) bool { return gm.GetId() == m }) {
			resp.Unknown = append(resp.Unknown, m)
		}
	}
	return resp, nil
}

func (h *hotServer) SendCustom(_ context.Context, req *hmrdv1.SendCustomRequest) (*hmrdv1.SendCustomResponse, error) {
	d := h.d
	d.record(req)
	d.mu.Lock()
	defer d.mu.Unlock()
	p, err := d.lookupLocked(req.GetProject())
	if err != nil {
		return nil, err
	}
	ev := d.publishLocked(p, &hmrdv1.Event{Kind: &hmrdv1.Event_Custom{Custom: &hmrdv1.Custom{Event: req.GetEvent(), Data: req.GetData()}}})
	return &hmrdv1.SendCustomResponse{Seq: ev.Seq}, nil
}

type projectServer struct {
	hmrdv1.UnimplementedProjectServiceServer
	d *Daemon
}

func (ps *projectServer) AddProject(_ context.Context, req *hmrdv1.AddProjectRequest) (*hmrdv1.AddProjectResponse, error) {
	d := ps.d
	d.record(req)
	if !filepath.IsAbs(req.GetRoot()) {
		return nil, status.Errorf(codes.InvalidArgument, "add project %s: the root must be an absolute path", req.GetRoot())
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, n := range d.order {
		if d.projects[n].info.Root == req.GetRoot() {
			return nil, status.Errorf(codes.InvalidArgument, "add project %s: already watched as project %q", req.GetRoot(), n)
		}
	}
	if d.projects[req.GetName()] != nil {
		return nil, status.Errorf(codes.InvalidArgument, "add project %s: the name %q is taken", req.GetRoot(), req.GetName())
	}
	name := d.addLocked(&hmrdv1.Project{Name: req.GetName(), Root: req.GetRoot(), Entries: uint32(len(req.GetEntries()))})
	return &hmrdv1.AddProjectResponse{Project: proto.Clone(d.projects[name].info).(*hmrdv1.Project)}, nil
}

func (ps *projectServer) RemoveProject(_ context.Context, req *hmrdv1.RemoveProjectRequest) (*hmrdv1.RemoveProjectResponse, error) {
	d := ps.d
	d.record(req)
	d.mu.Lock()
	defer d.mu.Unlock()
	p, err := d.lookupLocked(req.GetProject())
	if err != nil {
		return nil, err
	}
	name := p.info.Name
	delete(d.projects, name)
	d.order = slices.DeleteFunc(d.order, func(n string) bool { return n == name })
	for s := range d.subs {
		if s.project == name {
			s.end(status.Errorf(codes.NotFound, "project %q removed", name))
		}
	}
	return &hmrdv1.RemoveProjectResponse{}, nil
}

func (ps *projectServer) ListProjects(context.Context, *hmrdv1.ListProjectsRequest) (*hmrdv1.ListProjectsResponse, error) {
	d := ps.d
	d.mu.Lock()
	defer d.mu.Unlock()
	resp := &hmrdv1.ListProjectsResponse{}
	for _, n := range d.order {
		resp.Projects = append(resp.Projects, proto.Clone(d.projects[n].info).(*hmrdv1.Project))
	}
	return resp, nil
}

func (ps *projectServer) Explain(_ context.Context, req *hmrdv1.ExplainRequest) (*hmrdv1.ExplainResponse, error) {
	d := ps.d
	d.record(req)
	d.mu.Lock()
	defer d.mu.Unlock()
	p, err := d.lookupLocked(req.GetProject())
	if err != nil {
		return nil, err
	}
	if req.GetModule() == "" {
		return nil, status.Error(codes.InvalidArgument, "explain: no module given")
	}
	if r := p.explain[req.GetModule()]; r != nil {
		return proto.Clone(r).(*hmrdv1.ExplainResponse), nil
	}
	return &hmrdv1.ExplainResponse{Module: req.GetModule(), Note: fmt.Sprintf("no module or file %s in project %s", req.GetModule(), p.info.Name)}, nil
}

func (ps *projectServer) GetGraph(_ context.Context, req *hmrdv1.GetGraphRequest) (*hmrdv1.GetGraphResponse, error) {
	d := ps.d
	d.record(req)
	d.mu.Lock()
	defer d.mu.Unlock()
	p, err := d.lookupLocked(req.GetProject())
	if err != nil {
		return nil, err
	}
	if p.graph == nil {
		return &hmrdv1.GetGraphResponse{Root: p.info.Root}, nil
	}
	return proto.Clone(p.graph).(*hmrdv1.GetGraphResponse), nil
}

type adminServer struct {
	hmrdv1.UnimplementedAdminServiceServer
	d *Daemon
}

func (as *adminServer) Status(context.Context, *hmrdv1.StatusRequest) (*hmrdv1.StatusResponse, error) {
	d := as.d
	d.mu.Lock()
	defer d.mu.Unlock()
	resp := &hmrdv1.StatusResponse{
		DaemonVersion:   d.version,
		ProtocolVersion: 1,
		Epoch:           d.epoch,
		Started:         timestamppb.New(d.started),
		Uptime:          durationpb.New(time.Since(d.started)),
		Goroutines:      1,
	}
	for s := range d.servers {
		resp.Listeners = append(resp.Listeners, s.Listener())
	}
	slices.Sort(resp.Listeners)
	for _, n := range d.order {
		p := d.projects[n]
		ps := &hmrdv1.ProjectStatus{Project: proto.Clone(p.info).(*hmrdv1.Project)}
		if p.last != nil {
			ps.LastSignal = proto.Clone(p.last).(*hmrdv1.Event)
			ps.LastLatency = durationpb.New(3 * time.Millisecond)
			ps.MedianLatency = durationpb.New(5 * time.Millisecond)
		}
		resp.Projects = append(resp.Projects, ps)
	}
	for s := range d.subs {
		var head uint64
		if p := d.projects[s.project]; p != nil { // nil: removed, stream ending
			head = p.head
		}
		resp.Subscribers = append(resp.Subscribers, &hmrdv1.SubscriberStatus{
			Id: s.id, Project: s.project, Client: proto.Clone(s.client).(*hmrdv1.ClientInfo),
			Transport: "grpc", LastSeq: s.lastSeq, Lag: head - min(head, s.lastSeq),
			QueueDepth: uint32(len(s.ch)), QueueCapacity: uint32(cap(s.ch)),
			Connected: timestamppb.New(s.connected),
		})
	}
	slices.SortFunc(resp.Subscribers, func(a, b *hmrdv1.SubscriberStatus) int { return strings.Compare(a.Id, b.Id) })
	return resp, nil
}
