package daemon_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	reflectionpb "google.golang.org/grpc/reflection/grpc_reflection_v1"
	"google.golang.org/grpc/status"

	"github.com/hmrd/hmrd/daemon"
	hmrdv1 "github.com/hmrd/hmrd/proto/hmrd/v1"
)

// testDaemon runs a daemon on a temp socket over a small project.
type testDaemon struct {
	d      *daemon.Daemon
	socket string
	root   string
	conn   *grpc.ClientConn
	hot    hmrdv1.HotServiceClient
	proj   hmrdv1.ProjectServiceClient
	admin  hmrdv1.AdminServiceClient
}

func shortTemp(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "hmrd")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	real, _ := filepath.EvalSymlinks(dir)
	return real
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func startDaemon(t *testing.T, mutate func(*daemon.Config)) *testDaemon {
	t.Helper()
	tmp := shortTemp(t)
	root := filepath.Join(tmp, "app")
	writeFile(t, filepath.Join(root, "index.html"), `<script type="module" src="/src/main.js"></script>`)
	writeFile(t, filepath.Join(root, "src/main.js"), "import './app.js'\n")
	writeFile(t, filepath.Join(root, "src/app.js"), "import { n } from './dep.js'\nexport const x = n\nimport.meta.hot.accept()\n")
	writeFile(t, filepath.Join(root, "src/dep.js"), "export const n = 1\n")
	cfg := daemon.Config{Roots: []string{root}, Socket: filepath.Join(tmp, "s"), HTTPAddr: "off"}
	if mutate != nil {
		mutate(&cfg)
	}
	d, err := daemon.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- d.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-errc:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(15 * time.Second):
			t.Errorf("Run did not return within 15s of cancel")
		}
	})
	select {
	case <-d.Ready():
	case err := <-errc:
		t.Fatalf("Run: %v", err)
	case <-time.After(20 * time.Second):
		t.Fatal("daemon not ready after 20s")
	}
	conn, err := grpc.NewClient("unix://"+cfg.Socket, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return &testDaemon{d: d, socket: cfg.Socket, root: root, conn: conn,
		hot: hmrdv1.NewHotServiceClient(conn), proj: hmrdv1.NewProjectServiceClient(conn), admin: hmrdv1.NewAdminServiceClient(conn)}
}

