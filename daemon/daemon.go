// Package daemon wires hmrd together: one goroutine per project (watcher →
// engine → hub), the broadcast hub, and the gRPC server on a unix socket
// (and optionally TCP). It holds no HMR semantics of its own — those live in
// the engine — and no protocol conversion — that lives in rpcserver.
//
// A Daemon runs inside a test as well as in `hmrd serve`: New(cfg) then
// Run(ctx); no globals, every listener can be a temp socket or port 0.
package daemon

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/hmrd/hmrd/internal/broadcast"
	"github.com/hmrd/hmrd/internal/control"
	"github.com/hmrd/hmrd/internal/engine"
	"github.com/hmrd/hmrd/internal/fswatch"
	"github.com/hmrd/hmrd/internal/transport/rpcauth"
	"github.com/hmrd/hmrd/internal/transport/rpcserver"
)

// Config configures a Daemon. The zero value plus Roots is a working
// daemon on the default socket.
type Config struct {
	// Roots are the project trees to watch from the start.
	Roots []string
	// Entries are extra entry modules for every initial project (module
	// IDs or root-relative paths), for runtimes without an HTML page.
	Entries []string
	// Socket is the gRPC unix socket path; "" is DefaultSocket().
	// "off" disables the unix socket (then GRPCAddr must be set).
	Socket string
	// GRPCAddr, when set, also serves gRPC on TCP (e.g. "127.0.0.1:7070").
	// On an address other machines can reach (anything but localhost or
	// a loopback IP) it serves only TLS and only RPCs carrying the
	// daemon's token (docs/operations.md#remote-access).
	GRPCAddr string
	// GRPCSecure requires TLS and the token on GRPCAddr even when it is a
	// loopback address (other users of the machine can reach loopback).
	GRPCSecure bool
	// TLSCert and TLSKey are PEM files of the certificate and key the TCP
	// listener serves when it requires TLS; without them the daemon
	// generates a self-signed ECDSA pair in StateDir and keeps it.
	TLSCert, TLSKey string
	// StateDir holds the gRPC token and the generated key pair, created
	// on first use (directory 0700, files 0600); "" is
	// DefaultStateDir(). Nothing is written there unless GRPCAddr
	// requires TLS.
	StateDir string
	// HTTPAddr is the dev server address (e.g. "127.0.0.1:5173"; port 0
	// picks one); "" or "off" disables it. The dev server serves the first
	// project; every project streams signals over gRPC. An address other
	// machines can reach needs AllowHosts: New refuses it otherwise.
	HTTPAddr string
	// StrictPort makes a busy HTTPAddr port an error; by default the first
	// project's dev server moves on to the next free port, as Vite does.
	StrictPort bool
	// AllowHosts are extra Host names the dev server answers (loopback
	// names always are): for a LAN address or a tunnel's name.
	AllowHosts []string
	// AllowOrigins are extra exact origins allowed to open the WebSocket
	// bridge (a page served by another dev server).
	AllowOrigins []string
	// Version is the daemon version reported in Hello and status.
	Version string
	Logger  *slog.Logger

	// History is events kept per project for resume (default 4096), and
	// HistoryBytes bounds them in bytes too (default 16 MiB): the oldest
	// go first, and a resume point before them is answered with a resync.
	History      int
	HistoryBytes int
	// QueueSize and QueueBytes bound each subscriber's queue of events not
	// yet sent (default 256 events, 8 MiB), and LagTimeout how long the
	// oldest of them may wait (default 10 s; negative: no bound). A
	// subscriber past any of them is cut off and told to resume.
	QueueSize  int
	QueueBytes int
	LagTimeout time.Duration
	// MaxCustomBytes bounds a custom event's data (default 1 MiB, at most
	// MaxCustomBytesCeiling); larger ones are refused.
	MaxCustomBytes int
	// Heartbeat is the idle interval of streams (default 15s).
	Heartbeat time.Duration
	// IgnoreDirs replaces the directory names never watched or searched
	// for pages (default node_modules, dist, coverage, dot-directories).
	IgnoreDirs []string
	// Conditions are package.json exports/imports conditions active besides
	// the defaults (browser, import, module, default), e.g. "development".
	Conditions []string
	// MaxFileSize bounds the sources scanned (default 4 MiB).
	MaxFileSize int64
	// SignalIdenticalWrites makes touch-to-reload work.
	SignalIdenticalWrites bool
	// Watch tunes the watcher (tests inject a fake backend here).
	Watch fswatch.Options
	// ShutdownGrace bounds graceful stop before streams are cut (5s).
	ShutdownGrace time.Duration
	// GateTimeout is how long a rebuild gate may hold a batch's signals
	// before they go out without its acknowledgement (default 5 s, at most
	// MaxGateTimeout); a gate may ask for another, up to MaxGateTimeout.
	GateTimeout time.Duration
	// ParseErrorHold is how long a batch whose only news is parse errors
	// waits for the rest of a save written in more than one write (default
	// 80 ms, at most MaxParseErrorHold; docs/design.md#the-parse-error-hold).
	ParseErrorHold time.Duration
}

