package cli

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hmrd/hmrd/clients/go/hmrdtest"
	hmrdv1 "github.com/hmrd/hmrd/proto/hmrd/v1"
)

// result is one in-process run of the CLI.
type result struct {
	code           int
	stdout, stderr string
}

func testCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func run(t *testing.T, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Run(testCtx(t), args, &out, &errOut)
	return result{code, out.String(), errOut.String()}
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\nstdout:\n%sstderr:\n%s", r.code, r.stdout, r.stderr)
}

// socketPath is a unix socket path short enough for sun_path.
func socketPath(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "d.sock")
	if len(p) < 100 {
		return p
	}
	dir, err := os.MkdirTemp("", "hmrd")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return filepath.Join(dir, "d.sock")
}

// fakeDaemon serves a fake daemon with the named projects (root /srv/NAME)
// on a temp socket; the CLI reaches it with "--socket", sock.
func fakeDaemon(t *testing.T, projects ...string) (d *hmrdtest.Daemon, sock string, srv *hmrdtest.Server) {
	t.Helper()
	return serveFake(t, hmrdtest.New("e1"), projects...)
}

// serveFake is fakeDaemon for a Daemon made with options.
func serveFake(t *testing.T, d *hmrdtest.Daemon, projects ...string) (_ *hmrdtest.Daemon, sock string, srv *hmrdtest.Server) {
	t.Helper()
	for _, p := range projects {
		d.AddProject(&hmrdv1.Project{Name: p, Root: "/srv/" + p})
	}
	sock = socketPath(t)
	srv, err := d.Serve("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	return d, sock, srv
}

// lineWriter collects output written from another goroutine and lets a
// test wait for lines, with a deadline instead of sleeps. Writers never
// block on a slow test.
type lineWriter struct {
	mu      sync.Mutex
	partial []byte
	all     []string
	read    int           // lines handed out by next
	changed chan struct{} // closed and replaced on every new line
}

func newLineWriter() *lineWriter { return &lineWriter{changed: make(chan struct{})} }

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.partial = append(w.partial, p...)
	for {
		i := bytes.IndexByte(w.partial, '\n')
		if i < 0 {
			return len(p), nil
		}
		w.all = append(w.all, string(w.partial[:i]))
		w.partial = w.partial[i+1:]
		close(w.changed)
		w.changed = make(chan struct{})
	}
}

// next waits for the next line not yet returned.
func (w *lineWriter) next(t *testing.T) string {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		w.mu.Lock()
		if w.read < len(w.all) {
			l := w.all[w.read]
			w.read++
			w.mu.Unlock()
			return l
		}
		changed := w.changed
		w.mu.Unlock()
		select {
		case <-changed:
		case <-deadline:
			t.Fatalf("no new line within 5s; so far: %q", w.lines())
		}
	}
}

// waitFor skips lines until one contains s.
func (w *lineWriter) waitFor(t *testing.T, s string) string {
	t.Helper()
	for {
		if l := w.next(t); strings.Contains(l, s) {
			return l
		}
	}
}

func (w *lineWriter) lines() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.all...)
}

// background runs the CLI until stop is called, for commands that run
// until interrupted; stop returns the exit status.
func background(t *testing.T, stdout, stderr *lineWriter, args ...string) (stop func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(testCtx(t))
	done := make(chan int, 1)
	go func() { done <- Run(ctx, args, stdout, stderr) }()
	return func() int {
		cancel()
		select {
		case code := <-done:
			return code
		case <-time.After(5 * time.Second):
			t.Fatal("command did not stop within 5s of cancel")
			return -1
		}
	}
}

func TestHelp(t *testing.T) {
	for _, args := range [][]string{{"help"}, {"-h"}, {"--help"}} {
		r := run(t, args...)
		if r.code != 0 {
			t.Errorf("%v: %v", args, r)
		}
		for _, c := range append(commands, &command{name: "help"}) {
			if !strings.Contains(r.stdout, "\n  "+c.name) {
				t.Errorf("%v: usage does not list %q:\n%s", args, c.name, r.stdout)
			}
		}
	}
	if r := run(t); r.code != 2 || !strings.Contains(r.stderr, "Commands:") {
		t.Errorf("no arguments: %v, want usage on stderr and exit 2", r)
	}
	if r := run(t, "frobnicate"); r.code != 2 || !strings.Contains(r.stderr, `unknown command "frobnicate"`) {
		t.Errorf("unknown command: %v", r)
	}
	r := run(t, "help", "events")
	if r.code != 0 || !strings.Contains(r.stdout, "Usage: hmrd events") || !strings.Contains(r.stdout, "-heartbeats") || !strings.Contains(r.stdout, "-socket") {
		t.Errorf("help events: %v", r)
	}
	if r := run(t, "graph", "-h"); r.code != 0 || !strings.Contains(r.stdout, "-dot") {
		t.Errorf("graph -h: %v", r)
	}
}

