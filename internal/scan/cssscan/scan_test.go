package cssscan

import (
	"fmt"
	"strings"
	"testing"
)

// format renders a Result one item per line: `import "a.css"` or
// `url "b.png"` for references, `diag 1:5 message` for diagnostics. When the
// text as written differs from the specifier (escapes, trimming) it is
// appended as `raw=…`, so tests see exactly what Range covers.
func format(src string, res Result) string {
	var lines []string
	for _, r := range res.Refs {
		line := fmt.Sprintf("%s %+q", r.Kind, r.Specifier)
		if raw := src[r.Range.Start:r.Range.End]; raw != r.Specifier {
			line += fmt.Sprintf(" raw=%+q", raw)
		}
		lines = append(lines, line)
	}
	for _, d := range res.Diagnostics {
		lines = append(lines, fmt.Sprintf("diag %d:%d %s", d.Line, d.Column, d.Message))
	}
	return strings.Join(lines, "\n")
}

// expectCSS scans src, checks the invariants every result must keep, and
// compares the formatted result with want (lines joined by "\n").
func expectCSS(t *testing.T, src, want string) {
	t.Helper()
	res := Scan([]byte(src))
	checkInvariants(t, []byte(src), res)
	if got := format(src, res); got != want {
		t.Errorf("Scan(%q):\ngot:\n%s\nwant:\n%s", src, got, want)
	}
}

// checkInvariants holds for any input, valid or not; the fuzz target uses
// it too. Positions are recomputed naively so position() is checked against
// an independent implementation.
func checkInvariants(t *testing.T, src []byte, res Result) {
	t.Helper()
	for _, r := range res.Refs {
		if r.Range.Start < 0 || r.Range.Start > r.Range.End || r.Range.End > len(src) {
			t.Fatalf("ref %+v: range out of bounds (len %d)", r, len(src))
		}
		if r.Specifier == "" {
			t.Fatalf("ref %+v: empty specifier", r)
		}
		if l, c := naivePosition(src, r.Range.Start); l != r.Line || c != r.Column {
			t.Fatalf("ref %+v: position %d:%d, want %d:%d", r, r.Line, r.Column, l, c)
		}
	}
	for _, d := range res.Diagnostics {
		if d.Line < 1 || d.Column < 1 || d.Message == "" {
			t.Fatalf("bad diagnostic %+v", d)
		}
	}
}

func naivePosition(src []byte, off int) (line, col int) {
	line, col = 1, 1
	for i := 0; i < off; i++ {
		switch {
		case src[i] == '\r' && i+1 < len(src) && src[i+1] == '\n':
			// counted at the \n
			col++
		case src[i] == '\n' || src[i] == '\r' || src[i] == '\f':
			line, col = line+1, 1
		default:
			col++
		}
	}
	return line, col
}

func TestImport(t *testing.T) {
	expectCSS(t, `@import "a.css";`, `import "a.css"`)
	expectCSS(t, `@import 'a.css' screen;`, `import "a.css"`)
	expectCSS(t, `@import url(a.css);`, `import "a.css"`)
	expectCSS(t, `@import url("a.css") layer(x) supports(display:grid);`, `import "a.css"`)
	expectCSS(t, `@import url( 'a.css' ) print, screen and (orientation: landscape);`, `import "a.css"`)
	expectCSS(t, `@import url(  a.css  );`, `import "a.css"`)
	expectCSS(t, `@IMPORT URL(A.css);`, `import "A.css"`)
	expectCSS(t, `@Import Url("a.css");`, `import "a.css"`)
	expectCSS(t, "@import/* why */\"a.css\";", `import "a.css"`)
	expectCSS(t, "@charset \"utf-8\";\n@import \"a.css\";\n@import \"b.css\";", "import \"a.css\"\nimport \"b.css\"")
	// Bare and ~ specifiers are for the resolver to decide.
	expectCSS(t, `@import "normalize.css"; @import "~pkg/x.css";`, "import \"normalize.css\"\nimport \"~pkg/x.css\"")
	// url() inside the prelude after the target loads nothing.
	expectCSS(t, `@import "a.css" supports(background: url(x.png)); a { b: url(y.png) }`, "import \"a.css\"\nurl \"y.png\"")
}