func recvEvent(t *testing.T, s hmrdv1.HotService_SubscribeClient) *hmrdv1.Event {
	t.Helper()
	for {
		resp, err := s.Recv()
		if err != nil {
			t.Fatalf("recv: %v", err)
		}
		if resp.Event.GetHeartbeat() == nil {
			return resp.Event
		}
	}
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestEditSignalsUpdate(t *testing.T) {
	td := startDaemon(t, nil)
	ctx := ctxT(t)
	sub, err := td.hot.Subscribe(ctx, &hmrdv1.SubscribeRequest{Client: &hmrdv1.ClientInfo{Name: "test"}})
	if err != nil {
		t.Fatal(err)
	}
	hello := recvEvent(t, sub).GetHello()
	if hello == nil || hello.ProtocolVersion != 1 || hello.Epoch != td.d.Epoch() {
		t.Fatalf("hello = %v", hello)
	}
	writeFile(t, filepath.Join(td.root, "src/dep.js"), "export const n = 2\n")
	ev := recvEvent(t, sub)
	u := ev.GetUpdate()
	if u == nil || len(u.Updates) != 1 || u.Updates[0].Path != "/src/app.js" || u.Updates[0].AcceptedPath != "/src/app.js" {
		t.Fatalf("want update of /src/app.js, got %v", ev)
	}
	if ev.Seq != 1 || ev.Version == 0 || u.Versions["/src/dep.js"] != ev.Version {
		t.Fatalf("seq/version wrong: %v", ev)
	}
	ex, err := td.proj.Explain(ctx, &hmrdv1.ExplainRequest{Module: "src/dep.js"})
	if err != nil {
		t.Fatal(err)
	}
	if len(ex.Updates) != 1 || ex.Updates[0].Path != "/src/app.js" {
		t.Fatalf("explain = %v", ex)
	}
	st, err := td.admin.Status(ctx, &hmrdv1.StatusRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Projects) != 1 || st.Projects[0].Project.HeadSeq != 1 || st.Projects[0].LastSignal.GetUpdate() == nil || len(st.Subscribers) != 1 {
		t.Fatalf("status = %v", st)
	}
}

// Disconnect at seq S, publish 100 more, reconnect: exactly S+1..S+100.
func TestResumeReplaysExactlyTheMissedSignals(t *testing.T) {
	td := startDaemon(t, nil)
	ctx := ctxT(t)
	for i := 0; i < 5; i++ {
		if _, err := td.hot.SendCustom(ctx, &hmrdv1.SendCustomRequest{Event: "x", Data: fmt.Sprint(i)}); err != nil {
			t.Fatal(err)
		}
	}
	subCtx, cancel := context.WithCancel(ctx)
	sub, _ := td.hot.Subscribe(subCtx, &hmrdv1.SubscribeRequest{})
	hello := recvEvent(t, sub).GetHello()
	if hello.HeadSeq != 5 {
		t.Fatalf("head = %d, want 5", hello.HeadSeq)
	}
	cancel()
	const S = 5
	for i := 0; i < 100; i++ {
		if _, err := td.hot.SendCustom(ctx, &hmrdv1.SendCustomRequest{Event: "x", Data: fmt.Sprint(S + i)}); err != nil {
			t.Fatal(err)
		}
	}
	sub, err := td.hot.Subscribe(ctx, &hmrdv1.SubscribeRequest{FromSeq: S, Epoch: hello.Epoch})
	if err != nil {
		t.Fatal(err)
	}
	if h := recvEvent(t, sub).GetHello(); !h.Resumed {
		t.Fatalf("hello not resumed: %v", h)
	}
	for want := uint64(S + 1); want <= S+100; want++ {
		ev := recvEvent(t, sub)
		if ev.Seq != want || ev.GetCustom() == nil {
			t.Fatalf("got seq %d (%v), want %d", ev.Seq, ev, want)
		}
	}
	// And then live.
	td.hot.SendCustom(ctx, &hmrdv1.SendCustomRequest{Event: "live"})
	if ev := recvEvent(t, sub); ev.Seq != S+101 || ev.GetCustom().GetEvent() != "live" {
		t.Fatalf("live event = %v", ev)
	}
}

func TestResumeFromCompactedOrForeignEpochResyncs(t *testing.T) {
	td := startDaemon(t, func(c *daemon.Config) { c.History = 10 })
	ctx := ctxT(t)
	for i := 0; i < 30; i++ {
		td.hot.SendCustom(ctx, &hmrdv1.SendCustomRequest{Event: "x"})
	}
	for _, tc := range []struct {
		name string
		req  *hmrdv1.SubscribeRequest
	}{
		{"compacted", &hmrdv1.SubscribeRequest{FromSeq: 3, Epoch: td.d.Epoch()}},
		{"foreign epoch", &hmrdv1.SubscribeRequest{FromSeq: 30, Epoch: "0123456789abcdef"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sub, err := td.hot.Subscribe(ctx, tc.req)
			if err != nil {
				t.Fatal(err)
			}
			if h := recvEvent(t, sub).GetHello(); h == nil || h.Resumed {
				t.Fatalf("hello = %v", h)
			}
			ev := recvEvent(t, sub)
			if fr := ev.GetFullReload(); fr == nil || fr.Cause != hmrdv1.FullReloadCause_FULL_RELOAD_CAUSE_RESYNC || fr.Reason == "" {
				t.Fatalf("want one resync full reload, got %v", ev)
			}
			td.hot.SendCustom(ctx, &hmrdv1.SendCustomRequest{Event: "live"})
			if ev := recvEvent(t, sub); ev.GetCustom().GetEvent() != "live" {
				t.Fatalf("then live: got %v", ev)
			}
		})
	}
}

// A subscriber that never reads is cut off with a reason while 50 healthy
// subscribers receive every event in order.
func TestSlowSubscriberIsCutOffOthersGetEverything(t *testing.T) {
	td := startDaemon(t, func(c *daemon.Config) { c.History = 8192 })
	ctx := ctxT(t)
	// The slow one has its own connection with fixed 64 KiB flow-control
	// windows: gRPC's dynamic windows could otherwise absorb the whole run
	// in the client's buffers before the daemon's queue ever fills.
	slowConn, err := grpc.NewClient("unix://"+td.socket, grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithInitialWindowSize(64<<10), grpc.WithInitialConnWindowSize(64<<10))
	if err != nil {
		t.Fatal(err)
	}
	defer slowConn.Close()
	slow, err := hmrdv1.NewHotServiceClient(slowConn).Subscribe(ctx, &hmrdv1.SubscribeRequest{Client: &hmrdv1.ClientInfo{Name: "slow"}})
	if err != nil {
		t.Fatal(err)
	}
	recvEvent(t, slow) // hello: it is registered
	const healthy, events = 50, 3000
	var wg sync.WaitGroup
	errs := make(chan error, healthy)
	ready := make(chan struct{}, healthy)
	// progress[i] is the last seq subscriber i read; tick wakes the
	// publisher, which keeps at most a window of events ahead of the
	// slowest healthy reader: healthy means "keeps up", and on two cores
	// under the race detector 50 readers need a little pacing to.
	progress := make([]atomic.Uint64, healthy)
	tick := make(chan struct{}, 1)
	for i := 0; i < healthy; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := td.hot.Subscribe(ctx, &hmrdv1.SubscribeRequest{})
			if err != nil {
				errs <- err
				return
			}
			if _, err := s.Recv(); err != nil { // hello
				errs <- err
				return
			}
			ready <- struct{}{}
			for want := uint64(1); want <= events; {
				resp, err := s.Recv()
				if err != nil {
					errs <- fmt.Errorf("healthy subscriber at seq %d: %w", want, err)
					return
				}
				if resp.Event.GetHeartbeat() != nil {
					continue
				}
				if resp.Event.Seq != want {
					errs <- fmt.Errorf("healthy subscriber got seq %d, want %d", resp.Event.Seq, want)
					return
				}
				progress[i].Store(want)
				select {
				case tick <- struct{}{}:
				default:
				}
				want++
			}
		}()
	}
	for i := 0; i < healthy; i++ {
		select {
		case <-ready:
		case err := <-errs:
			t.Fatal(err)
		}
	}
	slowest := func() uint64 {
		m := uint64(events)
		for i := range progress {
			m = min(m, progress[i].Load())
		}
		return m
	}
	data := fmt.Sprintf("%q", strings.Repeat("x", 1000))
	for i := uint64(1); i <= events; i++ {
		for i > slowest()+128 {
			select {
			case <-tick:
			case err := <-errs:
				t.Fatal(err)
			case <-ctx.Done():
				t.Fatalf("healthy subscribers stalled at seq %d", slowest())
			}
		}
		if _, err := td.hot.SendCustom(ctx, &hmrdv1.SendCustomRequest{Event: "load", Data: data}); err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	// Now the slow one reads: it gets what was queued, then the reason.
	var last uint64
	for {
		resp, err := slow.Recv()
		if err != nil {
			if status.Code(err) != codes.ResourceExhausted || !strings.Contains(err.Error(), "cut off") {
				t.Fatalf("slow subscriber ended with %v, want RESOURCE_EXHAUSTED naming the cut-off", err)
			}
			t.Logf("slow subscriber: %v (after seq %d)", err, last)
			break
		}
		last = resp.Event.Seq
	}
	if last >= events {
		t.Fatalf("slow subscriber read everything (%d): it was never cut off", last)
	}
}

