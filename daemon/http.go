package daemon

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strconv"
	"syscall"
	"time"

	"github.com/hmrd/hmrd/internal/control"
	"github.com/hmrd/hmrd/internal/devserver"
	"github.com/hmrd/hmrd/internal/runtime/browser"
	"github.com/hmrd/hmrd/internal/transport/httpguard"
	"github.com/hmrd/hmrd/internal/transport/wsbridge"
)

// Every project has its own dev server on its own port: one origin per
// project keeps root-absolute imports ("/src/x.js") meaning that project's
// files, as each Vite server has its own. The first project takes the
// --http address; each later one the port after the highest in use. A
// busy port moves on to the next free one, as Vite does unless strictPort
// (decision 0024).

// maxPortMoves bounds how many busy ports a dev server steps over.
const maxPortMoves = 100

// site is the dev server of one project: listener, guard, WebSocket
// bridge and dev server, stopped together.
type site struct {
	project string
	root    string
	url     string
	port    int
	// listener is the entry in Daemon.listeners ("http:127.0.0.1:5173").
	listener string
	// busy are the ports found in use before the one taken.
	busy  []int
	guard *httpguard.Guard
	stop  func(context.Context)
}

// DevServer describes the dev server of one project.
type DevServer struct {
	Project, Root, URL string
	// BusyPorts are the ports that were in use, in the order tried,
	// before the dev server took its own.
	BusyPorts []int
}

// httpEnabled reports whether projects get a dev server by default.
func (d *Daemon) httpEnabled() bool { return d.cfg.HTTPAddr != "" && d.cfg.HTTPAddr != "off" }

// startSites starts the dev server of every project the daemon started
// with: the first at --http, with --strict-port applying to it.
func (d *Daemon) startSites() error {
	ps := d.projectList()
	if len(ps) == 0 {
		return errors.New("hmrd: the dev server needs a project (pass a DIR or --http off)")
	}
	for i, p := range ps {
		dev := control.DevServer{}
		if i == 0 {
			dev = control.DevServer{Addr: d.cfg.HTTPAddr, StrictPort: d.cfg.StrictPort}
		}
		if _, err := d.startSite(p, dev); err != nil {
			return err
		}
	}
	return nil
}

// serves reports whether a project added with dev gets a dev server.
func (d *Daemon) serves(dev control.DevServer) bool {
	return dev.Addr != "off" && (dev.Addr != "" || d.httpEnabled())
}

// siteAddr is where the dev server dev asks for listens ("" for none).
// Called with d.siteMu held.

func (d *Daemon) siteAddr(dev control.DevServer) (string, error) {
	switch {
	case dev.Addr == "off":
		return "", nil
	case dev.Addr != "":
		// The same rule as for --http: a dev server other machines can
		// reach needs the host names it answers to (--allow-host).
		if !isLoopbackAddr(dev.Addr) && len(d.cfg.AllowHosts) == 0 {
			return "", fmt.Errorf("hmrd: the dev server address %s is reachable from other machines, and the daemon was started without --allow-host", dev.Addr)
		}
		return dev.Addr, nil
	case !d.httpEnabled():
		return "", nil
	}
	host, port, err := splitPort(d.cfg.HTTPAddr)
	if err != nil {
		return "", err
	}
	if port != 0 {
		for _, s := range d.sites {
			port = max(port, s.port+1)
		}
	}
	return net.JoinHostPort(host, strconv.Itoa(port)), nil
}

func splitPort(addr string) (string, int, error) {
	host, p, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, fmt.Errorf("hmrd: dev server address %q: %w", addr, err)
	}
	port, err := strconv.Atoi(p)
	if err != nil || port < 0 || port > 65535 {
		return "", 0, fmt.Errorf("hmrd: dev server address %q: bad port", addr)
	}
	return host, port, nil
}

// listenSite listens at addr or, unless strict, at the first free port
// after it, and returns the ports it found busy on the way.
func listenSite(addr string, strict bool) (net.Listener, []int, error) {
	host, port, err := splitPort(addr)
	if err != nil {
		return nil, nil, err
	}
	var busy []int
	for {
		l, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
		if err == nil {
			return l, busy, nil
		}
		if !errors.Is(err, syscall.EADDRINUSE) || port == 0 {
			return nil, busy, fmt.Errorf("hmrd: dev server: listen %s: %w (pass --http ADDR or --http off)", addr, err)
		}
		if strict {
			return nil, busy, fmt.Errorf("hmrd: dev server: port %d is in use and --strict-port is set (stop what uses it, or pass another --http ADDR)", port)
		}
		busy = append(busy, port)
		if len(busy) > maxPortMoves || port == 65535 {
			return nil, busy, fmt.Errorf("hmrd: dev server: ports %d to %d are all in use (pass --http ADDR)", busy[0], port)
		}
		port++
	}
}