// Defaults of the Config limits (docs/operations.md#limits).
const (
	DefaultParseErrorHold = 80 * time.Millisecond
	MaxParseErrorHold     = 5 * time.Second
	DefaultHistory        = broadcast.DefaultHistory
	DefaultHistoryBytes   = broadcast.DefaultHistoryBytes
	DefaultQueueSize      = broadcast.DefaultQueueSize
	DefaultQueueBytes     = broadcast.DefaultQueueBytes
	DefaultLagTimeout     = broadcast.DefaultLagTimeout
	DefaultMaxCustomBytes = control.DefaultMaxCustomBytes
)

// MaxCustomBytesCeiling is the largest Config.MaxCustomBytes: a custom
// event must fit, with its other fields, in the 4 MiB message a gRPC
// client takes by default (the Go client among them). A larger one would
// fail every gRPC stream it reached, again on each resume.
const MaxCustomBytesCeiling = 4<<20 - 64<<10

// Daemon is a running hmrd.
type Daemon struct {
	cfg     Config
	log     *slog.Logger
	hub     *broadcast.Hub
	epoch   string
	started time.Time

	ready     chan struct{}
	listeners []string      // under mu once Run has started
	remote    *RemoteAccess // the TCP listener requires TLS and the token
	// bursts returns the garbage of a burst of large custom events to the
	// OS once it is over (spike.go).
	bursts bursts

	mu       sync.Mutex
	projects map[string]*project
	order    []string
	// sites are the projects' dev servers by project name (under mu);
	// siteMu orders their starts and stops, and sitesClosed, under it,
	// is set once the daemon stops them all.
	sites       map[string]*site
	siteMu      sync.Mutex
	sitesClosed bool
	runCtx      context.Context
	wg          sync.WaitGroup
}

// New validates cfg and prepares a daemon; nothing listens until Run.
func New(cfg Config) (*Daemon, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Version == "" {
		cfg.Version = "dev"
	}
	if cfg.ShutdownGrace <= 0 {
		cfg.ShutdownGrace = 5 * time.Second
	}
	if cfg.GateTimeout <= 0 {
		cfg.GateTimeout = DefaultGateTimeout
	}
	if cfg.ParseErrorHold <= 0 {
		cfg.ParseErrorHold = parseErrorQuiet
	}
	cfg.ParseErrorHold = min(cfg.ParseErrorHold, MaxParseErrorHold)
	cfg.GateTimeout = min(cfg.GateTimeout, MaxGateTimeout)
	switch {
	case cfg.MaxCustomBytes <= 0:
		cfg.MaxCustomBytes = DefaultMaxCustomBytes
	case cfg.MaxCustomBytes > MaxCustomBytesCeiling:
		return nil, fmt.Errorf("hmrd: custom events of up to %d bytes could not reach gRPC clients: the limit is at most %d bytes (4 MiB less 64 KiB)",
			cfg.MaxCustomBytes, MaxCustomBytesCeiling)
	}
	if cfg.Socket == "off" && cfg.GRPCAddr == "" {
		return nil, errors.New("hmrd: no gRPC listener: the unix socket is off and no --grpc address is set")
	}
	if err := cfg.checkRemote(); err != nil {
		return nil, err
	}
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, fmt.Errorf("hmrd: epoch: %w", err)
	}
	d := &Daemon{
		cfg:      cfg,
		log:      cfg.Logger,
		epoch:    hex.EncodeToString(b[:]),
		started:  time.Now(),
		ready:    make(chan struct{}),
		projects: map[string]*project{},
		sites:    map[string]*site{},
	}
	d.hub = broadcast.New(d.epoch, broadcast.Options{
		History: cfg.History, HistoryBytes: cfg.HistoryBytes,
		QueueSize: cfg.QueueSize, QueueBytes: cfg.QueueBytes, LagTimeout: cfg.LagTimeout,
		Heartbeat: cfg.Heartbeat, DaemonVersion: cfg.Version,
	})
	return d, nil
}

// Epoch identifies this daemon instance in every event.
func (d *Daemon) Epoch() string { return d.epoch }

// Ready is closed once every listener is up and the initial projects are
// graphed and watched.
func (d *Daemon) Ready() <-chan struct{} { return d.ready }

