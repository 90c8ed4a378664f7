// Package reliability drives the built hmrd binary over real sockets
// (127.0.0.1 and unix sockets only) through the failures a developer's
// machine produces: cross-site and rebinding handshakes, path traversal,
// many subscribers, reconnects, kill -9, SIGSTOP, SIGTERM, every way an
// editor saves, git checkouts, a deleted root, a watch limit that is too
// small, error storms and huge custom events.
//
// Every wait is for an event or a condition, with a deadline; the only
// fixed waits are bounded "nothing more arrives" windows. Each test has a
// short form that runs with `go test ./...`; HMRD_RELIABILITY=long runs
// the long forms (more subscribers, events, rounds and longer stops).
// HMRD_RELIABILITY_RACE=1 builds the daemon with the race detector.
package reliability

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/hmrd/hmrd/clients/go/hmrdclient"
	hmrdv1 "github.com/hmrd/hmrd/proto/hmrd/v1"
)

var (
	hmrdBin  string
	logLevel = cmp.Or(os.Getenv("HMRD_RELIABILITY_LOG"), "info")
	// raceBuilt: the daemon runs with the race detector.
	raceBuilt = os.Getenv("HMRD_RELIABILITY_RACE") == "1"
	// long selects the long forms of the tests.
	long = os.Getenv("HMRD_RELIABILITY") == "long"
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "hmrd-rel-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	hmrdBin = filepath.Join(dir, "hmrd")
	args := []string{"build", "-o", hmrdBin}
	if raceBuilt {
		args = append(args, "-race")
	}
	build := exec.Command("go", append(args, "../../cmd/hmrd")...)
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build hmrd:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// pick returns the short or the long value.
func pick[T any](short, longV T) T {
	if long {
		return longV
	}
	return short
}

// waitFor bounds every wait for something that must happen; far above
// the expected latency, so a loaded machine does not fail the suite.
const waitFor = 20 * time.Second

// shortTemp is a temp dir with a short, symlink-free path: unix socket
// paths are limited to 108 bytes.
func shortTemp(t testing.TB) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "hmrel")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// A test may leave a read-only or symlinked tree behind.
		filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err == nil && d.IsDir() {
				os.Chmod(p, 0o755)
			}
			return nil
		})
		os.RemoveAll(dir)
	})
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		t.Fatal(err)
	}
	return real
}

