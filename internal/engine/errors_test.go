package engine

import (
	"fmt"
	"strings"
	"testing"
)

// A module with 300 imports that do not resolve is one error: the first
// import positioned, with its frame, and the others counted, the first of
// them named. Saving it again sends nothing; an unrelated edit sends
// nothing about it either.
func TestManyUnresolvedImportsAreOneError(t *testing.T) {
	p, mem := openMem(t, map[string]string{
		"index.html":   `<script type="module" src="/src/main.js"></script>`,
		"src/main.js":  "import './app.js'\nimport './other.js'\n",
		"src/app.js":   "export const a = 1" + selfAccept,
		"src/other.js": "export const o = 1" + selfAccept,
	})
	var src strings.Builder
	for i := range 300 {
		fmt.Fprintf(&src, "import './missing%d.js'\n", i)
	}
	src.WriteString(selfAccept)
	mem.WriteFile(caseRoot+"/src/app.js", []byte(src.String()))
	plan := p.Apply([]string{caseRoot + "/src/app.js"})
	if len(plan.Updates) > 0 || plan.FullReload != nil {
		t.Errorf("broken edit signalled %+v %+v, want only its error", plan.Updates, plan.FullReload)
	}
	if len(plan.Errors) != 1 {
		t.Fatalf("errors = %d, want 1: %v", len(plan.Errors), plan.Errors)
	}
	e := plan.Errors[0]
	wantFrame := "  1 | import './missing0.js'\n    |         ^"
	if e.Module != "/src/app.js" || e.Code != "UNRESOLVED_IMPORT" || e.Line != 1 || e.Column != 9 || e.Frame != wantFrame {
		t.Errorf("error = %+v; want /src/app.js UNRESOLVED_IMPORT at 1:9 with frame\n%s", e, wantFrame)
	}
	for _, part := range []string{`"./missing0.js"`, "and 299 more", `"./missing1.js" at 2:9`, `"./missing10.js" at 11:9, …)`} {
		if !strings.Contains(e.Message, part) {
			t.Errorf("message %q lacks %q", e.Message, part)
		}
	}
	if strings.Contains(e.Message, "missing11.js") {
		t.Errorf("message lists more than %d other imports: %q", maxListed, e.Message)
	}
	if got := p.Errors(); len(got) != 1 || got[0] != e {
		t.Errorf("Errors() = %v, want the one error", got)
	}

	if plan := p.Apply([]string{caseRoot + "/src/app.js"}); !plan.Empty() {
		t.Errorf("the same broken content again: %+v, want nothing", plan)
	}
	mem.WriteFile(caseRoot+"/src/other.js", []byte("export const o = 2"+selfAccept))
	plan = p.Apply([]string{caseRoot + "/src/other.js"})
	if len(plan.Updates) != 1 || len(plan.Errors) != 0 || len(plan.Cleared) != 0 {
		t.Errorf("unrelated edit: updates %v errors %v cleared %v; want one update and nothing about /src/app.js", plan.Updates, plan.Errors, plan.Cleared)
	}
	if st := p.Stats(); st.Errors != 1 {
		t.Errorf("Stats().Errors = %d, want 1", st.Errors)
	}
}

// An unresolved @import of a stylesheet and <script src> of a page are
// positioned too.
func TestUnresolvedPositionsInCSSAndHTML(t *testing.T) {
	p, mem := openMem(t, map[string]string{
		"index.html":  "<!doctype html>\n<script type=\"module\" src=\"/src/main.js\"></script>\n",
		"src/main.js": "import './a.css'\n",
		"src/a.css":   "body { color: red }\n",
	})
	mem.WriteFile(caseRoot+"/src/a.css", []byte("body { color: red }\n  @import './b.css';\n"))
	mem.WriteFile(caseRoot+"/index.html", []byte("<!doctype html>\n<script type=\"module\" src=\"/src/main.js\"></script>\n<script type=\"module\" src=\"/src/gone.js\"></script>\n"))
	plan := p.Apply([]string{caseRoot + "/src/a.css", caseRoot + "/index.html"})
	got := map[string]string{}
	for _, e := range plan.Errors {
		got[e.Module] = fmt.Sprintf("%d:%d", e.Line, e.Column)
	}
	want := map[string]string{"/src/a.css": "2:12", "/index.html": "3:28"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("error positions = %v, want %v (%v)", got, want, plan.Errors)
	}
	if plan.FullReload != nil || len(plan.Updates) > 0 {
		t.Errorf("broken edits signalled %+v %+v, want only errors", plan.FullReload, plan.Updates)
	}
}
