package browser

import (
	"bytes"
	"io/fs"
	"os"
	"path"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// maxLines bounds every runtime module: one concern per file.
const maxLines = 400

func readEmbedded(t *testing.T) map[string][]byte {
	t.Helper()
	names, err := fs.Glob(Files, "*")
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, name := range names {
		b, err := fs.ReadFile(Files, name)
		if err != nil {
			t.Fatal(err)
		}
		files[name] = b
	}
	return files
}

func TestFilesEmbedded(t *testing.T) {
	files := readEmbedded(t)
	client, ok := files[Entry]
	if !ok {
		t.Fatalf("Files lacks %s: %v", Entry, files)
	}
	for _, want := range []string{
		"export function createHotContext(",
		"export function updateStyle(",
		"export function removeStyle(",
		"export { createRuntime }",
		"typeof __HMRD_CONFIG__ !== 'undefined'",
	} {
		if !bytes.Contains(client, []byte(want)) {
			t.Errorf("%s lacks %q", Entry, want)
		}
	}
	// Every .js file of the directory is embedded, and nothing else.
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	var onDisk, embedded []string
	for _, e := range entries {
		if !e.IsDir() && path.Ext(e.Name()) == ".js" {
			onDisk = append(onDisk, e.Name())
		}
	}
	for name := range files {
		embedded = append(embedded, name)
	}
	slices.Sort(embedded)
	if !slices.Equal(onDisk, embedded) {
		t.Errorf("embedded %v, want the directory's .js files %v", embedded, onDisk)
	}
	// The dev server prepends `const __HMRD_CONFIG__ = …;` to client.js: a
	// second declaration would make the served module a syntax error.
	decl := regexp.MustCompile(`(?m)^\s*(const|let|var)\s+__HMRD_CONFIG__\b`)
	for name, b := range files {
		if decl.Match(b) {
			t.Errorf("%s declares __HMRD_CONFIG__ itself", name)
		}
		if name != Entry && bytes.Contains(b, []byte("__HMRD_CONFIG__")) {
			t.Errorf("%s reads __HMRD_CONFIG__: only %s gets the config line", name, Entry)
		}
	}
}

func TestFilesAreSmallCheckedModules(t *testing.T) {
	for name, b := range readEmbedded(t) {
		if !bytes.HasPrefix(b, []byte("// @ts-check\n")) {
			t.Errorf("%s does not start with // @ts-check", name)
		}
		if n := bytes.Count(b, []byte("\n")); n > maxLines {
			t.Errorf("%s has %d lines, more than %d", name, n, maxLines)
		}
	}
}

// importRE finds the specifiers of static imports and re-exports (at the
// start of a line, so not the type-only @import of JSDoc comments) and
// of literal dynamic imports.
var importRE = regexp.MustCompile(`(?m)^\s*(?:import|export)\b[^'";]*?\bfrom\s*['"]([^'"]+)['"]|^\s*import\s*['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)`)

// The runtime's modules import only each other, by relative URL: served
// under /@hmrd/, the graph is closed and needs no rewriting.
func TestFilesImportOnlyEachOther(t *testing.T) {
	files := readEmbedded(t)
	reached := map[string]bool{Entry: true, RefreshEntry: true}
	queue := []string{Entry, RefreshEntry}
	for len(queue) > 0 {
		name := queue[0]
		queue = queue[1:]
		for _, m := range importRE.FindAllSubmatch(files[name], -1) {
			spec := string(bytes.Join(m[1:], nil))
			target, ok := strings.CutPrefix(spec, "./")
			if !ok || strings.Contains(target, "/") {
				t.Errorf("%s imports %q: only ./<file>.js of this directory", name, spec)
				continue
			}
			if _, ok := files[target]; !ok {
				t.Errorf("%s imports %q, which is not embedded", name, spec)
				continue
			}
			if !reached[target] {
				reached[target] = true
				queue = append(queue, target)
			}
		}
	}
	for name := range files {
		if !reached[name] {
			t.Errorf("%s is embedded but neither %s nor %s imports it", name, Entry, RefreshEntry)
		}
	}
}
