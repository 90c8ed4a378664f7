package reliability

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	hmrdv1 "github.com/hmrd/hmrd/proto/hmrd/v1"
)

// checkoutTree is one commit's tree: n modules in chains, one chain per
// directory, each module importing the next of its directory; main.js
// imports the first of every chain. Commit "b" drops a directory and a
// quarter of the modules, renames a directory, changes a third of the
// rest and adds new directories.
func checkoutTree(variant string, n int) map[string]string {
	type mod struct {
		i   int
		dir string
	}
	var mods []mod
	for i := range n {
		dir := fmt.Sprintf("d%d", i%10)
		if variant == "b" {
			if i%10 == 3 || i%4 == 0 {
				continue
			}
			if i%10 == 5 {
				dir = "d5r"
			}
		}
		mods = append(mods, mod{i, dir})
	}
	if variant == "b" {
		for i := n; i < n+n/3; i++ {
			mods = append(mods, mod{i, fmt.Sprintf("e%d", i%5)})
		}
	}
	byDir := map[string][]int{}
	for _, m := range mods {
		byDir[m.dir] = append(byDir[m.dir], m.i)
	}
	files := map[string]string{"index.html": `<script type="module" src="/src/main.js"></script>` + "\n"}
	var main strings.Builder
	dirs := make([]string, 0, len(byDir))
	for dir := range byDir {
		dirs = append(dirs, dir)
	}
	slices.Sort(dirs)
	for _, dir := range dirs {
		chain := byDir[dir]
		fmt.Fprintf(&main, "import './%s/m%d.js'\n", dir, chain[0])
		for k, i := range chain {
			var b strings.Builder
			if k+1 < len(chain) {
				fmt.Fprintf(&b, "import { v as next } from './m%d.js'\nexport const w = next\n", chain[k+1])
			}
			flavor := "a"
			if variant == "b" && i%3 == 1 {
				flavor = "b"
				fmt.Fprintf(&b, "export const extra%d = 1\n", i)
			}
			fmt.Fprintf(&b, "export const v = '%s%d'\n", flavor, i)
			if i%7 == 0 {
				b.WriteString("import.meta.hot.accept()\n")
			}
			files[fmt.Sprintf("src/%s/m%d.js", dir, i)] = b.String()
		}
	}
	files["src/main.js"] = main.String()
	return files
}

func git(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@t", "GIT_COMMITTER_NAME=t",
		"GIT_COMMITTER_EMAIL=t@t", "GIT_CONFIG_NOSYSTEM=1", "HOME="+dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

// graphKey is a graph without what legitimately differs between a daemon
// that lived through the edits and one that just read the tree: versions
// (stamped by edits) and loaded marks.
func graphKey(g *hmrdv1.GetGraphResponse) []string {
	var out []string
	for _, m := range g.GetModules() {
		var imports []string
		for _, e := range m.GetImports() {
			imports = append(imports, e.GetSpecifier()+"|"+e.GetKind()+"|"+e.GetTarget())
		}
		slices.Sort(imports)
		importers := slices.Clone(m.GetImporters())
		slices.Sort(importers)
		exports := slices.Clone(m.GetExports())
		slices.Sort(exports)
		out = append(out, fmt.Sprintf("%s kind=%s file=%s live=%v entry=%v self=%v partial=%v accepts=%v declined=%v exports=%v error=%q imports=%v importers=%v",
			m.GetId(), m.GetKind(), m.GetFile(), m.GetLive(), m.GetEntry(), m.GetSelfAccepting(), m.GetPartialAccept(),
			m.GetAcceptedDeps(), m.GetDeclined(), exports, m.GetError(), imports, importers))
	}
	slices.Sort(out)
	return out
}

// diffKeys names the first differences between two graph keys.
func diffKeys(got, want []string) string {
	var b strings.Builder
	gs, ws := map[string]bool{}, map[string]bool{}
	for _, s := range got {
		gs[s] = true
	}
	for _, s := range want {
		ws[s] = true
	}
	n := 0
	for _, s := range want {
		if !gs[s] && n < 8 {
			fmt.Fprintf(&b, "  missing: %s\n", s)
			n++
		}
	}
	for _, s := range got {
		if !ws[s] && n < 16 {
			fmt.Fprintf(&b, "  extra:   %s\n", s)
			n++
		}
	}
	return fmt.Sprintf("%d modules, want %d\n%s", len(got), len(want), b.String())
}

// A real `git checkout` between two commits changes, adds, removes and
// renames many files at once while git holds its index lock. Afterwards
// the daemon's graph equals the graph a fresh daemon reads from the same
// tree — and after checking out the first commit again, too.
func TestGitCheckoutStorm(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	n := pick(150, 2000)
	tmp := shortTemp(t)
	root := filepath.Join(tmp, "app")
	if err := os.MkdirAll(root, 0o755); err != nil {
		t.Fatal(err)
	}
	git(t, root, "init", "-q", "-b", "a")
	writeTree(t, root, checkoutTree("b", n))
	git(t, root, "add", "-A")
	git(t, root, "commit", "-q", "-m", "b")
	git(t, root, "branch", "b")
	git(t, root, "rm", "-q", "-r", "src")
	writeTree(t, root, checkoutTree("a", n))
	git(t, root, "add", "-A")
	git(t, root, "commit", "-q", "-m", "a")

	d := startDaemon(t, filepath.Join(tmp, "s"), daemonOpts{roots: []string{root}})
	s := d.subscribeGRPC(t, &hmrdv1.SubscribeRequest{})
	s.next(waitFor) // hello
	for round := range pick(1, 4) {
		for _, branch := range []string{"b", "a"} {
			start := time.Now()
			git(t, root, "checkout", "-q", branch)
			took := time.Since(start)
			fresh := startDaemon(t, filepath.Join(tmp, fmt.Sprintf("f%d%s", round, branch)), daemonOpts{roots: []string{root}})
			want := graphKey(fresh.graph(t))
			fresh.stop()
			var got []string
			deadline := time.Now().Add(waitFor)
			for {
				got = graphKey(d.graph(t))
				if slices.Equal(got, want) {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("round %d, checkout %s: graph after %v differs from a fresh daemon's: %s", round, branch, waitFor, diffKeys(got, want))
				}
				time.Sleep(20 * time.Millisecond)
			}
			settled := time.Since(start)
			// What the storm signalled, for the log.
			var kinds []string
			for {
				select {
				case ev := <-s.events:
					if ev.GetHeartbeat() == nil {
						kinds = append(kinds, describeAll([]*hmrdv1.Event{ev}))
					}
					continue
				default:
				}
				break
			}
			t.Logf("checkout %s (%d modules; git took %v): graph equal after %v; %d signals so far: %.300s",
				branch, len(want), took.Round(time.Millisecond), settled.Round(time.Millisecond), len(kinds), strings.Join(kinds, " "))
		}
	}
}
