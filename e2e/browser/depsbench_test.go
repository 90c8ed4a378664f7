package browser

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestDepsPrebundleBench measures the start of create-vite's react-ts
// template: from starting the server to the page showing its counter in a
// new tab, cold (no dependency cache) and warm (the cache of the previous
// run), for hmrd and, with HMRD_DEPS_BENCH=vite, for Vite (the template's
// own devDependencies installed, `vite` run from node_modules). It runs
// only with HMRD_DEPS_BENCH set (docs/performance.md).
func TestDepsPrebundleBench(t *testing.T) {
	mode := os.Getenv("HMRD_DEPS_BENCH")
	if mode == "" {
		t.Skip("a benchmark: set HMRD_DEPS_BENCH=1 (or =vite to measure Vite too)")
	}
	needBrowser(t)
	needNPM(t)
	root := viteTemplate(t, "react-ts")
	runs := 5
	if n, err := strconv.Atoi(os.Getenv("HMRD_DEPS_BENCH_RUNS")); err == nil && n > 0 {
		runs = n
	}
	cache := filepath.Join(root, "node_modules", ".hmrd")
	t.Logf("load average before: %s", loadavg())
	var cold, warm, coldReady, warmReady, builds []time.Duration
	for range runs {
		if err := os.RemoveAll(cache); err != nil {
			t.Fatal(err)
		}
		ready, total, log := startToRendered(t, root, hmrdCmd)
		cold, coldReady = append(cold, total), append(coldReady, ready)
		if m := depsTook.FindStringSubmatch(log); m != nil {
			if d, err := time.ParseDuration(m[1]); err == nil {
				builds = append(builds, d)
			}
		}
		ready, total, log = startToRendered(t, root, hmrdCmd)
		if !strings.Contains(log, "dependencies from the cache") {
			t.Errorf("warm start did not use the cache:\n%s", log)
		}
		warm, warmReady = append(warm, total), append(warmReady, ready)
	}
	t.Logf("hmrd react-ts, start to rendered: cold %s, warm %s; start to listening: cold %s, warm %s; dependency build %s",
		stats(cold), stats(warm), stats(coldReady), stats(warmReady), stats(builds))
	t.Logf("load average after hmrd: %s", loadavg())
	if mode != "vite" {
		return
	}
	install := exec.Command("npm", "install", "--no-audit", "--no-fund", "--loglevel=error")
	install.Dir = root
	if out, err := install.CombinedOutput(); err != nil {
		t.Fatalf("npm install (with Vite): %v\n%s", err, out)
	}
	vcache := filepath.Join(root, "node_modules", ".vite")
	cold, warm, coldReady, warmReady = nil, nil, nil, nil
	for range runs {
		if err := os.RemoveAll(vcache); err != nil {
			t.Fatal(err)
		}
		ready, total, _ := startToRendered(t, root, viteCmd)
		cold, coldReady = append(cold, total), append(coldReady, ready)
		ready, total, _ = startToRendered(t, root, viteCmd)
		warm, warmReady = append(warm, total), append(warmReady, ready)
	}
	t.Logf("Vite react-ts, start to rendered: cold %s, warm %s; start to listening: cold %s, warm %s",
		stats(cold), stats(warm), stats(coldReady), stats(warmReady))
	t.Logf("load average after Vite: %s", loadavg())
}

var depsTook = regexp.MustCompile(`dependencies optimized.* took=(\S+)`)

// A server command: the process for root on addr, and the line of its
// output that says it serves (its URL is in group 1).
type serverCmd func(root, addr string) (*exec.Cmd, *regexp.Regexp)

func hmrdCmd(root, addr string) (*exec.Cmd, *regexp.Regexp) {
	sock := filepath.Join(filepath.Dir(root), fmt.Sprintf("bench-%d.sock", time.Now().UnixNano()%1e6))
	return exec.Command(hmrdBin, "serve", "--socket", sock, "--http", addr, root), servingLine
}

var viteReady = regexp.MustCompile(`Local:\s+(http://\S+)`)

func viteCmd(root, addr string) (*exec.Cmd, *regexp.Regexp) {
	host, port, _ := strings.Cut(addr, ":")
	cmd := exec.Command("node", "node_modules/vite/bin/vite.js", "--host", host, "--port", port, "--strictPort")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "NO_COLOR=1", "FORCE_COLOR=0")
	return cmd, viteReady
}

// startToRendered starts a server on root, opens its page in a new tab
// and returns the times from the start to the server's URL line and to
// the counter showing, with the server's output.
func startToRendered(t *testing.T, root string, server serverCmd) (ready, rendered time.Duration, output string) {
	t.Helper()
	cmd, readyLine := server(root, freeAddr(t))
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	var out syncBuffer
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			line := sc.Text()
			out.Write([]byte(line + "\n"))
			if m := readyLine.FindStringSubmatch(line); m != nil {
				select {
				case urls <- m[1]:
				default:
				}
			}
		}
	}()
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
		pw.Close()
	}()
	var url string
	select {
	case url = <-urls:
		ready = time.Since(start)
	case <-time.After(60 * time.Second):
		t.Fatalf("%s printed no URL within 60s", cmd.Path)
	}
	ctx, cancel := chromedp.NewContext(browserCtx)
	defer cancel()
	ctx, cancelT := context.WithTimeout(ctx, 60*time.Second)
	defer cancelT()
	err := chromedp.Do(ctx, chromedp.Navigate(url))
	if err == nil {
		_, err = chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelector('button.counter')?.textContent === 'Count is 0'`, chromedp.WithPollingInterval(5*time.Millisecond)))
	}
	took := time.Since(start)
	if err != nil {
		t.Fatalf("%s: the counter did not show: %v\n%s", url, err, out.String())
	}
	return ready, took, out.String()
}

// loadavg is the first three fields of /proc/loadavg.
func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return strings.Join(strings.Fields(string(b))[:3], " ")
}

// stats is "median (min–max) of n".
func stats(ds []time.Duration) string {
	if len(ds) == 0 {
		return "-"
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	r := func(d time.Duration) string { return d.Round(time.Millisecond).String() }
	return fmt.Sprintf("%s (%s–%s of %d)", r(s[len(s)/2]), r(s[0]), r(s[len(s)-1]), len(s))
}
