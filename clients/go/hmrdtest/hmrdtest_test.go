package hmrdtest_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/hmrd/hmrd/clients/go/hmrdclient"
	"github.com/hmrd/hmrd/clients/go/hmrdtest"
	hmrdv1 "github.com/hmrd/hmrd/proto/hmrd/v1"
)

type conn struct {
	hot  hmrdv1.HotServiceClient
	proj hmrdv1.ProjectServiceClient
}

// serve serves d on a free loopback port and dials it.
func serve(t *testing.T, d *hmrdtest.Daemon) conn {
	t.Helper()
	srv, err := d.Serve("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	cc, err := grpc.NewClient(srv.Target(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cc.Close() })
	return conn{hot: hmrdv1.NewHotServiceClient(cc), proj: hmrdv1.NewProjectServiceClient(cc)}
}

func testCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// fill sets every field of m that is not in a oneof to a value that is not
// the zero value; n varies the values. Enums cycle through their values
// other than the zero one.
func fill(m protoreflect.Message, n int) {
	fields := m.Descriptor().Fields()
	for i := range fields.Len() {
		fd := fields.Get(i)
		switch {
		case fd.ContainingOneof() != nil:
		case fd.IsMap():
			mp := m.Mutable(fd).Map()
			for j := range 2 {
				mp.Set(value(fd.MapKey(), n+j).MapKey(), value(fd.MapValue(), n+j))
			}
		case fd.IsList():
			l := m.Mutable(fd).List()
			for j := range 2 {
				if fd.Kind() == protoreflect.MessageKind {
					e := l.NewElement()
					fill(e.Message(), n+j)
					l.Append(e)
				} else {
					l.Append(value(fd, n+j))
				}
			}
		case fd.Kind() == protoreflect.MessageKind:
			fill(m.Mutable(fd).Message(), n)
		default:
			m.Set(fd, value(fd, n))
		}
	}
}

func value(fd protoreflect.FieldDescriptor, n int) protoreflect.Value {
	switch fd.Kind() {
	case protoreflect.StringKind:
		return protoreflect.ValueOfString(fmt.Sprintf("%s-%d", fd.Name(), n))
	case protoreflect.BoolKind:
		return protoreflect.ValueOfBool(true)
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		return protoreflect.ValueOfInt32(int32(n + 7))
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		return protoreflect.ValueOfInt64(int64(n + 7))
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		return protoreflect.ValueOfUint32(uint32(n + 7))
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		return protoreflect.ValueOfUint64(uint64(n + 7))
	case protoreflect.EnumKind:
		vs := fd.Enum().Values()
		return protoreflect.ValueOfEnum(vs.Get(1 + n%(vs.Len()-1)).Number())
	}
	panic(fmt.Sprintf("fill: field %s of kind %s", fd.FullName(), fd.Kind()))
}

// Every field of an explanation and a graph survives the way through the
// engine's types and the daemon's gRPC adapter.
func TestExplainAndGraphRoundTrip(t *testing.T) {
	d := hmrdtest.New("e1")
	d.AddProject(&hmrdv1.Project{Name: "app", Root: "/app"})
	c := serve(t, d)
	ctx := testCtx(t)

	ex := &hmrdv1.ExplainResponse{}
	fill(ex.ProtoReflect(), 0)
	partialAsSent(ex.GetFullReload(), false)
	d.SetExplain("app", "/src/a.js", ex)
	got, err := c.proj.Explain(ctx, &hmrdv1.ExplainRequest{Module: "/src/a.js"})
	if err != nil {
		t.Fatal(err)
	}
	if !proto.Equal(got, ex) {
		t.Errorf("Explain:\ngot  %v\nwant %v", got, ex)
	}
	// A relative path is relative to the root, as the daemon takes it.
	d.SetExplain("app", "/app/src/a.js", ex)
	if got, err := c.proj.Explain(ctx, &hmrdv1.ExplainRequest{Module: "src/a.js"}); err != nil || !proto.Equal(got, ex) {
		t.Errorf("Explain(relative) = %v, %v; want the answer for /app/src/a.js", got, err)
	}

	g := &hmrdv1.GetGraphResponse{}
	fill(g.ProtoReflect(), 0)
	d.SetGraph("app", g)
	if _, err := d.Publish("app", &hmrdv1.Event{Kind: &hmrdv1.Event_Prune{Prune: &hmrdv1.Prune{}}}); err != nil {
		t.Fatal(err)
	}
	g.HeadSeq = 1 // the hub's head, not the one given
	gg, err := c.proj.GetGraph(ctx, &hmrdv1.GetGraphRequest{Project: "app"})
	if err != nil {
		t.Fatal(err)
	}
	if !proto.Equal(gg, g) {
		t.Errorf("GetGraph:\ngot  %v\nwant %v", gg, g)
	}
	stream, err := c.proj.StreamGraph(ctx, &hmrdv1.StreamGraphRequest{Project: "app"})
	if err != nil {
		t.Fatal(err)
	}
	part, err := stream.Recv()
	if err != nil {
		t.Fatal(err)
	}
	if part.GetRoot() != g.GetRoot() || part.GetHeadSeq() != 1 || len(part.GetModules()) != len(g.GetModules()) {
		t.Errorf("StreamGraph: %v, want the graph in one part", part)
	}
}

// Every signal kind, with every field set, reaches a subscriber as
// published, and as Publish returned it.
func TestPublishRoundTrip(t *testing.T) {
	d := hmrdtest.New("e1")
	d.AddProject(&hmrdv1.Project{Name: "app", Root: "/app"})
	c := serve(t, d)

	var published []*hmrdv1.Event
	kinds := (&hmrdv1.Event{}).ProtoReflect().Descriptor().Oneofs().ByName("kind").Fields()
	for i := range kinds.Len() {
		fd := kinds.Get(i)
		if name := fd.Name(); name == "hello" || name == "heartbeat" || name == "refused" {
			continue
		}
		ev := &hmrdv1.Event{Version: int64(100 + i)}
		if name := fd.Name(); name == "error" || name == "error_cleared" {
			ev.Version = 0 // errors stamp nothing
		}
		m := ev.ProtoReflect()
		kind := m.NewField(fd)
		fill(kind.Message(), i)
		m.Set(fd, kind)
		partialAsSent(ev.GetFullReload(), true)
		out, err := d.Publish("app", ev)
		if err != nil {
			t.Fatalf("Publish %s: %v", fd.Name(), err)
		}
		if out.GetProject() != "app" || out.GetEpoch() != "e1" || out.GetSeq() != uint64(len(published)+1) || out.GetTime() == nil {
			t.Errorf("Publish %s: got project %q epoch %q seq %d time %v", fd.Name(), out.GetProject(), out.GetEpoch(), out.GetSeq(), out.GetTime())
		}
		sent := proto.Clone(out).(*hmrdv1.Event)
		sent.Project, sent.Epoch, sent.Seq, sent.Time = "", "", 0, nil
		if !proto.Equal(sent, ev) {
			t.Errorf("Publish %s:\nreturned %v\nwant     %v", fd.Name(), out, ev)
		}
		published = append(published, out)
	}

	stream, err := c.hot.Subscribe(testCtx(t), &hmrdv1.SubscribeRequest{Epoch: "e1", FromSeq: 0})
	if err != nil {
		t.Fatal(err)
	}
	if r, err := stream.Recv(); err != nil || !r.GetEvent().GetHello().GetResumed() {
		t.Fatalf("first event %v, %v; want a resumed hello", r, err)
	}
	for _, want := range published {
		r, err := stream.Recv()
		if err != nil {
			t.Fatal(err)
		}
		if !proto.Equal(r.GetEvent(), want) {
			t.Errorf("replayed:\ngot  %v\nwant %v", r.GetEvent(), want)
		}
	}
}

// Every update type and full-reload cause the protocol has is one the
// daemon sends; unset ones take the daemon's default.
func TestPublishEnums(t *testing.T) {
	d := hmrdtest.New("e1")
	d.AddProject(&hmrdv1.Project{Name: "app", Root: "/app"})
	for n := range hmrdv1.UpdateType_name {
		typ := hmrdv1.UpdateType(n)
		out, err := d.Publish("", &hmrdv1.Event{Kind: &hmrdv1.Event_Update{Update: &hmrdv1.Update{
			Updates: []*hmrdv1.ModuleUpdate{{Type: typ, Path: "/a.js"}},
		}}})
		want := typ
		if typ == hmrdv1.UpdateType_UPDATE_TYPE_UNSPECIFIED {
			want = hmrdv1.UpdateType_UPDATE_TYPE_JS
		}
		if got := out.GetUpdate().GetUpdates()[0].GetType(); err != nil || got != want {
			t.Errorf("update type %s: published %s, %v; want %s", typ, got, err, want)
		}
	}
	for n := range hmrdv1.FullReloadCause_name {
		cause := hmrdv1.FullReloadCause(n)
		out, err := d.Publish("", &hmrdv1.Event{Kind: &hmrdv1.Event_FullReload{FullReload: &hmrdv1.FullReload{Cause: cause}}})
		want := cause
		if cause == hmrdv1.FullReloadCause_FULL_RELOAD_CAUSE_UNSPECIFIED {
			want = hmrdv1.FullReloadCause_FULL_RELOAD_CAUSE_NO_BOUNDARY
		}
		if got := out.GetFullReload().GetCause(); err != nil || got != want {
			t.Errorf("cause %s: published %s, %v; want %s", cause, got, err, want)
		}
	}
}

// What the daemon never sends as a signal, Publish refuses, and nothing
// takes a seq.
func TestPublishRefuses(t *testing.T) {
	d := hmrdtest.New("e1")
	d.AddProject(&hmrdv1.Project{Name: "app", Root: "/app"})
	for _, tc := range []struct {
		name string
		ev   *hmrdv1.Event
		want string
	}{
		{"hello", &hmrdv1.Event{Kind: &hmrdv1.Event_Hello{Hello: &hmrdv1.Hello{}}}, "not a signal"},
		{"heartbeat", &hmrdv1.Event{Kind: &hmrdv1.Event_Heartbeat{Heartbeat: &hmrdv1.Heartbeat{}}}, "use Daemon.Heartbeat"},
		{"refused", &hmrdv1.Event{Kind: &hmrdv1.Event_Refused{Refused: &hmrdv1.Refused{}}}, "not a signal"},
		{"no kind", &hmrdv1.Event{}, "no kind"},
		{"unknown enum", &hmrdv1.Event{Kind: &hmrdv1.Event_FullReload{FullReload: &hmrdv1.FullReload{Cause: 99}}}, "cannot send"},
		{"error with a version", &hmrdv1.Event{Version: 7, Kind: &hmrdv1.Event_Error{Error: &hmrdv1.Error{Module: "/a.js"}}}, "version is 0"},
	} {
		if _, err := d.Publish("app", tc.ev); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Publish = %v, want an error saying %q", tc.name, err, tc.want)
		}
	}
	if _, err := d.Publish("nope", &hmrdv1.Event{Kind: &hmrdv1.Event_Prune{Prune: &hmrdv1.Prune{}}}); err == nil || !strings.Contains(err.Error(), `project "nope": unknown project`) {
		t.Errorf("unknown project: Publish = %v", err)
	}
	out, err := d.Publish("app", &hmrdv1.Event{Kind: &hmrdv1.Event_Prune{Prune: &hmrdv1.Prune{}}})
	if err != nil || out.GetSeq() != 1 {
		t.Errorf("Publish after the refusals = seq %d, %v; want seq 1", out.GetSeq(), err)
	}
}

