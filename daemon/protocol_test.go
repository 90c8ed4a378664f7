package daemon_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	hmrdv1 "github.com/hmrd/hmrd/proto/hmrd/v1"
)

// Each request the daemon refuses gets the status code that says why, and
// a message in the protocol's words, not the CLI's.
func TestRefusalsHaveTheirCodes(t *testing.T) {
	td := startDaemon(t, nil)
	ctx := ctxT(t)

	if _, err := td.hot.Invalidate(ctx, &hmrdv1.InvalidateRequest{Module: "/src/nope.js"}); status.Code(err) != codes.NotFound {
		t.Errorf("invalidate of an unknown module: %v; want NOT_FOUND", err)
	}
	missing := filepath.Join(shortTemp(t), "missing")
	if _, err := td.proj.AddProject(ctx, &hmrdv1.AddProjectRequest{Root: missing}); status.Code(err) != codes.NotFound {
		t.Errorf("add of a missing directory: %v; want NOT_FOUND", err)
	}
	file := filepath.Join(shortTemp(t), "file.txt")
	writeFile(t, file, "x")
	if _, err := td.proj.AddProject(ctx, &hmrdv1.AddProjectRequest{Root: file}); status.Code(err) != codes.InvalidArgument {
		t.Errorf("add of a file: %v; want INVALID_ARGUMENT", err)
	}
	sub, err := td.hot.Subscribe(ctx, &hmrdv1.SubscribeRequest{FromSeq: 7})
	if err == nil {
		_, err = sub.Recv()
	}
	if status.Code(err) != codes.InvalidArgument || !strings.Contains(status.Convert(err).Message(), "without an epoch") {
		t.Errorf("resume point without an epoch: %v; want INVALID_ARGUMENT", err)
	}
	if _, err := td.hot.SendCustom(ctx, &hmrdv1.SendCustomRequest{Event: "x", From: "s999"}); status.Code(err) != codes.InvalidArgument {
		t.Errorf("custom event from a subscriber that does not exist: %v; want INVALID_ARGUMENT", err)
	}

	// Two projects: the refusal says what the request lacks, in the
	// protocol's terms.
	other := filepath.Join(shortTemp(t), "web")
	writeFile(t, filepath.Join(other, "m.js"), "export {}\n")
	if _, err := td.proj.AddProject(ctx, &hmrdv1.AddProjectRequest{Root: other}); err != nil {
		t.Fatal(err)
	}
	_, err = td.proj.Explain(ctx, &hmrdv1.ExplainRequest{Module: "/m.js"})
	if msg := status.Convert(err).Message(); status.Code(err) != codes.InvalidArgument || strings.Contains(msg, "--") {
		t.Errorf("ambiguous project: %v; want INVALID_ARGUMENT without CLI flags", err)
	}
}

// A relative root is relative to the daemon's working directory.
func TestAddProjectRelativeRoot(t *testing.T) {
	td := startDaemon(t, nil)
	base := shortTemp(t)
	writeFile(t, filepath.Join(base, "rel", "m.js"), "export {}\n")
	t.Chdir(base)
	resp, err := td.proj.AddProject(ctxT(t), &hmrdv1.AddProjectRequest{Root: "rel"})
	if err != nil {
		t.Fatalf("relative root: %v", err)
	}
	want, _ := filepath.EvalSymlinks(filepath.Join(base, "rel"))
	if resp.GetProject().GetRoot() != want {
		t.Errorf("root = %s; want %s", resp.GetProject().GetRoot(), want)
	}
}

// A custom event reaches every subscriber, its sender included, and names
// who sent it.
func TestSendCustomAudienceAndSender(t *testing.T) {
	td := startDaemon(t, nil)
	ctx := ctxT(t)
	sub, err := td.hot.Subscribe(ctx, &hmrdv1.SubscribeRequest{})
	if err != nil {
		t.Fatal(err)
	}
	id := recvEvent(t, sub).GetHello().GetSubscriberId()
	if _, err := td.hot.SendCustom(ctx, &hmrdv1.SendCustomRequest{Event: "mine", From: id}); err != nil {
		t.Fatal(err)
	}
	if _, err := td.hot.SendCustom(ctx, &hmrdv1.SendCustomRequest{Event: "anon"}); err != nil {
		t.Fatal(err)
	}
	for _, want := range [][2]string{{"mine", id}, {"anon", "grpc"}} {
		c := recvEvent(t, sub).GetCustom()
		if c.GetEvent() != want[0] || c.GetFrom() != want[1] {
			t.Errorf("custom = %v; want event %s from %s", c, want[0], want[1])
		}
	}
}

// A graph snapshot says which signal it reflects.
func TestGraphCarriesHeadSeq(t *testing.T) {
	td := startDaemon(t, nil)
	ctx := ctxT(t)
	sub, err := td.hot.Subscribe(ctx, &hmrdv1.SubscribeRequest{})
	if err != nil {
		t.Fatal(err)
	}
	recvEvent(t, sub)
	if err := os.WriteFile(filepath.Join(td.root, "src/dep.js"), []byte("export const n = 2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ev := recvEvent(t, sub)
	g, err := td.proj.GetGraph(ctx, &hmrdv1.GetGraphRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if g.GetHeadSeq() != ev.GetSeq() || ev.GetSeq() == 0 {
		t.Errorf("graph head_seq = %d; want %d (the update's seq)", g.GetHeadSeq(), ev.GetSeq())
	}
}
