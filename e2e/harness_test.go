// Package e2e runs the built hmrd binary on temporary trees: `hmrd serve`
// watches the tree for real (fsnotify), `hmrd events --json` tails what the
// hub streams over gRPC, and the tests edit files and assert the signals.
package e2e

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/protobuf/encoding/protojson"

	hmrdv1 "github.com/hmrd/hmrd/proto/hmrd/v1"
)

var hmrdBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "hmrd-e2e-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	hmrdBin = filepath.Join(dir, "hmrd")
	build := exec.Command("go", "build", "-race", "-o", hmrdBin, "../cmd/hmrd")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build hmrd:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// shortTemp is a temp dir with a short path: unix socket paths are limited
// to 108 bytes, and t.TempDir's names are long.
func shortTemp(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "hmrd")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		t.Fatal(err)
	}
	return real
}

// daemonProc is a running `hmrd serve`.
type daemonProc struct {
	t      *testing.T
	cmd    *exec.Cmd
	socket string
	logs   *syncBuffer
	done   chan struct{}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startDaemon runs `hmrd serve` on dirs and waits until its gRPC health
// check answers SERVING.
func startDaemon(t *testing.T, socket string, args ...string) *daemonProc {
	t.Helper()
	full := append([]string{"serve", "--socket", socket, "--http", "off", "--log-level", "debug"}, args...)
	cmd := exec.Command(hmrdBin, full...)
	d := &daemonProc{t: t, cmd: cmd, socket: socket, logs: &syncBuffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = d.logs, d.logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { cmd.Wait(); close(d.done) }()
	t.Cleanup(func() {
		d.stop()
		if t.Failed() {
			t.Logf("daemon log:\n%s", d.logs.String())
		}
	})
	d.waitHealthy()
	return d
}

func (d *daemonProc) waitHealthy() {
	d.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn := dialSocket(d.t, d.socket)
	defer conn.Close()
	for {
		resp, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{}, grpc.WaitForReady(true))
		if err == nil && resp.Status == healthpb.HealthCheckResponse_SERVING {
			return
		}
		select {
		case <-d.done:
			d.t.Fatalf("hmrd serve exited before it was ready:\n%s", d.logs.String())
		case <-ctx.Done():
			d.t.Fatalf("hmrd serve not healthy after 30s (last error %v):\n%s", err, d.logs.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// stop interrupts the daemon and waits for it to exit.
func (d *daemonProc) stop() {
	select {
	case <-d.done:
		return
	default:
	}
	d.cmd.Process.Signal(os.Interrupt)
	select {
	case <-d.done:
	case <-time.After(15 * time.Second):
		d.cmd.Process.Kill()
		<-d.done
		d.t.Errorf("hmrd serve did not stop within 15s of SIGINT")
	}
}

// kill is kill -9: no cleanup, the socket file stays behind.
func (d *daemonProc) kill() {
	d.cmd.Process.Kill()
	<-d.done
}

func dialSocket(t *testing.T, socket string) *grpc.ClientConn {
	t.Helper()
	conn, err := grpc.NewClient("unix://"+socket, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	return conn
}

// tail is a running `hmrd events --json`.
type tail struct {
	t      *testing.T
	cmd    *exec.Cmd
	events chan *hmrdv1.Event
	stderr *syncBuffer
}

func startTail(t *testing.T, socket string, args ...string) *tail {
	t.Helper()
	full := append([]string{"events", "--json", "--socket", socket}, args...)
	cmd := exec.Command(hmrdBin, full...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	tl := &tail{t: t, cmd: cmd, events: make(chan *hmrdv1.Event, 1024), stderr: &syncBuffer{}}
	cmd.Stderr = tl.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go tl.read(out)
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			t.Logf("events stderr:\n%s", tl.stderr.String())
		}
	})
	return tl
}

func (tl *tail) read(r io.Reader) {
	defer close(tl.events)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		ev := &hmrdv1.Event{}
		if err := protojson.Unmarshal(sc.Bytes(), ev); err != nil {
			tl.t.Errorf("events --json printed a line that is not a protojson Event: %v\n%s", err, sc.Text())
			return
		}
		tl.events <- ev
	}
}

// next returns the next event that is not a heartbeat, failing the test
// after the deadline.
func (tl *tail) next(within time.Duration) *hmrdv1.Event {
	tl.t.Helper()
	deadline := time.After(within)
	for {
		select {
		case ev, ok := <-tl.events:
			if !ok {
				tl.t.Fatalf("events stream ended; stderr:\n%s", tl.stderr.String())
			}
			if ev.GetHeartbeat() != nil {
				continue
			}
			return ev
		case <-deadline:
			tl.t.Fatalf("no event within %v", within)
			return nil
		}
	}
}

// none asserts that no signal arrives for a while: the bounded check that
// a step is silent (not a wait for an event).
func (tl *tail) none(window time.Duration) {
	tl.t.Helper()
	deadline := time.After(window)
	for {
		select {
		case ev, ok := <-tl.events:
			if !ok {
				tl.t.Fatalf("events stream ended")
			}
			if ev.GetHeartbeat() != nil {
				continue
			}
			tl.t.Fatalf("unexpected signal: %s", protojson.Format(ev))
		case <-deadline:
			return
		}
	}
}

func copyTree(t *testing.T, src, dst string, skip func(rel string) bool) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if skip != nil && skip(rel) {
			return nil
		}
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func runCLI(t *testing.T, args ...string) (string, error) {
	t.Helper()
	out, err := exec.Command(hmrdBin, args...).CombinedOutput()
	return strings.TrimSpace(string(out)), err
}
