// Package httpguard holds the request checks every browser-facing handler
// of the daemon shares (dev server and WebSocket bridge): Host against the
// allowed hosts (DNS rebinding), Origin against an exact allowlist
// (cross-site WebSocket hijacking), and the per-daemon token. One place, so
// that no feature grows its own, weaker variant (Vite CVE-2025-24010,
// webpack-dev-server CVE-2025-30359/30360).
package httpguard

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
)

// Guard decides which requests a browser-facing handler answers.
type Guard struct {
	// hosts are allowed Host header hostnames (lower case, no port).
	hosts []string
	token string

	// mu guards origins and ports: AllowServer may run once a listener is
	// up, while other handlers already check origins.
	mu sync.RWMutex
	// origins are allowed Origin values ("http://localhost:5173"), exact.
	origins []string
	// ports are the ports of the servers given to AllowServer: a page at
	// a local name (*.localhost, 127.0.0.0/8, ::1) on one of them is one
	// of the server's own pages.
	ports []string
}

// Options configure a Guard.
type Options struct {
	// Hosts are extra hostnames allowed in Host headers; loopback names
	// (localhost, *.localhost, 127.0.0.1, ::1) are always allowed.
	Hosts []string
	// Origins are extra exact origins allowed to open WebSockets; the dev
	// server's own origins (http://<allowed host>:<port>) are added by
	// AllowServer.
	Origins []string
	// Token is the per-daemon secret; New generates one when empty.
	Token string
}

// New returns a Guard; it generates a 128-bit random token unless one is
// given.
func New(o Options) (*Guard, error) {
	g := &Guard{token: o.Token}
	for _, h := range o.Hosts {
		// Accept the forms a person types: "example.test",
		// "Example.Test.", "example.test:5173", "[fd00::1]". Ports are
		// not part of the check (they are the listener's business).
		if name, ok := hostName(h); ok && !slices.Contains(g.hosts, name) {
			g.hosts = append(g.hosts, name)
		}
	}
	for _, o := range o.Origins {
		// Browsers serialize an origin in lower case without a trailing
		// slash; a configured "http://Dev.Test:3000/" must still match.
		o = strings.ToLower(strings.TrimSuffix(o, "/"))
		if !slices.Contains(g.origins, o) {
			g.origins = append(g.origins, o)
		}
	}
	if g.token == "" {
		var b [16]byte
		if _, err := rand.Read(b[:]); err != nil {
			return nil, fmt.Errorf("httpguard: token: %w", err)
		}
		g.token = hex.EncodeToString(b[:])
	}
	return g, nil
}

// Token is the secret pages must present; it is embedded in the client the
// dev server serves (same-origin only) and never logged.
func (g *Guard) Token() string { return g.token }

// AllowServer adds the origins of a server listening at addr
// ("127.0.0.1:5173"): http://localhost:5173, http://127.0.0.1:5173, and
// http://<host>:5173 for every allowed host; and http://<name>:5173 for
// every name CheckHost takes as loopback (app.localhost, localhost.,
// 127.0.0.2, …), which browsers resolve to this machine.
func (g *Guard) AllowServer(addr string) {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if !slices.Contains(g.ports, port) {
		g.ports = append(g.ports, port)
	}
	for _, h := range append([]string{"localhost", "127.0.0.1", "[::1]"}, g.hosts...) {
		if strings.Contains(h, ":") && !strings.HasPrefix(h, "[") {
			h = "[" + h + "]"
		}
		o := "http://" + h + ":" + port
		if !slices.Contains(g.origins, o) {
			g.origins = append(g.origins, o)
		}
	}
}

// CheckHost rejects a Host header that is not an allowed host: a page of
// evil.example whose DNS now points at 127.0.0.1 still sends Host:
// evil.example.
func (g *Guard) CheckHost(r *http.Request) error {
	host := r.Host
	if host == "" {
		return fmt.Errorf("request without a Host header")
	}
	name, ok := hostName(host)
	if ok && (isLoopbackName(name) || slices.Contains(g.hosts, name)) {
		return nil
	}
	return fmt.Errorf("host %q is not allowed (allow it with --allow-host)", host)
}

// hostName extracts the lower-case host name of a Host header value (or a
// configured host): the port and one trailing dot are dropped, and
// brackets are accepted only around an IPv6 literal ("[localhost]" is not
// a name any browser sends). ok is false for a malformed value.
func hostName(host string) (string, bool) {
	name := host
	if h, _, err := net.SplitHostPort(host); err == nil {
		name = h
	} else if strings.HasPrefix(host, "[") && strings.HasSuffix(host, "]") {
		name = host[1 : len(host)-1]
	}
	if strings.HasPrefix(host, "[") {
		// SplitHostPort strips brackets without looking inside them.
		if !strings.Contains(name, ":") || net.ParseIP(name) == nil {
			return "", false
		}
	} else if strings.ContainsAny(name, "[]") {
		return "", false
	}
	name = strings.ToLower(strings.TrimSuffix(name, "."))
	if name == "" {
		return "", false
	}
	return name, true
}

func isLoopbackName(name string) bool {
	if name == "localhost" || strings.HasSuffix(name, ".localhost") {
		return true
	}
	ip := net.ParseIP(name)
	return ip != nil && ip.IsLoopback()
}

// CheckOrigin accepts a request without Origin (not from a browser page)
// and one whose Origin is exactly on the allowlist. "null" and malformed
// origins are refused.
func (g *Guard) CheckOrigin(r *http.Request) error {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return nil
	}
	u, err := url.Parse(origin)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return fmt.Errorf("origin %q is not allowed", origin)
	}
	g.mu.RLock()
	ok := slices.Contains(g.origins, origin) || g.localOrigin(u)
	g.mu.RUnlock()
	if ok {
		return nil
	}
	return fmt.Errorf("origin %q is not allowed (allow it with --allow-origin)", origin)
}

// localOrigin reports whether u is a bare http origin (no user, path or
// query) whose host is a loopback name and whose port is one of the
// server's: a page the server itself served at a name browsers treat as
// local. Only http, as for the server's other origins: the dev server does
// not serve TLS. Called with g.mu held.
func (g *Guard) localOrigin(u *url.URL) bool {
	if u.Scheme != "http" || u.User != nil || u.Path != "" || u.RawQuery != "" || u.ForceQuery ||
		u.Fragment != "" || u.Opaque != "" {
		return false
	}
	port := u.Port()
	if port == "" {
		port = "80"
	}
	if !slices.Contains(g.ports, port) {
		return false
	}
	name, ok := hostName(u.Host)
	return ok && isLoopbackName(name)
}

// CheckToken compares the request's token (query parameter "token") with
// the daemon's in constant time. A browser page must present it; a request
// without Origin (a tool, a bundler's Node process) may omit it, since it
// cannot have been forged by a web page.
func (g *Guard) CheckToken(r *http.Request) error {
	got := r.URL.Query().Get("token")
	if got == "" && r.Header.Get("Origin") == "" {
		return nil
	}
	if subtle.ConstantTimeCompare([]byte(got), []byte(g.token)) != 1 {
		if got == "" {
			return fmt.Errorf("missing token")
		}
		return fmt.Errorf("wrong token")
	}
	return nil
}
