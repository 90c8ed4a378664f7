// Package conformance reads the HMR conformance cases in
// internal/engine/testdata/conformance: a tiny project, a list of edits and
// the payloads the reference implementation sent for each. The engine tests
// and the end-to-end tests replay the same cases through this one reader.
package conformance

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Edit is one step: write a file, delete one, or invalidate a module.
type Edit struct {
	Write      string `json:"write"`
	Content    string `json:"content"`
	Delete     string `json:"delete"`
	Invalidate string `json:"invalidate"`
}

func (e Edit) String() string {
	switch {
	case e.Write != "":
		return "write " + e.Write
	case e.Delete != "":
		return "delete " + e.Delete
	}
	return "invalidate " + e.Invalidate
}

// Update is one boundary of an update payload.
type Update struct {
	Type                   string `json:"type"`
	Path                   string `json:"path"`
	AcceptedPath           string `json:"acceptedPath"`
	IsWithinCircularImport bool   `json:"isWithinCircularImport"`
	FirstInvalidatedBy     string `json:"firstInvalidatedBy,omitempty"`
}

// Payload is one message in Vite's terms: update, full-reload, prune, error.
type Payload struct {
	Type        string   `json:"type"`
	Updates     []Update `json:"updates,omitempty"`
	Path        string   `json:"path,omitempty"`
	TriggeredBy string   `json:"triggeredBy,omitempty"`
	Paths       []string `json:"paths,omitempty"`
}

// Step is what one edit signalled.
type Step struct {
	Step     int       `json:"step"`
	Payloads []Payload `json:"payloads"`
}

// Case is one conformance case.
type Case struct {
	Dir   string
	Edits []Edit
	Steps []Step
	// Loaded are lazily imported modules a runtime loaded before step 0.
	Loaded []string
}

// Meta reports whether a file of a case directory is case metadata rather
// than part of the project tree.
func Meta(rel string) bool {
	switch filepath.ToSlash(rel) {
	case "CASE.txt", "edits.json", "expected.jsonl", "loaded.json":
		return true
	}
	return false
}

// Dirs lists the case directories below root.
func Dirs(root string) ([]string, error) {
	entries, err := os.ReadDir(root)
	if err != nil {
		return nil, fmt.Errorf("conformance cases %s: %w", root, err)
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() {
			out = append(out, filepath.Join(root, e.Name()))
		}
	}
	return out, nil
}

// Load reads a case directory.
func Load(dir string) (*Case, error) {
	c := &Case{Dir: dir}
	if err := readJSON(filepath.Join(dir, "edits.json"), &c.Edits); err != nil {
		return nil, err
	}
	data, err := os.ReadFile(filepath.Join(dir, "expected.jsonl"))
	if err != nil {
		return nil, fmt.Errorf("conformance case %s: %w", dir, err)
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var st Step
		if err := json.Unmarshal(sc.Bytes(), &st); err != nil {
			return nil, fmt.Errorf("conformance case %s: expected.jsonl: %w", dir, err)
		}
		c.Steps = append(c.Steps, st)
	}
	if len(c.Steps) != len(c.Edits) {
		return nil, fmt.Errorf("conformance case %s: %d expected steps for %d edits", dir, len(c.Steps), len(c.Edits))
	}
	if _, err := os.Stat(filepath.Join(dir, "loaded.json")); err == nil {
		if err := readJSON(filepath.Join(dir, "loaded.json"), &c.Loaded); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func readJSON(file string, v any) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return fmt.Errorf("conformance: %w", err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("conformance %s: %w", file, err)
	}
	return nil
}

// Canon renders payloads comparably: the updates of a payload as a set
// (Vite's importer order is not part of the contract) and the payloads of
// a step as a set (hmrd publishes errors after the update, Vite before).
func Canon(ps []Payload) []string {
	out := make([]string, 0, len(ps))
	for _, p := range ps {
		p.Updates = slices.Clone(p.Updates)
		slices.SortFunc(p.Updates, func(a, b Update) int {
			return strings.Compare(a.Path+" "+a.AcceptedPath, b.Path+" "+b.AcceptedPath)
		})
		p.Paths = slices.Clone(p.Paths)
		slices.Sort(p.Paths)
		b, _ := json.Marshal(p)
		out = append(out, string(b))
	}
	slices.Sort(out)
	return out
}
