// Package hmrdtest is an in-memory stand-in for the hmrd daemon that
// serves the real gRPC API (HotService, ProjectService, AdminService) on a
// unix socket or a TCP port, for tests of the Go client, the CLI, and
// programs built on them — as net/http/httptest is for HTTP.
// BundlerService.Register answers UNIMPLEMENTED: a registration changes
// the graph, which the fake does not compute, so a bundler is tested
// against a real daemon (daemon.New on a temporary socket).
//
// It is the daemon without its engine. The daemon's own broadcast hub
// numbers the signals, keeps each project's history, resumes subscribers
// and cuts off slow ones, and the daemon's own gRPC adapter serves it, so a
// client tested here meets the same protocol implementation as one talking
// to `hmrd serve`. What the engine would decide is up to the test: which
// signals happen (Publish), the module graph (SetGraph), what an edit would
// do (SetExplain), what an invalidate signals (SetInvalidate). Nothing
// watches files.
//
// A Daemon holds the state (epoch, projects, the hub with each project's
// history and subscribers); a Server serves it on one listener. Stopping a
// Server and serving the same Daemon again on the same address is a daemon
// restart that kept its state (same epoch: subscribers resume); Restart
// first gives a new epoch with empty history, like a fresh daemon process.
//
// Resume is the hub's: a subscriber with the current epoch and a from_seq
// still in history gets Hello{resumed} and the missed events; any other
// resume point gets Hello and one FullReload with cause RESYNC; no epoch
// starts live.
//
// The control surface behind the adapter is a fake, but it refuses what
// the daemon refuses, with the daemon's words: an unknown or ambiguous
// project, a resume seq without an epoch, a custom event that is not JSON
// or names a sender that is not subscribed, an invalidate of a module the
// graph set with SetGraph does not have, a root already watched.
//
// # Differences from the daemon
//
// Streams get no idle heartbeats unless WithHeartbeat asks for them, so a
// test sees only what it publishes; Heartbeat sends one on demand. Project
// roots need not exist (a relative one is still taken relative to the
// working directory); the entries AddProject names are only counted, and
// those a subscriber names are ignored. Explain of a module with no answer
// set says it is not in the module graph, whether or not a file exists.
// Status reports the latencies SetLatency sets, no watches, and this
// process's goroutines.
//
// # Changes
//
// The fake used to re-implement resume, history and the services; it now
// runs the daemon's hub and adapter, which changed a little of its API and
// behaviour:
//   - SetVersion and SetHistory are the options WithVersion and
//     WithHistory of New: the hub takes them when it is made. A history of
//     0 is the daemon's default (4096 signals per project), not unbounded.
//   - Subscriber ids are the hub's ("s1", "s2", ...; "sub-1" before).
//   - Status reports no latencies until SetLatency sets them (it used to
//     report 3ms, median 5ms, for every project that had signalled).
//   - Explain of a module with no answer set has the engine's note, and a
//     relative module is relative to the project root.
//   - AddProject over gRPC takes a relative root, as the daemon does.
//   - Once SetGraph has set a graph, Invalidate of a module outside it is
//     NOT_FOUND; GetGraph's head_seq is always the hub's.
//   - Publish stamps the event's time itself, and refuses an event the
//     daemon's signals cannot carry (unset enums aside, see Publish).
//   - An error from the SetInvalidate function reaches the client with
//     code Internal, as an unexpected daemon error would.
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
	"google.golang.org/protobuf/proto"

	"github.com/hmrd/hmrd/internal/broadcast"
	"github.com/hmrd/hmrd/internal/control"
	"github.com/hmrd/hmrd/internal/engine"
	"github.com/hmrd/hmrd/internal/signal"
	"github.com/hmrd/hmrd/internal/transport/rpcserver"
	"github.com/hmrd/hmrd/internal/transport/wire"
	hmrdv1 "github.com/hmrd/hmrd/proto/hmrd/v1"
)

// Daemon is the fake daemon's state. Its methods are safe for concurrent
// use, also while Servers serve it.
type Daemon struct {
	cfg config

	// mu guards everything below. Holding it while calling the hub is
	// fine: the hub never blocks.
	mu      sync.Mutex
	hub     *broadcast.Hub
	started time.Time
	// order is the projects in the order they were added.
	order    []string
	projects map[string]*project
	servers  map[*Server]struct{}
	requests []proto.Message
	// changed is closed and replaced whenever a subscriber is added, so
	// WaitSubscribers needs no polling.
	changed    chan struct{}
	invalidate func(*hmrdv1.InvalidateRequest) (*hmrdv1.Event, error)
}

