package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"
	"time"
)

// ensureVite installs Vite into cacheDir/vite once (npm install vite@8,
// falling back to vite@7) and returns the install dir and Vite's version.
func ensureVite(ctx context.Context, cacheDir string, logf func(string, ...any)) (dir, version string, err error) {
	dir = filepath.Join(cacheDir, "vite")
	if v, err := viteVersion(dir); err == nil {
		return dir, v, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", "", fmt.Errorf("install vite: %w", err)
	}
	pkg := filepath.Join(dir, "package.json")
	if err := os.WriteFile(pkg, []byte(`{ "name": "hmrd-bench-vite", "private": true }`+"\n"), 0o644); err != nil {
		return "", "", fmt.Errorf("install vite: %w", err)
	}
	var errs []error
	for _, spec := range []string{"vite@8", "vite@7"} {
		logf("installing %s into %s (once)", spec, dir)
		ictx, cancel := context.WithTimeout(ctx, 10*time.Minute)
		cmd := exec.CommandContext(ictx, "npm", "install", "--no-audit", "--no-fund", "--loglevel=error", spec)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		cancel()
		if err == nil {
			v, verr := viteVersion(dir)
			if verr == nil {
				return dir, v, nil
			}
			err = verr
		}
		errs = append(errs, fmt.Errorf("npm install %s: %w\n%s", spec, err, truncate(string(out), 2000)))
		if ctx.Err() != nil {
			break
		}
	}
	return "", "", fmt.Errorf("install vite: %w", errors.Join(errs...))
}

