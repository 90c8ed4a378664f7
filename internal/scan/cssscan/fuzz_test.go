package cssscan

import (
	"reflect"
	"testing"
)

// FuzzCSS checks that any input scans without panicking, with every range
// in bounds, positions consistent with the offsets, and the same result
// twice (Scan must not depend on anything but its input).
func FuzzCSS(f *testing.F) {
	for _, seed := range []string{
		``,
		`@import "a.css";`,
		`@import 'a.css' screen;`,
		`@import url(a.css);`,
		`@import url("a.css") layer(x) supports(display:grid);`,
		`a { background: url( img/a.png ) }`,
		`@font-face { src: url(a.woff2) format("woff2"), url('a.woff') }`,
		`a { b: image-set("a.png" 1x, url(b.png) 2x) }`,
		`/* @import "x.css"; */`,
		`/* unterminated`,
		`a { b: url("unterminated`,
		`a { b: url(unterminated`,
		`a { b: url(a b) }`,
		"a { content: \"x\ny\" }",
		`@\69mport "a\"b.css"; a{b:u\72l(a\2f b.png)}`,
		`url(data:x) url(#f) url(//h/x) url(http://h) url()`,
		`@namespace svg url(http://www.w3.org/2000/svg);`,
		"\x00\xff\\\r\n\f@import\x00url(\x00)",
		`((((image-set(("a"))))))))))`,
		`@media print { @import "p.css"; }`,
		`.a { composes: b c from "./x.module.css"; composes: d from url("y.css") }`,
		`.a { composes: b from url( ; composes: from from from`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		res := Scan(src)
		checkInvariants(t, src, res)
		if again := Scan(src); !reflect.DeepEqual(res, again) {
			t.Fatalf("Scan is not deterministic:\n%+v\n%+v", res, again)
		}
		mod := ScanModule(src)
		checkInvariants(t, src, mod)
		// composes turns references into composes ones or drops them,
		// and adds no other kind.
		k := 0
		for _, r := range mod.Refs {
			if r.Kind == KindComposes {
				continue
			}
			for k < len(res.Refs) && res.Refs[k] != r {
				k++
			}
			if k == len(res.Refs) {
				t.Fatalf("ScanModule reports %+v, Scan does not: %+v", r, res.Refs)
			}
			k++
		}
	})
}