// Restart is a new daemon instance: a subscriber from before gets a
// resync, and numbering starts again.
func TestRestart(t *testing.T) {
	d := hmrdtest.New("e1")
	d.AddProject(&hmrdv1.Project{Name: "app", Root: "/app"})
	for range 3 {
		if _, err := d.Publish("app", &hmrdv1.Event{Kind: &hmrdv1.Event_Prune{Prune: &hmrdv1.Prune{}}}); err != nil {
			t.Fatal(err)
		}
	}
	d.Restart("e2")
	if d.Epoch() != "e2" {
		t.Errorf("Epoch = %s after Restart, want e2", d.Epoch())
	}
	c := serve(t, d)
	stream, err := c.hot.Subscribe(testCtx(t), &hmrdv1.SubscribeRequest{Epoch: "e1", FromSeq: 3})
	if err != nil {
		t.Fatal(err)
	}
	if r, err := stream.Recv(); err != nil || r.GetEvent().GetHello().GetEpoch() != "e2" || r.GetEvent().GetHello().GetResumed() {
		t.Fatalf("first event %v, %v; want a hello of e2, not resumed", r, err)
	}
	r, err := stream.Recv()
	if err != nil || r.GetEvent().GetFullReload().GetCause() != hmrdv1.FullReloadCause_FULL_RELOAD_CAUSE_RESYNC || r.GetEvent().GetSeq() != 0 {
		t.Fatalf("second event %v, %v; want a resync at seq 0", r, err)
	}
	out, err := d.Publish("app", &hmrdv1.Event{Kind: &hmrdv1.Event_Prune{Prune: &hmrdv1.Prune{}}})
	if err != nil || out.GetSeq() != 1 || out.GetEpoch() != "e2" {
		t.Errorf("Publish after Restart = %v, %v; want e2 seq 1", out, err)
	}
}

