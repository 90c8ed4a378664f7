// Package hotcases reads the webpack HMR cases ported to hmrd (testdata/)
// and writes their successive versions to a project tree, for the runners
// that drive them in Chromium (e2e/browser) and in Node.js (clients/node).
//
// A case is a directory of ES modules. A file whose text has lines "---"
// holds successive versions, as webpack's test/hotCases do: version 0
// before the first "---", then one per section. The case's index.js
// imports ../harness.js, which gives it webpack's test vocabulary (it,
// expect, NEXT, update) and puts the runtime in manual mode. When the case
// calls NEXT, the runner writes the next step: every file whose version
// for that step differs from the one before (a file with fewer versions
// keeps its last). The case reports its result through the harness.
package hotcases

import (
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// files holds the cases and the harness, so the runners in other packages
// read them without knowing where this directory is.
//
//go:embed testdata harness.js
var files embed.FS

// Harness is harness.js, the module every case's index.js imports.
func Harness() []byte {
	b, err := files.ReadFile("harness.js")
	if err != nil {
		panic(err) // embedded: cannot happen
	}
	return b
}

// All is every case of testdata.
func All() ([]*Case, error) {
	sub, err := fs.Sub(files, "testdata")
	if err != nil {
		return nil, err
	}
	return Load(sub)
}

// Case is one ported case.
type Case struct {
	// Name is the directory's name: webpack's category and case, joined
	// by "-" (runtime-accept).
	Name string
	// Versions holds each file's versions, by path relative to the case.
	Versions map[string][]string
	// Steps is how many NEXTs the case can ask for.
	Steps int
}

// Load reads every case of root: one directory per case.
func Load(root fs.FS) ([]*Case, error) {
	entries, err := fs.ReadDir(root, ".")
	if err != nil {
		return nil, err
	}
	var cases []*Case
	for _, e := range entries {
		if !e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		c := &Case{Name: e.Name(), Versions: map[string][]string{}}
		dir := e.Name()
		err := fs.WalkDir(root, dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := fs.ReadFile(root, p)
			if err != nil {
				return err
			}
			v := Split(string(b))
			c.Versions[strings.TrimPrefix(p, dir+"/")] = v
			c.Steps = max(c.Steps, len(v)-1)
			return nil
		})
		if err != nil {
			return nil, err
		}
		if _, ok := c.Versions["index.js"]; !ok {
			return nil, fmt.Errorf("hotcases: %s has no index.js", c.Name)
		}
		cases = append(cases, c)
	}
	sort.Slice(cases, func(i, j int) bool { return cases[i].Name < cases[j].Name })
	return cases, nil
}

// Split cuts a file's text into its versions at lines that are exactly
// "---".
func Split(text string) []string {
	var out []string
	var cur strings.Builder
	for _, line := range strings.SplitAfter(text, "\n") {
		if strings.TrimRight(line, "\r\n") == "---" {
			out = append(out, cur.String())
			cur.Reset()
			continue
		}
		cur.WriteString(line)
	}
	return append(out, cur.String())
}

// version is file's text at step.
func (c *Case) version(file string, step int) string {
	v := c.Versions[file]
	return v[min(step, len(v)-1)]
}

// Files is the case's tree at step: path relative to the case → text.
func (c *Case) Files(step int) map[string]string {
	out := make(map[string]string, len(c.Versions))
	for f := range c.Versions {
		out[f] = c.version(f, step)
	}
	return out
}

// Changed lists the files whose text at step differs from step-1.
func (c *Case) Changed(step int) []string {
	var out []string
	for f := range c.Versions {
		if step > 0 && c.version(f, step) != c.version(f, step-1) {
			out = append(out, f)
		}
	}
	sort.Strings(out)
	return out
}

// WriteTree writes every case at step 0 under root, with the harness and a
// package.json saying the .js files are ES modules, and makes root a git
// work tree (an empty .git), so that WriteStep's lock is noticed.
func WriteTree(root string, cases []*Case) error {
	if err := os.MkdirAll(filepath.Join(root, ".git"), 0o755); err != nil {
		return err
	}
	files := map[string]string{
		"harness.js":   string(Harness()),
		"package.json": "{\n  \"name\": \"hotcases\",\n  \"private\": true,\n  \"type\": \"module\"\n}\n",
	}
	for _, c := range cases {
		for f, text := range c.Files(0) {
			files[path.Join(c.Name, f)] = text
		}
		files[c.Name+"/index.html"] = "<!doctype html>\n<title>" + c.Name + "</title>\n<script type=\"module\" src=\"./index.js\"></script>\n"
	}
	for f, text := range files {
		p := filepath.Join(root, filepath.FromSlash(f))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// WriteStep writes the files of case c that change at step, under git's
// index lock: the watcher holds a burst until the lock goes, so the files
// of one step reach the daemon as one batch, as webpack compiles one
// update from them. It reports whether anything changed.
func WriteStep(root string, c *Case, step int) (bool, error) {
	changed := c.Changed(step)
	if len(changed) == 0 {
		return false, nil
	}
	lock := filepath.Join(root, ".git", "index.lock")
	if err := os.WriteFile(lock, nil, 0o644); err != nil {
		return false, err
	}
	for _, f := range changed {
		p := filepath.Join(root, c.Name, filepath.FromSlash(f))
		if err := os.WriteFile(p, []byte(c.version(f, step)), 0o644); err != nil {
			os.Remove(lock)
			return false, err
		}
	}
	return true, os.Remove(lock)
}
