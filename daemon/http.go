package daemon

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/hmrd/hmrd/internal/devserver"
	"github.com/hmrd/hmrd/internal/runtime/browser"
	"github.com/hmrd/hmrd/internal/transport/httpguard"
	"github.com/hmrd/hmrd/internal/transport/wsbridge"
)

// httpEnabled reports whether the dev server and WebSocket bridge run.
func (d *Daemon) httpEnabled() bool { return d.cfg.HTTPAddr != "" && d.cfg.HTTPAddr != "off" }

// startHTTP serves the first project over HTTP as native ESM, with the
// WebSocket bridge at devserver.DefaultWSPath. Both share one guard: every
// request passes its Host check, and a WebSocket upgrade also its Origin and
// token checks (docs/design.md#security-defaults).
func (d *Daemon) startHTTP() (stop func(context.Context), err error) {
	d.mu.Lock()
	if len(d.order) == 0 {
		d.mu.Unlock()
		return nil, errors.New("hmrd: the dev server needs a project (pass a DIR or --http off)")
	}
	p := d.projects[d.order[0]]
	d.mu.Unlock()

	l, err := net.Listen("tcp", d.cfg.HTTPAddr)
	if err != nil {
		return nil, fmt.Errorf("hmrd: dev server: listen %s: %w (another dev server running? pass --http ADDR or --http off)", d.cfg.HTTPAddr, err)
	}
	guard, err := httpguard.New(httpguard.Options{Hosts: d.cfg.AllowHosts, Origins: d.cfg.AllowOrigins})
	if err != nil {
		l.Close()
		return nil, err
	}
	guard.AllowServer(l.Addr().String())
	d.guard = guard
	bridge, err := wsbridge.New(d.Service(), wsbridge.Options{
		Guard: guard, Project: p.name, QueueSize: d.cfg.QueueSize, MaxCustomBytes: d.cfg.MaxCustomBytes, Logger: d.log,
	})
	if err != nil {
		l.Close()
		return nil, err
	}
	dev, err := devserver.New(d.Service(), devserver.Options{
		Project: p.name, Root: p.root, Guard: guard, Runtime: browser.Files,
		WSPath: devserver.DefaultWSPath, Logger: d.log,
	})
	if err != nil {
		l.Close()
		return nil, err
	}
	pathsChanged := dev.PathsChanged
	p.onPaths.Store(&pathsChanged)
	// No http.ServeMux: it answers a path with "..", "." or empty segments
	// with a redirect to the cleaned path before any handler sees it. The
	// dev server refuses such paths as sent (400) instead.
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.EscapedPath() == devserver.DefaultWSPath {
			bridge.ServeHTTP(w, r)
			return
		}
		dev.ServeHTTP(w, r)
	})
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 5 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          nil,
	}
	addr := l.Addr().String()
	d.listeners = append(d.listeners, "http:"+addr)
	d.httpURL = "http://" + addr + "/"
	go func() {
		if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			d.log.Error("dev server stopped", "err", err)
		}
	}()
	d.log.Info("dev server", "url", d.httpURL, "project", p.name, "root", p.root)
	return func(ctx context.Context) {
		// WebSockets are hijacked connections Shutdown does not wait for:
		// they end when the hub closes.
		if err := srv.Shutdown(ctx); err != nil {
			srv.Close()
		}
		bridge.Close()
		dev.Close()
	}, nil
}

// HTTPURL is the dev server's URL ("" when it is off). Valid after Ready.
func (d *Daemon) HTTPURL() string { return d.httpURL }

// Token is the WebSocket token pages must present (for tests and tools
// that open the bridge themselves). Valid after Ready; "" without HTTP.
func (d *Daemon) Token() string {
	if d.guard == nil {
		return ""
	}
	return d.guard.Token()
}