func TestImportLenient(t *testing.T) {
	// Browsers ignore @import after other rules; a dev server reporting it
	// anyway costs one edge and shows the author what they wrote.
	expectCSS(t, `a { color: red } @import "late.css";`, `import "late.css"`)
	// Inside a block the rule is never valid: no edge, but say so.
	expectCSS(t, `@media print { @import "p.css"; }`, `diag 1:16 @import inside a block is ignored`)
	expectCSS(t, `@import ;`, `diag 1:9 @import without a string or url()`)
	expectCSS(t, `@import foo;`, `diag 1:9 @import without a string or url()`)
	expectCSS(t, `@import`, `diag 1:1 @import without a string or url()`)
	// Only the exact keyword: @importx and @imports are other at-rules.
	expectCSS(t, `@importx "a.css"; @imports url(b.css);`, `url "b.css"`)
}

func TestURL(t *testing.T) {
	expectCSS(t, `a { background: url(img/a.png) }`, `url "img/a.png"`)
	expectCSS(t, `a { background: url("img/a.png") }`, `url "img/a.png"`)
	expectCSS(t, `a { background: url('img/a.png') }`, `url "img/a.png"`)
	expectCSS(t, "a { background: url(\n\t img/a.png \n) }", `url "img/a.png"`)
	expectCSS(t, `a { background: url(  "a.png"  ) }`, `url "a.png"`)
	expectCSS(t, `a { background: URL(a.png) Url(b.png) }`, "url \"a.png\"\nurl \"b.png\"")
	expectCSS(t, `a{background:url(a.png),url(b.png)}`, "url \"a.png\"\nurl \"b.png\"")
	// The query and fragment stay: the caller strips them.
	expectCSS(t, `a { b: url(/a.svg?x=1#icon) }`, `url "/a.svg?x=1#icon"`)
	expectCSS(t, `a { mask: url(../icons.svg#mask) }`, `url "../icons.svg#mask"`)
	// url( must be a whole function name.
	expectCSS(t, `a { b: myurl(x.png); c: -url(y.png); d: 1url(z.png) }`, ``)
	expectCSS(t, `#url(x.png) {}`, ``)
	expectCSS(t, `.url(x.png) {}`, `url "x.png"`)
	// Comment syntax inside an unquoted url( is part of the URL.
	expectCSS(t, `a { b: url(/*x*/a.png) }`, `url "/*x*/a.png"`)
	// A comment between url( and the string is not allowed; the result is
	// a bad url, reported and skipped.
	expectCSS(t, `a { b: url(/*x*/"a.png") }`, "diag 1:8 invalid url(): unquoted URL contains a quote, parenthesis, space or control character")
}

func TestFontFace(t *testing.T) {
	expectCSS(t, `@font-face {
  font-family: X;
  src: local("X Regular"), url(x.woff2) format("woff2"),
       url("x.woff") format("woff"), url(x.ttf?#iefix) format('truetype');
}`, "url \"x.woff2\"\nurl \"x.woff\"\nurl \"x.ttf?#iefix\"")
}

func TestImageSet(t *testing.T) {
	expectCSS(t, `a { b: image-set("a.png" 1x, "a-2x.png" 2x) }`, "url \"a.png\"\nurl \"a-2x.png\"")
	expectCSS(t, `a { b: -webkit-image-set(url(a.png) 1x, url("b.png") 2x) }`, "url \"a.png\"\nurl \"b.png\"")
	// Strings nested deeper (type()) and after image-set() closes are not URLs.
	expectCSS(t, `a { b: image-set("a.avif" type("image/avif"), "a.jpg" type("image/jpeg")); content: "x.png" }`, "url \"a.avif\"\nurl \"a.jpg\"")
	expectCSS(t, `a { b: image-set( linear-gradient(red, blue) 1x, "c.png" 2x) }`, `url "c.png"`)
}

