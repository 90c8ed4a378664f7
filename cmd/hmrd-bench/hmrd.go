package main

import (
	"bufio"
	"context"
	"debug/buildinfo"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/hmrd/hmrd/clients/go/hmrdclient"
	hmrdv1 "github.com/hmrd/hmrd/proto/hmrd/v1"
)

// buildHmrd builds ./cmd/hmrd of the module the benchmark runs in into dir.
func buildHmrd(ctx context.Context, dir string) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("build hmrd: go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	data, err := os.ReadFile(gomod)
	if gomod == "" || gomod == os.DevNull || err != nil || !strings.HasPrefix(string(data), "module github.com/hmrd/hmrd\n") {
		return "", errors.New("build hmrd: run from inside the hmrd module, or pass --hmrd PATH")
	}
	bin := filepath.Join(dir, "hmrd")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/hmrd")
	cmd.Dir = filepath.Dir(gomod)
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build hmrd: %w\n%s", err, out)
	}
	return bin, nil
}

// binaryRevision is the VCS revision stamped into a Go binary ("" when not
// stamped), with "+dirty" for a modified work tree.
func binaryRevision(bin string) string {
	info, err := buildinfo.ReadFile(bin)
	if err != nil {
		return ""
	}
	var rev, dirty string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
			if len(rev) > 12 {
				rev = rev[:12]
			}
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "+dirty"
			}
		}
	}
	if rev == "" {
		return ""
	}
	return rev + dirty
}

// hmrdServer is a running `hmrd serve` on one project.
type hmrdServer struct {
	proc     *child
	socket   string
	client   *hmrdclient.Client
	project  string
	httpAddr string // host:port of the dev server and WebSocket bridge
	token    string
	version  string

	// Cold start, from just before fork/exec.
	FirstAnswer time.Duration // the first Status answer
	Graphed     time.Duration // Status reports every module, live
	Modules     int           // what Status reported then
	Live        int
	Watches     int
}

// startHmrd starts `hmrd serve` on root and waits (polling Status every
// few ms, up to timeout) until the project reports want live modules.
func startHmrd(ctx context.Context, bin, root, tmp string, want int, timeout time.Duration) (*hmrdServer, error) {
	h := &hmrdServer{socket: filepath.Join(tmp, "hmrd.sock")}
	proc, err := startChild("hmrd", root, filepath.Join(tmp, "hmrd.log"),
		// Default log level, as a user runs it (Vite logs each update too).
		[]string{bin, "serve", "--socket", h.socket, "--http", "127.0.0.1:0", root}, nil)
	if err != nil {
		return nil, err
	}
	h.proc = proc
	if err := h.waitGraphed(ctx, want, timeout); err != nil {
		h.Stop()
		return nil, err
	}
	if err := h.fetchToken(ctx); err != nil {
		h.Stop()
		return nil, err
	}
	return h, nil
}

func (h *hmrdServer) waitGraphed(ctx context.Context, want int, timeout time.Duration) error {
	deadline := h.proc.started.Add(timeout)
	var last string
	for time.Now().Before(deadline) {
		if err := ctx.Err(); err != nil {
			return err
		}
		if h.proc.Exited() {
			return h.proc.exitError()
		}
		if h.client == nil {
			// Dial fails fast until the socket accepts.
			c, err := hmrdclient.Dial(ctx, h.socket, hmrdclient.WithDialTimeout(200*time.Millisecond),
				hmrdclient.WithClientInfo(&hmrdv1.ClientInfo{Name: "hmrd-bench", Kind: "go"}))
			if err != nil {
				last = err.Error()
				time.Sleep(2 * time.Millisecond)
				continue
			}
			h.client = c
		}
		sctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		st, err := h.client.Status(sctx)
		cancel()
		if err != nil {
			last = err.Error()
			time.Sleep(2 * time.Millisecond)
			continue
		}
		now := time.Since(h.proc.started)
		if h.FirstAnswer == 0 {
			h.FirstAnswer = now
		}
		h.version = st.GetDaemonVersion()
		if len(st.GetProjects()) == 1 {
			ps := st.GetProjects()[0]
			p := ps.GetProject()
			last = fmt.Sprintf("project %s: %d modules, %d live", p.GetName(), p.GetModules(), p.GetLiveModules())
			if int(p.GetModules()) >= want && int(p.GetLiveModules()) >= want {
				h.Graphed = now
				h.project = p.GetName()
				h.Modules, h.Live, h.Watches = int(p.GetModules()), int(p.GetLiveModules()), int(ps.GetWatches())
				for _, l := range st.GetListeners() {
					if a, ok := strings.CutPrefix(l, "http:"); ok {
						h.httpAddr = a
					}
				}
				if h.httpAddr == "" {
					return fmt.Errorf("hmrd: no http listener in %v", st.GetListeners())
				}
				return nil
			}
		}
		time.Sleep(2 * time.Millisecond)
	}
	return fmt.Errorf("hmrd: not graphed within %v (last: %s); log:\n%s", timeout, last, h.proc.logTail(2000))
}

