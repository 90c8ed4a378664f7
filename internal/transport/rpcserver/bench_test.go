package rpcserver_test

import (
	"context"
	"fmt"
	"github.com/hmrd/hmrd/internal/fanoutbench"
	"net"
	"path/filepath"
	"sync/atomic"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/hmrd/hmrd/internal/broadcast"
	"github.com/hmrd/hmrd/internal/control"
	"github.com/hmrd/hmrd/internal/transport/rpcserver"
	hmrdv1 "github.com/hmrd/hmrd/proto/hmrd/v1"
)

// hubService is the daemon as far as Subscribe sees it: a real hub.
type hubService struct {
	control.Service // unused methods panic
	hub             *broadcast.Hub
}

func (s *hubService) Subscribe(ctx context.Context, project string, o broadcast.SubscribeOptions, entries []string) (*broadcast.Subscription, error) {
	return s.hub.Subscribe(project, o)
}

// BenchmarkFanout publishes one event at a time to n gRPC subscribers,
// each on its own connection over a Unix socket (as separate bundler
// processes would be), and waits until every one has received it: ns/op is
// publish → last subscriber, ns/delivery that divided by n, cpu-ns/delivery
// the process's CPU time (both ends) per delivery. It asserts nothing about
// time.
func BenchmarkFanout(b *testing.B) {
	for _, n := range []int{1, 50} {
		b.Run(fmt.Sprintf("subs=%d", n), func(b *testing.B) { benchFanout(b, n) })
	}
}

func benchFanout(b *testing.B, n int) {
	hub := broadcast.New("ep1", broadcast.Options{}) // the daemon's defaults
	hub.AddProject("app", "/app")
	defer hub.Close()
	srv := rpcserver.New(&hubService{hub: hub}, rpcserver.Options{})
	sock := filepath.Join(b.TempDir(), "hmrd.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		b.Fatal(err)
	}
	go srv.Serve(l)
	defer srv.Stop()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var got, target atomic.Int64
	done := make(chan struct{}, 1)
	hellos := make(chan error, n)
	for range n {
		cc, err := grpc.NewClient("unix://"+sock, grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err != nil {
			b.Fatal(err)
		}
		defer cc.Close()
		stream, err := hmrdv1.NewHotServiceClient(cc).Subscribe(ctx, &hmrdv1.SubscribeRequest{Project: "app"})
		if err != nil {
			b.Fatal(err)
		}
		go func() {
			first := true
			for {
				resp, err := stream.Recv()
				if err != nil {
					if first {
						hellos <- err
					}
					return
				}
				if first {
					first = false
					hellos <- nil
					continue
				}
				if resp.GetEvent().GetCustom() != nil && got.Add(1) == target.Load() {
					done <- struct{}{}
				}
			}
		}()
	}
	for range n {
		if err := <-hellos; err != nil {
			b.Fatal(err)
		}
	}
	fanoutbench.Run(b, hub, n, &target, done)
}
