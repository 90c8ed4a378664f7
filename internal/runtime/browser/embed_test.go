package browser

import (
	"bytes"
	"io/fs"
	"regexp"
	"testing"
)

func TestClientJSEmbedded(t *testing.T) {
	ClientJS, err := fs.ReadFile(Files, Entry)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"export function createHotContext(",
		"export function updateStyle(",
		"export function removeStyle(",
		"export function createRuntime(",
		"typeof __HMRD_CONFIG__ !== 'undefined'",
	} {
		if !bytes.Contains(ClientJS, []byte(want)) {
			t.Errorf("ClientJS lacks %q", want)
		}
	}
	// The dev server prepends `const __HMRD_CONFIG__ = …;`: a second
	// declaration would make the served module a syntax error.
	if regexp.MustCompile(`(?m)^\s*(const|let|var)\s+__HMRD_CONFIG__\b`).Match(ClientJS) {
		t.Error("ClientJS declares __HMRD_CONFIG__ itself")
	}
}