// Custom event data is checked once, by the daemon, for every transport.
func TestSendCustomRefusesInvalidJSON(t *testing.T) {
	td := startDaemon(t, nil)
	_, err := td.hot.SendCustom(ctxT(t), &hmrdv1.SendCustomRequest{Event: "x", Data: "{nope"})
	if status.Code(err) != codes.InvalidArgument {
		t.Fatalf("invalid JSON data: %v, want INVALID_ARGUMENT", err)
	}
}

func TestHealthAndReflection(t *testing.T) {
	td := startDaemon(t, nil)
	ctx := ctxT(t)
	h, err := healthpb.NewHealthClient(td.conn).Check(ctx, &healthpb.HealthCheckRequest{Service: "hmrd.v1.HotService"})
	if err != nil || h.Status != healthpb.HealthCheckResponse_SERVING {
		t.Fatalf("health = %v, %v", h, err)
	}
	rc, err := reflectionpb.NewServerReflectionClient(td.conn).ServerReflectionInfo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rc.Send(&reflectionpb.ServerReflectionRequest{MessageRequest: &reflectionpb.ServerReflectionRequest_ListServices{}})
	resp, err := rc.Recv()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, s := range resp.GetListServicesResponse().GetService() {
		got[s.Name] = true
	}
	for _, want := range []string{"hmrd.v1.HotService", "hmrd.v1.ProjectService", "hmrd.v1.AdminService", "grpc.health.v1.Health"} {
		if !got[want] {
			t.Errorf("reflection does not list %s (got %v)", want, got)
		}
	}
	rc.Send(&reflectionpb.ServerReflectionRequest{MessageRequest: &reflectionpb.ServerReflectionRequest_FileContainingSymbol{FileContainingSymbol: "hmrd.v1.Event"}})
	resp, err = rc.Recv()
	if err != nil || len(resp.GetFileDescriptorResponse().GetFileDescriptorProto()) == 0 {
		t.Fatalf("reflection has no descriptor for hmrd.v1.Event: %v %v", resp, err)
	}
}