func TestUsageErrors(t *testing.T) {
	_, sock, _ := fakeDaemon(t, "app")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--socket", sock, "explain"}, "missing FILE or MODULE"},
		{[]string{"--socket", sock, "explain", "a", "b"}, "unexpected arguments after FILE or MODULE: b"},
		{[]string{"--socket", sock, "graph", "--json", "--dot"}, "pass one"},
		{[]string{"--socket", sock, "status", "--bogus"}, "flag provided but not defined: -bogus"},
		{[]string{"--bogus"}, "flag provided but not defined"},
		{[]string{"--socket", sock, "--grpc", "127.0.0.1:1", "status"}, "--socket and --grpc"},
		{[]string{"--socket", sock, "events", "--since", "x"}, "invalid value"},
		{[]string{"serve", "--log-level", "loud"}, `--log-level "loud"`},
		{[]string{"serve", "--history-bytes", "lots"}, `invalid value "lots" for flag -history-bytes: want a positive size`},
		{[]string{"serve", "--queue-bytes", "0"}, `invalid value "0" for flag -queue-bytes`},
		{[]string{"serve", "--queue-size", "0"}, "--history and --queue-size must be positive"},
		{[]string{"serve", "--lag-timeout", "-1s"}, "--lag-timeout 0 or more"},
		{[]string{"--socket", sock, "remove"}, "missing PROJECT"},
	} {
		r := run(t, tc.args...)
		if r.code != 2 || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%v: %v\nwant exit 2 and %q", tc.args, r, tc.want)
		}
	}
}

// With no daemon: one clear line, exit 2, for every client command, and
// whether the socket comes from --socket, the subcommand's --socket or
// $HMRD_SOCKET.
func TestNoDaemon(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "none.sock")
	want := "hmrd: no daemon running at " + missing + " (start one with `hmrd serve`)\n"
	for _, args := range [][]string{
		{"--socket", missing, "status"},
		{"status", "--socket", missing},
		{"--socket", missing, "events", "--json"},
		{"--socket", missing, "explain", "/src/a.js"},
		{"--socket", missing, "graph", "--dot"},
		{"--socket", missing, "invalidate", "/src/a.js"},
		{"--socket", missing, "add", "."},
		{"--socket", missing, "remove", "app"},
	} {
		r := run(t, args...)
		if r.code != 2 || r.stderr != want || r.stdout != "" {
			t.Errorf("%v: %v\nwant exit 2 and stderr %q", args, r, want)
		}
	}
	t.Setenv("HMRD_SOCKET", missing)
	if r := run(t, "status"); r.code != 2 || r.stderr != want {
		t.Errorf("with $HMRD_SOCKET: %v", r)
	}
	// Over TCP the address is host:port.
	r := run(t, "--grpc", "127.0.0.1:1", "status")
	if r.code != 2 || r.stderr != "hmrd: no daemon running at 127.0.0.1:1 (start one with `hmrd serve`)\n" {
		t.Errorf("--grpc: %v", r)
	}
}

func TestVersion(t *testing.T) {
	_, sock, _ := fakeDaemon(t, "app")
	r := run(t, "--socket", sock, "version")
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if r.code != 0 || len(lines) != 2 || !strings.HasPrefix(lines[0], "hmrd "+Version+" (go") ||
		lines[1] != "daemon 0.0.0-test at "+sock+" (protocol 1, epoch e1)" {
		t.Errorf("version with daemon: %v", r)
	}
	missing := filepath.Join(t.TempDir(), "none.sock")
	r = run(t, "--socket", missing, "version")
	if r.code != 0 || !strings.Contains(r.stdout, "daemon: none running at "+missing) || r.stderr != "" {
		t.Errorf("version without daemon: %v, want exit 0 and a note", r)
	}
}

func TestParseInterspersed(t *testing.T) {
	e := &env{}
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	e.connFlags(fs)
	json := fs.Bool("json", false, "")
	pos, err := parseInterspersed(fs, []string{"a", "--json", "b", "--", "--c"})
	if err != nil || !*json || strings.Join(pos, " ") != "a b --c" {
		t.Errorf("pos %v json %v err %v", pos, *json, err)
	}
}
