package devserver

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/hmrd/hmrd/internal/broadcast"
	"github.com/hmrd/hmrd/internal/control"
	"github.com/hmrd/hmrd/internal/engine"
	"github.com/hmrd/hmrd/internal/transport/httpguard"
)

// errFake is what the fake service answers for everything but ServeModule.
var errFake = errors.New("fake service: not implemented")

// fakeModule is what the fake graph knows about one module.
type fakeModule struct {
	kind    string
	version int64
	targets map[string]engine.ImportTarget
}

// fakeService implements control.Service over an in-memory graph: just
// ServeModule, recording each call.
type fakeService struct {
	mu      sync.Mutex
	modules map[string]fakeModule
	calls   []fakeCall
	err     error // returned by ServeModule when set
	reloads []string
	graph   *engine.Snapshot // returned by Graph when set
	// reloaded, when set, receives each Reload's reason.
	reloaded chan string
}

type fakeCall struct {
	project, id string
	specs       []string
}

var _ control.Service = (*fakeService)(nil)

func newFakeService() *fakeService { return &fakeService{modules: map[string]fakeModule{}} }

func (f *fakeService) add(id, kind string, version int64, targets map[string]engine.ImportTarget) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.modules[id] = fakeModule{kind: kind, version: version, targets: targets}
}

func (f *fakeService) callsFor(id string) []fakeCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []fakeCall
	for _, c := range f.calls {
		if c.id == id {
			out = append(out, c)
		}
	}
	return out
}

func (f *fakeService) ServeModule(_ context.Context, project, id string, specs []string) (engine.ServeInfo, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, fakeCall{project, id, slices.Clone(specs)})
	if f.err != nil {
		return engine.ServeInfo{}, false, f.err
	}
	m, ok := f.modules[id]
	if !ok {
		return engine.ServeInfo{}, false, nil
	}
	info := engine.ServeInfo{ID: id, Kind: m.kind, Version: m.version, Targets: make([]engine.ImportTarget, len(specs))}
	for i, s := range specs {
		info.Targets[i] = m.targets[s]
	}
	return info, true, nil
}

func (f *fakeService) Subscribe(context.Context, string, broadcast.SubscribeOptions, []string) (*broadcast.Subscription, error) {
	return nil, errFake
}
func (f *fakeService) Invalidate(context.Context, string, string, string) (uint64, error) {
	return 0, errFake
}
func (f *fakeService) ReportLoaded(context.Context, string, []string) ([]string, error) {
	return nil, errFake
}
func (f *fakeService) SendCustom(context.Context, string, string, string, string) (uint64, error) {
	return 0, errFake
}
func (f *fakeService) AddProject(context.Context, string, string, []string, control.DevServer) (control.ProjectInfo, error) {
	return control.ProjectInfo{}, errFake
}
func (f *fakeService) RemoveProject(context.Context, string) error        { return errFake }
func (f *fakeService) ListProjects(context.Context) []control.ProjectInfo { return nil }
func (f *fakeService) Explain(context.Context, string, string) (engine.Explanation, error) {
	return engine.Explanation{}, errFake
}
func (f *fakeService) Graph(context.Context, string) (*engine.Snapshot, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.graph == nil {
		return nil, errFake
	}
	return f.graph, nil
}
func (f *fakeService) Status(context.Context) control.Status { return control.Status{} }
func (f *fakeService) Compile(context.Context, string, string, []byte) ([]byte, *engine.ModuleError, error) {
	return nil, nil, errFake
}
func (f *fakeService) Register(context.Context, string, control.RegisterOptions) (control.Registration, error) {
	return nil, errFake
}

func (f *fakeService) Reload(_ context.Context, _, reason string) (uint64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reloads = append(f.reloads, reason)
	if f.reloaded != nil {
		f.reloaded <- reason
	}
	return uint64(len(f.reloads)), nil
}

