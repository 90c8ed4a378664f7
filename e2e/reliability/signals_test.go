package reliability

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	hmrdv1 "github.com/hmrd/hmrd/proto/hmrd/v1"
)

// freePort returns a loopback address free a moment ago, for a daemon
// that must come back on the same port.
func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// kill -9 with subscribers on every transport: the stale socket is
// replaced by the restarted daemon, and every subscriber resyncs exactly
// once, then follows the new epoch from seq 1.
func TestKill9AndRestart(t *testing.T) {
	t.Parallel()
	tmp := shortTemp(t)
	root := filepath.Join(tmp, "app")
	writeTree(t, root, smallApp)
	socket := filepath.Join(tmp, "s")
	addr := freePort(t)
	o := daemonOpts{http: addr, roots: []string{root}}
	d1 := startDaemon(t, socket, o)
	f, err := d1.startFleet(pick(20, 100), pick(5, 20), pick(5, 20))
	if err != nil {
		t.Fatal(err)
	}
	defer f.stop()
	writeTree(t, root, map[string]string{"src/dep.js": "export const n = 2\n"})
	waitCond(t, waitFor, "the edit's update", func() bool { return d1.head(t) >= 1 })
	if err := f.waitSeq(d1.epoch, d1.head(t), waitFor); err != nil {
		t.Fatal(err)
	}

	for round := range pick(1, 5) {
		d1.kill()
		if fi, err := os.Lstat(socket); err != nil || fi.Mode()&os.ModeSocket == 0 {
			t.Fatalf("kill -9 should leave the socket file behind: %v", err)
		}
		d2 := startDaemon(t, socket, o)
		if d2.epoch == d1.epoch {
			t.Fatal("the restarted daemon kept the epoch")
		}
		// Every subscriber comes back, resyncs, and sees the next edit.
		writeTree(t, root, map[string]string{"src/dep.js": fmt.Sprintf("export const n = %d\n", 10+round)})
		waitCond(t, waitFor, "the edit's update", func() bool { return d2.head(t) >= 1 })
		if err := f.waitSeq(d2.epoch, d2.head(t), waitFor); err != nil {
			t.Fatal(err)
		}
		for _, r := range f.recs {
			r.mu.Lock()
			if r.resyncs != round+1 {
				t.Errorf("%s: %d resyncs after %d restarts", r.name, r.resyncs, round+1)
			}
			r.mu.Unlock()
		}
		d1 = d2
	}
	problems, _, redials, _ := f.check()
	for _, p := range problems {
		t.Error(p)
	}
	t.Logf("%d subscribers, %d redials in all", len(f.recs), redials)
}

// SIGSTOP freezes the daemon with subscribers connected and an edit and a
// custom event arriving meanwhile; after SIGCONT every subscriber has
// everything, in order: it stayed connected, or resumed.
func TestStopAndContinue(t *testing.T) {
	t.Parallel()
	tmp := shortTemp(t)
	root := filepath.Join(tmp, "app")
	writeTree(t, root, smallApp)
	d := startDaemon(t, filepath.Join(tmp, "s"), daemonOpts{http: "auto", roots: []string{root}})
	f, err := d.startFleet(pick(20, 100), pick(5, 20), pick(5, 20))
	if err != nil {
		t.Fatal(err)
	}
	defer f.stop()
	before := d.sendCustom(t, "before", "")
	if err := f.waitSeq(d.epoch, before, waitFor); err != nil {
		t.Fatal(err)
	}
	// Long enough in the long form for the clients' keepalive (30 s,
	// then 10 s) and the bridge's ping (15 s, 5 s) to give up.
	pause := pick(1500*time.Millisecond, 50*time.Second)
	for round := range pick(1, 2) {
		if err := d.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
			t.Fatal(err)
		}
		writeTree(t, root, map[string]string{"src/dep.js": fmt.Sprintf("export const n = %d\n", 100+round)})
		sent := make(chan error, 1)
		go func() {
			_, err := hmrdv1.NewHotServiceClient(d.cc).SendCustom(t.Context(), &hmrdv1.SendCustomRequest{Event: "while-stopped"})
			sent <- err
		}()
		// The stop itself is the scenario: a fixed pause, not a wait for
		// an event.
		time.Sleep(pause)
		if err := d.cmd.Process.Signal(syscall.SIGCONT); err != nil {
			t.Fatal(err)
		}
		if err := <-sent; err != nil {
			t.Fatalf("custom event sent while stopped: %v", err)
		}
		// The edit and the custom event: two more signals at least.
		var head uint64
		waitCond(t, waitFor, "the edit's update", func() bool { head = d.head(t); return head >= before+2 })
		if err := f.waitSeq(d.epoch, head, waitFor); err != nil {
			t.Fatal(err)
		}
		before = head
	}
	problems, cutoffs, redials, resyncs := f.check()
	for _, p := range problems {
		t.Error(p)
	}
	if resyncs > 0 {
		t.Errorf("%d resyncs: every subscriber's resume point was in history", resyncs)
	}
	t.Logf("stopped %v: %d subscribers, %d redials, %d cut off", pause, len(f.recs), redials, cutoffs)
}

// SIGTERM: every stream is ended by the daemon itself, gRPC with
// UNAVAILABLE and WebSocket with close 1001, before the process exits 0,
// and the socket is removed.
func TestTerminate(t *testing.T) {
	t.Parallel()
	tmp := shortTemp(t)
	root := filepath.Join(tmp, "app")
	writeTree(t, root, smallApp)
	socket := filepath.Join(tmp, "s")
	d := startDaemon(t, socket, daemonOpts{http: "auto", roots: []string{root}})
	var grpcs, wss []*stream
	for range pick(3, 50) {
		grpcs = append(grpcs, d.subscribeGRPC(t, &hmrdv1.SubscribeRequest{}))
		wss = append(wss, d.subscribeWS(t, "", 0))
	}
	for _, s := range append(grpcs, wss...) {
		if s.next(waitFor).GetHello() == nil {
			t.Fatal("no hello")
		}
	}
	start := time.Now()
	if err := d.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	for _, s := range grpcs {
		err := s.ended(waitFor)
		// A daemon that died would end the stream with a transport error
		// (UNAVAILABLE too, but "error reading from server").
		if status.Code(err) != codes.Unavailable || strings.Contains(err.Error(), "error reading from server") ||
			strings.Contains(err.Error(), "connection") {
			t.Errorf("gRPC stream ended with %v, want UNAVAILABLE from the daemon", err)
		}
	}
	for _, s := range wss {
		err := s.ended(waitFor)
		if websocket.CloseStatus(err) != websocket.StatusGoingAway {
			t.Errorf("WebSocket ended with %v, want close 1001", err)
		}
	}
	select {
	case <-d.done:
	case <-time.After(waitFor):
		t.Fatal("the daemon did not exit after SIGTERM")
	}
	took := time.Since(start)
	var exit *exec.ExitError
	if d.waitErr != nil && !(errors.As(d.waitErr, &exit) && exit.ExitCode() == 0) {
		t.Errorf("exit: %v, want 0", d.waitErr)
	}
	if _, err := os.Lstat(socket); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("socket after SIGTERM: %v, want it removed", err)
	}
	t.Logf("%d gRPC and %d WebSocket streams ended; exit %v after SIGTERM", len(grpcs), len(wss), took.Round(time.Millisecond))
}
