// Package nodeclient_test runs the Node.js client's and runtime's node
// --test suites against a real daemon (the hmrd binary built from this
// module), and compares what a Node subscriber and the Go client receive.
//
// The tests need node (≥ 20.6) and the package's dependencies (npm ci in
// clients/node); without them they skip, unless HMRD_NODE_TESTS=required.
package nodeclient_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/protobuf/encoding/protojson"

	"github.com/hmrd/hmrd/clients/go/hmrdclient"
	hmrdv1 "github.com/hmrd/hmrd/proto/hmrd/v1"
)

var (
	hmrdBin string
	nodeBin string
	skipWhy string
)

func TestMain(m *testing.M) {
	code := run(m)
	os.Exit(code)
}

func run(m *testing.M) int {
	required := os.Getenv("HMRD_NODE_TESTS") == "required"
	var err error
	nodeBin, err = exec.LookPath("node")
	switch {
	case err != nil:
		skipWhy = "node not found"
	case !exists("node_modules/@grpc/grpc-js/package.json"):
		skipWhy = "clients/node/node_modules is missing (npm ci in clients/node)"
	}
	if skipWhy != "" {
		if required {
			fmt.Fprintf(os.Stderr, "%s, and HMRD_NODE_TESTS=required\n", skipWhy)
			return 1
		}
		return m.Run()
	}
	dir, err := os.MkdirTemp("", "hmrd-node-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	hmrdBin = filepath.Join(dir, "hmrd")
	build := exec.Command("go", "build", "-o", hmrdBin, "../../cmd/hmrd")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build hmrd:", err)
		return 1
	}
	return m.Run()
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

func needNode(t *testing.T) {
	t.Helper()
	if skipWhy != "" {
		t.Skip(skipWhy + ": skipping (HMRD_NODE_TESTS=required makes this a failure)")
	}
}

// TestProtoCopy: the package loads its own copy of hmrd.proto, which must
// be the repository's (npm run sync-proto).
func TestProtoCopy(t *testing.T) {
	mine, err := os.ReadFile("proto/hmrd/v1/hmrd.proto")
	if err != nil {
		t.Fatal(err)
	}
	repo, err := os.ReadFile("../../proto/hmrd/v1/hmrd.proto")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(mine, repo) {
		t.Fatal("clients/node/proto/hmrd/v1/hmrd.proto differs from proto/hmrd/v1/hmrd.proto: run npm run sync-proto in clients/node")
	}
}

// sharedRuntimeFiles are the browser runtime's modules the Node.js runtime
// uses as they are: one registry and one update core for both runtimes
// (docs/decisions/0030-one-hot-core-for-both-runtimes.md).
var sharedRuntimeFiles = []string{"common.js", "registry.js", "vitehot.js", "webpackhot.js", "manager.js", "apply.js"}

// TestSharedRuntimeCopy: lib/runtime/shared holds byte-identical copies of
// the browser runtime's shared modules, so the package ships them. With
// HMRD_SYNC_SHARED=1 it writes the copies instead of failing.
func TestSharedRuntimeCopy(t *testing.T) {
	for _, name := range sharedRuntimeFiles {
		src, err := os.ReadFile(filepath.Join("../../internal/runtime/browser", name))
		if err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join("lib/runtime/shared", name)
		if os.Getenv("HMRD_SYNC_SHARED") == "1" {
			if err := os.WriteFile(dst, src, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		mine, err := os.ReadFile(dst)
		if err != nil {
			t.Fatalf("%v: run HMRD_SYNC_SHARED=1 go test ./clients/node -run TestSharedRuntimeCopy", err)
		}
		if !bytes.Equal(mine, src) {
			t.Errorf("clients/node/%s differs from internal/runtime/browser/%s: edit the browser runtime's file, then run HMRD_SYNC_SHARED=1 go test ./clients/node -run TestSharedRuntimeCopy", dst, name)
		}
	}
}

// TestNodeUnits runs node --test test/*.test.js with HMRD_SOCKET naming a daemon
// started here and HMRD_BIN the binary, for the suites that start their
// own daemons.
func TestNodeUnits(t *testing.T) {
	needNode(t)
	tmp := shortTemp(t)
	root := filepath.Join(tmp, "fixture")
	writeTree(t, root, map[string]string{"main.mjs": "export const x = 1\n"})
	socket := filepath.Join(tmp, "s")
	startDaemon(t, socket, root)

	// The files, not the directory: Node ≥ 21 reads --test arguments as
	// globs, and a bare directory matches nothing.
	files, err := filepath.Glob("test/*.test.js")
	if err != nil || len(files) == 0 {
		t.Fatalf("no test/*.test.js: %v", err)
	}
	cmd := exec.Command(nodeBin, append([]string{"--test"}, files...)...)
	cmd.Env = append(os.Environ(), "HMRD_SOCKET="+socket, "HMRD_BIN="+hmrdBin)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node --test %s: %v\n%s", strings.Join(files, " "), err, out)
	}
	t.Logf("%s", lastLines(out, 9))
}

// TestSameEventsAsGoClient: a Node subscriber and the Go client, on one
// project, receive the same events in the same order, across a daemon
// restart: a Hello, the signals, a new Hello and one resync, then the new
// epoch's signals.
func TestSameEventsAsGoClient(t *testing.T) {
	needNode(t)
	tmp := shortTemp(t)
	root := filepath.Join(tmp, "app")
	writeTree(t, root, map[string]string{
		"index.html": `<script type="module" src="/main.mjs"></script>`,
		"main.mjs":   "import { n } from './dep.mjs'\nexport const x = n\nimport.meta.hot.accept()\n",
		"dep.mjs":    "export const n = 1\n",
		"other.mjs":  "export const o = 1\n",
	})
	socket := filepath.Join(tmp, "s")
	d := startDaemon(t, socket, root)

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c, err := hmrdclient.Dial(ctx, socket)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	sub := c.Subscribe(ctx, hmrdclient.SubscribeOptions{})
	defer sub.Close()
	var goEvents []*hmrdv1.Event
	nextGo := func() *hmrdv1.Event {
		t.Helper()
		for {
			ev, err := sub.Next(ctx)
			if err != nil {
				t.Fatalf("go subscription: %v", err)
			}
			if ev.GetHeartbeat() == nil {
				goEvents = append(goEvents, ev)
				return ev
			}
		}
	}

	tail := exec.Command(nodeBin, "testing/tail.mjs")
	tail.Env = append(os.Environ(), "HMRD_SOCKET="+socket)
	stdout, err := tail.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var tailErr bytes.Buffer
	tail.Stderr = &tailErr
	if err := tail.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		tail.Process.Kill()
		tail.Wait()
		if t.Failed() {
			t.Logf("tail stderr:\n%s", tailErr.String())
		}
	}()
	lines := make(chan string, 256)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	var nodeEvents []map[string]any
	nextNode := func() map[string]any {
		t.Helper()
		select {
		case line, ok := <-lines:
			if !ok {
				t.Fatalf("node subscriber ended; stderr:\n%s", tailErr.String())
			}
			var m map[string]any
			if err := json.Unmarshal([]byte(line), &m); err != nil {
				t.Fatalf("node subscriber printed %q: %v", line, err)
			}
			nodeEvents = append(nodeEvents, m)
			return m
		case <-ctx.Done():
			t.Fatalf("no event from the node subscriber; stderr:\n%s", tailErr.String())
		}
		return nil
	}
	// Both are subscribed once both have their Hello.
	if nextGo().GetHello() == nil || nextNode()["kind"] != "hello" {
		t.Fatal("want a Hello first")
	}

	edit := func(name, body string, want int) {
		t.Helper()
		writeTree(t, root, map[string]string{name: body})
		for range want {
			nextGo()
			nextNode()
		}
	}
	// A bundler's virtual module: its change, then its withdrawal (the
	// importer takes the change, then the module is pruned).
	reg, err := c.Register(ctx, &hmrdv1.RegisterOpen{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := reg.ReportFacts(ctx, &hmrdv1.ReportFacts{Modules: []*hmrdv1.ModuleFacts{
		{Id: "/main.mjs", Imports: []*hmrdv1.ImportFact{{Target: "/dep.mjs", Bindings: []string{"n"}}, {Target: "virtual:x"}}, SelfAccepting: true},
		{Id: "virtual:x", Virtual: true},
	}}); err != nil {
		t.Fatal(err)
	}
	if _, err := reg.ReportChanges(ctx, &hmrdv1.ReportChanges{Changes: []*hmrdv1.Change{{Module: "virtual:x", Kind: hmrdv1.ChangeKind_CHANGE_KIND_UPDATE}}}); err != nil {
		t.Fatal(err)
	}
	nextGo()
	nextNode()
	reg.Close()
	for range 2 {
		nextGo()
		nextNode()
	}
	edit("dep.mjs", "export const n = 2\n", 1)                                   // update
	edit("main.mjs", "import { n } from './dep.mjs'\nexport const x = n +\n", 1) // parse error
	edit("main.mjs", "import { n } from './dep.mjs'\nexport const x = n\n", 2)   // update (fixed), error cleared
	if _, err := c.SendCustom(ctx, "", "my:evt", `{"a":1}`); err != nil {
		t.Fatal(err)
	}
	nextGo()
	nextNode()
	edit("dep.mjs", "export const n = 3\n", 1) // full reload: main.mjs no longer accepts

	d.kill()
	startDaemon(t, socket, root)
	for range 2 { // Hello, resync
		nextGo()
		nextNode()
	}
	edit("main.mjs", "import { n } from './dep.mjs'\nexport const x = n + 1\nimport.meta.hot.accept()\n", 1) // full reload: judged by the running instance, which does not accept
	edit("main.mjs", "export const x = 1\nimport.meta.hot.accept()\n", 2)                                    // update, then prune of dep.mjs

	if len(goEvents) != len(nodeEvents) {
		t.Fatalf("go saw %d events, node %d", len(goEvents), len(nodeEvents))
	}
	kinds := []string{}
	resyncs := 0
	for i, gev := range goEvents {
		g := goJSON(t, gev)
		n := nodeEvents[i]
		normalize(g)
		normalize(n)
		if !reflect.DeepEqual(g, n) {
			gj, _ := json.Marshal(g)
			nj, _ := json.Marshal(n)
			t.Errorf("event %d differs:\n go:   %s\n node: %s", i, gj, nj)
		}
		kinds = append(kinds, g["kind"].(string))
		if gev.GetFullReload().GetCause() == hmrdv1.FullReloadCause_FULL_RELOAD_CAUSE_RESYNC {
			resyncs++
		}
	}
	if resyncs != 1 {
		t.Errorf("want exactly one resync, got %d: %v", resyncs, kinds)
	}
	t.Logf("same %d events: %s", len(goEvents), strings.Join(kinds, " "))
}

// goJSON is an event as protojson with every field, decoded, with its
// body under "kind" the way the Node client names it.
func goJSON(t *testing.T, ev *hmrdv1.Event) map[string]any {
	t.Helper()
	b, err := protojson.MarshalOptions{EmitUnpopulated: true}.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"hello", "update", "fullReload", "prune", "error", "errorCleared", "custom", "heartbeat", "refused"} {
		if _, ok := m[k]; ok {
			m["kind"] = k
		}
	}
	return m
}

// normalize drops what legitimately differs between two subscribers (the
// subscriber id, the time's formatting).
func normalize(m map[string]any) {
	delete(m, "time")
	if h, ok := m["hello"].(map[string]any); ok {
		delete(h, "subscriberId")
	}
}

// shortTemp is a temp dir with a short real path: unix socket paths are
// limited to 108 bytes.
func shortTemp(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "hn")
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

func writeTree(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		// Written whole and renamed into place, as editors save: the
		// watcher never sees the file truncated.
		tmp := filepath.Join(filepath.Dir(p), "."+filepath.Base(p)+".tmp~")
		if err := os.WriteFile(tmp, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, p); err != nil {
			t.Fatal(err)
		}
	}
}

type daemonProc struct {
	cmd  *exec.Cmd
	logs *syncBuffer
	done chan struct{}
}

type syncBuffer struct {
	mu   sync.Mutex
	b    bytes.Buffer
	cond *sync.Cond
}

func newSyncBuffer() *syncBuffer {
	s := &syncBuffer{}
	s.cond = sync.NewCond(&s.mu)
	return s
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.cond.Broadcast()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startDaemon runs `hmrd serve` and waits for its "hmrd ready" line.
func startDaemon(t *testing.T, socket string, roots ...string) *daemonProc {
	t.Helper()
	args := append([]string{"serve", "--http", "off", "--socket", socket, "--log-level", "debug"}, roots...)
	cmd := exec.Command(hmrdBin, args...)
	d := &daemonProc{cmd: cmd, logs: newSyncBuffer(), done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = io.Discard, d.logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		cmd.Wait()
		d.logs.mu.Lock()
		close(d.done)
		d.logs.cond.Broadcast()
		d.logs.mu.Unlock()
	}()
	t.Cleanup(func() {
		d.stop()
		if t.Failed() {
			t.Logf("daemon log:\n%s", d.logs.String())
		}
	})
	ready := make(chan bool, 1)
	go func() {
		d.logs.mu.Lock()
		defer d.logs.mu.Unlock()
		for !strings.Contains(d.logs.b.String(), "hmrd ready") {
			select {
			case <-d.done:
				ready <- false
				return
			default:
			}
			d.logs.cond.Wait()
		}
		ready <- true
	}()
	select {
	case ok := <-ready:
		if !ok {
			t.Fatalf("hmrd serve exited before it was ready:\n%s", d.logs.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("hmrd serve not ready after 30s:\n%s", d.logs.String())
	}
	return d
}

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
	}
}

// kill is kill -9: the socket file stays behind.
func (d *daemonProc) kill() {
	d.cmd.Process.Kill()
	<-d.done
}

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

// TestTypeCheck runs tsc --noEmit over the package's declarations and a
// file that uses them (tsconfig.json). TypeScript comes with npm ci.
func TestTypeCheck(t *testing.T) {
	needNode(t)
	const tsc = "node_modules/typescript/bin/tsc"
	if !exists(tsc) {
		t.Skip("TypeScript is not installed here (npm ci in clients/node)")
	}
	out, err := exec.Command(nodeBin, tsc, "--noEmit", "-p", "tsconfig.json").CombinedOutput()
	if err != nil {
		t.Fatalf("tsc --noEmit: %v\n%s", err, out)
	}
}
