package engine

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hmrd/hmrd/internal/vfs"
)

// Generated shapes too large to write as scripts.

func openMem(t testing.TB, files map[string]string) (*Project, *vfs.Mem) {
	t.Helper()
	mem := vfs.NewMem()
	for name, body := range files {
		mem.WriteFile(caseRoot+"/"+name, []byte(body))
	}
	clock := time.UnixMilli(1_700_000_000_000)
	p, plan, err := Open(mem, Options{Root: caseRoot, Now: func() time.Time { clock = clock.Add(time.Millisecond); return clock }})
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Errors) > 0 {
		t.Fatalf("open: %v", plan.Errors)
	}
	return p, mem
}

const selfAccept = "\nif (import.meta.hot) { import.meta.hot.accept() }\n"

func TestDeepChain(t *testing.T) {
	const depth = 50
	files := map[string]string{"index.html": `<script type="module" src="/src/m0.js"></script>`}
	for i := 0; i < depth; i++ {
		body := fmt.Sprintf("export const v%d = 1\n", i)
		if i+1 < depth {
			body = fmt.Sprintf("import './m%d.js'\n", i+1) + body
		}
		files[fmt.Sprintf("src/m%d.js", i)] = body
	}
	tests := []struct {
		name       string
		acceptAt   int // -1: nowhere
		wantReload bool
		wantChain  int
	}{
		{"no boundary reloads with the whole chain", -1, true, depth},
		{"boundary at the top", 0, false, depth},
		{"boundary in the middle", 25, false, depth - 25},
		{"leaf accepts itself", depth - 1, false, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fs := map[string]string{}
			for k, v := range files {
				fs[k] = v
			}
			if tc.acceptAt >= 0 {
				fs[fmt.Sprintf("src/m%d.js", tc.acceptAt)] += selfAccept
			}
			p, mem := openMem(t, fs)
			leaf := fmt.Sprintf("%s/src/m%d.js", caseRoot, depth-1)
			mem.WriteFile(leaf, []byte(fs[fmt.Sprintf("src/m%d.js", depth-1)]+"\n// edited\n"))
			plan := p.Apply([]string{leaf})
			if tc.wantReload {
				if plan.FullReload == nil {
					t.Fatalf("want full reload, got %+v", plan)
				}
				if len(plan.FullReload.Chain) != tc.wantChain {
					t.Fatalf("chain has %d modules, want %d", len(plan.FullReload.Chain), tc.wantChain)
				}
				if !strings.Contains(plan.FullReload.Reason, "/src/m0.js (entry, does not accept)") {
					t.Fatalf("reason %q does not name the entry", plan.FullReload.Reason)
				}
				return
			}
			if plan.FullReload != nil || len(plan.Updates) != 1 {
				t.Fatalf("want one update, got %+v", plan)
			}
			u := plan.Updates[0]
			if want := fmt.Sprintf("/src/m%d.js", tc.acceptAt); u.Path != want || u.AcceptedPath != want {
				t.Fatalf("update %+v, want boundary %s", u, want)
			}
			if len(u.Chain) != tc.wantChain {
				t.Fatalf("chain has %d modules, want %d", len(u.Chain), tc.wantChain)
			}
			// Every module between the leaf and the entry gets the new
			// version: re-imports inside the boundary must fetch fresh code.
			if len(plan.Versions) != depth {
				t.Fatalf("%d modules stamped, want %d", len(plan.Versions), depth)
			}
		})
	}
}

// A wide diamond: 200 self-accepting modules import one shared module; one
// edit yields exactly one update per boundary, none twice.
func TestWideDiamond(t *testing.T) {
	const width = 200
	var main strings.Builder
	files := map[string]string{
		"index.html":    `<script type="module" src="/src/main.js"></script>`,
		"src/shared.js": "export const s = 1\n",
	}
	for i := 0; i < width; i++ {
		fmt.Fprintf(&main, "import './w%d.js'\n", i)
		files[fmt.Sprintf("src/w%d.js", i)] = "import { s } from './shared.js'\nconsole.log(s)" + selfAccept
	}
	files["src/main.js"] = main.String()
	p, mem := openMem(t, files)
	mem.WriteFile(caseRoot+"/src/shared.js", []byte("export const s = 2\n"))
	plan := p.Apply([]string{caseRoot + "/src/shared.js"})
	if plan.FullReload != nil || len(plan.Updates) != width {
		t.Fatalf("want %d updates, got reload=%v updates=%d", width, plan.FullReload, len(plan.Updates))
	}
	seen := map[string]bool{}
	for _, u := range plan.Updates {
		if seen[u.Path] {
			t.Fatalf("boundary %s listed twice", u.Path)
		}
		seen[u.Path] = true
	}
	// main.js imports every boundary but accepts none: it is stamped too
	// (its URL must change for a later full-page navigation), but it is
	// not a boundary.
	if _, ok := plan.Versions["/src/main.js"]; !ok {
		t.Fatal("entry not stamped with the new version")
	}
}

// A long cycle must terminate, and every module on it is found.
func TestLongCycleTerminates(t *testing.T) {
	const n = 500
	files := map[string]string{"index.html": `<script type="module" src="/src/c0.js"></script>`}
	for i := 0; i < n; i++ {
		files[fmt.Sprintf("src/c%d.js", i)] = fmt.Sprintf("import './c%d.js'\n", (i+1)%n)
	}
	files["src/c0.js"] += selfAccept
	p, mem := openMem(t, files)
	f := fmt.Sprintf("%s/src/c%d.js", caseRoot, n/2)
	mem.WriteFile(f, []byte(files[fmt.Sprintf("src/c%d.js", n/2)]+"//x\n"))
	plan := p.Apply([]string{f})
	if plan.FullReload != nil || len(plan.Updates) != 1 || plan.Updates[0].Path != "/src/c0.js" {
		t.Fatalf("got %+v", plan)
	}
	if !plan.Updates[0].IsWithinCircularImport {
		t.Fatal("boundary on the loop not flagged as within a circular import")
	}
}
