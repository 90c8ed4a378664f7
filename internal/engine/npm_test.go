package engine

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/hmrd/hmrd/internal/vfs"
)

// npmTrees are real ES-module source trees from npm, pinned, each with the
// entries a bundle of it starts from: hundreds of files written by other
// people, with their own idioms (ASI, regular expressions, re-export
// chains, generated shader sources, .js specifiers).
var npmTrees = []struct {
	pkg     string // name@version
	entries []string
	min     int // files esbuild bundles at least (the test's own sanity check)
}{
	{"three@0.187.0", []string{"src/Three.js"}, 300},
	{"lodash-es@4.18.1", []string{"lodash.js"}, 600},
	{"date-fns@4.4.0", []string{"index.js", "locale.js"}, 800},
	{"rxjs@7.8.2", []string{"dist/esm/index.js", "dist/esm/operators/index.js", "dist/esm/ajax/index.js"}, 200},
	// Subpath imports ("#ansi-styles") with conditions.
	{"chalk@6.0.1", []string{"source/index.js"}, 4},
	{"preact@11.2.0", []string{"src/index.js"}, 10},
	// Re-exports of thirty other packages.
	{"d3@7.9.2", []string{"dist/d3.mjs"}, 1},
	{"d3-array@3.2.4", []string{"src/index.js"}, 50},
}

// The engine's graph of real npm packages' source trees is the one esbuild
// bundles from them: every file's edges are the imports esbuild's metafile
// lists for it. The packages are installed with npm once per run; without
// npm the test skips, unless HMRD_NODE_TESTS=required.
func TestNPMTreesMatchEsbuildMetafile(t *testing.T) {
	if testing.Short() {
		t.Skip("installs packages from npm")
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		if os.Getenv("HMRD_NODE_TESTS") == "required" {
			t.Fatal("npm not found and HMRD_NODE_TESTS=required")
		}
		t.Skip("npm not found")
	}
	dir := realDir(t)
	writeFile(t, filepath.Join(dir, "package.json"), `{"name": "npm-trees", "private": true}`)
	args := []string{"install", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"}
	for _, tr := range npmTrees {
		args = append(args, tr.pkg)
	}
	cmd := exec.Command(npm, args...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("npm install: %v\n%s", err, out)
	}
	for _, tr := range npmTrees {
		name := tr.pkg[:lastAt(tr.pkg)]
		t.Run(name, func(t *testing.T) {
			// The package as a project of its own, outside node_modules.
			root := filepath.Join(dir, "trees", name)
			if err := os.MkdirAll(filepath.Dir(root), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Rename(filepath.Join(dir, "node_modules", name), root); err != nil {
				t.Fatal(err)
			}
			proj, plan, err := Open(vfs.OS{}, Options{Root: root, Entries: tr.entries})
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range plan.Errors {
				t.Errorf("open: %v", e)
			}
			n := compareWithMetafile(t, proj, root, tr.entries)
			if n < tr.min {
				t.Errorf("esbuild bundled only %d files", n)
			}
			t.Logf("%s: %d files", tr.pkg, n)
		})
	}
}

// lastAt is the index of the @ before a package's version ("@scope/x@1"
// → the second).
func lastAt(spec string) int {
	for i := len(spec) - 1; i > 0; i-- {
		if spec[i] == '@' {
			return i
		}
	}
	return len(spec)
}