// fetchToken reads the WebSocket token from the first line of the
// browser client, as a page would get it.
func (h *hmrdServer) fetchToken(ctx context.Context) error {
	cfg, err := fetchFirstLine(ctx, "http://"+h.httpAddr+"/@hmrd/client.js")
	if err != nil {
		return err
	}
	const prefix = "const __HMRD_CONFIG__ = "
	js, ok := strings.CutPrefix(cfg, prefix)
	if !ok {
		return fmt.Errorf("hmrd token: first line of client.js is %q", truncate(cfg, 80))
	}
	var v struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal([]byte(strings.TrimSuffix(strings.TrimSpace(js), ";")), &v); err != nil {
		return fmt.Errorf("hmrd token: %w", err)
	}
	if v.Token == "" {
		return errors.New("hmrd token: empty")
	}
	h.token = v.Token
	return nil
}

func fetchFirstLine(ctx context.Context, url string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", fmt.Errorf("get %s: %w", url, err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", fmt.Errorf("get %s: %w", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("get %s: %s", url, resp.Status)
	}
	line, err := bufio.NewReader(resp.Body).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("get %s: %w", url, err)
	}
	return line, nil
}

// WSURL is the bridge's URL with the page token.
func (h *hmrdServer) WSURL() string {
	return "ws://" + h.httpAddr + "/@hmrd/ws?token=" + h.token
}

// Origin is the dev server's own origin, which the bridge allows.
func (h *hmrdServer) Origin() string { return "http://" + h.httpAddr }

// Stop shuts the daemon down (SIGTERM, then SIGKILL after 6 s: hmrd's
// own grace is 5 s).
func (h *hmrdServer) Stop() error {
	if h.client != nil {
		h.client.Close()
	}
	return h.proc.Stop(6 * time.Second)
}

// sigLog collects the signals one subscriber receives, stamped on
// arrival.
type sigLog struct {
	name string

	mu     sync.Mutex
	sigs   []Signal
	other  int   // hello, heartbeat, Vite's connected: not signals
	err    error // why the subscriber stopped, if it did
	notify chan struct{}
	ready  chan struct{} // closed on the first message (Hello / connected)
	once   sync.Once
}

func newSigLog(name string) *sigLog {
	return &sigLog{name: name, notify: make(chan struct{}, 1), ready: make(chan struct{})}
}

func (l *sigLog) add(s Signal) {
	l.mu.Lock()
	l.sigs = append(l.sigs, s)
	l.mu.Unlock()
	select {
	case l.notify <- struct{}{}:
	default:
	}
}

func (l *sigLog) addOther() {
	l.mu.Lock()
	l.other++
	l.mu.Unlock()
	l.once.Do(func() { close(l.ready) })
}

func (l *sigLog) fail(err error) {
	l.mu.Lock()
	if l.err == nil {
		l.err = err
	}
	l.mu.Unlock()
	l.once.Do(func() { close(l.ready) })
	select {
	case l.notify <- struct{}{}:
	default:
	}
}

func (l *sigLog) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.sigs)
}

func (l *sigLog) snapshot() []Signal {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]Signal(nil), l.sigs...)
}