func TestNotRefs(t *testing.T) {
	expectCSS(t, `/* @import "a.css"; url(b.png) */ a{}`, ``)
	expectCSS(t, `a { content: "url(a.png)"; font-family: 'b.css' }`, ``)
	expectCSS(t, `a { content: "@import 'x.css';" }`, ``)
	expectCSS(t, `@namespace svg url(http://www.w3.org/2000/svg); @namespace url(local-looking);`, ``)
	expectCSS(t, `a {
  a: url(data:image/png;base64,iVBORw0KGgo=);
  b: url("DATA:image/svg+xml;utf8,<svg></svg>");
  c: url(http://x.test/a.png);
  d: url(HTTPS://x.test/a.png);
  e: url(//cdn.test/a.png);
  f: url(#clip);
  g: url("#filter");
  h: url(about:blank);
  i: url(blob:http://x/1);
  j: url();
  k: url("");
  l: url(  );
  m: url(" ");
}`, ``)
	expectCSS(t, `@import "https://fonts.test/css?family=X"; @import url(//cdn.test/a.css); @import url(data:text/css,a{});`, ``)
	// A colon after a path segment is no scheme.
	expectCSS(t, `a { b: url(./a:b.png); c: url(/x:y.png) }`, "url \"./a:b.png\"\nurl \"/x:y.png\"")
}

