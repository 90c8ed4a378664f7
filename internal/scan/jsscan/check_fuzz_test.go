package jsscan

import (
	"strings"
	"testing"
)

// FuzzSyntaxOK checks that syntaxOK never panics, is deterministic, and is
// sound: whenever it accepts, esbuild accepts too.
func FuzzSyntaxOK(f *testing.F) {
	for _, src := range readCorpus(f) {
		f.Add(src)
	}
	for _, s := range checkValid {
		f.Add([]byte(s))
	}
	for _, s := range checkInvalid {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		ok := syntaxOK(src)
		if syntaxOK(src) != ok {
			t.Fatalf("syntaxOK(%q) is not deterministic", src)
		}
		if !ok {
			return
		}
		if esOK, msg := esbuildAccepts(src); !esOK {
			t.Fatalf("syntaxOK accepts %q; esbuild: %s", src, msg)
		}
	})
}

// TestSyntaxOKPathological feeds inputs that make a backtracking parser
// explode or recurse deeply. The token budget and depth limit must make
// each return at once (false); a regression shows as this test hanging
// until go test's timeout, not as a timed assertion.
func TestSyntaxOKPathological(t *testing.T) {
	for _, src := range []string{
		strings.Repeat("(a = ", 5000) + strings.Repeat(")", 5000),
		strings.Repeat("[", 100000),
		strings.Repeat("({a: ", 3000) + "1" + strings.Repeat("})", 3000),
		strings.Repeat("x = async (a = ", 2000),
		strings.Repeat("`${", 50000),
		strings.Repeat("!", 100000) + "x",
		strings.Repeat("new ", 100000),
		strings.Repeat("{", 100000),
	} {
		if syntaxOK([]byte(src)) {
			t.Errorf("accepted %.40q", src)
		}
	}
}
