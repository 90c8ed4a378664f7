// Package fanoutbench is the measuring half of the transports' fan-out
// benchmarks (wsbridge, rpcserver): each sets up its own subscribers, then
// hands the publish loop and the figures it reports to Run, so both
// transports are measured and reported the same way.
package fanoutbench

import (
	"slices"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/hmrd/hmrd/internal/broadcast"
	"github.com/hmrd/hmrd/internal/signal"
)

// Run publishes b.N custom signals on the hub's project "app", one at a
// time: before each it sets target to the total number of deliveries n
// subscribers should have counted by then, and waits for done, which the
// subscribers' readers send on when their shared count reaches target. It
// reports publish→last-delivery p50 and p99, wall time per delivery and the
// process's CPU per delivery (both ends: less sensitive to other work on
// the machine than wall time).
func Run(b *testing.B, hub *broadcast.Hub, n int, target *atomic.Int64, done <-chan struct{}) {
	body := &signal.Custom{Event: "tick", Data: `{"i":1}`}
	lat := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := processCPU(b)
	for i := 1; i <= b.N; i++ {
		target.Store(int64(i) * int64(n))
		t0 := time.Now()
		hub.Publish("app", 0, body)
		<-done
		lat = append(lat, time.Since(t0))
	}
	cpu := processCPU(b) - cpu0
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds()), "p50-ns")
	b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds()), "p99-ns")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/delivery")
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N)/float64(n), "cpu-ns/delivery")
}

// processCPU is the user and system CPU time this process has used.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
