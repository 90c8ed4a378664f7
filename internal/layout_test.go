// Package internal_test holds the repository's layout rules: which packages
// may depend on which. It runs `go list -deps`, so a rule holds for every
// package a package pulls in, not only for its direct imports.
package internal_test

import (
	"encoding/json"
	"io"
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/hmrd/hmrd"

// corePackages decide HMR semantics and must stay usable without any
// transport (docs/architecture.md, "the core knows no transport"): neither
// they nor anything they import may reach gRPC, protobuf, WebSocket, net/http
// or hmrd's own transports.
var corePackages = []string{
	"internal/vfs",
	"internal/fswatch",
	"internal/scan/jsscan",
	"internal/scan/cssscan",
	"internal/scan/htmlscan",
	"internal/scan/urlref",
	"internal/resolve",
	"internal/graph/modgraph",
	"internal/graph/propagate",
	"internal/engine",
	"internal/signal",
	"internal/broadcast",
	"internal/control",
}

var forbiddenImports = []string{
	"google.golang.org/grpc",
	"google.golang.org/protobuf",
	"github.com/coder/websocket",
	"nhooyr.io/websocket",
	"net/http",
	module + "/proto",
	module + "/internal/transport",
	module + "/internal/devserver",
	module + "/daemon",
}

// allowedRoots are packages whose own dependencies are not the core's
// concern: esbuild's public API carries its serve mode (net/http), which the
// core never calls.
var allowedRoots = []string{"github.com/evanw/esbuild/pkg/api"}

type listedPackage struct {
	ImportPath string
	Imports    []string
}

// goList returns every package in the dependency closure of pkgs, keyed by
// import path.
func goList(t *testing.T, pkgs ...string) map[string]listedPackage {
	t.Helper()
	args := append([]string{"list", "-deps", "-json=ImportPath,Imports"}, pkgs...)
	out, err := exec.Command("go", args...).Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	all := map[string]listedPackage{}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p listedPackage
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		all[p.ImportPath] = p
	}
	return all
}

func isForbidden(path string) bool {
	for _, bad := range forbiddenImports {
		if path == bad || strings.HasPrefix(path, bad+"/") {
			return true
		}
	}
	return false
}

// TestCoreImportsNoTransport walks each core package's imports transitively,
// not descending into the allowed roots, and reports the chain to the first
// forbidden package it reaches.
func TestCoreImportsNoTransport(t *testing.T) {
	var paths []string
	for _, p := range corePackages {
		paths = append(paths, module+"/"+p)
	}
	all := goList(t, paths...)
	for _, root := range paths {
		if _, ok := all[root]; !ok {
			t.Fatalf("core package %s not found: update corePackages", root)
		}
		if chain := forbiddenChain(all, root); chain != nil {
			t.Errorf("%s reaches a transport: %s", root, strings.Join(chain, " → "))
		}
	}
}

// forbiddenChain returns the import chain from root to a forbidden package,
// or nil when there is none.
func forbiddenChain(all map[string]listedPackage, root string) []string {
	parent := map[string]string{root: ""}
	queue := []string{root}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		if isForbidden(cur) {
			var chain []string
			for p := cur; p != ""; p = parent[p] {
				chain = append([]string{p}, chain...)
			}
			return chain
		}
		if isAllowedRoot(cur) {
			continue
		}
		for _, imp := range all[cur].Imports {
			if _, seen := parent[imp]; !seen {
				parent[imp] = cur
				queue = append(queue, imp)
			}
		}
	}
	return nil
}

func isAllowedRoot(path string) bool {
	for _, a := range allowedRoots {
		if path == a {
			return true
		}
	}
	return false
}

// TestPublicSurface keeps the module's importable packages to what a user
// of hmrd imports (docs/decisions/0011-public-surface.md): everything else
// lives under internal/, where it can change without notice.
func TestPublicSurface(t *testing.T) {
	public := map[string]bool{
		module + "/proto/hmrd/v1":         true,
		module + "/clients/go/hmrdclient": true,
		module + "/clients/go/hmrdtest":   true,
		module + "/daemon":                true,
	}
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}} {{.Name}} {{len .GoFiles}}", module+"/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		path, rest, _ := strings.Cut(line, " ")
		name, files, _ := strings.Cut(rest, " ")
		switch {
		case public[path], name == "main", strings.Contains(path+"/", "/internal/"):
		case strings.HasPrefix(path, module+"/e2e"): // tests only
		case files == "0": // only _test.go files (clients/node): nothing to import
		default:
			t.Errorf("%s is importable by users but not part of the public surface: move it under internal/", path)
		}
	}
}