// CutOff ends streams as a slow consumer's, and the daemon's adapter says
// so with ResourceExhausted.
func TestCutOff(t *testing.T) {
	d := hmrdtest.New("e1")
	d.AddProject(&hmrdv1.Project{Name: "app", Root: "/app"})
	c := serve(t, d)
	stream, err := c.hot.Subscribe(testCtx(t), &hmrdv1.SubscribeRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := stream.Recv(); err != nil {
		t.Fatal(err)
	}
	if err := d.WaitSubscribers(testCtx(t), "app", 1); err != nil {
		t.Fatal(err)
	}
	d.CutOff("app")
	if _, err := stream.Recv(); status.Code(err) != codes.ResourceExhausted {
		t.Errorf("after CutOff: Recv = %v, want ResourceExhausted", err)
	}
	if n := d.Subscribers("app"); n != 0 {
		t.Errorf("Subscribers = %d after CutOff, want 0", n)
	}
}

// WithHeartbeat turns on the hub's own heartbeats on idle streams.
func TestWithHeartbeat(t *testing.T) {
	d := hmrdtest.New("e1", hmrdtest.WithHeartbeat(time.Millisecond), hmrdtest.WithVersion("9.9"))
	d.AddProject(&hmrdv1.Project{Name: "app", Root: "/app"})
	c := serve(t, d)
	stream, err := c.hot.Subscribe(testCtx(t), &hmrdv1.SubscribeRequest{Project: "app"})
	if err != nil {
		t.Fatal(err)
	}
	if r, err := stream.Recv(); err != nil || r.GetEvent().GetHello().GetDaemonVersion() != "9.9" {
		t.Fatalf("first event %v, %v; want a hello from daemon 9.9", r, err)
	}
	if r, err := stream.Recv(); err != nil || r.GetEvent().GetHeartbeat() == nil {
		t.Fatalf("idle stream: got %v, %v; want a heartbeat", r, err)
	}
}

// The fake control surface refuses what the daemon refuses, with the code
// the daemon's adapter gives it.
func TestRefusals(t *testing.T) {
	d := hmrdtest.New("e1")
	d.AddProject(&hmrdv1.Project{Name: "app", Root: "/app"})
	d.SetGraph("app", &hmrdv1.GetGraphResponse{Root: "/app", Modules: []*hmrdv1.Module{{Id: "/src/a.js", File: "/app/src/a.js"}}})
	c := serve(t, d)
	ctx := testCtx(t)

	for _, tc := range []struct {
		name string
		call func() error
		code codes.Code
		msg  string
	}{
		{"invalidate outside the graph", func() error {
			_, err := c.hot.Invalidate(ctx, &hmrdv1.InvalidateRequest{Module: "/src/nope.js"})
			return err
		}, codes.NotFound, `invalidate: project "app" has no module /src/nope.js`},
		{"custom from a stranger", func() error {
			_, err := c.hot.SendCustom(ctx, &hmrdv1.SendCustomRequest{Event: "e", From: "s9"})
			return err
		}, codes.InvalidArgument, `sender "s9" is not a subscriber`},
		{"custom not JSON", func() error {
			_, err := c.hot.SendCustom(ctx, &hmrdv1.SendCustomRequest{Event: "e", Data: "{"})
			return err
		}, codes.InvalidArgument, "not valid JSON"},
		{"resume without epoch", func() error {
			stream, err := c.hot.Subscribe(ctx, &hmrdv1.SubscribeRequest{FromSeq: 3})
			if err == nil {
				_, err = stream.Recv()
			}
			return err
		}, codes.InvalidArgument, "without an epoch"},
		{"unknown project", func() error {
			_, err := c.proj.Explain(ctx, &hmrdv1.ExplainRequest{Project: "nope", Module: "/a.js"})
			return err
		}, codes.NotFound, `project "nope": unknown project (projects: app)`},
	} {
		err := tc.call()
		if st, _ := status.FromError(err); st.Code() != tc.code || !strings.Contains(st.Message(), tc.msg) {
			t.Errorf("%s: %v, want %s saying %q", tc.name, err, tc.code, tc.msg)
		}
	}

	// Known by ID or by file: signalled by the SetInvalidate function, and
	// an anonymous custom event is from "grpc".
	d.SetInvalidate(func(*hmrdv1.InvalidateRequest) (*hmrdv1.Event, error) {
		return &hmrdv1.Event{Kind: &hmrdv1.Event_FullReload{FullReload: &hmrdv1.FullReload{Path: "*"}}}, nil
	})
	for i, m := range []string{"/src/a.js", "/app/src/a.js"} {
		if r, err := c.hot.Invalidate(ctx, &hmrdv1.InvalidateRequest{Module: m}); err != nil || r.GetSeq() != uint64(i+1) {
			t.Errorf("Invalidate(%s) = %v, %v; want seq %d", m, r, err, i+1)
		}
	}
	stream, err := c.hot.Subscribe(ctx, &hmrdv1.SubscribeRequest{Epoch: "e1", FromSeq: 2})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := stream.Recv(); err != nil { // hello
		t.Fatal(err)
	}
	if _, err := c.hot.SendCustom(ctx, &hmrdv1.SendCustomRequest{Event: "e"}); err != nil {
		t.Fatal(err)
	}
	if r, err := stream.Recv(); err != nil || r.GetEvent().GetCustom().GetFrom() != "grpc" || r.GetEvent().GetCustom().GetData() != "null" {
		t.Errorf("custom event = %v, %v; want from grpc, data null", r, err)
	}
}

// The fake computes no graph, so it offers no bundler registration: a
// program that registers is told so, not left waiting.
func TestRegisterIsUnimplemented(t *testing.T) {
	d := hmrdtest.New("e1")
	d.AddProject(&hmrdv1.Project{Name: "app", Root: "/app"})
	srv, err := d.Serve("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	c, err := hmrdclient.Dial(testCtx(t), srv.Target())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Register(testCtx(t), &hmrdv1.RegisterOpen{}); status.Code(err) != codes.Unimplemented {
		t.Fatalf("register: %v; want UNIMPLEMENTED", err)
	}
}

// The fake compiles as the daemon does, without a tsconfig: types go, a
// syntax error is an answer, a file that is not a module is refused.
func TestCompile(t *testing.T) {
	d := hmrdtest.New("e1")
	d.AddProject(&hmrdv1.Project{Name: "app", Root: "/app"})
	c := serve(t, d)
	ctx := testCtx(t)
	resp, err := c.proj.Compile(ctx, &hmrdv1.CompileRequest{File: "/app/a.ts", Source: []byte("export const a: number = 1\n")})
	if err != nil || resp.GetError() != nil || !strings.Contains(string(resp.GetCode()), "const a = 1") {
		t.Fatalf("Compile = %v, %v", resp, err)
	}
	resp, err = c.proj.Compile(ctx, &hmrdv1.CompileRequest{File: "/app/a.ts", Source: []byte("export const a: = 1\n")})
	if err != nil || resp.GetError().GetLine() != 1 || resp.GetError().GetCode() != "PARSE_ERROR" {
		t.Fatalf("Compile(syntax error) = %v, %v", resp, err)
	}
	if _, err := c.proj.Compile(ctx, &hmrdv1.CompileRequest{File: "/app/a.css", Source: []byte("a{}")}); status.Code(err) != codes.InvalidArgument {
		t.Fatalf("Compile(a.css) = %v, want INVALID_ARGUMENT", err)
	}
}

// partialAsSent keeps of a FullReload's partial update what the daemon
// sends there: the updates, and in an event the batch's versions (the
// triggers and first invalidator are the reload's own).
func partialAsSent(fr *hmrdv1.FullReload, event bool) {
	p := fr.GetPartial()
	if p == nil {
		return
	}
	p.Triggers, p.FirstInvalidatedBy = nil, ""
	if !event {
		p.Versions = nil
	}
}