// engineService adapts a real engine.Project: ServeModule as the daemon
// does it (ServeInfo, then MarkLoaded), serialised because a Project is
// single-goroutine.
type engineService struct {
	*fakeService
	mu sync.Mutex
	p  *engine.Project
}

func (e *engineService) ServeModule(_ context.Context, _, id string, specs []string) (engine.ServeInfo, bool, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	info, ok := e.p.ServeInfo(id, specs)
	if ok {
		e.p.MarkLoaded(info.ID)
	}
	return info, ok, nil
}

// testClient and testModule stand in for the runtime tests inject: its
// entry and a module the entry imports. The runtime's other files are not
// served.
const (
	testClient = "import { hot } from './hot-context.js';\nexport function createHotContext(id) { return hot(id); }\n"
	testModule = "export function hot(id) { return {}; }\n"
)

var testRuntime = fstest.MapFS{
	"client.js":           {Data: []byte(testClient)},
	"hot-context.js":      {Data: []byte(testModule)},
	"hot.d.ts":            {Data: []byte("export {};\n")},
	"tsconfig.json":       {Data: []byte("{}\n")},
	"test/client.test.js": {Data: []byte("CANARY_TEST\n")},
}

// fixture is a project tree served on a real loopback socket.
type fixture struct {
	parent string // the temp dir holding the root (and files outside it)
	root   string
	addr   string // 127.0.0.1:port
	srv    *Server
	guard  *httpguard.Guard
}

// newFixture writes files (paths relative to the root; a "../" prefix
// writes next to it) and serves the root with svc.
func newFixture(t *testing.T, svc control.Service, files map[string]string) *fixture {
	t.Helper()
	parent, root := newTree(t, files)
	return serveTree(t, svc, parent, root)
}

// newTree writes files below a new root and returns the root and the
// directory holding it (both symlink-free).
func newTree(t *testing.T, files map[string]string) (parent, root string) {
	t.Helper()
	parent, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	root = filepath.Join(parent, "proj")
	if err := os.Mkdir(root, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFiles(t, root, files)
	return parent, root
}

// serveTree serves root with svc on a real loopback socket.
func serveTree(t *testing.T, svc control.Service, parent, root string) *fixture {
	t.Helper()
	guard, err := httpguard.New(httpguard.Options{Token: "tok-123"})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := New(svc, Options{Project: "demo", Root: root, Guard: guard, Runtime: testRuntime, Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewUnstartedServer(srv)
	hs.Listener.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs.Listener = ln
	hs.Start()
	t.Cleanup(func() {
		hs.Close()
		srv.Close()
	})
	return &fixture{parent: parent, root: root, addr: ln.Addr().String(), srv: srv, guard: guard}
}

func writeFiles(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if target, ok := strings.CutPrefix(content, "symlink:"); ok {
			if err := os.Symlink(target, p); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// testLogger sends the server's log to the test log.
func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// response is a response read off the wire.
type response struct {
	status int
	header http.Header
	body   string
}

// raw sends one request exactly as written (request-target and headers
// are not normalised by any client) and reads the response.
func (f *fixture) raw(t *testing.T, method, target string, header ...string) response {
	t.Helper()
	conn, err := net.Dial("tcp", f.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	hasHost := false
	for _, h := range header {
		if strings.HasPrefix(strings.ToLower(h), "host:") {
			hasHost = true
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\n", method, target)
	if !hasHost {
		fmt.Fprintf(&b, "Host: %s\r\n", f.addr)
	}
	for _, h := range header {
		b.WriteString(h + "\r\n")
	}
	b.WriteString("Connection: close\r\n\r\n")
	if _, err := io.WriteString(conn, b.String()); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(method, "http://"+f.addr+"/", nil)
	resp, err := http.ReadResponse(bufio.NewReader(conn), req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{resp.StatusCode, resp.Header, string(body)}
}

// get is a plain GET with the server's own Host.
func (f *fixture) get(t *testing.T, target string, header ...string) response {
	t.Helper()
	return f.raw(t, "GET", target, header...)
}