// Listeners are the addresses served ("unix:/path", "tcp:127.0.0.1:7070",
// "tcp+tls:0.0.0.0:7070" for a listener requiring TLS and the token,
// "http:127.0.0.1:5173").
// Valid after Ready.
func (d *Daemon) Listeners() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return slices.Clone(d.listeners)
}

// Service is the daemon's control surface, for in-process adapters.
func (d *Daemon) Service() control.Service { return (*service)(d) }

// Run serves until ctx is cancelled, then shuts down gracefully: streams
// end (subscribers see the daemon going away), in-flight calls finish, and
// after ShutdownGrace everything is cut.
func (d *Daemon) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	d.mu.Lock()
	d.runCtx = ctx
	d.mu.Unlock()

	// lis are served plaintext (the unix socket, loopback TCP); remoteLis
	// with TLS and the token.
	var lis, remoteLis []net.Listener
	defer func() {
		for _, l := range append(lis, remoteLis...) {
			l.Close()
		}
	}()
	if d.cfg.Socket != "off" {
		path := d.cfg.Socket
		if path == "" {
			path = DefaultSocket()
		}
		l, err := listenUnix(path)
		if err != nil {
			return err
		}
		lis = append(lis, l)
		d.listeners = append(d.listeners, "unix:"+path)
	}
	var remoteOpts rpcserver.Options
	if d.cfg.grpcSecure() {
		cert, token, ra, err := d.remoteCredentials()
		if err != nil {
			return err
		}
		remoteOpts = rpcserver.Options{Creds: rpcauth.ServerCredentials(cert), Token: token, Logger: d.log}
		l, err := net.Listen("tcp", d.cfg.GRPCAddr)
		if err != nil {
			return fmt.Errorf("hmrd: listen %s: %w", d.cfg.GRPCAddr, err)
		}
		remoteLis = append(remoteLis, l)
		ra.Addr = l.Addr().String()
		d.remote = ra
		d.listeners = append(d.listeners, "tcp+tls:"+ra.Addr)
	} else if d.cfg.GRPCAddr != "" {
		l, err := net.Listen("tcp", d.cfg.GRPCAddr)
		if err != nil {
			return fmt.Errorf("hmrd: listen %s: %w", d.cfg.GRPCAddr, err)
		}
		lis = append(lis, l)
		d.listeners = append(d.listeners, "tcp:"+l.Addr().String())
	}

	for _, root := range d.cfg.Roots {
		if _, err := d.addProject(root, "", d.cfg.Entries, d.httpEnabled()); err != nil {
			d.hub.Close()
			return err
		}
	}

	if d.httpEnabled() {
		if err := d.startSites(); err != nil {
			d.stopSites(context.Background())
			d.hub.Close()
			return err
		}
	}

	// The default request limit, 4 MiB, carries the largest custom event
	// allowed (MaxCustomBytesCeiling).
	var servers []*rpcserver.Server
	errc := make(chan error, len(lis)+len(remoteLis))
	for _, group := range []struct {
		lis  []net.Listener
		opts rpcserver.Options
	}{{lis, rpcserver.Options{}}, {remoteLis, remoteOpts}} {
		if len(group.lis) == 0 {
			continue
		}
		srv := rpcserver.New(d.Service(), group.opts)
		servers = append(servers, srv)
		for _, l := range group.lis {
			go func() { errc <- srv.Serve(l) }()
		}
	}
	if ra := d.remote; ra != nil {
		// The token itself is never logged: only where it is.
		d.log.Info("gRPC requires TLS and a token", "addr", ra.Addr, "fingerprint", ra.Fingerprint, "cert", ra.CertFile, "token_file", ra.TokenFile)
	}
	d.log.Info("hmrd ready", "version", d.cfg.Version, "epoch", d.epoch, "listeners", d.Listeners())
	close(d.ready)

	var err error
	select {
	case <-ctx.Done():
	case err = <-errc:
		err = fmt.Errorf("hmrd: serve gRPC: %w", err)
	}
	// Ending the hub first ends every stream, so GracefulStop does not wait
	// on subscribers that would otherwise never finish.
	d.hub.Close()
	cancel()
	// Browsers keep pre-opened connections that never send a request;
	// http.Server.Shutdown waits 5 s for those. Page loads in flight get a
	// second, then everything is closed.
	sctx, scancel := context.WithTimeout(context.Background(), min(time.Second, d.cfg.ShutdownGrace))
	d.stopSites(sctx)
	scancel()
	var stopping sync.WaitGroup
	for _, srv := range servers {
		stopping.Go(func() {
			stopped := make(chan struct{})
			go func() { srv.GracefulStop(); close(stopped) }()
			select {
			case <-stopped:
			case <-time.After(d.cfg.ShutdownGrace):
				srv.Stop()
			}
		})
	}
	stopping.Wait()
	d.wg.Wait()
	d.bursts.stop()
	return err
}

