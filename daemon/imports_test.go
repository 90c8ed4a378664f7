// Package daemon_test holds repository-wide rules for the daemon's packages.
package daemon_test

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// The core packages decide HMR semantics and must stay usable without any
// transport: they may not import gRPC, protobuf, WebSocket or net/http
// (DESIGN §1, "core knows no transport").
var corePackages = []string{"vfs", "jsscan", "cssscan", "htmlscan", "resolve", "modgraph", "propagate", "engine", "broadcast", "fswatch", "signal", "control", "internal/urlref"}

var forbiddenImports = []string{
	"google.golang.org/grpc",
	"google.golang.org/protobuf",
	"github.com/coder/websocket",
	"nhooyr.io/websocket",
	"net/http",
	"github.com/hmrd/hmrd/proto",
	"github.com/hmrd/hmrd/daemon/rpcserver",
	"github.com/hmrd/hmrd/daemon/wsbridge",
	"github.com/hmrd/hmrd/daemon/devserver",
}

func TestCoreImportsNoTransport(t *testing.T) {
	checked := 0
	for _, pkg := range corePackages {
		files, _ := filepath.Glob(filepath.Join(pkg, "*.go"))
		for _, file := range files {
			f, err := parser.ParseFile(token.NewFileSet(), file, nil, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			checked++
			for _, imp := range f.Imports {
				path := strings.Trim(imp.Path.Value, `"`)
				for _, bad := range forbiddenImports {
					if path == bad || strings.HasPrefix(path, bad+"/") {
						t.Errorf("%s imports %s: core packages know no transport", file, path)
					}
				}
			}
		}
	}
	if checked == 0 {
		t.Fatal("no core package files found: is the test running in daemon/?")
	}
}
