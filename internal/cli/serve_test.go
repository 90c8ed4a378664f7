package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// serve runs the real daemon in-process; the other commands reach it
// through the Go client like they reach any daemon.
func TestServe(t *testing.T) {
	root := t.TempDir()
	for name, src := range map[string]string{
		"index.html":   `<!doctype html><script type="module" src="/src/main.js"></script>`,
		"src/main.js":  "import { x } from './stuff.js'\nconsole.log(x)\n",
		"src/stuff.js": "export const x = 1\nimport.meta.hot.accept()\n",
	} {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	sock := socketPath(t)
	out, logs := newLineWriter(), newLineWriter()
	stop := background(t, out, logs, "serve", "--socket", sock, "--http", "off", "--log-level", "info",
		"--history", "100", "--history-bytes", "32MiB", "--queue-size", "64", "--queue-bytes", "2MiB",
		"--lag-timeout", "5s", "--max-custom-bytes", "512KiB", root)
	logs.waitFor(t, "ready") // the daemon logs once it listens

	r := run(t, "--socket", sock, "status")
	if r.code != 0 || !strings.Contains(r.stdout, filepath.Base(root)) || !strings.Contains(r.stdout, "unix:"+sock) {
		t.Errorf("status against the daemon: %v", r)
	}
	r = run(t, "--socket", sock, "explain", "/src/stuff.js")
	if r.code != 0 || !strings.Contains(r.stdout, "/src/stuff.js self-accepts") {
		t.Errorf("explain against the daemon: %v", r)
	}
	if code := stop(); code != 0 {
		t.Errorf("serve exited %d after interrupt, want 0; log %q", code, logs.lines())
	}
}

// An --entry that does not resolve stops serve at once, naming it.
func TestServeUnresolvedEntry(t *testing.T) {
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "index.html"), []byte("<p>static</p>"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := run(t, "serve", "--socket", socketPath(t), "--http", "off", "--entry", "src/server.ts", root)
	if r.code == 0 || !strings.Contains(r.stderr, "entry src/server.ts") {
		t.Fatalf("serve with a missing --entry: %v; want a failure naming the entry", r)
	}
	t.Logf("%s", r.stderr)
}

func TestByteSizeFlag(t *testing.T) {
	for in, want := range map[string]int{"1": 1, "1048576": 1 << 20, "512KiB": 512 << 10, "16MiB": 16 << 20, "1GiB": 1 << 30, "3 MiB": 3 << 20, "10B": 10} {
		var b byteSize
		if err := b.Set(in); err != nil || int(b) != want {
			t.Errorf("Set(%q) = %d, %v; want %d", in, b, err, want)
		}
	}
	for _, in := range []string{"", "0", "-1MiB", "1.5MiB", "16MB", "MiB", "99999999999GiB"} {
		var b byteSize
		if err := b.Set(in); err == nil {
			t.Errorf("Set(%q) = %d, want an error", in, b)
		}
	}
	for n, want := range map[int]string{1: "1B", 1536: "1536B", 16 << 20: "16MiB", 512 << 10: "512KiB", 1 << 30: "1GiB"} {
		if b := byteSize(n); b.String() != want {
			t.Errorf("byteSize(%d) = %q, want %q", n, b.String(), want)
		}
	}
}