// startSite starts the dev server of project p as dev asks, and returns
// it (nil when p gets none). Both share one guard: every request passes
// its Host check, and a WebSocket upgrade also its Origin and token checks
// (docs/design.md#security-defaults). Each project has its own guard and
// token, so a page of one project cannot open another's bridge.
func (d *Daemon) startSite(p *project, dev control.DevServer) (*site, error) {
	d.siteMu.Lock()
	defer d.siteMu.Unlock()
	if d.sitesClosed {
		return nil, errors.New("hmrd: the daemon is stopping")
	}
	addr, err := d.siteAddr(dev)
	if err != nil || addr == "" {
		return nil, err
	}
	l, busy, err := listenSite(addr, dev.StrictPort)
	if err != nil {
		return nil, err
	}
	guard, err := httpguard.New(httpguard.Options{Hosts: d.cfg.AllowHosts, Origins: d.cfg.AllowOrigins})
	if err != nil {
		l.Close()
		return nil, err
	}
	guard.AllowServer(l.Addr().String())
	bridge, err := wsbridge.New(d.Service(), wsbridge.Options{
		Guard: guard, Project: p.name, QueueSize: d.cfg.QueueSize, MaxCustomBytes: d.cfg.MaxCustomBytes, Logger: d.log,
	})
	if err != nil {
		l.Close()
		return nil, err
	}
	srvDev, err := devserver.New(d.Service(), devserver.Options{
		Project: p.name, Root: p.root, Guard: guard, Runtime: browser.Files,
		WSPath: devserver.DefaultWSPath, Logger: d.log,
	})
	if err != nil {
		l.Close()
		return nil, err
	}
	pathsChanged := srvDev.PathsChanged
	p.onPaths.Store(&pathsChanged)
	// No http.ServeMux: it answers a path with "..", "." or empty segments
	// with a redirect to the cleaned path before any handler sees it. The
	// dev server refuses such paths as sent (400) instead.
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.EscapedPath() == devserver.DefaultWSPath {
			bridge.ServeHTTP(w, r)
			return
		}
		srvDev.ServeHTTP(w, r)
	})
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 5 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          nil,
	}
	tcp := l.Addr().(*net.TCPAddr)
	s := &site{project: p.name, root: p.root, url: "http://" + l.Addr().String() + "/", port: tcp.Port,
		listener: "http:" + l.Addr().String(), busy: busy, guard: guard}
	go func() {
		if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			d.log.Error("dev server stopped", "project", p.name, "err", err)
		}
	}()
	s.stop = func(ctx context.Context) {
		p.onPaths.Store(nil)
		// WebSockets are hijacked connections Shutdown does not wait for:
		// they end when the hub closes (or, for one project, below).
		if err := srv.Shutdown(ctx); err != nil {
			srv.Close()
		}
		bridge.Close()
		srvDev.Close()
	}
	d.mu.Lock()
	d.sites[p.name] = s
	d.listeners = append(d.listeners, s.listener)
	d.mu.Unlock()
	for _, b := range busy {
		d.log.Info("dev server port in use, trying another one", "port", b, "project", p.name)
	}
	d.log.Info("dev server", "url", s.url, "project", p.name, "root", p.root)
	return s, nil
}

// stopSite stops the dev server of project name, if it has one.
func (d *Daemon) stopSite(ctx context.Context, name string) {
	d.siteMu.Lock()
	defer d.siteMu.Unlock()
	d.mu.Lock()
	s := d.sites[name]
	delete(d.sites, name)
	if s != nil {
		d.listeners = slices.DeleteFunc(d.listeners, func(l string) bool { return l == s.listener })
	}
	d.mu.Unlock()
	if s != nil {
		s.stop(ctx)
	}
}

// stopSites stops every dev server; none starts after it.
func (d *Daemon) stopSites(ctx context.Context) {
	d.siteMu.Lock()
	d.sitesClosed = true
	d.mu.Lock()
	sites := make([]*site, 0, len(d.sites))
	for _, s := range d.sites {
		sites = append(sites, s)
	}
	clear(d.sites)
	d.mu.Unlock()
	d.siteMu.Unlock()
	for _, s := range sites {
		s.stop(ctx)
	}
}

// siteOf returns project name's dev server (nil without one).
func (d *Daemon) siteOf(name string) *site {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.sites[name]
}

// DevServers lists the dev servers, in project order. Valid after Ready.
func (d *Daemon) DevServers() []DevServer {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []DevServer
	for _, n := range d.order {
		if s := d.sites[n]; s != nil {
			out = append(out, DevServer{Project: s.project, Root: s.root, URL: s.url, BusyPorts: slices.Clone(s.busy)})
		}
	}
	return out
}

// HTTPURL is the first project's dev server URL ("" when it has none).
// Valid after Ready.
func (d *Daemon) HTTPURL() string {
	if ds := d.DevServers(); len(ds) > 0 {
		return ds[0].URL
	}
	return ""
}

// Token is the WebSocket token pages of the first project's dev server
// must present (for tests and tools that open the bridge themselves).
// Valid after Ready; "" without HTTP.
func (d *Daemon) Token() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, n := range d.order {
		if s := d.sites[n]; s != nil {
			return s.guard.Token()
		}
	}
	return ""
}
