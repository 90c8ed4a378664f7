package broadcast_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/hmrd/hmrd/internal/broadcast"
	"github.com/hmrd/hmrd/internal/signal"
)

// BenchmarkPublish publishes to n subscribers that drain concurrently. The
// publisher waits for every subscriber at the end of each batch (so no queue
// overflows whatever the scheduler does), which makes ns/op the end-to-end
// cost per event; publish-ns/op is the time spent inside Publish alone.
// allocs/op counts every goroutine: the event itself is the one allocation
// per publish (the body is the caller's, made once here).
func BenchmarkPublish(b *testing.B) {
	const batch = 128
	for _, n := range []int{1, 100, 1000} {
		b.Run(fmt.Sprintf("subs=%d", n), func(b *testing.B) {
			h := broadcast.New(epoch, broadcast.Options{QueueSize: 2 * batch, Heartbeat: -1})
			h.AddProject(proj, root)
			defer h.Close()
			caughtUp := make(chan struct{}, n)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var wg sync.WaitGroup
			for range n {
				s, err := h.Subscribe(proj, broadcast.SubscribeOptions{})
				if err != nil {
					b.Fatal(err)
				}
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						ev, err := s.Next(ctx)
						if err != nil {
							return
						}
						if ev.Seq%batch == 0 && signal.Sequenced(ev.Body) {
							caughtUp <- struct{}{}
						}
					}
				}()
			}
			body := &signal.Custom{Event: "tick", Data: "null"}
			var inPublish time.Duration
			b.ReportAllocs()
			b.ResetTimer()
			for i := 1; i <= b.N; i++ {
				t0 := time.Now()
				h.Publish(proj, 0, body)
				inPublish += time.Since(t0)
				if i%batch == 0 {
					for range n {
						<-caughtUp
					}
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(inPublish.Nanoseconds())/float64(b.N), "publish-ns/op")
			cancel()
			wg.Wait()
		})
	}
}

// BenchmarkPublishSerial is Publish and Next on one goroutine: the hub's
// own CPU per event and subscriber, without scheduling noise.
func BenchmarkPublishSerial(b *testing.B) {
	const batch = 128
	for _, n := range []int{1, 100} {
		b.Run(fmt.Sprintf("subs=%d", n), func(b *testing.B) {
			h := broadcast.New(epoch, broadcast.Options{QueueSize: 2 * batch, Heartbeat: -1})
			h.AddProject(proj, root)
			defer h.Close()
			ctx := context.Background()
			subs := make([]*broadcast.Subscription, n)
			for i := range subs {
				s, err := h.Subscribe(proj, broadcast.SubscribeOptions{})
				if err != nil {
					b.Fatal(err)
				}
				s.Next(ctx) // hello
				subs[i] = s
			}
			body := &signal.Custom{Event: "tick", Data: "null"}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 1; i <= b.N; i++ {
				h.Publish(proj, 0, body)
				if i%batch == 0 {
					for _, s := range subs {
						for range batch {
							if _, err := s.Next(ctx); err != nil {
								b.Fatal(err)
							}
						}
					}
				}
			}
		})
	}
}
