package hmrdclient_test

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/hmrd/hmrd/clients/go/hmrdclient"
	"github.com/hmrd/hmrd/clients/go/hmrdtest"
	hmrdv1 "github.com/hmrd/hmrd/proto/hmrd/v1"
)

// socketPath is a socket path in a test directory, short enough for the
// 108-byte sun_path limit even under long test names.
func socketPath(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "d.sock")
	if len(p) < 100 {
		return p
	}
	dir, err := os.MkdirTemp("", "hmrd")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return filepath.Join(dir, "d.sock")
}

// transports runs a test on a unix socket and on loopback TCP; addr is
// what to listen on.
var transports = []struct {
	name    string
	network string
	addr    func(t *testing.T) string
}{
	{"unix", "unix", socketPath},
	{"tcp", "tcp", func(*testing.T) string { return "127.0.0.1:0" }},
}

// serve starts d on network/addr and stops it at the end of the test.
func serve(t *testing.T, d *hmrdtest.Daemon, network, addr string) *hmrdtest.Server {
	t.Helper()
	srv, err := d.Serve(network, addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	return srv
}

func dial(t *testing.T, target string, opts ...hmrdclient.Option) *hmrdclient.Client {
	t.Helper()
	c, err := hmrdclient.Dial(context.Background(), target, opts...)
	if err != nil {
		t.Fatalf("Dial(%q): %v", target, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// testCtx bounds a test's waits: a hang fails after a few seconds instead
// of at the go test timeout.
func testCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestControlRoundTrip(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			ctx := testCtx(t)
			d := hmrdtest.New("e1")
			d.AddProject(&hmrdv1.Project{Name: "app", Root: "/srv/app", Modules: 3})
			srv := serve(t, d, tr.network, tr.addr(t))
			c := dial(t, srv.Target())
			if c.Network() != tr.network {
				t.Errorf("Network() = %q, want %q", c.Network(), tr.network)
			}

			p, err := c.AddProject(ctx, &hmrdv1.AddProjectRequest{Root: "/srv/web", Entries: []string{"/main.ts"}})
			if err != nil {
				t.Fatal(err)
			}
			if p.GetName() != "web" || p.GetRoot() != "/srv/web" {
				t.Errorf("AddProject = %v, want web at /srv/web", p)
			}
			ps, err := c.ListProjects(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(ps) != 2 || ps[0].GetName() != "app" || ps[1].GetName() != "web" {
				t.Errorf("ListProjects = %v, want app, web", ps)
			}

			want := &hmrdv1.ExplainResponse{Module: "/src/a.js", Found: true, Live: true,
				Updates: []*hmrdv1.ModuleUpdate{{Type: hmrdv1.UpdateType_UPDATE_TYPE_JS, Path: "/src/a.js", AcceptedPath: "/src/a.js"}}}
			d.SetExplain("app", "/src/a.js", want)
			got, err := c.Explain(ctx, "app", "/src/a.js")
			if err != nil {
				t.Fatal(err)
			}
			if !proto.Equal(got, want) {
				t.Errorf("Explain = %v, want %v", got, want)
			}

			graph := &hmrdv1.GetGraphResponse{Root: "/srv/app", Modules: []*hmrdv1.Module{{Id: "/src/a.js", Kind: "js"}}}
			d.SetGraph("app", graph)
			g, err := c.GetGraph(ctx, "app")
			if err != nil {
				t.Fatal(err)
			}
			if !proto.Equal(g, graph) {
				t.Errorf("GetGraph = %v, want %v", g, graph)
			}

			d.SetInvalidate(func(req *hmrdv1.InvalidateRequest) (*hmrdv1.Event, error) {
				return &hmrdv1.Event{Kind: &hmrdv1.Event_Update{Update: &hmrdv1.Update{FirstInvalidatedBy: req.GetModule()}}}, nil
			})
			inv, err := c.Invalidate(ctx, &hmrdv1.InvalidateRequest{Project: "app", Module: "/src/a.js", Message: "cannot apply"})
			if err != nil {
				t.Fatal(err)
			}
			if inv.GetSeq() != 1 {
				t.Errorf("Invalidate seq = %d, want 1", inv.GetSeq())
			}
			rl, err := c.ReportLoaded(ctx, "app", "/src/a.js", "/src/nope.js")
			if err != nil {
				t.Fatal(err)
			}
			if u := rl.GetUnknown(); len(u) != 1 || u[0] != "/src/nope.js" {
				t.Errorf("ReportLoaded unknown = %v, want [/src/nope.js]", u)
			}
			sc, err := c.SendCustom(ctx, "app", "my:event", `{"n":1}`)
			if err != nil {
				t.Fatal(err)
			}
			if sc.GetSeq() != 2 {
				t.Errorf("SendCustom seq = %d, want 2", sc.GetSeq())
			}

			st, err := c.Status(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if st.GetEpoch() != "e1" || len(st.GetProjects()) != 2 || st.GetProjects()[0].GetProject().GetHeadSeq() != 2 {
				t.Errorf("Status = %v, want epoch e1, 2 projects, app at head 2", st)
			}
			if l := st.GetListeners(); len(l) != 1 || l[0] != srv.Listener() {
				t.Errorf("Status listeners = %v, want [%s]", l, srv.Listener())
			}

			if err := c.RemoveProject(ctx, "web"); err != nil {
				t.Fatal(err)
			}
			if ps, _ := c.ListProjects(ctx); len(ps) != 1 {
				t.Errorf("after RemoveProject: %d projects, want 1", len(ps))
			}

			// The daemon saw exactly what was sent.
			var kinds []string
			for _, m := range d.Requests() {
				kinds = append(kinds, string(m.ProtoReflect().Descriptor().Name()))
			}
			wantKinds := "AddProjectRequest ExplainRequest StreamGraphRequest InvalidateRequest ReportLoadedRequest SendCustomRequest RemoveProjectRequest"
			if strings.Join(kinds, " ") != wantKinds {
				t.Errorf("requests = %v, want %s", kinds, wantKinds)
			}
		})
	}
}

func TestControlErrors(t *testing.T) {
	ctx := testCtx(t)
	d := hmrdtest.New("e1")
	d.AddProject(&hmrdv1.Project{Name: "a", Root: "/a"})
	d.AddProject(&hmrdv1.Project{Name: "b", Root: "/b"})
	c := dial(t, serve(t, d, "unix", socketPath(t)).Target())

	// Two projects: the project cannot be left out; the daemon's message
	// says which exist and comes through unchanged.
	_, err := c.Explain(ctx, "", "/src/x.js")
	if !errors.Is(err, hmrdclient.ErrInvalidArgument) {
		t.Fatalf("Explain without project: %v, want ErrInvalidArgument", err)
	}
	if want := "explain /src/x.js: the daemon has 2 projects (a, b): the request must name one"; err.Error() != want {
		t.Errorf("error = %q, want %q", err, want)
	}
	var e *hmrdclient.Error
	if !errors.As(err, &e) || e.Code != codes.InvalidArgument {
		t.Errorf("errors.As(*Error) code = %v, want InvalidArgument", e)
	}
	if status.Code(err) != codes.InvalidArgument {
		t.Errorf("status.Code = %v, want InvalidArgument", status.Code(err))
	}

	// A daemon message that names the operation itself is not prefixed
	// with it again.
	_, err = c.AddProject(ctx, &hmrdv1.AddProjectRequest{Root: "/a"})
	if want := `add project /a: already watched as project "a"`; err == nil || err.Error() != want {
		t.Errorf("AddProject(/a) = %v, want %q", err, want)
	}

	_, err = c.GetGraph(ctx, "nope")
	if !errors.Is(err, hmrdclient.ErrNotFound) || !strings.Contains(err.Error(), `project "nope"`) {
		t.Errorf("GetGraph(nope) = %v, want ErrNotFound naming the project", err)
	}

	// A cancelled call reports the context, not a gRPC code.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := c.Status(cctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Status(cancelled) = %v, want context.Canceled", err)
	}
}

func TestDialNoDaemon(t *testing.T) {
	dir := filepath.Dir(socketPath(t))
	missing := filepath.Join(dir, "missing.sock")

	// A socket file left behind by a killed daemon: nothing accepts.
	stale := filepath.Join(dir, "stale.sock")
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: stale, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	l.SetUnlinkOnClose(false)
	l.Close()

	// A TCP port nobody listens on (just released).
	tl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedPort := tl.Addr().String()
	tl.Close()

	for _, target := range []string{missing, "unix://" + missing, stale, closedPort} {
		start := time.Now()
		c, err := hmrdclient.Dial(context.Background(), target)
		if err == nil {
			c.Close()
			t.Errorf("Dial(%s) succeeded with no daemon", target)
			continue
		}
		if !errors.Is(err, hmrdclient.ErrNoDaemon) {
			t.Errorf("Dial(%s) = %v, want ErrNoDaemon", target, err)
		}
		if !strings.Contains(err.Error(), "(start one with `hmrd serve`)") {
			t.Errorf("Dial(%s) error %q does not say how to start a daemon", target, err)
		}
		if el := time.Since(start); el > time.Second {
			t.Errorf("Dial(%s) took %v to fail, want fast", target, el)
		}
	}
	var nd *hmrdclient.NoDaemonError
	_, err = hmrdclient.Dial(context.Background(), missing)
	if !errors.As(err, &nd) || nd.Addr != missing || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Dial(missing) = %#v, want *NoDaemonError for %s wrapping ErrNotExist", err, missing)
	}
	if want := "no hmrd daemon at " + missing + " (start one with `hmrd serve`)"; err.Error() != want {
		t.Errorf("error = %q, want %q", err, want)
	}

	// Something that is not a socket is another problem, and says so.
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := hmrdclient.Dial(context.Background(), file); err == nil || errors.Is(err, hmrdclient.ErrNoDaemon) || !strings.Contains(err.Error(), "not a socket") {
		t.Errorf("Dial(regular file) = %v, want a not-a-socket error", err)
	}
}

func TestRPCAfterDaemonGone(t *testing.T) {
	d := hmrdtest.New("e1")
	srv := serve(t, d, "unix", socketPath(t))
	c := dial(t, srv.Target())
	if _, err := c.Status(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	srv.Stop()
	_, err := c.Status(testCtx(t))
	if !errors.Is(err, hmrdclient.ErrNoDaemon) {
		t.Errorf("Status after daemon stopped = %v, want ErrNoDaemon", err)
	}
}

func TestDefaultSocket(t *testing.T) {
	t.Setenv("HMRD_SOCKET", "/x/h.sock")
	t.Setenv("XDG_RUNTIME_DIR", "/run/user/7")
	if got := hmrdclient.DefaultSocket(); got != "/x/h.sock" {
		t.Errorf("with HMRD_SOCKET: %q", got)
	}
	t.Setenv("HMRD_SOCKET", "")
	if got := hmrdclient.DefaultSocket(); got != "/run/user/7/hmrd/hmrd.sock" {
		t.Errorf("with XDG_RUNTIME_DIR: %q", got)
	}
	t.Setenv("XDG_RUNTIME_DIR", "")
	t.Setenv("TMPDIR", "/tmp")
	if got, want := hmrdclient.DefaultSocket(), filepath.Join("/tmp", "hmrd-"+strconv.Itoa(os.Getuid()), "hmrd.sock"); got != want {
		t.Errorf("fallback: %q, want %q", got, want)
	}
}