func writeTree(t testing.TB, root string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// smallApp: index.html → main.js → app.js (self-accepting) → dep.js. An
// edit of dep.js is one Update with boundary /src/app.js.
var smallApp = map[string]string{
	"index.html":  `<script type="module" src="/src/main.js"></script>`,
	"src/main.js": "import './app.js'\n",
	"src/app.js":  "import { n } from './dep.js'\nexport const x = n\nimport.meta.hot.accept()\n",
	"src/dep.js":  "export const n = 1\n",
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// daemonOpts say how to start `hmrd serve`.
type daemonOpts struct {
	// http: "" is --http off; "auto" is 127.0.0.1 on a free port; else
	// the address.
	http  string
	args  []string
	roots []string
	// inotifyWatches, when set, runs the daemon in a user namespace whose
	// limit of inotify watches (user.max_inotify_watches) is this low: a
	// real kernel limit, without touching the machine's.
	inotifyWatches int
}

// daemonProc is a running `hmrd serve`.
type daemonProc struct {
	t        testing.TB
	cmd      *exec.Cmd
	socket   string
	httpAddr string // host:port of the dev server, "" when off
	token    string // WebSocket token
	epoch    string
	logs     *syncBuffer
	done     chan struct{}
	waitErr  error
	cc       *grpc.ClientConn
	client   *hmrdclient.Client
}

// startDaemon runs `hmrd serve` and waits until its health check answers
// SERVING and, with the dev server on, until /@hmrd/client.js is served.
func startDaemon(t testing.TB, socket string, o daemonOpts) *daemonProc {
	t.Helper()
	httpArg := "off"
	switch o.http {
	case "":
	case "auto":
		httpArg = "127.0.0.1:0"
	default:
		httpArg = o.http
	}
	args := append([]string{"serve", "--socket", socket, "--http", httpArg, "--log-level", logLevel}, o.args...)
	args = append(args, o.roots...)
	cmd := exec.Command(hmrdBin, args...)
	if o.inotifyWatches > 0 {
		script := fmt.Sprintf(`echo %d > /proc/sys/user/max_inotify_watches && exec "$0" "$@"`, o.inotifyWatches)
		cmd = exec.Command("unshare", append([]string{"--user", "--map-root-user", "sh", "-c", script, hmrdBin}, args...)...)
	}
	d := &daemonProc{t: t, cmd: cmd, socket: socket, logs: &syncBuffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = d.logs, d.logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { d.waitErr = cmd.Wait(); close(d.done) }()
	t.Cleanup(func() {
		if d.cc != nil {
			d.cc.Close()
		}
		if d.client != nil {
			d.client.Close()
		}
		d.stop()
		if t.Failed() {
			t.Logf("daemon %d log:\n%s", cmd.Process.Pid, tailString(d.logs.String(), 64<<10))
		}
	})
	d.waitHealthy()
	cc, err := grpc.NewClient("unix://"+socket, grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(64<<20)))
	if err != nil {
		t.Fatal(err)
	}
	d.cc = cc
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	c, err := hmrdclient.Dial(ctx, socket)
	if err != nil {
		t.Fatal(err)
	}
	d.client = c
	st, err := c.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	d.epoch = st.GetEpoch()
	for _, l := range st.GetListeners() {
		if a, ok := strings.CutPrefix(l, "http:"); ok {
			d.httpAddr = a
		}
	}
	if o.http != "" {
		if d.httpAddr == "" {
			t.Fatalf("dev server on, but no http listener in %v", st.GetListeners())
		}
		d.token = fetchToken(t, d.httpAddr)
	}
	return d
}

func tailString(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

func (d *daemonProc) pid() int { return d.cmd.Process.Pid }

func (d *daemonProc) waitHealthy() {
	d.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	conn, err := grpc.NewClient("unix://"+d.socket, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		d.t.Fatal(err)
	}
	defer conn.Close()
	for {
		cctx, ccancel := context.WithTimeout(ctx, time.Second)
		resp, err := healthpb.NewHealthClient(conn).Check(cctx, &healthpb.HealthCheckRequest{}, grpc.WaitForReady(true))
		ccancel()
		if err == nil && resp.Status == healthpb.HealthCheckResponse_SERVING {
			return
		}
		select {
		case <-d.done:
			d.t.Fatalf("hmrd serve exited before it was ready:\n%s", d.logs.String())
		case <-ctx.Done():
			d.t.Fatalf("hmrd serve not healthy after %v (last error %v):\n%s", waitFor, err, d.logs.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// stop sends SIGTERM and waits for the daemon to exit.
func (d *daemonProc) stop() {
	select {
	case <-d.done:
		return
	default:
	}
	d.cmd.Process.Signal(syscall.SIGCONT) // in case a test left it stopped
	d.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-d.done:
	case <-time.After(15 * time.Second):
		d.cmd.Process.Kill()
		<-d.done
		d.t.Errorf("hmrd serve did not stop within 15s of SIGTERM")
	}
}

// kill is kill -9: no cleanup, the socket file stays behind.
func (d *daemonProc) kill() {
	d.cmd.Process.Kill()
	<-d.done
}

// fetchToken reads the WebSocket token from the first line of
// /@hmrd/client.js, as a page does.
func fetchToken(t testing.TB, addr string) string {
	t.Helper()
	tok, err := tryFetchToken(addr)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func tryFetchToken(addr string) (string, error) {
	resp, err := rawRequest(addr, "GET", "/@hmrd/client.js", nil)
	if err != nil {
		return "", err
	}
	if resp.status != 200 {
		return "", fmt.Errorf("GET /@hmrd/client.js: %d", resp.status)
	}
	line, _, _ := strings.Cut(string(resp.body), "\n")
	js, ok := strings.CutPrefix(line, "const __HMRD_CONFIG__ = ")
	if !ok {
		return "", fmt.Errorf("client.js starts with %q", line)
	}
	var cfg struct{ Token string }
	if err := json.Unmarshal([]byte(strings.TrimSuffix(js, ";")), &cfg); err != nil || cfg.Token == "" {
		return "", fmt.Errorf("client.js config %q: %v", js, err)
	}
	return cfg.Token, nil
}

// rawResponse is what rawGet read.
type rawResponse struct {
	status int
	header http.Header
	body   []byte
}

// rawGet sends "GET target HTTP/1.1" with target exactly as given (no
// client-side cleaning or escaping) and extra headers, Host defaulting to
// addr, and reads the response.
func rawGet(t testing.TB, addr, target string, headers map[string]string) rawResponse {
	t.Helper()
	r, err := rawRequest(addr, "GET", target, headers)
	if err != nil {
		t.Fatalf("GET %q: %v", target, err)
	}
	return r
}

func rawRequest(addr, method, target string, headers map[string]string) (rawResponse, error) {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return rawResponse{}, err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(waitFor))
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\n", method, target)
	host := addr
	if h, ok := headers["Host"]; ok {
		host = h
	}
	if host != "" {
		fmt.Fprintf(&b, "Host: %s\r\n", host)
	}
	for k, v := range headers {
		if k != "Host" {
			fmt.Fprintf(&b, "%s: %s\r\n", k, v)
		}
	}
	b.WriteString("Connection: close\r\n\r\n")
	if _, err := io.WriteString(c, b.String()); err != nil {
		return rawResponse{}, err
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), &http.Request{Method: method})
	if err != nil {
		return rawResponse{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return rawResponse{}, err
	}
	return rawResponse{status: resp.StatusCode, header: resp.Header, body: body}, nil
}

// sendCustom publishes a custom event over gRPC and returns its seq.
func (d *daemonProc) sendCustom(t testing.TB, event, data string) uint64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	resp, err := hmrdv1.NewHotServiceClient(d.cc).SendCustom(ctx, &hmrdv1.SendCustomRequest{Event: event, Data: data})
	if err != nil {
		t.Fatalf("SendCustom %s: %v", event, err)
	}
	return resp.GetSeq()
}

func (d *daemonProc) status(t testing.TB) *hmrdv1.StatusResponse {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	st, err := d.client.Status(ctx)
	if err != nil {
		t.Fatalf("status: %v", err)
	}
	return st
}

func (d *daemonProc) head(t testing.TB) uint64 {
	t.Helper()
	st := d.status(t)
	if len(st.GetProjects()) == 0 {
		t.Fatal("no projects")
	}
	return st.GetProjects()[0].GetProject().GetHeadSeq()
}

// waitCond polls cond until it holds, for state only observable by asking
// (status, the graph, /proc); it fails the test after within.
func waitCond(t testing.TB, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", within, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// stream is one subscription's events in arrival order.
type stream struct {
	t      testing.TB
	events chan *hmrdv1.Event
	// end is closed when the stream ends; endErr says how.
	end    chan struct{}
	endErr error
	stop   func()
}

// next returns the next event that is not a heartbeat within d.
func (s *stream) next(d time.Duration) *hmrdv1.Event {
	s.t.Helper()
	deadline := time.After(d)
	for {
		select {
		case ev := <-s.events:
			if ev.GetHeartbeat() != nil {
				continue
			}
			return ev
		case <-s.end:
			// Drain what arrived before the end.
			select {
			case ev := <-s.events:
				if ev.GetHeartbeat() == nil {
					return ev
				}
				continue
			default:
			}
			s.t.Fatalf("stream ended: %v", s.endErr)
			return nil
		case <-deadline:
			s.t.Fatalf("no event within %v", d)
			return nil
		}
	}
}

// until returns the events up to and including the first one match
// accepts, failing after d.
func (s *stream) until(d time.Duration, match func(*hmrdv1.Event) bool) []*hmrdv1.Event {
	s.t.Helper()
	deadline := time.Now().Add(d)
	var got []*hmrdv1.Event
	for {
		left := time.Until(deadline)
		if left <= 0 {
			s.t.Fatalf("no matching event within %v; got %s", d, describeAll(got))
		}
		ev := s.next(left)
		got = append(got, ev)
		if match(ev) {
			return got
		}
	}
}

// none asserts that no signal arrives within window: the bounded check
// that a step is silent.
func (s *stream) none(window time.Duration) {
	s.t.Helper()
	deadline := time.After(window)
	for {
		select {
		case ev := <-s.events:
			if ev.GetHeartbeat() != nil {
				continue
			}
			s.t.Fatalf("unexpected signal: %s", hmrdclient.Describe(ev))
		case <-s.end:
			s.t.Fatalf("stream ended: %v", s.endErr)
		case <-deadline:
			return
		}
	}
}

// ended waits for the stream to end and returns how.
func (s *stream) ended(d time.Duration) error {
	s.t.Helper()
	select {
	case <-s.end:
		return s.endErr
	case <-time.After(d):
		s.t.Fatalf("stream did not end within %v", d)
		return nil
	}
}

func describeAll(evs []*hmrdv1.Event) string {
	var s []string
	for _, ev := range evs {
		s = append(s, fmt.Sprintf("#%d %s", ev.GetSeq(), hmrdclient.Describe(ev)))
	}
	return "[" + strings.Join(s, "; ") + "]"
}

// subscribeGRPC opens one raw Subscribe stream (no client library, no
// resume): what the daemon sends, exactly.
func (d *daemonProc) subscribeGRPC(t testing.TB, req *hmrdv1.SubscribeRequest) *stream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	st, err := hmrdv1.NewHotServiceClient(d.cc).Subscribe(ctx, req)
	if err != nil {
		cancel()
		t.Fatalf("subscribe: %v", err)
	}
	s := &stream{t: t, events: make(chan *hmrdv1.Event, 8192), end: make(chan struct{}), stop: cancel}
	go func() {
		defer close(s.end)
		for {
			resp, err := st.Recv()
			if err != nil {
				s.endErr = err
				return
			}
			s.events <- resp.GetEvent()
		}
	}()
	t.Cleanup(cancel)
	return s
}

// wsURL is the bridge URL with the token and a resume point.
func (d *daemonProc) wsURL(epoch string, seq uint64) string {
	return wsURL(d.httpAddr, d.token, epoch, seq)
}

func wsURL(addr, token, epoch string, seq uint64) string {
	u := "ws://" + addr + "/@hmrd/ws?token=" + token
	if epoch != "" {
		u += "&epoch=" + epoch + "&seq=" + strconv.FormatUint(seq, 10)
	}
	return u
}

// dialWS opens a WebSocket to the bridge as a page of the dev server's
// origin does.
func dialWS(ctx context.Context, addr, url string, header http.Header) (*websocket.Conn, *http.Response, error) {
	if header == nil {
		header = http.Header{"Origin": {"http://" + addr}}
	}
	c, resp, err := websocket.Dial(ctx, url, &websocket.DialOptions{
		Subprotocols: []string{"hmrd.v1"},
		HTTPHeader:   header,
		HTTPClient:   &http.Client{Transport: &http.Transport{DisableKeepAlives: true}},
	})
	if err != nil {
		return nil, resp, err
	}
	c.SetReadLimit(64 << 20)
	return c, resp, nil
}

// subscribeWS opens one WebSocket stream (no resume).
func (d *daemonProc) subscribeWS(t testing.TB, epoch string, seq uint64) *stream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	dctx, dcancel := context.WithTimeout(ctx, waitFor)
	defer dcancel()
	c, _, err := dialWS(dctx, d.httpAddr, d.wsURL(epoch, seq), nil)
	if err != nil {
		cancel()
		t.Fatalf("websocket: %v", err)
	}
	s := &stream{t: t, events: make(chan *hmrdv1.Event, 8192), end: make(chan struct{}), stop: func() {
		cancel()
		c.CloseNow()
	}}
	go func() {
		defer close(s.end)
		for {
			ev, err := readWSEvent(ctx, c)
			if err != nil {
				s.endErr = err
				return
			}
			s.events <- ev
		}
	}()
	t.Cleanup(s.stop)
	return s
}

func readWSEvent(ctx context.Context, c *websocket.Conn) (*hmrdv1.Event, error) {
	_, data, err := c.Read(ctx)
	if err != nil {
		return nil, err
	}
	ev := &hmrdv1.Event{}
	if err := protojson.Unmarshal(data, ev); err != nil {
		return nil, fmt.Errorf("frame is not a protojson Event: %w: %.200s", err, data)
	}
	return ev, nil
}

// isResync reports a FullReload{RESYNC}.
func isResync(ev *hmrdv1.Event) bool {
	return ev.GetFullReload().GetCause() == hmrdv1.FullReloadCause_FULL_RELOAD_CAUSE_RESYNC
}

func isRescan(ev *hmrdv1.Event) bool {
	return ev.GetFullReload().GetCause() == hmrdv1.FullReloadCause_FULL_RELOAD_CAUSE_RESCAN
}

func isUpdateOf(path string) func(*hmrdv1.Event) bool {
	return func(ev *hmrdv1.Event) bool {
		for _, u := range ev.GetUpdate().GetUpdates() {
			if u.GetPath() == path {
				return true
			}
		}
		return false
	}
}

// rssKiB reads VmRSS of pid from /proc.
func rssKiB(t testing.TB, pid int) int64 {
	t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Fatalf("no VmRSS in /proc/%d/status", pid)
	return 0
}

// graph returns the project's module graph (StreamGraph, through the Go
// client).
func (d *daemonProc) graph(t testing.TB) *hmrdv1.GetGraphResponse {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	g, err := d.client.GetGraph(ctx, "")
	if err != nil {
		t.Fatalf("graph: %v", err)
	}
	return g
}

// waitLive waits until every module in ids is in the graph and live.
func (d *daemonProc) waitLive(t testing.TB, ids ...string) {
	t.Helper()
	waitCond(t, waitFor, fmt.Sprintf("%v live in the graph", ids), func() bool {
		live := map[string]bool{}
		for _, m := range d.graph(t).GetModules() {
			live[m.GetId()] = m.GetLive()
		}
		for _, id := range ids {
			if !live[id] {
				return false
			}
		}
		return true
	})
}

// sync publishes a custom event and reads s up to it: everything the
// daemon published before has then been received (and is dropped).
func (d *daemonProc) sync(t testing.TB, s *stream) []*hmrdv1.Event {
	t.Helper()
	seq := d.sendCustom(t, "sync", "")
	return s.until(waitFor, func(ev *hmrdv1.Event) bool { return ev.GetSeq() == seq && ev.GetCustom() != nil })
}
