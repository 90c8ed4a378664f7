package engine

import (
	"testing"
)

// versionOf is the version the dev server would put in ?t= for module id.
func versionOf(t *testing.T, p *Project, id string) int64 {
	t.Helper()
	info, ok := p.ServeInfo(id, nil)
	if !ok {
		t.Fatalf("%s is not in the graph", id)
	}
	return info.Version
}

// A module deleted and created again is a new instance: its version differs
// from every version the runtime saw, so the browser does not hand back the
// old instance from its module map (a URL without ?t= included).
func TestRecreatedModuleGetsNewVersion(t *testing.T) {
	p, mem := openMem(t, map[string]string{
		"index.html":  `<script type="module" src="/src/main.js"></script>`,
		"src/main.js": "import './app.js'\n",
		"src/app.js":  "import { x } from './x.js'\nconsole.log(x)\n" + selfAccept,
		"src/x.js":    "export const x = 1\n",
	})
	x := caseRoot + "/src/x.js"
	seen := map[int64]bool{versionOf(t, p, "/src/x.js"): true} // 0: served without ?t=
	for i, content := range []string{"export const x = 2\n", "export const x = 3\n"} {
		mem.Remove(x)
		p.Apply([]string{x})
		if p.Has("/src/x.js") {
			t.Fatalf("round %d: /src/x.js still in the graph after its delete", i)
		}
		mem.WriteFile(x, []byte(content))
		plan := p.Apply([]string{x})
		v := versionOf(t, p, "/src/x.js")
		if seen[v] {
			t.Fatalf("round %d: re-created /src/x.js has version %d, which the runtime already saw (%v)", i, v, seen)
		}
		if plan.Versions["/src/x.js"] != v {
			t.Fatalf("round %d: plan versions %v do not carry /src/x.js = %d", i, plan.Versions, v)
		}
		seen[v] = true
		// An edit after the re-creation stamps it again, as usual.
		mem.WriteFile(x, []byte(content+"// edited\n"))
		p.Apply([]string{x})
		seen[versionOf(t, p, "/src/x.js")] = true
	}
}