// project is what the engine would know of a project: the tests set it.
type project struct {
	name, root string
	stats      engine.Stats
	graph      *graph // nil: none set
	explain    map[string]engine.Explanation
	// last and median are the latencies Status reports.
	last, median time.Duration
}

// graph is a module graph SetGraph set.
type graph struct {
	snap *engine.Snapshot
	// known holds every module ID and file in it.
	known map[string]bool
}

func newGraph(snap *engine.Snapshot) *graph {
	g := &graph{snap: snap, known: map[string]bool{}}
	for _, m := range snap.Modules {
		g.known[m.ID] = true
		if m.File != "" {
			g.known[m.File] = true
		}
	}
	return g
}

// has reports whether the graph knows a module by this ID or file path, as
// the engine looks modules up.
func (g *graph) has(idOrFile string) bool { return g.known[idOrFile] }

type config struct {
	version   string
	history   int
	queue     int
	heartbeat time.Duration
}

// An Option configures a Daemon made by New.
type Option func(*config)

// WithVersion sets the daemon version reported in Hello and Status
// (default "0.0.0-test").
func WithVersion(v string) Option { return func(c *config) { c.version = v } }

// WithHistory sets how many signals each project keeps for resuming
// subscribers, so tests can make a resume point fall out of history. n <= 0
// is the daemon's default (4096).
func WithHistory(n int) Option { return func(c *config) { c.history = n } }

// WithQueueSize bounds each subscriber's queue of live events (default 256,
// as the daemon's): a subscriber that falls further behind is cut off.
func WithQueueSize(n int) Option { return func(c *config) { c.queue = n } }

// WithHeartbeat makes every stream that has been idle for d get a
// heartbeat, as the daemon does (every 15s by default). Without it, or
// with d <= 0, streams get only the heartbeats Heartbeat sends.
func WithHeartbeat(d time.Duration) Option { return func(c *config) { c.heartbeat = d } }

// New returns a fake daemon with the given epoch and no projects.
func New(epoch string, opts ...Option) *Daemon {
	cfg := config{version: "0.0.0-test"}
	for _, o := range opts {
		o(&cfg)
	}
	d := &Daemon{
		cfg:      cfg,
		started:  time.Now(),
		projects: map[string]*project{},
		servers:  map[*Server]struct{}{},
		changed:  make(chan struct{}),
	}
	d.hub = d.newHub(epoch)
	return d
}

func (d *Daemon) newHub(epoch string) *broadcast.Hub {
	hb := d.cfg.heartbeat
	if hb <= 0 {
		hb = -1 // off
	}
	return broadcast.New(epoch, broadcast.Options{
		History: d.cfg.history, QueueSize: d.cfg.queue, Heartbeat: hb, DaemonVersion: d.cfg.version,
	})
}

// SetInvalidate sets what Invalidate does: fn returns the event to publish
// (nil: nothing signalled, seq 0) or an error. fn gets the request's
// project (as the client sent it), module and first_invalidated_by; the
// message is in Requests. By default Invalidate signals nothing.
func (d *Daemon) SetInvalidate(fn func(*hmrdv1.InvalidateRequest) (*hmrdv1.Event, error)) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.invalidate = fn
}

// Epoch is the current epoch.
func (d *Daemon) Epoch() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.hub.Epoch()
}

// Restart makes the daemon a new instance: a new epoch and a new hub, in
// which every project's history is empty and its seq back at 0. Stop the
// Servers first, as a real restart would; subscribers still attached are
// cut off (Unavailable).
func (d *Daemon) Restart(epoch string) {
	d.mu.Lock()
	old := d.hub
	d.hub = d.newHub(epoch)
	for _, name := range d.order {
		d.hub.AddProject(name, d.projects[name].root)
	}
	d.started = time.Now()
	d.mu.Unlock()
	old.Close()
}

// AddProject adds a project and returns its name. Name and root are what
// matter (an empty name is the root's base name, made unique); the module,
// live, entry and error counts are reported as given; the head seq is the
// hub's.
func (d *Daemon) AddProject(p *hmrdv1.Project) string {
	d.mu.Lock()
	defer d.mu.Unlock()
	name := p.GetName()
	if name == "" || d.projects[name] != nil {
		base := name
		if base == "" {
			base = filepath.Base(p.GetRoot())
		}
		name = uniqueName(base, d.projects)
	}
	d.addLocked(name, p.GetRoot(), engine.Stats{
		Modules: int(p.GetModules()), Live: int(p.GetLiveModules()),
		Entries: int(p.GetEntries()), Errors: int(p.GetErrors()),
	})
	return name
}

