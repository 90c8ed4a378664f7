package devserver

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
)

// jsIdentifier matches the top-level JSON keys exported by name: ASCII
// identifiers (Vite's json plugin exports the keys that are legal
// identifiers; names outside ASCII are rare in JSON keys and left to the
// default export).
var jsIdentifier = regexp.MustCompile(`^[A-Za-z_$][A-Za-z0-9_$]*$`)

// jsonModule is a JSON file as an ES module, as Vite's json plugin makes
// it: the value as the default export and, when it is an object, each
// top-level key that is an identifier as a named export too
// (`import { version } from './package.json'`). data must be valid JSON.
func jsonModule(data []byte) []byte {
	data = bytes.TrimSpace(data)
	var b strings.Builder
	b.Grow(len(data) + 64)
	b.WriteString("const __hmrd_json = ")
	b.Write(data)
	b.WriteString(";\nexport default __hmrd_json;\n")
	for i, k := range topLevelKeys(data) {
		if k == "default" || !jsIdentifier.MatchString(k) {
			continue
		}
		// A local alias, so the name may be a reserved word (export
		// names may be any identifier name) or shadow nothing.
		fmt.Fprintf(&b, "const __hmrd_j%d = __hmrd_json[%s]; export { __hmrd_j%d as %s };\n", i, jsonString(k), i, k)
	}
	return []byte(b.String())
}

// topLevelKeys lists the keys of a JSON object in order, without
// duplicates (nil for any other value).
func topLevelKeys(data []byte) []string {
	dec := json.NewDecoder(bytes.NewReader(data))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil
	}
	var keys []string
	seen := map[string]bool{}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return keys
		}
		k, _ := t.(string)
		if !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return keys
		}
	}
	return keys
}
