package daemon_test

import (
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	hmrdv1 "github.com/hmrd/hmrd/proto/hmrd/v1"
)

// Compile, over the socket: TypeScript compiles with the tsconfig that
// applies to the file (decorators here), a syntax error is an answer with
// its position, and a file outside the project is refused.
func TestCompileOverGRPC(t *testing.T) {
	td := startDaemon(t, nil)
	writeFile(t, filepath.Join(td.root, "tsconfig.json"), `{"compilerOptions": {"experimentalDecorators": true}}`)
	ctx := ctxT(t)
	file := filepath.Join(td.root, "src/c.ts")
	resp, err := td.proj.Compile(ctx, &hmrdv1.CompileRequest{File: file,
		Source: []byte("import type { T } from './t.js'\nfunction d(c: any) {}\n@d export class C { x: T | null = null }\n")})
	if err != nil {
		t.Fatal(err)
	}
	code := string(resp.GetCode())
	if resp.GetError() != nil || !strings.Contains(code, "__decorateClass") || strings.Contains(code, "./t.js") || !strings.Contains(code, "sourceMappingURL=data:") {
		t.Fatalf("compile: error %v, code:\n%s", resp.GetError(), code)
	}

	resp, err = td.proj.Compile(ctx, &hmrdv1.CompileRequest{File: file, Source: []byte("export const a: number = \n")})
	if err != nil {
		t.Fatal(err)
	}
	if e := resp.GetError(); e == nil || e.GetLine() != 2 || e.GetFile() != file || e.GetCode() != "PARSE_ERROR" || e.GetFrame() == "" || len(resp.GetCode()) != 0 {
		t.Fatalf("syntax error: %v (code %q)", e, resp.GetCode())
	}

	for _, bad := range []string{filepath.Join(filepath.Dir(td.root), "other.ts"), "src/c.ts", filepath.Join(td.root, "style.css")} {
		_, err = td.proj.Compile(ctx, &hmrdv1.CompileRequest{File: bad, Source: []byte("x")})
		if status.Code(err) != codes.InvalidArgument {
			t.Errorf("compile %s: %v, want INVALID_ARGUMENT", bad, err)
		}
	}
}
