package browser

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// waitFor bounds every wait of these tests: generous, since the machine
// may be busy with other work.
const waitFor = 15 * time.Second

// daemon is a running `hmrd serve` on one tree.
type daemon struct {
	t      *testing.T
	root   string
	socket string
	http   string // --http as given
	url    string // the dev server's URL, from the CLI's "serving" line
	cmd    *exec.Cmd
	logs   *logWriter
	done   chan struct{}
}

// serveFixture copies testdata/name to a temporary tree and serves it on
// a free port.
func serveFixture(t *testing.T, name string) *daemon {
	t.Helper()
	root := copyFixture(t, filepath.Join("testdata", name))
	return serve(t, root, filepath.Join(shortTemp(t), "s"), "127.0.0.1:0")
}

// serve runs `hmrd serve` on root and waits until it prints its URL.
func serve(t *testing.T, root, socket, httpAddr string) *daemon {
	t.Helper()
	cmd := exec.Command(hmrdBin, "serve", "--socket", socket, "--http", httpAddr, "--log-level", "debug", root)
	d := &daemon{t: t, root: root, socket: socket, http: httpAddr, cmd: cmd, logs: newLogWriter(), done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = d.logs, d.logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { cmd.Wait(); close(d.done) }()
	t.Cleanup(func() {
		d.stop()
		if t.Failed() || os.Getenv("HMRD_BROWSER_VERBOSE") != "" {
			t.Logf("log of hmrd serve %s:\n%s", httpAddr, d.logs.String())
		}
	})
	select {
	case d.url = <-d.logs.url:
	case <-d.done:
		t.Fatalf("hmrd serve exited before it served:\n%s", d.logs.String())
	case <-time.After(30 * time.Second):
		t.Fatalf("hmrd serve printed no URL within 30s:\n%s", d.logs.String())
	}
	return d
}

// stop interrupts the daemon (SIGINT) and waits for it to exit.
func (d *daemon) stop() {
	select {
	case <-d.done:
		return
	default:
	}
	d.cmd.Process.Signal(os.Interrupt)
	select {
	case <-d.done:
	case <-time.After(waitFor):
		d.cmd.Process.Kill()
		<-d.done
		d.t.Errorf("hmrd serve did not stop within %v of SIGINT", waitFor)
	}
}

// logWriter keeps the daemon's output and reports the URL of the CLI's
// "hmrd: serving DIR at URL" line.
type logWriter struct {
	mu      sync.Mutex
	all     strings.Builder
	partial []byte
	url     chan string
}

var servingLine = regexp.MustCompile(`^hmrd: serving .* at (http://\S+)$`)

func newLogWriter() *logWriter { return &logWriter{url: make(chan string, 1)} }

func (w *logWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.all.Write(p)
	w.partial = append(w.partial, p...)
	for {
		i := strings.IndexByte(string(w.partial), '\n')
		if i < 0 {
			break
		}
		line := strings.TrimRight(string(w.partial[:i]), "\r")
		w.partial = w.partial[i+1:]
		if m := servingLine.FindStringSubmatch(line); m != nil {
			select {
			case w.url <- m[1]:
			default:
			}
		}
	}
	return len(p), nil
}

func (w *logWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.all.String()
}

// freeAddr picks a free loopback port, for a daemon that must come back on
// the same one.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
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

// copyFixture copies the tree src to a new temporary directory and
// returns the copy's root.
func copyFixture(t *testing.T, src string) string {
	t.Helper()
	dst := filepath.Join(shortTemp(t), filepath.Base(src))
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
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
	return dst
}

// A save writes a whole file, as an editor does.
type save func(t *testing.T, path string, data []byte)

// writeInPlace truncates and rewrites the file.
func writeInPlace(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// saveAtomic writes a temporary file beside the target and renames it over
// the target. The temporary name ends in "~", an editor scratch name the
// watcher ignores.
func saveAtomic(t *testing.T, path string, data []byte) {
	t.Helper()
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*~")
	if err != nil {
		t.Fatal(err)
	}
	_, werr := f.Write(data)
	cerr := f.Close()
	if werr != nil || cerr != nil {
		os.Remove(f.Name())
		t.Fatalf("write %s: %v %v", f.Name(), werr, cerr)
	}
	if err := os.Chmod(f.Name(), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		os.Remove(f.Name())
		t.Fatal(err)
	}
}

// edit replaces old with new in the file rel of root (old must be there)
// and saves it with sv.
func (d *daemon) edit(sv save, rel, old, new string) {
	d.t.Helper()
	path := filepath.Join(d.root, filepath.FromSlash(rel))
	data, err := os.ReadFile(path)
	if err != nil {
		d.t.Fatal(err)
	}
	if !strings.Contains(string(data), old) {
		d.t.Fatalf("edit %s: %q is not in it:\n%s", rel, old, data)
	}
	sv(d.t, path, []byte(strings.Replace(string(data), old, new, 1)))
}

// write saves content as the whole file rel of root.
func (d *daemon) write(sv save, rel, content string) {
	d.t.Helper()
	sv(d.t, filepath.Join(d.root, filepath.FromSlash(rel)), []byte(content))
}