func (d *Daemon) addLocked(name, root string, stats engine.Stats) *project {
	p := &project{name: name, root: root, stats: stats, explain: map[string]engine.Explanation{}}
	d.projects[name] = p
	d.order = append(d.order, name)
	d.hub.AddProject(name, root)
	return p
}

// uniqueName is base, or base-2, base-3, ... if taken, as the daemon names
// projects.
func uniqueName(base string, taken map[string]*project) string {
	if base == "" || base == "/" || base == "." {
		base = "project"
	}
	name := base
	for i := 2; taken[name] != nil; i++ {
		name = fmt.Sprintf("%s-%d", base, i)
	}
	return name
}

// SetGraph sets what GetGraph and StreamGraph return for the project; the
// head seq is the hub's when they are called. Once a graph is set, its
// modules (by ID or file) are the ones the project knows: ReportLoaded
// reports the others as unknown, and Invalidate answers NOT_FOUND for them
// as the daemon does. Without one, Invalidate takes any module.
func (d *Daemon) SetGraph(projectName string, g *hmrdv1.GetGraphResponse) {
	snap := newGraph(snapshot(g))
	d.mu.Lock()
	defer d.mu.Unlock()
	if p := d.projects[projectName]; p != nil {
		p.graph = snap
	}
}

// SetExplain sets what Explain returns for module in the project. Enums
// left unset take the daemon's default (an update of type JS, a full
// reload with cause NO_BOUNDARY).
func (d *Daemon) SetExplain(projectName, module string, r *hmrdv1.ExplainResponse) {
	ex := explanation(r)
	d.mu.Lock()
	defer d.mu.Unlock()
	if p := d.projects[projectName]; p != nil {
		p.explain[module] = ex
	}
}

// SetLatency sets the latencies Status reports for the project once it has
// signalled: of the last batch, and the median of recent ones.
func (d *Daemon) SetLatency(projectName string, last, median time.Duration) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if p := d.projects[projectName]; p != nil {
		p.last, p.median = last, median
	}
}

// Requests are the requests received so far, as they arrived, oldest
// first: every call of the hmrd.v1 services but Subscribe, Status and
// ListProjects (so Invalidate, ReportLoaded, SendCustom, AddProject,
// RemoveProject, Explain, GetGraph, StreamGraph).
func (d *Daemon) Requests() []proto.Message {
	d.mu.Lock()
	defer d.mu.Unlock()
	return slices.Clone(d.requests)
}

func (d *Daemon) keep(m proto.Message) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.requests = append(d.requests, proto.Clone(m))
}

// recordUnary and recordStream are the gRPC server's interceptors: they
// keep the requests Requests returns.
func (d *Daemon) recordUnary(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	switch m := req.(type) {
	case *hmrdv1.StatusRequest, *hmrdv1.ListProjectsRequest:
	case proto.Message:
		if strings.HasPrefix(info.FullMethod, "/hmrd.v1.") {
			d.keep(m)
		}
	}
	return handler(ctx, req)
}

func (d *Daemon) recordStream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	if info.FullMethod == hmrdv1.HotService_Subscribe_FullMethodName || !strings.HasPrefix(info.FullMethod, "/hmrd.v1.") {
		return handler(srv, ss)
	}
	return handler(srv, &recordingStream{ServerStream: ss, d: d})
}

// recordingStream keeps the requests a streaming call receives.
type recordingStream struct {
	grpc.ServerStream
	d *Daemon
}

func (s *recordingStream) RecvMsg(m any) error {
	err := s.ServerStream.RecvMsg(m)
	if pm, ok := m.(proto.Message); ok && err == nil {
		s.d.keep(pm)
	}
	return err
}

