package engine

import "testing"

// A stylesheet both linked from the page and imported from JS is two
// modules (one swaps a <link>, the other a <style>); the snapshot names
// them apart, the linked one with Vite's "?direct", and every edge names
// the module it really leads to.
func TestSnapshotIDsAreUnique(t *testing.T) {
	p, _ := openMem(t, map[string]string{
		"index.html":    `<link rel="stylesheet" href="/src/style.css"><script type="module" src="/src/main.js"></script>`,
		"src/main.js":   "import './style.css'\n",
		"src/style.css": "body { color: red }\n",
		"src/only.css":  "",
	})
	snap := p.Snapshot()
	seen := map[string]ModuleInfo{}
	for _, m := range snap.Modules {
		if _, dup := seen[m.ID]; dup {
			t.Errorf("ID %s appears twice", m.ID)
		}
		seen[m.ID] = m
	}
	if m, ok := seen["/src/style.css"]; !ok || m.Kind != "style" {
		t.Errorf("/src/style.css = %+v; want the JS-imported stylesheet", m)
	}
	if m, ok := seen["/src/style.css?direct"]; !ok || m.Kind != "linked-style" {
		t.Errorf("/src/style.css?direct = %+v; want the linked stylesheet", m)
	}
	for _, e := range seen["/index.html"].Imports {
		if e.Kind == "link" && e.Target != "/src/style.css?direct" {
			t.Errorf("link edge leads to %s; want /src/style.css?direct", e.Target)
		}
	}
	for _, e := range seen["/src/main.js"].Imports {
		if e.Target != "/src/style.css" {
			t.Errorf("import edge leads to %s; want /src/style.css", e.Target)
		}
	}
}