func (l *sigLog) failure() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.err
}

// waitBeyond waits until more than n signals arrived, the subscriber
// failed, or the deadline passed; it reports whether a signal came.
func (l *sigLog) waitBeyond(ctx context.Context, n int, deadline time.Time) bool {
	t := time.NewTimer(time.Until(deadline))
	defer t.Stop()
	for {
		if l.count() > n {
			return true
		}
		if l.failure() != nil {
			return false
		}
		select {
		case <-l.notify:
		case <-t.C:
			return l.count() > n
		case <-ctx.Done():
			return false
		}
	}
}

// hmrdSignal turns an hmrd event into a Signal; ok is false for Hello and
// Heartbeat, which are not signals.
func hmrdSignal(ev *hmrdv1.Event, at time.Time) (Signal, bool) {
	s := Signal{At: at, Seq: ev.GetSeq(), Kind: hmrdclient.Kind(ev)}
	if ev.GetTime() != nil {
		s.Published = ev.GetTime().AsTime()
	}
	switch k := ev.GetKind().(type) {
	case *hmrdv1.Event_Hello, *hmrdv1.Event_Heartbeat:
		return s, false
	case *hmrdv1.Event_Update:
		s.Triggers = k.Update.GetTriggers()
	case *hmrdv1.Event_FullReload:
		if t := k.FullReload.GetTriggeredBy(); t != "" {
			s.Triggers = []string{t}
		}
	case *hmrdv1.Event_Error:
		if m := k.Error.GetModule(); m != "" {
			s.Triggers = []string{m}
		}
	}
	return s, true
}

// subscribeGRPC subscribes over the Go client and logs signals until ctx
// ends.
func subscribeGRPC(ctx context.Context, c *hmrdclient.Client, project, name string) *sigLog {
	l := newSigLog(name)
	sub := c.Subscribe(ctx, hmrdclient.SubscribeOptions{
		Project: project, Client: &hmrdv1.ClientInfo{Name: name, Kind: "go"},
	})
	go func() {
		defer sub.Close()
		for {
			ev, err := sub.Next(ctx)
			if err != nil {
				if ctx.Err() == nil {
					l.fail(fmt.Errorf("%s: %w", name, err))
				}
				return
			}
			at := time.Now()
			if s, ok := hmrdSignal(ev, at); ok {
				l.add(s)
			} else {
				l.addOther()
			}
		}
	}()
	return l
}

// dialWS opens a WebSocket as a browser page would: with the page's
// Origin and the token.
func dialWS(ctx context.Context, url, origin, subprotocol string) (*websocket.Conn, error) {
	dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	conn, resp, err := websocket.Dial(dctx, url, &websocket.DialOptions{
		Subprotocols: []string{subprotocol},
		HTTPHeader:   http.Header{"Origin": {origin}},
	})
	if err != nil {
		if resp != nil {
			return nil, fmt.Errorf("websocket %s: %s: %w", redactToken(url), resp.Status, err)
		}
		return nil, fmt.Errorf("websocket %s: %w", redactToken(url), err)
	}
	if conn.Subprotocol() != subprotocol {
		conn.CloseNow()
		return nil, fmt.Errorf("websocket %s: server chose subprotocol %q", redactToken(url), conn.Subprotocol())
	}
	conn.SetReadLimit(4 << 20)
	return conn, nil
}

// subscribeWS subscribes over hmrd's WebSocket bridge.
func subscribeWS(ctx context.Context, h *hmrdServer, name string) (*sigLog, error) {
	conn, err := dialWS(ctx, h.WSURL(), h.Origin(), "hmrd.v1")
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
			var ev hmrdv1.Event
			if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(data, &ev); err != nil {
				l.fail(fmt.Errorf("%s: bad frame %q: %w", name, truncate(string(data), 100), err))
				return
			}
			if s, ok := hmrdSignal(&ev, at); ok {
				l.add(s)
			} else {
				l.addOther()
			}
		}
	}()
	return l, nil
}

func redactToken(url string) string {
	if i := strings.Index(url, "token="); i >= 0 {
		return url[:i] + "token=…"
	}
	return url
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