func viteVersion(dir string) (string, error) {
	data, err := os.ReadFile(filepath.Join(dir, "node_modules", "vite", "package.json"))
	if err != nil {
		return "", fmt.Errorf("vite version: %w", err)
	}
	var p struct {
		Version string `json:"version"`
	}
	if err := json.Unmarshal(data, &p); err != nil || p.Version == "" {
		return "", fmt.Errorf("vite version: bad package.json: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "vite", "bin", "vite.js")); err != nil {
		return "", fmt.Errorf("vite version: %w", err)
	}
	return p.Version, nil
}

// freePort asks the kernel for a free loopback port. Another process could
// take it before Vite binds it; --strictPort makes that an error rather
// than a silent move to another port.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// viteServer is a running Vite dev server.
type viteServer struct {
	proc    *child
	port    int
	token   string
	version string

	Listening time.Duration // process start → TCP port accepts
	Graphed   time.Duration // process start → every module transformed
	Crawled   int           // modules found by following imports
	Requested int           // modules requested in all (crawl + direct)
}

// viteConfig is the dev server's config: server.hmr at its defaults
// (spelled out, so a changed default shows up in this file), the deps
// cache in the run's temp dir so every run is a first start, no screen
// clearing in the log.
func viteConfig(cacheDir string) string {
	return fmt.Sprintf(`// Written by hmrd-bench.
export default {
  cacheDir: %q,
  clearScreen: false,
  logLevel: "info",
  server: {
    host: "127.0.0.1",
    hmr: { overlay: true },
  },
};
`, cacheDir)
}

// startVite starts Vite's dev server on root and waits until it listens.
func startVite(ctx context.Context, viteDir, version, root, tmp string, timeout time.Duration) (*viteServer, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	cfg := filepath.Join(tmp, "vite.config.mjs")
	if err := os.WriteFile(cfg, []byte(viteConfig(filepath.Join(tmp, "vite-cache"))), 0o644); err != nil {
		return nil, fmt.Errorf("vite config: %w", err)
	}
	argv := []string{"node", filepath.Join(viteDir, "node_modules", "vite", "bin", "vite.js"),
		"--config", cfg, "--port", strconv.Itoa(port), "--strictPort"}
	proc, err := startChild("vite", root, filepath.Join(tmp, "vite.log"), argv, []string{"NO_COLOR=1", "BROWSER=none"})
	if err != nil {
		return nil, err
	}
	v := &viteServer{proc: proc, port: port, version: version}
	deadline := proc.started.Add(timeout)
	addr := v.addr()
	for {
		if err := ctx.Err(); err != nil {
			v.Stop()
			return nil, err
		}
		if proc.Exited() {
			return nil, proc.exitError()
		}
		if time.Now().After(deadline) {
			v.Stop()
			return nil, fmt.Errorf("vite: not listening on %s within %v; log:\n%s", addr, timeout, proc.logTail(2000))
		}
		c, err := net.DialTimeout("tcp", addr, 100*time.Millisecond)
		if err == nil {
			v.Listening = time.Since(proc.started)
			c.Close()
			return v, nil
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func (v *viteServer) addr() string   { return "127.0.0.1:" + strconv.Itoa(v.port) }
func (v *viteServer) Origin() string { return "http://" + v.addr() }

// Stop ends Vite (SIGTERM to its process group, SIGKILL after 3 s).
func (v *viteServer) Stop() error { return v.proc.Stop(3 * time.Second) }

// srcURL finds module URLs in Vite's transformed output, which rewrites
// every import specifier to a root-relative URL ("/src/d3/m345.ts").
var srcURL = regexp.MustCompile(`["'](/src/[^"'?#\s]+)`)

// populate fills Vite's module graph as a browser would: request the
// page, then every module it imports, transitively (Vite transforms on
// request, and only transformed modules are in its graph, so an edit of a
// module never requested would signal nothing). Modules the crawl did not
// reach are then requested directly, so the graph is complete either way.
func (v *viteServer) populate(ctx context.Context, p *Project, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	defer client.CloseIdleConnections()
	base := "http://" + v.addr()
	get := func(path string) (string, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
		if err != nil {
			return "", err
		}
		// What a browser sends: Vite serves the page only to requests
		// that accept HTML.
		if path == "/" {
			req.Header.Set("Accept", "text/html,*/*;q=0.8")
			req.Header.Set("Sec-Fetch-Dest", "document")
		} else {
			req.Header.Set("Accept", "*/*")
			req.Header.Set("Sec-Fetch-Dest", "script")
		}
		resp, err := client.Do(req)
		if err != nil {
			return "", fmt.Errorf("vite get %s: %w", path, err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			return "", fmt.Errorf("vite get %s: %w", path, err)
		}
		if resp.StatusCode != http.StatusOK {
			return "", fmt.Errorf("vite get %s: %s: %s", path, resp.Status, truncate(string(body), 300))
		}
		return string(body), nil
	}
	if _, err := get("/"); err != nil {
		return err
	}
	want := make(map[string]bool, len(p.Modules))
	for i := range p.Modules {
		want[p.Modules[i].ID] = true
	}

	var (
		mu      sync.Mutex
		seen    = map[string]bool{}
		queue   = []string{"/src/main.js"}
		pending = 0
		cond    = sync.NewCond(&mu)
		first   error
	)
	seen["/src/main.js"] = true
	const workers = 8
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			mu.Lock()
			defer mu.Unlock()
			for {
				for len(queue) == 0 && pending > 0 && first == nil {
					cond.Wait()
				}
				if len(queue) == 0 || first != nil {
					cond.Broadcast()
					return
				}
				u := queue[0]
				queue = queue[1:]
				pending++
				mu.Unlock()
				body, err := get(u)
				mu.Lock()
				pending--
				if err != nil && first == nil {
					first = err
				}
				for _, m := range srcURL.FindAllStringSubmatch(body, -1) {
					if id := m[1]; want[id] && !seen[id] {
						seen[id] = true
						queue = append(queue, id)
					}
				}
				cond.Broadcast()
			}
		})
	}
	wg.Wait()
	if first != nil {
		return first
	}
	v.Crawled = len(seen)
	v.Requested = len(seen)
	for i := range p.Modules {
		if id := p.Modules[i].ID; !seen[id] {
			if _, err := get(id); err != nil {
				return err
			}
			v.Requested++
		}
	}
	v.Graphed = time.Since(v.proc.started)
	return nil
}

// fetchToken reads the HMR token from /@vite/client (Vite ≥ 6 requires it
// of WebSocket clients that send an Origin, as browsers do).
func (v *viteServer) fetchToken(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+v.addr()+"/@vite/client", nil)
	if err != nil {
		return fmt.Errorf("vite token: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("vite token: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("vite token: %w", err)
	}
	tok, err := parseViteToken(string(body))
	if err != nil {
		return err
	}
	v.token = tok
	return nil
}

// viteToken matches the token as Vite inlines it into its client:
// `const wsToken = "…";` (Vite 6–8; __WS_TOKEN__ before replacement).
var viteToken = regexp.MustCompile(`const wsToken = "([^"]*)"`)

func parseViteToken(client string) (string, error) {
	m := viteToken.FindStringSubmatch(client)
	if m == nil || m[1] == "" {
		return "", errors.New("vite token: no `const wsToken = \"…\"` in /@vite/client")
	}
	return m[1], nil
}

// subscribeVite connects to Vite's HMR WebSocket (subprotocol vite-hmr)
// and logs update and full-reload messages as signals.
func subscribeVite(ctx context.Context, v *viteServer, name string) (*sigLog, error) {
	conn, err := dialWS(ctx, "ws://"+v.addr()+"/?token="+v.token, v.Origin(), "vite-hmr")
	if err != nil {
		return nil, err
	}
	l := newSigLog(name)
	go func() {
		defer conn.CloseNow()
		for {
			_, data, err := conn.Read(ctx)
			at := time.Now()
			if err != nil {
				if ctx.Err() == nil {
					l.fail(fmt.Errorf("%s: %w", name, err))
				}
				return
			}
			var msg struct {
				Type string `json:"type"`
			}
			if err := json.Unmarshal(data, &msg); err != nil {
				l.fail(fmt.Errorf("%s: bad message %q: %w", name, truncate(string(data), 100), err))
				return
			}
			switch msg.Type {
			case "update", "full-reload":
				l.add(Signal{At: at, Kind: msg.Type})
			default: // connected, ping, custom, …
				l.addOther()
			}
		}
	}()
	return l, nil
}
