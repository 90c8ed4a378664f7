package devserver

import (
	"log/slog"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/hmrd/hmrd/internal/transport/httpguard"
)

// BenchmarkDepsBuild builds the dependency bundle of an installed project
// (HMRD_BENCH_DEPS_ROOT, e.g. create-vite's react-ts after npm install)
// for the packages in HMRD_BENCH_DEPS (default: react-ts's three), and
// reports the CPU time per build beside the wall time.
func BenchmarkDepsBuild(b *testing.B) {
	root := os.Getenv("HMRD_BENCH_DEPS_ROOT")
	if root == "" {
		b.Skip("set HMRD_BENCH_DEPS_ROOT to an installed project")
	}
	specs := want{"react": nil, "react-dom/client": nil, "react/jsx-dev-runtime": nil}
	guard, err := httpguard.New(httpguard.Options{})
	if err != nil {
		b.Fatal(err)
	}
	srv, err := New(newFakeService(), Options{Root: root, Guard: guard, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	var before, after syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &before)
	for b.Loop() {
		if _, err := srv.bundleDeps("bench", specs); err != nil {
			b.Fatal(err)
		}
	}
	syscall.Getrusage(syscall.RUSAGE_SELF, &after)
	cpu := time.Duration(after.Utime.Nano()+after.Stime.Nano()-before.Utime.Nano()-before.Stime.Nano()) / time.Duration(b.N)
	b.ReportMetric(float64(cpu.Microseconds())/1000, "cpu-ms/op")
}
