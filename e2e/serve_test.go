package e2e

import (
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// waitLog waits until the output in buf matches re and returns the
// submatches, failing after 30s.
func waitLog(t *testing.T, what string, buf *syncBuffer, re *regexp.Regexp, done <-chan struct{}) []string {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		if m := re.FindStringSubmatch(buf.String()); m != nil {
			return m
		}
		select {
		case <-done:
			t.Fatalf("%s: the process exited first:\n%s", what, buf.String())
		case <-deadline:
			t.Fatalf("%s: no line matching %s within 30s:\n%s", what, re, buf.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func httpBody(t *testing.T, u string) string {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d\n%s", u, resp.StatusCode, b)
	}
	return string(b)
}

func servingRE(root string) *regexp.Regexp {
	return regexp.MustCompile(`hmrd: serving ` + regexp.QuoteMeta(root) + ` at (http://127\.0\.0\.1:(\d+)/)`)
}

// `hmrd serve A B` serves both projects, each on its own port: the busy
// --http port is stepped over with Vite's message, the second project
// takes a later port, and `hmrd status` shows each URL.
func TestServeManyProjects(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	busyPort := busy.Addr().(*net.TCPAddr).Port

	tmp := shortTemp(t)
	a, b := filepath.Join(tmp, "a"), filepath.Join(tmp, "b")
	writeTree(t, a, map[string]string{"index.html": "<p>project a</p>\n"})
	writeTree(t, b, map[string]string{"index.html": "<p>project b</p>\n"})
	socket := filepath.Join(tmp, "s")
	d := startDaemon(t, socket, "--http", "127.0.0.1:"+strconv.Itoa(busyPort), a, b)

	waitLog(t, "busy port", d.logs, regexp.MustCompile(`hmrd: port `+strconv.Itoa(busyPort)+` is in use, trying another one\.\.\.`), d.done)
	ma := waitLog(t, "project a", d.logs, servingRE(a), d.done)
	mb := waitLog(t, "project b", d.logs, servingRE(b), d.done)
	pa, _ := strconv.Atoi(ma[2])
	pb, _ := strconv.Atoi(mb[2])
	if pa <= busyPort || pb <= pa {
		t.Fatalf("ports: busy %d, a %d, b %d: want a after the busy one and b after a", busyPort, pa, pb)
	}
	if body := httpBody(t, ma[1]); !strings.Contains(body, "project a") {
		t.Errorf("a serves %q", body)
	}
	if body := httpBody(t, mb[1]); !strings.Contains(body, "project b") {
		t.Errorf("b serves %q", body)
	}
	out, err := runCLI(t, "status", "--socket", socket)
	if err != nil || !strings.Contains(out, ma[1]) || !strings.Contains(out, mb[1]) {
		t.Fatalf("status does not show both URLs: %v\n%s", err, out)
	}
}

// `hmrd serve DIR` while a daemon runs on the socket adds DIR to it; the
// running daemon serves it on its own port until the command is stopped,
// which removes the project again. Its import.meta.glob matches are edges
// `hmrd explain` shows.
func TestServeJoinsRunningDaemon(t *testing.T) {
	tmp := shortTemp(t)
	a, c := filepath.Join(tmp, "a"), filepath.Join(tmp, "c")
	writeTree(t, a, smallApp)
	writeTree(t, c, map[string]string{
		"index.html":     `<script type="module" src="/src/main.js"></script>`,
		"src/main.js":    "const pages = import.meta.glob('./pages/*.js', { eager: true })\nconsole.log(pages)\n",
		"src/pages/p.js": "export default 'p'\n",
	})
	socket := filepath.Join(tmp, "s")
	d := startDaemon(t, socket, "--http", "127.0.0.1:0", a)
	ma := waitLog(t, "project a", d.logs, servingRE(a), d.done)

	cmd := exec.Command(hmrdBin, "serve", "--socket", socket, c)
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	defer func() {
		cmd.Process.Kill()
		<-done
	}()
	mc := waitLog(t, "project c", out, servingRE(c), done)
	if mc[1] == ma[1] {
		t.Fatalf("c served at a's URL %s", mc[1])
	}
	if body := httpBody(t, mc[1]+"src/main.js"); !strings.Contains(body, `"./pages/p.js": __hmrd_glob_0_0`) {
		t.Errorf("c's main.js is not rewritten:\n%s", body)
	}
	st, err := runCLI(t, "status", "--socket", socket)
	if err != nil || !strings.Contains(st, mc[1]) || !strings.Contains(st, c) {
		t.Fatalf("status: %v\n%s", err, st)
	}
	ex, err := runCLI(t, "explain", "--socket", socket, "--project", "c", "src/pages/p.js")
	if err != nil || !strings.Contains(ex, "/src/main.js") {
		t.Fatalf("explain does not show the glob's importer: %v\n%s", err, ex)
	}

	cmd.Process.Signal(os.Interrupt)
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		t.Fatalf("hmrd serve c did not stop within 15s of SIGINT:\n%s", out.String())
	}
	st, err = runCLI(t, "status", "--socket", socket)
	if err != nil || strings.Contains(st, c) || !strings.Contains(st, a) {
		t.Fatalf("after stopping serve c, status: %v\n%s", err, st)
	}
	if conn, err := net.Dial("tcp", strings.TrimSuffix(strings.TrimPrefix(mc[1], "http://"), "/")); err == nil {
		conn.Close()
		t.Errorf("%s still accepts connections", mc[1])
	}
}
