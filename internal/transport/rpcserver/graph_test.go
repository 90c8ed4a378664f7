package rpcserver_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/hmrd/hmrd/internal/control"
	"github.com/hmrd/hmrd/internal/engine"
	"github.com/hmrd/hmrd/internal/transport/rpcserver"
	hmrdv1 "github.com/hmrd/hmrd/proto/hmrd/v1"
)

// graphService answers Graph with a synthetic snapshot of n modules, each
// with a few imports and importers, as a large project's would be.
type graphService struct {
	control.Service // unused methods panic
	snap            *engine.Snapshot
}

func (s *graphService) Graph(context.Context, string) (*engine.Snapshot, error) { return s.snap, nil }

func bigSnapshot(n int) *engine.Snapshot {
	s := &engine.Snapshot{Root: "/big", HeadSeq: 42}
	for i := range n {
		id := fmt.Sprintf("/src/feature-%03d/components/module-%06d.tsx", i%1000, i)
		m := engine.ModuleInfo{ID: id, File: "/big" + id, Kind: "js", Live: true, Version: 1700000000000, Exports: []string{"default", "helper"}}
		for j := 1; j <= 3; j++ {
			t := fmt.Sprintf("/src/feature-%03d/components/module-%06d.tsx", (i+j)%1000, (i+j)%n)
			m.Imports = append(m.Imports, engine.EdgeInfo{Specifier: "./module-" + fmt.Sprint((i+j)%n), Kind: "static", Target: t})
			m.Importers = append(m.Importers, t)
		}
		s.Modules = append(s.Modules, m)
	}
	return s
}

// TestStreamGraphLargeProject: a 100k-module graph is far over the 4 MiB a
// gRPC client accepts by default in one message; StreamGraph delivers all of
// it, in order, with head_seq, in parts each within that default.
func TestStreamGraphLargeProject(t *testing.T) {
	const n = 100_000
	srv := rpcserver.New(&graphService{snap: bigSnapshot(n)}, rpcserver.Options{})
	sock := filepath.Join(t.TempDir(), "g.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	t.Cleanup(srv.Stop)
	cc, err := grpc.NewClient("unix://"+sock, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer cc.Close()
	client := hmrdv1.NewProjectServiceClient(cc) // default 4 MiB receive limit
	ctx := t.Context()

	// The one-message form is over the limit: the reason StreamGraph exists.
	if _, err := client.GetGraph(ctx, &hmrdv1.GetGraphRequest{Project: "big"}); status.Code(err) != codes.ResourceExhausted {
		t.Fatalf("GetGraph of %d modules: %v; want ResourceExhausted under the default limit", n, err)
	}

	stream, err := client.StreamGraph(ctx, &hmrdv1.StreamGraphRequest{Project: "big"})
	if err != nil {
		t.Fatal(err)
	}
	var got []*hmrdv1.Module
	parts := 0
	for {
		part, err := stream.Recv()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("part %d: %v", parts, err)
		}
		if size := proto.Size(part); size > 4<<20 {
			t.Errorf("part %d is %d bytes, over the default limit", parts, size)
		}
		if parts == 0 && (part.GetRoot() != "/big" || part.GetHeadSeq() != 42) {
			t.Errorf("first part: root %q head_seq %d; want /big, 42", part.GetRoot(), part.GetHeadSeq())
		}
		if parts > 0 && (part.GetRoot() != "" || part.GetHeadSeq() != 0) {
			t.Errorf("part %d repeats root/head_seq", parts)
		}
		got = append(got, part.GetModules()...)
		parts++
	}
	if len(got) != n || parts < 2 {
		t.Fatalf("got %d modules in %d parts; want %d in several", len(got), parts, n)
	}
	for i, m := range got {
		if m.GetId() != fmt.Sprintf("/src/feature-%03d/components/module-%06d.tsx", i%1000, i) {
			t.Fatalf("module %d is %s: order lost", i, m.GetId())
		}
	}
}