// Publish publishes a signal through the hub to the project's subscribers
// and history, and returns the event as subscribers receive it: the hub
// fills in project, epoch, the next seq and the time (any given are
// replaced); Version is kept. Hello and Heartbeat are not signals: use
// Heartbeat for the latter. Errors are state, as in the daemon: every
// Hello carries the errors the Error and ErrorCleared events published so
// far leave standing.
//
// The event must be one the daemon could send: Publish fails if it carries
// something the daemon's signals cannot (a field they lack, an unknown
// enum, a version on an Error or ErrorCleared). An unset update type is JS
// and an unset full-reload cause NO_BOUNDARY, as the daemon always sets
// one.
func (d *Daemon) Publish(projectName string, ev *hmrdv1.Event) (*hmrdv1.Event, error) {
	body, err := signalBody(ev)
	if err != nil {
		return nil, fmt.Errorf("hmrdtest: publish: %w", err)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	p, err := d.lookupLocked(projectName)
	if err != nil {
		return nil, err
	}
	changes, notes := eventMeta(ev)
	out := d.hub.PublishNoted(p.name, ev.GetVersion(), changes, notes, body)
	if len(out) == 0 {
		return nil, fmt.Errorf("project %q: %w", p.name, control.ErrUnknownProject)
	}
	return proto.Clone(wire.EventProto(out[0])).(*hmrdv1.Event), nil
}

func (d *Daemon) publishLocked(p *project, version int64, body signal.Body) (*signal.Event, error) {
	ev := d.hub.Publish(p.name, version, body)
	if ev == nil {
		// The hub knows every project d knows, unless it was closed
		// by Restart while d.mu was not held; neither happens here.
		return nil, fmt.Errorf("project %q: %w", p.name, control.ErrUnknownProject)
	}
	return ev, nil
}

// Heartbeat sends a heartbeat with the head seq to the project's
// subscribers, through the hub as a live event; it takes no seq.
func (d *Daemon) Heartbeat(projectName string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	p, err := d.lookupLocked(projectName)
	if err != nil {
		return err
	}
	_, err = d.publishLocked(p, 0, &signal.Heartbeat{HeadSeq: d.hub.Head(p.name)})
	return err
}

// CutOff cuts off every subscriber of the project as the hub cuts off a
// slow consumer whose queue is full: the stream ends with
// ResourceExhausted, and the subscribers may resume.
func (d *Daemon) CutOff(projectName string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.hub.CutOff(projectName)
}

// Subscribers is how many streams are attached to the project now.
func (d *Daemon) Subscribers(projectName string) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.subscribersLocked(projectName)
}

func (d *Daemon) subscribersLocked(projectName string) int {
	n := 0
	for _, s := range d.hub.Subscribers() {
		if s.Project == projectName {
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
		got := d.subscribersLocked(projectName)
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

// lookupLocked resolves a project the way the daemon does: by name or
// root, and empty means the only project.
func (d *Daemon) lookupLocked(name string) (*project, error) {
	if name == "" {
		switch len(d.order) {
		case 0:
			return nil, fmt.Errorf("no projects: %w (add one with AddProject, or `hmrd add DIR`)", control.ErrUnknownProject)
		case 1:
			return d.projects[d.order[0]], nil
		}
		return nil, control.InvalidArgument("the daemon has %d projects (%s): the request must name one", len(d.order), joinNames(d.order))
	}
	if p := d.projects[name]; p != nil {
		return p, nil
	}
	for _, n := range d.order {
		if p := d.projects[n]; p.root == name {
			return p, nil
		}
	}
	return nil, fmt.Errorf("project %q: %w (projects: %s)", name, control.ErrUnknownProject, joinNames(d.order))
}

func joinNames(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// Server serves a Daemon on one listener.
type Server struct {
	d       *Daemon
	rs      *rpcserver.Server
	network string
	addr    string
	served  chan struct{}
}

// Serve serves d on network ("unix" or "tcp") and address (a socket path,
// or "127.0.0.1:0" for a free port) with the daemon's gRPC server. Stop
// ends it.
func (d *Daemon) Serve(network, address string) (*Server, error) {
	lis, err := net.Listen(network, address)
	if err != nil {
		return nil, fmt.Errorf("hmrdtest: listen %s %s: %w", network, address, err)
	}
	rs := rpcserver.New((*service)(d), rpcserver.Options{UnaryInterceptor: d.recordUnary, StreamInterceptor: d.recordStream})
	s := &Server{d: d, rs: rs, network: network, addr: lis.Addr().String(), served: make(chan struct{})}
	d.mu.Lock()
	d.servers[s] = struct{}{}
	d.mu.Unlock()
	go func() {
		defer close(s.served)
		_ = rs.Serve(lis) // returns when Stop closes the listener
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
	s.rs.Stop()
	<-s.served
	s.d.mu.Lock()
	delete(s.d.servers, s)
	s.d.mu.Unlock()
}