func TestProjectsAddListRemove(t *testing.T) {
	td := startDaemon(t, nil)
	ctx := ctxT(t)
	other := filepath.Join(shortTemp(t), "web")
	writeFile(t, filepath.Join(other, "index.html"), `<script type="module" src="/m.js"></script>`)
	writeFile(t, filepath.Join(other, "m.js"), "export {}\n")
	added, err := td.proj.AddProject(ctx, &hmrdv1.AddProjectRequest{Root: other})
	if err != nil {
		t.Fatal(err)
	}
	if added.Project.Name != "web" || added.Project.Modules == 0 {
		t.Fatalf("added = %v", added)
	}
	if _, err := td.proj.AddProject(ctx, &hmrdv1.AddProjectRequest{Root: other}); status.Code(err) != codes.InvalidArgument {
		t.Fatalf("adding twice: %v", err)
	}
	// Two projects: an empty project name is ambiguous.
	if _, err := td.proj.Explain(ctx, &hmrdv1.ExplainRequest{Module: "/m.js"}); status.Code(err) != codes.InvalidArgument {
		t.Fatalf("ambiguous project: %v", err)
	}
	list, _ := td.proj.ListProjects(ctx, &hmrdv1.ListProjectsRequest{})
	if len(list.Projects) != 2 {
		t.Fatalf("list = %v", list)
	}
	sub, _ := td.hot.Subscribe(ctx, &hmrdv1.SubscribeRequest{Project: "web"})
	recvEvent(t, sub)
	if _, err := td.proj.RemoveProject(ctx, &hmrdv1.RemoveProjectRequest{Project: "web"}); err != nil {
		t.Fatal(err)
	}
	if _, err := sub.Recv(); status.Code(err) != codes.NotFound {
		t.Fatalf("stream of a removed project ended with %v, want NOT_FOUND", err)
	}
	if _, err := td.proj.GetGraph(ctx, &hmrdv1.GetGraphRequest{Project: "web"}); status.Code(err) != codes.NotFound {
		t.Fatalf("graph of a removed project: %v", err)
	}
}

func TestStaleSocketIsReplacedLiveOneRefused(t *testing.T) {
	td := startDaemon(t, nil)
	// A second daemon on the same live socket must refuse.
	d2, err := daemon.New(daemon.Config{Roots: []string{td.root}, Socket: td.socket, HTTPAddr: "off"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := d2.Run(ctx); err == nil {
		t.Fatal("second daemon on a live socket started")
	}
}

// A SendCustom whose caller has already given up (its deadline passed) is
// not published: the caller is told it failed, so subscribers must not see
// the event either.
func TestSendCustomPastDeadlineNotPublished(t *testing.T) {
	td := startDaemon(t, nil)
	svc := td.d.Service()
	head := func() uint64 {
		ps := svc.ListProjects(ctxT(t))
		if len(ps) != 1 {
			t.Fatalf("projects = %v", ps)
		}
		return ps[0].HeadSeq
	}
	before := head()
	ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	seq, err := svc.SendCustom(ctx, "", "late", `{"x":1}`, "")
	if err == nil || seq != 0 {
		t.Fatalf("SendCustom past its deadline = %d, %v; want an error", seq, err)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("SendCustom past its deadline: %v, want context.DeadlineExceeded", err)
	}
	if after := head(); after != before {
		t.Fatalf("head seq moved from %d to %d: the late event was published", before, after)
	}
	// A live call still publishes.
	if seq, err := svc.SendCustom(ctxT(t), "", "ok", "", ""); err != nil || seq != before+1 {
		t.Fatalf("SendCustom = %d, %v; want seq %d", seq, err, before+1)
	}
}
