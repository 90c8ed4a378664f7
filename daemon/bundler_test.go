package daemon_test

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/hmrd/hmrd/clients/go/hmrdclient"
	"github.com/hmrd/hmrd/daemon"
	hmrdv1 "github.com/hmrd/hmrd/proto/hmrd/v1"
)

// bundlerClient dials td with the Go client.
func bundlerClient(t *testing.T, td *testDaemon) *hmrdclient.Client {
	t.Helper()
	c, err := hmrdclient.Dial(ctxT(t), "unix://"+td.socket)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// subscribed opens a raw subscription and takes its Hello.
func subscribed(t *testing.T, td *testDaemon) hmrdv1.HotService_SubscribeClient {
	t.Helper()
	sub, err := td.hot.Subscribe(ctxT(t), &hmrdv1.SubscribeRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if recvEvent(t, sub).GetHello() == nil {
		t.Fatal("no hello")
	}
	return sub
}

// routesFacts: /src/app.js (accepting itself) imports virtual:routes.
var routesFacts = &hmrdv1.ReportFacts{Modules: []*hmrdv1.ModuleFacts{
	{Id: "/src/app.js", Imports: []*hmrdv1.ImportFact{{Target: "virtual:routes"}, {Target: "/src/dep.js", Bindings: []string{"n"}}}, SelfAccepting: true},
	{Id: "virtual:routes", Virtual: true, Exports: []string{"default"}},
}}

func TestBundlerVirtualChangeReachesItsImporter(t *testing.T) {
	td := startDaemon(t, nil)
	ctx := ctxT(t)
	reg, err := bundlerClient(t, td).Register(ctx, &hmrdv1.RegisterOpen{})
	if err != nil {
		t.Fatal(err)
	}
	defer reg.Close()
	if _, err := reg.ReportFacts(ctx, routesFacts); err != nil {
		t.Fatal(err)
	}
	sub := subscribed(t, td)
	applied, err := reg.ReportChanges(ctx, &hmrdv1.ReportChanges{Changes: []*hmrdv1.Change{{Module: "virtual:routes", Kind: hmrdv1.ChangeKind_CHANGE_KIND_UPDATE}}})
	if err != nil || applied.GetBatch() == 0 {
		t.Fatalf("report changes: %v, %v", applied, err)
	}
	ev := recvEvent(t, sub)
	if u := ev.GetUpdate(); u == nil || len(u.Updates) != 1 || u.Updates[0].Path != "/src/app.js" {
		t.Fatalf("want an update of /src/app.js, got %v", ev)
	}
	want := &hmrdv1.Change{Module: "virtual:routes", Kind: hmrdv1.ChangeKind_CHANGE_KIND_UPDATE}
	if len(ev.Changes) != 1 || !proto.Equal(ev.Changes[0], want) {
		t.Fatalf("changes %v, want %v", ev.Changes, want)
	}
	g, err := td.proj.GetGraph(ctx, &hmrdv1.GetGraphRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if g.HeadSeq != ev.Seq {
		t.Errorf("graph head seq %d, want %d", g.HeadSeq, ev.Seq)
	}
	i := slices.IndexFunc(g.Modules, func(m *hmrdv1.Module) bool { return m.Id == "virtual:routes" })
	if i < 0 || !g.Modules[i].Virtual || g.Modules[i].Registration != reg.Registered.RegistrationId {
		t.Fatalf("graph module virtual:routes: %v", g.Modules)
	}
}

// An edit the watcher sees says which file changed, and how.
func TestEventsCarryChangedFiles(t *testing.T) {
	td := startDaemon(t, nil)
	sub := subscribed(t, td)
	dep := filepath.Join(td.root, "src/dep.js")
	writeFile(t, dep, "export const n = 2\n")
	ev := recvEvent(t, sub)
	want := &hmrdv1.Change{File: dep, Module: "/src/dep.js", Kind: hmrdv1.ChangeKind_CHANGE_KIND_UPDATE}
	if ev.GetUpdate() == nil || len(ev.Changes) != 1 || !proto.Equal(ev.Changes[0], want) {
		t.Fatalf("event %v; want an update whose changes are [%v]", ev, want)
	}
}

// When the registration ends its facts go: the virtual module leaves the
// graph and is pruned; /src/app.js goes back to the scanner.
func TestEndedRegistrationWithdrawsItsFacts(t *testing.T) {
	td := startDaemon(t, nil)
	ctx := ctxT(t)
	reg, err := bundlerClient(t, td).Register(ctx, &hmrdv1.RegisterOpen{Client: &hmrdv1.ClientInfo{Name: "test-bundler"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := reg.ReportFacts(ctx, routesFacts); err != nil {
		t.Fatal(err)
	}
	st, err := td.admin.Status(ctx, &hmrdv1.StatusRequest{})
	if err != nil || len(st.Registrations) != 1 || st.Registrations[0].Modules != 2 || st.Registrations[0].Client.GetName() != "test-bundler" {
		t.Fatalf("status registrations %v, %v", st.GetRegistrations(), err)
	}
	sub := subscribed(t, td)
	reg.Close()
	// A deleted module's importers take the change (they must run again
	// without it), then it is pruned.
	if ev := recvEvent(t, sub); ev.GetUpdate() == nil || ev.GetUpdate().Updates[0].Path != "/src/app.js" {
		t.Fatalf("want /src/app.js updated, got %v", ev)
	}
	ev := recvEvent(t, sub)
	if p := ev.GetPrune(); p == nil || !slices.Equal(p.Paths, []string{"virtual:routes"}) {
		t.Fatalf("want virtual:routes pruned, got %v", ev)
	}
	g, err := td.proj.GetGraph(ctx, &hmrdv1.GetGraphRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range g.Modules {
		if m.Registration != "" || m.Id == "virtual:routes" {
			t.Fatalf("left after the registration ended: %v", m)
		}
	}
	if st, _ := td.admin.Status(ctx, &hmrdv1.StatusRequest{}); len(st.GetRegistrations()) != 0 {
		t.Fatalf("status still lists %v", st.GetRegistrations())
	}
}

// gate registers a rebuild gate with timeout.
func gate(t *testing.T, td *testDaemon, timeout time.Duration) *hmrdclient.Registration {
	t.Helper()
	reg, err := bundlerClient(t, td).Register(ctxT(t), &hmrdv1.RegisterOpen{Gate: true, GateTimeout: durationpb.New(timeout), Client: &hmrdv1.ClientInfo{Name: "gate"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { reg.Close() })
	return reg
}

func nextBatch(t *testing.T, reg *hmrdclient.Registration) *hmrdv1.GateBatch {
	t.Helper()
	select {
	case gb, ok := <-reg.GateBatches():
		if !ok {
			t.Fatalf("registration ended: %v", reg.Err())
		}
		return gb
	case <-ctxT(t).Done():
		t.Fatal("no gate batch")
	}
	return nil
}

// A gate holds the batch's signals until it acknowledges: a custom event
// sent while the batch is held (custom events are not gated) arrives
// first, the update after the acknowledgement, with no note.
func TestGateHoldsSignalsUntilAcknowledged(t *testing.T) {
	td := startDaemon(t, nil)
	reg := gate(t, td, time.Minute)
	sub := subscribed(t, td)
	dep := filepath.Join(td.root, "src/dep.js")
	writeFile(t, dep, "export const n = 2\n")
	gb := nextBatch(t, reg)
	if len(gb.Changes) != 1 || gb.Changes[0].File != dep || !slices.Equal(gb.Signals, []string{"update"}) {
		t.Fatalf("gate batch %v", gb)
	}
	if _, err := td.hot.SendCustom(ctxT(t), &hmrdv1.SendCustomRequest{Event: "marker"}); err != nil {
		t.Fatal(err)
	}
	if ev := recvEvent(t, sub); ev.GetCustom().GetEvent() != "marker" {
		t.Fatalf("first event %v; want the marker, the update being held", ev)
	}
	st, _ := td.admin.Status(ctxT(t), &hmrdv1.StatusRequest{})
	if r := st.GetRegistrations(); len(r) != 1 || !r[0].Gate || r[0].PendingBatches != 1 {
		t.Fatalf("status registrations %v; want one gate with one batch pending", r)
	}
	if err := reg.Ack(gb.Batch); err != nil {
		t.Fatal(err)
	}
	ev := recvEvent(t, sub)
	if ev.GetUpdate() == nil || len(ev.Notes) != 0 || ev.Version != gb.Version {
		t.Fatalf("after the ack: %v; want the update, version %d, without notes", ev, gb.Version)
	}
}

// A gate that never acknowledges holds signals only until its timeout;
// they then go out with a note naming it.
func TestGateTimeoutReleasesWithANote(t *testing.T) {
	td := startDaemon(t, nil)
	reg := gate(t, td, 20*time.Millisecond)
	sub := subscribed(t, td)
	writeFile(t, filepath.Join(td.root, "src/dep.js"), "export const n = 2\n")
	gb := nextBatch(t, reg)
	ev := recvEvent(t, sub)
	if ev.GetUpdate() == nil || len(ev.Notes) != 1 || !strings.Contains(ev.Notes[0], reg.Registered.RegistrationId) || ev.Version != gb.Version {
		t.Fatalf("event %v; want the update with a note naming gate %s", ev, reg.Registered.RegistrationId)
	}
	st, _ := td.admin.Status(ctxT(t), &hmrdv1.StatusRequest{})
	if r := st.GetRegistrations(); len(r) != 1 || r[0].Timeouts != 1 || r[0].PendingBatches != 0 {
		t.Fatalf("status registrations %v; want one timeout, nothing pending", r)
	}
}

// A gate that goes away releases what it held.
func TestGateThatEndsReleases(t *testing.T) {
	td := startDaemon(t, nil)
	reg := gate(t, td, time.Minute)
	sub := subscribed(t, td)
	writeFile(t, filepath.Join(td.root, "src/dep.js"), "export const n = 2\n")
	nextBatch(t, reg)
	reg.Close()
	if ev := recvEvent(t, sub); ev.GetUpdate() == nil || len(ev.Notes) != 0 {
		t.Fatalf("event %v; want the update, released", ev)
	}
}

// A registration for a project that does not exist is NOT_FOUND; a fact
// that does not validate ends the registration with INVALID_ARGUMENT, and
// what it reported before is withdrawn.
func TestRegistrationRefusals(t *testing.T) {
	td := startDaemon(t, nil)
	ctx := ctxT(t)
	c := bundlerClient(t, td)
	if _, err := c.Register(ctx, &hmrdv1.RegisterOpen{Project: "nope"}); status.Code(err) != codes.NotFound {
		t.Errorf("register with an unknown project: %v; want NOT_FOUND", err)
	}
	reg, err := c.Register(ctx, &hmrdv1.RegisterOpen{})
	if err != nil {
		t.Fatal(err)
	}
	defer reg.Close()
	if _, err := reg.ReportFacts(ctx, routesFacts); err != nil {
		t.Fatal(err)
	}
	_, err = reg.ReportFacts(ctx, &hmrdv1.ReportFacts{Modules: []*hmrdv1.ModuleFacts{{Id: ""}}})
	if err == nil {
		t.Fatal("a module without an ID was accepted")
	}
	<-reg.Done()
	if status.Code(reg.Err()) != codes.InvalidArgument {
		t.Errorf("registration ended with %v; want INVALID_ARGUMENT", reg.Err())
	}
	// The daemon withdraws the facts before the stream's status is sent.
	g, err := td.proj.GetGraph(ctx, &hmrdv1.GetGraphRequest{})
	if err != nil || slices.ContainsFunc(g.Modules, func(m *hmrdv1.Module) bool { return m.Id == "virtual:routes" }) {
		t.Fatalf("graph after the refused report: %v, %v; want virtual:routes withdrawn", g.GetModules(), err)
	}
}

// A gate's own timeout is bounded by the daemon's maximum; without one it
// takes the daemon's default.
func TestGateTimeoutBounds(t *testing.T) {
	td := startDaemon(t, func(c *daemon.Config) { c.GateTimeout = 3 * time.Second })
	long := gate(t, td, time.Hour)
	if got := long.Registered.GetGateTimeout().AsDuration(); got != daemon.MaxGateTimeout {
		t.Errorf("gate asking for 1h got %s; want %s", got, daemon.MaxGateTimeout)
	}
	def, err := bundlerClient(t, td).Register(ctxT(t), &hmrdv1.RegisterOpen{Gate: true})
	if err != nil {
		t.Fatal(err)
	}
	defer def.Close()
	if got := def.Registered.GetGateTimeout().AsDuration(); got != 3*time.Second {
		t.Errorf("gate without a timeout got %s; want the daemon's 3s", got)
	}
}

// Signals of the graph published while a batch is held (an invalidate's
// update here) wait behind it: order is kept.
func TestHeldBatchKeepsOrder(t *testing.T) {
	td := startDaemon(t, nil)
	reg := gate(t, td, time.Minute)
	sub := subscribed(t, td)
	writeFile(t, filepath.Join(td.root, "src/dep.js"), "export const n = 2\n")
	gb := nextBatch(t, reg)
	if _, err := td.hot.Invalidate(ctxT(t), &hmrdv1.InvalidateRequest{Module: "/src/app.js"}); err != nil {
		t.Fatal(err)
	}
	if err := reg.Ack(gb.Batch); err != nil {
		t.Fatal(err)
	}
	first, second := recvEvent(t, sub), recvEvent(t, sub)
	if first.GetUpdate() == nil || first.Version != gb.Version || len(first.Changes) != 1 {
		t.Fatalf("first %v; want the held batch's update", first)
	}
	if second.GetUpdate() == nil && second.GetFullReload() == nil || len(second.Changes) != 0 || second.Seq != first.Seq+1 {
		t.Fatalf("second %v; want the invalidate's signal after the batch", second)
	}
}

// Removing the project ends its registrations, with UNAVAILABLE: the
// bundler registers again with what replaces it.
func TestRemovedProjectEndsRegistrations(t *testing.T) {
	td := startDaemon(t, nil)
	reg, err := bundlerClient(t, td).Register(ctxT(t), &hmrdv1.RegisterOpen{Gate: true})
	if err != nil {
		t.Fatal(err)
	}
	defer reg.Close()
	if _, err := td.proj.RemoveProject(ctxT(t), &hmrdv1.RemoveProjectRequest{Project: "app"}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-reg.Done():
	case <-ctxT(t).Done():
		t.Fatal("the registration outlived its project")
	}
	if status.Code(reg.Err()) != codes.Unavailable {
		t.Errorf("registration ended with %v; want UNAVAILABLE", reg.Err())
	}
}
