// Package browser runs pages served by the built `hmrd serve` in headless
// Chromium and checks what a person sees: edits applied in place with the
// page's state kept, full reloads with their reason, the error overlay,
// CSS swaps, and a page that resyncs after the daemon restarts.
//
// Every test runs its own daemon on a temporary copy of a tree in
// testdata/ (or on a create-vite template, created with npx and
// installed with npm once per run: templates_test.go) and opens its own
// tab in one shared Chromium. The Vite plugin's tests run Vite itself, with
// the plugin from clients/vite, on create-vite templates, beside a daemon
// without its dev server (viteplugin_test.go). The tests wait on
// conditions in the page with deadlines, never for a fixed time.
//
// Chromium is Debian's /usr/bin/chromium. When it is missing the tests
// skip, unless HMRD_BROWSER_TESTS=required (CI), where they fail.
// HMRD_BROWSER_VERBOSE=1 logs every tab's console and daemon log, not only
// those of failed tests.
package browser

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"
)

const chromiumPath = "/usr/bin/chromium"

var (
	// hmrdBin is the binary under test, built once by TestMain.
	hmrdBin string
	// browserCtx is the chromedp context of the shared browser; each test
	// opens a tab as its child.
	browserCtx context.Context
	// noBrowser says why there is no browser, when there is none.
	noBrowser string
	// chromiumOut is what Chromium printed, for a failure to start.
	chromiumOut syncBuffer
	// workDir is the run's temporary directory, removed at its end.
	workDir string
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	if _, err := os.Stat(chromiumPath); err != nil {
		noBrowser = fmt.Sprintf("Chromium is not installed (%v); install Debian's chromium package", err)
		return m.Run() // every test skips or fails through needBrowser
	}

	dir, err := os.MkdirTemp("", "hmrd-browser-e2e")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	workDir = dir

	// Not -race: the daemon's own tests cover that, and these tests are
	// about the page.
	hmrdBin = filepath.Join(dir, "hmrd")
	build := exec.Command("go", "build", "-o", hmrdBin, "../../cmd/hmrd")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build hmrd:", err)
		return 1
	}

	profile := filepath.Join(dir, "chromium-profile")
	if err := os.Mkdir(profile, 0o700); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	// Exactly these flags, not chromedp's defaults; chromedp adds only the
	// DevTools pipe and the first about:blank.
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromiumPath),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(profile),
		chromedp.CombinedOutput(&chromiumOut),
	)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(allocCtx)
	defer cancel()
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		fmt.Fprintf(os.Stderr, "start %s: %v\n%s\n", chromiumPath, err, chromiumOut.String())
		return 1
	}
	browserCtx = ctx
	return m.Run()
}

// needBrowser skips the test when there is no Chromium, or fails it when
// HMRD_BROWSER_TESTS=required.
func needBrowser(t *testing.T) {
	t.Helper()
	if noBrowser == "" {
		return
	}
	if os.Getenv("HMRD_BROWSER_TESTS") == "required" {
		t.Fatalf("HMRD_BROWSER_TESTS=required, but %s", noBrowser)
	}
	t.Skip(noBrowser + " (HMRD_BROWSER_TESTS=required makes this a failure)")
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
