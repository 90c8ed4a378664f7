// Package viteplugin_test runs the Vite plugin's node --test suites (the
// translation of hmrd's signals into Vite's payloads, and the facts read
// from Vite's module graph) and type-checks the package. The plugin at work
// in a Vite dev server is tested in e2e/browser.
//
// The tests need node and the package's dependencies (npm ci in
// clients/node, then in clients/vite); without them they skip, unless
// HMRD_NODE_TESTS=required.
package viteplugin_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func needNode(t *testing.T) string {
	t.Helper()
	node, err := exec.LookPath("node")
	why := ""
	switch {
	case err != nil:
		why = "node not found"
	case !exists("node_modules/@hmrd/client/package.json"):
		why = "clients/vite/node_modules is missing (npm ci in clients/vite)"
	case !exists("../node/node_modules/@grpc/grpc-js/package.json"):
		why = "clients/node/node_modules is missing (npm ci in clients/node)"
	}
	if why != "" {
		if os.Getenv("HMRD_NODE_TESTS") == "required" {
			t.Fatalf("%s, and HMRD_NODE_TESTS=required", why)
		}
		t.Skip(why + ": skipping (HMRD_NODE_TESTS=required makes this a failure)")
	}
	return node
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// TestNodeUnits runs node --test test/*.test.js with HMRD_SOCKET naming a
// daemon started here (on an empty directory: the plugin adds Vite's root
// as a project of its own) and HMRD_BIN the binary.
func TestNodeUnits(t *testing.T) {
	node := needNode(t)
	tmp, err := os.MkdirTemp("", "hv")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(tmp) })
	socket := filepath.Join(tmp, "s")
	bin := filepath.Join(tmp, "hmrd")
	startDaemon(t, bin, socket, tmp)
	// The files, not the directory: Node ≥ 21 reads --test arguments as
	// globs, and a bare directory matches nothing.
	files, err := filepath.Glob("test/*.test.js")
	if err != nil || len(files) == 0 {
		t.Fatalf("no test/*.test.js: %v", err)
	}
	cmd := exec.Command(node, append([]string{"--test"}, files...)...)
	// HMRD_BIN: a suite starts daemons of its own, to restart them.
	cmd.Env = append(os.Environ(), "HMRD_SOCKET="+socket, "HMRD_BIN="+bin)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node --test %s: %v\n%s", strings.Join(files, " "), err, out)
	}
	t.Logf("%s", lastLines(out, 9))
}

// lastLines is the last n lines of b: node --test's summary.
func lastLines(b []byte, n int) []byte {
	for i := len(b) - 2; i >= 0; i-- {
		if b[i] == '\n' {
			n--
			if n == 0 {
				return b[i+1:]
			}
		}
	}
	return b
}

// TestTypeCheck runs tsc --noEmit over the package (its JavaScript is
// checked against its declarations and Vite's types).
func TestTypeCheck(t *testing.T) {
	node := needNode(t)
	const tsc = "node_modules/typescript/bin/tsc"
	if !exists(tsc) {
		t.Skip("TypeScript is not installed here (npm ci in clients/vite)")
	}
	out, err := exec.Command(node, tsc, "--noEmit", "-p", "tsconfig.json").CombinedOutput()
	if err != nil {
		t.Fatalf("tsc --noEmit: %v\n%s", err, out)
	}
}

// startDaemon builds hmrd to bin and runs `hmrd serve --http off` on dir
// until the test ends, once it logged "hmrd ready".
func startDaemon(t *testing.T, bin, socket, dir string) {
	t.Helper()
	build := exec.Command("go", "build", "-o", bin, "../../cmd/hmrd")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build hmrd: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "serve", "--http", "off", "--socket", socket, dir)
	logs := &readyWriter{ready: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			t.Logf("daemon log:\n%s", logs.String())
		}
	})
	select {
	case <-logs.ready:
	case <-done:
		t.Fatalf("hmrd serve exited:\n%s", logs.String())
	case <-time.After(30 * time.Second):
		t.Fatalf("hmrd serve not ready after 30s:\n%s", logs.String())
	}
}

// readyWriter keeps a process's output and closes ready at "hmrd ready".
type readyWriter struct {
	mu    sync.Mutex
	b     bytes.Buffer
	ready chan struct{}
	seen  bool
}

func (w *readyWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.b.Write(p)
	if !w.seen && strings.Contains(w.b.String(), "hmrd ready") {
		w.seen = true
		close(w.ready)
	}
	return len(p), nil
}

func (w *readyWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}
