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
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func needNode(t *testing.T) string {
	t.Helper()
	node, err := exec.LookPath("node")
	why := ""
	switch {
	case err != nil:
		why = "node not found"
	case !exists("node_modules/@grpc/grpc-js/package.json"):
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

// TestNodeUnits runs node --test test/*.test.js.
func TestNodeUnits(t *testing.T) {
	node := needNode(t)
	// The files, not the directory: Node ≥ 21 reads --test arguments as
	// globs, and a bare directory matches nothing.
	files, err := filepath.Glob("test/*.test.js")
	if err != nil || len(files) == 0 {
		t.Fatalf("no test/*.test.js: %v", err)
	}
	out, err := exec.Command(node, append([]string{"--test"}, files...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("node --test %s: %v\n%s", strings.Join(files, " "), err, out)
	}
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