func TestEscapes(t *testing.T) {
	expectCSS(t, `@import "a\"b.css";`, `import "a\"b.css" raw="a\\\"b.css"`)
	expectCSS(t, `a { b: url(a\2f b.png) }`, `url "a/b.png" raw="a\\2f b.png"`)
	expectCSS(t, `a { b: url("a\2f b.png") }`, `url "a/b.png" raw="a\\2f b.png"`)
	expectCSS(t, `a { b: url(a\ b.png) }`, `url "a b.png" raw="a\\ b.png"`)
	expectCSS(t, `a { b: url(a\)b.png) }`, `url "a)b.png" raw="a\\)b.png"`)
	expectCSS(t, "a { b: url(\"a\\\nb.png\") }", `url "ab.png" raw="a\\\nb.png"`)
	expectCSS(t, `a { b: url(\0) }`, `url "\ufffd" raw="\\0"`)
	expectCSS(t, `a { b: url(\110000x) }`, `url "\ufffdx" raw="\\110000x"`)
	// Escaped function and at-rule names are the same names.
	expectCSS(t, `@\69mport "a.css"; a { b: u\72l(b.png) }`, "import \"a.css\"\nurl \"b.png\"")
	expectCSS(t, `a { b: url("x\`, `diag 1:12 unterminated string`)
}

func TestDiagnostics(t *testing.T) {
	expectCSS(t, "@import \"a.css\";\n/* never closed @import \"b.css\";", "import \"a.css\"\ndiag 2:1 unterminated comment")
	expectCSS(t, "a { b: url(a.png) }\n@import \"b.css", "url \"a.png\"\ndiag 2:9 unterminated string")
	expectCSS(t, "a { b: url(a.png) }\na { b: url(c.png", "url \"a.png\"\ndiag 2:8 unterminated url(")
	expectCSS(t, "a { b: url(a.png) }\na { b: url( c.png  ", "url \"a.png\"\ndiag 2:8 unterminated url(")
	// A newline ends a string; scanning resumes on the next line.
	expectCSS(t, "a { content: \"abc\n}\nb { c: url(d.png) }", "url \"d.png\"\ndiag 1:14 unterminated string")
	expectCSS(t, `a { b: url(a b.png); c: url(c.png) }`, "url \"c.png\"\ndiag 1:8 invalid url(): unquoted URL contains a quote, parenthesis, space or control character")
	expectCSS(t, `a { b: url(a(b).png); c: url(c.png) }`, "url \"c.png\"\ndiag 1:8 invalid url(): unquoted URL contains a quote, parenthesis, space or control character")
	expectCSS(t, "a { b: url(a\x01.png); c: url(c.png) }", "url \"c.png\"\ndiag 1:8 invalid url(): unquoted URL contains a quote, parenthesis, space or control character")
}

func TestPositions(t *testing.T) {
	src := "@import \"a.css\";\r\n\fa {\n  b: url( img/x.png );\n  c: url('y.png')\n}"
	res := Scan([]byte(src))
	want := []Ref{
		{Specifier: "a.css", Kind: KindImport, Range: Range{9, 14}, Line: 1, Column: 10},
		{Specifier: "img/x.png", Kind: KindURL, Range: Range{33, 42}, Line: 4, Column: 11},
		{Specifier: "y.png", Kind: KindURL, Range: Range{56, 61}, Line: 5, Column: 11},
	}
	if fmt.Sprint(res.Refs) != fmt.Sprint(want) {
		t.Fatalf("got %+v\nwant %+v", res.Refs, want)
	}
	for _, r := range res.Refs {
		if raw := src[r.Range.Start:r.Range.End]; raw != r.Specifier {
			t.Errorf("src[%d:%d] = %q, want %q", r.Range.Start, r.Range.End, raw, r.Specifier)
		}
	}
}

func TestGarbage(t *testing.T) {
	expectCSS(t, "\x00\x00 url(\x00)\xff\xfe", `url "\ufffd" raw="\x00"`)
	// NUL is a name character (U+FFFD after preprocessing): no url( here.
	expectCSS(t, "\x00url(a.png)", ``)
	expectCSS(t, "\xff\xfe\xfd{}}}}))))@import \x00;", `diag 1:21 @import without a string or url()`)
	expectCSS(t, "@import \"\x00\";", `import "\ufffd" raw="\x00"`)
	expectCSS(t, "a{b:url(\xe2\x82\xac.png)}", `url "\u20ac.png"`)
}

func TestUnbalanced(t *testing.T) {
	deep := strings.Repeat("(", 10000) + `url(a.png)` + strings.Repeat(")", 20000) + `url(b.png)`
	expectCSS(t, deep, "url \"a.png\"\nurl \"b.png\"")
	expectCSS(t, `a { b: image-set(("x.png" 1x }`, ``)
	// An unclosed image-set( swallows the rest of the sheet, as the CSS
	// parser's function consumption does.
	expectCSS(t, `a { b: image-set("a.png" } c { content: "b.png" }`, "url \"a.png\"\nurl \"b.png\"")
	expectCSS(t, strings.Repeat("image-set(", 5000)+`"a.png"`+strings.Repeat(")", 5000)+`"b.png"`, `url "a.png"`)
	expectCSS(t, `}}}}@import "a.css";{{{{`, `import "a.css"`)
}

// linearInputs would be quadratic for a scanner that rescans. TestLinear
// scans them whole; BenchmarkLinear times each at two sizes, which is how
// a complexity bug shows (tests assert no clock limits: a loaded machine or
// the race detector would trip them).
var linearInputs = map[string]func(n int) string{
	"single line":   func(n int) string { return strings.Repeat("a{b:url(x.png)}", n/15) },
	"open parens":   func(n int) string { return strings.Repeat("(", n) },
	"image-sets":    func(n int) string { return strings.Repeat("image-set(", n/10) },
	"url opens":     func(n int) string { return strings.Repeat("url(", n/4) },
	"quotes":        func(n int) string { return strings.Repeat(`url("`, n/5) },
	"comment opens": func(n int) string { return strings.Repeat("/*", n/2) },
	"escapes":       func(n int) string { return strings.Repeat(`\`, n) },
	"imports":       func(n int) string { return strings.Repeat("@import ", n/8) },
	"long name":     func(n int) string { return strings.Repeat(`a\2f `, n/5) + "(" },
	"bad urls":      func(n int) string { return strings.Repeat("url(a b", n/7) },
	"composes":      func(n int) string { return strings.Repeat("a{composes:b from'c'}", n/21) },
	"composes open": func(n int) string { return strings.Repeat("{composes /**/ ", n/15) },
}

func TestLinear(t *testing.T) {
	const n = 1 << 20
	for _, gen := range linearInputs {
		Scan([]byte(gen(n)))
		ScanModule([]byte(gen(n)))
	}
	single := strings.Repeat("a{b:url(x.png)}", n/15)
	res := Scan([]byte(single))
	if len(res.Refs) != n/15 || res.Refs[len(res.Refs)-1].Line != 1 {
		t.Errorf("single line: %d refs", len(res.Refs))
	}
}

func TestIsModule(t *testing.T) {
	for name, want := range map[string]bool{
		"/src/a.module.css":        true,
		"a.module.scss":            true,
		"a.module.sass":            true,
		"a.module.less":            true,
		"a.module.styl":            true,
		"a.module.pcss":            true,
		"/src/a.module.css?inline": true,
		"a.css":                    false,
		"a.modules.css":            false,
		"module.css":               false,
		"a.module.js":              false,
		"a.module.css.map":         false,
		"a.module":                 false,
		"":                         false,
	} {
		if got := IsModule(name); got != want {
			t.Errorf("IsModule(%q) = %v, want %v", name, got, want)
		}
	}
}

// BenchmarkLinear scans each of linearInputs at 128 KiB and 1 MiB: a linear
// scanner takes about 8 times as long for the larger, a quadratic one 64.
func BenchmarkLinear(b *testing.B) {
	for name, gen := range linearInputs {
		for _, n := range []int{1 << 17, 1 << 20} {
			src := []byte(gen(n))
			b.Run(fmt.Sprintf("%s/%dKiB", name, n>>10), func(b *testing.B) {
				b.SetBytes(int64(len(src)))
				for b.Loop() {
					Scan(src)
				}
			})
		}
	}
}

// expectModule is expectCSS for ScanModule.
func expectModule(t *testing.T, src, want string) {
	t.Helper()
	res := ScanModule([]byte(src))
	checkInvariants(t, []byte(src), res)
	if got := format(src, res); got != want {
		t.Errorf("ScanModule(%q):\ngot:\n%s\nwant:\n%s", src, got, want)
	}
}

// A CSS module's `composes: … from "file"` names a file whose class names
// the module re-exports, as esbuild's metafile ("composes-from") and
// postcss-modules see it.
func TestComposes(t *testing.T) {
	expectModule(t, `.a { composes: b c from "./base.module.css"; color: red }`, `composes "./base.module.css"`)
	expectModule(t, `.a { color: red; COMPOSES : b from './x.css' }`, `composes "./x.css"`)
	expectModule(t, ".a {\n  composes: b from url(./u.css);\n  composes: c from url(\"./v.css\");\n}", "composes \"./u.css\"\ncomposes \"./v.css\"")
	expectModule(t, `.a { composes: /* c */ b /* d */ from /* e */ "./x.css" /* f */ }`, `composes "./x.css"`)
	// Names from the same file, global names, or no file at the end.
	expectModule(t, `.a { composes: b c; }`, ``)
	expectModule(t, `.a { composes: b from global; }`, ``)
	expectModule(t, `.a { composes: b from "./x.css" c; }`, ``)
	expectModule(t, `.a { composes: from; } .b { composes: from from "./y.css" }`, `composes "./y.css"`)
	// Only as a declaration: not a selector, a value or a top-level word.
	expectModule(t, `composes: a from "./x.css"; .b { background: composes }`, ``)
	expectModule(t, `.b { color: composes: a from "./x.css" }`, ``)
	expectModule(t, `.b { x: y(composes: a from "./x.css") }`, ``)
	// Nested rules start declarations too; other references are kept.
	expectModule(t, `.a { .b { composes: c from "./n.css" } background: url(i.png) }`, "composes \"./n.css\"\nurl \"i.png\"")
	expectModule(t, `.a { composes: c from "data:text/css,x" }`, ``)
	// A plain stylesheet has no composes.
	expectCSS(t, `.a { composes: b from "./base.module.css" }`, ``)
}