// addProject opens, graphs and starts watching a tree.
func (d *Daemon) addProject(root, name string, entries []string, served bool) (*project, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("add project %s: %w", root, err)
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		abs = real
	} else {
		return nil, fmt.Errorf("add project %s: %w", root, err)
	}
	d.mu.Lock()
	for _, p := range d.projects {
		if p.root == abs {
			d.mu.Unlock()
			return nil, control.InvalidArgument("add project %s: already watched as project %q", abs, p.name)
		}
	}
	if name == "" {
		name = uniqueName(filepath.Base(abs), d.projects)
	} else if _, dup := d.projects[name]; dup {
		d.mu.Unlock()
		return nil, control.InvalidArgument("add project %s: the name %q is taken", abs, name)
	}
	ctx := d.runCtx
	d.mu.Unlock()

	opts := engine.Options{
		Entries:               entries,
		IgnoreDirs:            d.cfg.IgnoreDirs,
		ExtraConditions:       d.cfg.Conditions,
		MaxFileSize:           d.cfg.MaxFileSize,
		SignalIdenticalWrites: d.cfg.SignalIdenticalWrites,
		// Served as native ESM by its own dev server: .vue and the like
		// cannot run, .env files feed import.meta.env. A project without
		// one (a bundler's, added with its dev server off) is compiled by
		// that bundler, which can.
		NativeESM: served,
	}
	p, err := openProject(name, abs, opts, d.cfg.Watch, d.cfg.ParseErrorHold, d.hub, d.log)
	if err != nil {
		return nil, fmt.Errorf("add project %s: %w", abs, err)
	}
	d.mu.Lock()
	if _, dup := d.projects[name]; dup {
		d.mu.Unlock()
		p.w.Close()
		return nil, control.InvalidArgument("add project %s: the name %q is taken", abs, name)
	}
	d.projects[name] = p
	d.order = append(d.order, name)
	d.mu.Unlock()
	pctx, stop := context.WithCancel(ctx)
	p.stop = stop
	d.wg.Add(1)
	go func() {
		defer d.wg.Done()
		p.run(pctx)
	}()
	return p, nil
}

func uniqueName(base string, taken map[string]*project) string {
	if base == "" || base == "/" || base == "." {
		base = "project"
	}
	name := base
	for i := 2; ; i++ {
		if _, ok := taken[name]; !ok {
			return name
		}
		name = fmt.Sprintf("%s-%d", base, i)
	}
}

// lookup finds a project by name; "" means the only project.
func (d *Daemon) lookup(name string) (*project, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if name == "" {
		switch len(d.order) {
		case 0:
			return nil, fmt.Errorf("no projects: %w (add one with AddProject, or `hmrd add DIR`)", control.ErrUnknownProject)
		case 1:
			return d.projects[d.order[0]], nil
		default:
			return nil, control.InvalidArgument("the daemon has %d projects (%s): the request must name one", len(d.order), joinNames(d.order))
		}
	}
	if p, ok := d.projects[name]; ok {
		return p, nil
	}
	// A root path names its project too.
	for _, p := range d.projects {
		if p.root == name {
			return p, nil
		}
	}
	return nil, fmt.Errorf("project %q: %w (projects: %s)", name, control.ErrUnknownProject, joinNames(d.order))
}

// projectList is the projects in the order they were added.
func (d *Daemon) projectList() []*project {
	d.mu.Lock()
	defer d.mu.Unlock()
	ps := make([]*project, 0, len(d.order))
	for _, n := range d.order {
		ps = append(ps, d.projects[n])
	}
	return ps
}

func joinNames(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	out := names[0]
	for _, n := range names[1:] {
		out += ", " + n
	}
	return out
}

func (d *Daemon) removeProject(name string) error {
	p, err := d.lookup(name)
	if err != nil {
		return err
	}
	d.mu.Lock()
	delete(d.projects, p.name)
	d.order = slices.DeleteFunc(d.order, func(n string) bool { return n == p.name })
	d.mu.Unlock()
	sctx, scancel := context.WithTimeout(context.Background(), min(time.Second, d.cfg.ShutdownGrace))
	d.stopSite(sctx, p.name)
	scancel()
	// The goroutine closes the watcher on its way out.
	p.stop()
	<-p.done
	d.hub.RemoveProject(p.name)
	d.log.Info("project removed", "project", p.name, "root", p.root)
	return nil
}

func memStats() (heap uint64, goroutines int) {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc, runtime.NumGoroutine()
}
