package htmlscan

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// format renders a Result one item per line: `script "/a.js"`,
// `inline "code"`, `link "/a.css"` and `diag 1:5 message`. When the value
// as written differs from the decoded one it is appended as `raw=…`, so
// tests see exactly what SrcRange and HrefRange cover.
func format(src string, res Result) string {
	var lines []string
	withRaw := func(kind, val string, r Range) string {
		line := fmt.Sprintf("%s %+q", kind, val)
		if raw := src[r.Start:r.End]; raw != val {
			line += fmt.Sprintf(" raw=%+q", raw)
		}
		return line
	}
	for _, s := range res.Scripts {
		if s.Inline {
			lines = append(lines, fmt.Sprintf("inline %+q", src[s.Code.Start:s.Code.End]))
		} else {
			lines = append(lines, withRaw("script", s.Src, s.SrcRange))
		}
	}
	for _, l := range res.Stylesheets {
		lines = append(lines, withRaw("link", l.Href, l.HrefRange))
	}
	for _, d := range res.Diagnostics {
		lines = append(lines, fmt.Sprintf("diag %d:%d %s", d.Line, d.Column, d.Message))
	}
	return strings.Join(lines, "\n")
}

// expectHTML scans src, checks the invariants every result must keep, and
// compares the formatted result with want (lines joined by "\n").
func expectHTML(t *testing.T, src, want string) {
	t.Helper()
	res := Scan([]byte(src))
	checkInvariants(t, []byte(src), res)
	if got := format(src, res); got != want {
		t.Errorf("Scan(%q):\ngot:\n%s\nwant:\n%s", src, got, want)
	}
}

// expectHead checks where the client script goes: before is the text the
// document has in front of the insertion point.
func expectHead(t *testing.T, src, before string) {
	t.Helper()
	res := Scan([]byte(src))
	if got := src[:res.HeadInsert]; got != before {
		t.Errorf("Scan(%q).HeadInsert = %d, text before it %q, want %q", src, res.HeadInsert, got, before)
	}
}

// checkInvariants holds for any input; the fuzz target uses it too.
// Script and link positions must point at "<script" and "<link", found
// by an independent line/column walk.
func checkInvariants(t *testing.T, src []byte, res Result) {
	t.Helper()
	inBounds := func(r Range) bool { return 0 <= r.Start && r.Start <= r.End && r.End <= len(src) }
	at := func(line, col int, prefix string) {
		off := naiveOffset(src, line, col)
		if off < 0 || !strings.HasPrefix(strings.ToLower(string(src[off:min(off+len(prefix), len(src))])), prefix) {
			t.Fatalf("position %d:%d is not at %q", line, col, prefix)
		}
	}
	for _, s := range res.Scripts {
		if !inBounds(s.SrcRange) || !inBounds(s.Code) {
			t.Fatalf("script %+v: range out of bounds (len %d)", s, len(src))
		}
		if s.Inline == (s.Src != "") {
			t.Fatalf("script %+v: exactly one of Inline and Src must be set", s)
		}
		at(s.Line, s.Column, "<script")
	}
	for _, l := range res.Stylesheets {
		if !inBounds(l.HrefRange) || l.Href == "" {
			t.Fatalf("link %+v: bad (len %d)", l, len(src))
		}
		at(l.Line, l.Column, "<link")
	}
	for _, r := range res.Styles {
		if !inBounds(r) || r.End == len(src) || !strings.HasPrefix(strings.ToLower(string(src[r.End:])), "</style") {
			t.Fatalf("style %+v: not the text before a </style> (len %d)", r, len(src))
		}
	}
	if res.HeadInsert < 0 || res.HeadInsert > len(src) {
		t.Fatalf("HeadInsert %d out of bounds (len %d)", res.HeadInsert, len(src))
	}
	for _, d := range res.Diagnostics {
		if d.Line < 1 || d.Column < 1 || d.Message == "" {
			t.Fatalf("bad diagnostic %+v", d)
		}
		if naiveOffset(src, d.Line, d.Column) < 0 {
			t.Fatalf("diagnostic %+v is past the end", d)
		}
	}
}

// naiveOffset finds the offset of a 1-based line and byte column, -1 if
// there is none.
func naiveOffset(src []byte, line, col int) int {
	l, c := 1, 1
	for i := 0; i <= len(src); i++ {
		if l == line && c == col {
			return i
		}
		if i == len(src) {
			break
		}
		switch {
		case src[i] == '\r' && i+1 < len(src) && src[i+1] == '\n':
			c++
		case src[i] == '\n' || src[i] == '\r':
			l, c = l+1, 1
		default:
			c++
		}
	}
	return -1
}

func TestModuleScripts(t *testing.T) {
	expectHTML(t, `<script type="module" src="/src/main.js"></script>`, `script "/src/main.js"`)
	expectHTML(t, `<script type='module' src='/src/main.js'></script>`, `script "/src/main.js"`)
	expectHTML(t, `<script type="module" src=/src/main.js></script>`, `script "/src/main.js"`)
	expectHTML(t, `<script src="./main.ts" type="module" defer></script>`, `script "./main.ts"`)
	expectHTML(t, `<SCRIPT TYPE="MODULE" SRC="/src/main.js"></SCRIPT>`, `script "/src/main.js"`)
	expectHTML(t, `<script type=" Module	" src="a.js"></script>`, `script "a.js"`)
	expectHTML(t, "<script\n  type = \"module\"\n  src = \"a.js\"\n></script>", `script "a.js"`)
	expectHTML(t, `<script type="module" src="/a.js"/>`+"\n<p>", ``+
		`diag 1:1 unterminated <script>: the browser will not run it`)
	expectHTML(t, `<script type="module" src="/a.js" /></script>`, `script "/a.js"`)
	// Query kept: the caller strips it.
	expectHTML(t, `<script type="module" src="/src/main.js?v=1&amp;t=2"></script>`, `script "/src/main.js?v=1&t=2" raw="/src/main.js?v=1&amp;t=2"`)
	// The first of duplicated attributes wins.
	expectHTML(t, `<script type="module" src="a.js" src="b.js"></script>`, `script "a.js"`)
	expectHTML(t, `<script type="text/javascript" type="module" src="a.js"></script>`, ``)
	// Attributes glued together after a quoted value still parse.
	expectHTML(t, `<script type="module"src="a.js"></script>`, `script "a.js"`)
	// With src the body is ignored, and the script is not inline.
	expectHTML(t, `<script type="module" src="a.js">import "b.js"</script>`, `script "a.js"`)
}

func TestClassicScriptsIgnored(t *testing.T) {
	expectHTML(t, `<script src="a.js"></script>`, ``)
	expectHTML(t, `<script type="text/javascript" src="a.js"></script>`, ``)
	expectHTML(t, `<script type="importmap">{"imports":{}}</script>`, ``)
	expectHTML(t, `<script type="modules" src="a.js"></script><script type="module/x" src="b.js"></script>`, ``)
	expectHTML(t, `<script nomodule src="a.js"></script>`, ``)
	expectHTML(t, `<scripts type="module" src="a.js"></scripts><script-x type="module" src="b.js">`, ``)
}

func TestInlineScripts(t *testing.T) {
	expectHTML(t, `<script type="module">import "./a.js"</script>`, `inline "import \"./a.js\""`)
	expectHTML(t, `<script type="module"></script>`, `inline ""`)
	expectHTML(t, "<script type=\"module\">\nconst s = '</div>' + \"<!--\" + `<p>`;\nimport('./x.js')\n</script><link rel=stylesheet href=a.css>",
		"inline \"\\nconst s = '</div>' + \\\"<!--\\\" + `<p>`;\\nimport('./x.js')\\n\"\nlink \"a.css\"")
	// The HTML rule: </script> inside a JS string still ends the element.
	expectHTML(t, `<script type="module">const s = "</script>"; x</script>`, `inline "const s = \""`)
	expectHTML(t, `<script type="module">a</SCRIPT >b</script>`, `inline "a"`)
	// "</scripts" and a cut-off "</script" end nothing.
	expectHTML(t, `<script type="module">a</scripts>b</script>`, `inline "a</scripts>b"`)
	// Inside <!-- a "<script" enters the double-escaped state, where
	// </script> does not end the element; --> leaves it.
	expectHTML(t, `<script type="module">a<!--<script>b</script>c-->d</script>`, `inline "a<!--<script>b</script>c-->d"`)
	expectHTML(t, `<script type="module">a<!--b</script>c</script>`, `inline "a<!--b"`)
	expectHTML(t, `<script type="module">a<!-->b</script>`, `inline "a<!-->b"`)
	expectHTML(t, `<script type="module">a<!--<script>--></script>`, `inline "a<!--<script>-->"`)
	expectHTML(t, `<script type="module">a<!--<script>b</script>c</script>d`, `inline "a<!--<script>b</script>c"`)
	// So a string holding "<!--<script>" swallows the real </script>.
	expectHTML(t, `<script type="module">x = "<!--<script>"</script><p>`, `diag 1:1 unterminated <script>: the browser will not run it`)
}

func TestStylesheets(t *testing.T) {
	expectHTML(t, `<link rel="stylesheet" href="/src/style.css">`, `link "/src/style.css"`)
	expectHTML(t, `<link rel=stylesheet href="/src/style.css?x=1">`, `link "/src/style.css?x=1"`)
	expectHTML(t, `<LINK HREF='a.css' REL='StyleSheet'/>`, `link "a.css"`)
	expectHTML(t, `<link rel="preload stylesheet" href="a.css">`, `link "a.css"`)
	expectHTML(t, "<link rel=\"\tstylesheet\n\" href=\"a.css\">", `link "a.css"`)
	expectHTML(t, `<link rel="alternate stylesheet" href="a.css">`, ``)
	expectHTML(t, `<link rel="stylesheets" href="a.css"><link rel="preload" as="style" href="b.css">`, ``)
	expectHTML(t, `<link rel="stylesheet"><link href="a.css"><link rel="stylesheet" href="">`, ``)
	expectHTML(t, `<link rel="icon" href="/favicon.ico"><link rel="modulepreload" href="/a.js">`, ``)
}

func TestTwoOfEach(t *testing.T) {
	expectHTML(t, `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <link rel="stylesheet" href="/src/a.css">
  <link rel="stylesheet" href="/src/b.css">
  <script type="module" src="/src/main.js"></script>
  <script type="module" src="/src/other.ts"></script>
  <script src="/classic.js"></script>
</head>
<body><div id="app"></div></body>
</html>`, "script \"/src/main.js\"\nscript \"/src/other.ts\"\nlink \"/src/a.css\"\nlink \"/src/b.css\"")
}

func TestNonLocal(t *testing.T) {
	expectHTML(t, `<script type="module" src="https://cdn.test/a.js"></script>
<script type="module" src="HTTP://cdn.test/a.js"></script>
<script type="module" src="//cdn.test/a.js"></script>
<script type="module" src="data:text/javascript,export{}"></script>
<script type="module" src="blob:http://x/1"></script>
<script type="module" src=""></script>
<script type="module" src></script>
<script type="module" src="  "></script>
<link rel="stylesheet" href="https://fonts.test/css">
<link rel="stylesheet" href="//cdn.test/a.css">
<link rel="stylesheet" href="data:text/css,a{}">`, ``)
	// A colon after a path segment is no scheme.
	expectHTML(t, `<script type="module" src="./a:b.js"></script>`, `script "./a:b.js"`)
	// Whitespace is trimmed as the URL parser trims it; the range is raw.
	expectHTML(t, `<script type="module" src=" /a.js "></script>`, `script "/a.js" raw=" /a.js "`)
}

func TestSkipped(t *testing.T) {
	expectHTML(t, `<!-- <script type="module" src="a.js"></script> --><link rel=stylesheet href=b.css>`, `link "b.css"`)
	expectHTML(t, `<!--><script type="module" src="a.js"></script>`, `script "a.js"`)
	expectHTML(t, `<!---><script type="module" src="a.js"></script>`, `script "a.js"`)
	expectHTML(t, `<!-- x --!><script type="module" src="a.js"></script>`, `script "a.js"`)
	expectHTML(t, `<!-- a -- b - -><script type="module" src="a.js"></script> --->`, ``)
	expectHTML(t, `<!DOCTYPE html><?xml version="1.0"?><script type="module" src="a.js"></script>`, `script "a.js"`)
	// Outside SVG and MathML the browser reads <![CDATA[ as a bogus comment
	// that ends at the first ">", so the start tag inside is swallowed.
	expectHTML(t, `<![CDATA[<script type="module" src="a.js"></script>]]>`, ``)
	expectHTML(t, `<style>a::after { content: "<script type=module src=a.js></script>" }</style>`, ``)
	expectHTML(t, `<textarea><link rel=stylesheet href=a.css></textarea><title><script type=module></script></title>`, ``)
	expectHTML(t, `<noscript><link rel=stylesheet href=a.css></noscript><xmp><script type=module></script></xmp>`, ``)
	expectHTML(t, `<STYLE>x</Style ><link rel=stylesheet href=a.css>`, `link "a.css"`)
	expectHTML(t, `<plaintext><script type=module src=a.js></script>`, ``)
	// Template content is scanned: the script runs once instantiated.
	expectHTML(t, `<template><script type="module" src="t.js"></script></template>`, `script "t.js"`)
	// End tags, stray "<" and "</>" are not start tags.
	expectHTML(t, `</script type="module" src="x.js"> a < b <> </> </ x> <1><script type=module src=a.js></script>`, `script "a.js"`)
	// A ">" inside a quoted attribute value does not end the tag.
	expectHTML(t, `<div title="<script type=module src=x.js>"><script type=module src=a.js></script>`, `script "a.js"`)
}

func TestEntities(t *testing.T) {
	expectHTML(t, `<script type="module" src="a.js?x=&lt;&gt;&quot;&#39;&apos;&#47;&#x2F;&#X2f"></script>`,
		`script "a.js?x=<>\"''///" raw="a.js?x=&lt;&gt;&quot;&#39;&apos;&#47;&#x2F;&#X2f"`)
	// Legacy "&amp" without ";" is decoded unless "=" or an alphanumeric
	// follows; unknown names stay as written.
	expectHTML(t, `<script type="module" src="a.js?a=1&amp=2&ampx&amp-&copy;&nbsp;"></script>`,
		`script "a.js?a=1&amp=2&ampx&-&copy;&nbsp;" raw="a.js?a=1&amp=2&ampx&amp-&copy;&nbsp;"`)
	expectHTML(t, `<script type="module" src="&#0;&#xD800;&#99999999999999999999;&#;&#x;&"></script>`,
		`script "\ufffd\ufffd\ufffd&#;&#x;&" raw="&#0;&#xD800;&#99999999999999999999;&#;&#x;&"`)
	expectHTML(t, `<script type="&#109;odule" src="a.js"></script>`, `script "a.js"`)
	expectHTML(t, `<link rel="style&#115;heet" href="a&amp;b.css">`, `link "a&b.css" raw="a&amp;b.css"`)
}

func TestDiagnostics(t *testing.T) {
	expectHTML(t, "<script type=module src=a.js></script>\n<!-- <script>", "script \"a.js\"\ndiag 2:1 unterminated comment")
	expectHTML(t, "<link rel=stylesheet href=a.css>\n<script type=\"module\" src=\"b.js", "link \"a.css\"\ndiag 2:1 unterminated <script tag")
	expectHTML(t, "<link rel=stylesheet href=a.css>\r\n<script type=module>import './b.js'", "link \"a.css\"\ndiag 2:1 unterminated <script>: the browser will not run it")
	expectHTML(t, "<p>\r<style>a{}", "diag 2:1 unterminated <style>")
	expectHTML(t, "<title>x</titl", "diag 1:1 unterminated <title>")
	expectHTML(t, "<title>x</title\n", "diag 1:9 unterminated end tag")
	expectHTML(t, "<!doctype html", "diag 1:1 unterminated <!doctype")
	expectHTML(t, "<![CDATA[ x", "diag 1:1 unterminated <![CDATA[")
	expectHTML(t, "<?xml", "diag 1:1 unterminated <?")
	expectHTML(t, "a</div", "diag 1:2 unterminated end tag")
	expectHTML(t, "<div a='x>", "diag 1:1 unterminated <div tag")
}

func TestRanges(t *testing.T) {
	src := "<html><head>\n  <script type=\"module\" src=\"/src/main.js\"></script>\n  <link rel=stylesheet href='/s.css?x=1'>\n" +
		"<script type=module>import './a.js'</script>"
	res := Scan([]byte(src))
	want := Result{
		Scripts: []Script{
			{Src: "/src/main.js", SrcRange: Range{42, 54}, Line: 2, Column: 3},
			{Inline: true, Code: Range{128, 143}, Line: 4, Column: 1},
		},
		Stylesheets: []Link{{Href: "/s.css?x=1", HrefRange: Range{95, 105}, Line: 3, Column: 3}},
		HeadInsert:  12,
	}
	if fmt.Sprintf("%+v", res) != fmt.Sprintf("%+v", want) {
		t.Fatalf("got  %+v\nwant %+v", res, want)
	}
	for _, s := range res.Scripts[:1] {
		if got := src[s.SrcRange.Start:s.SrcRange.End]; got != s.Src {
			t.Errorf("src[SrcRange] = %q, want %q", got, s.Src)
		}
	}
	if got := src[res.Scripts[1].Code.Start:res.Scripts[1].Code.End]; got != "import './a.js'" {
		t.Errorf("src[Code] = %q", got)
	}
	if got := src[res.Stylesheets[0].HrefRange.Start:res.Stylesheets[0].HrefRange.End]; got != "/s.css?x=1" {
		t.Errorf("src[HrefRange] = %q", got)
	}
}

func TestStyles(t *testing.T) {
	src := "<head><style>a { background: url(./a.png) }</style><STYLE media=print>\n</Style >" +
		"<!-- <style>no</style> --><textarea><style>no</style></textarea><svg><style>s{}</style></svg><style>cut"
	res := Scan([]byte(src))
	checkInvariants(t, []byte(src), res)
	var got []string
	for _, r := range res.Styles {
		got = append(got, src[r.Start:r.End])
	}
	if want := []string{"a { background: url(./a.png) }", "\n", "s{}"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Styles: %q, want %q", got, want)
	}
	if len(res.Diagnostics) != 1 || !strings.Contains(res.Diagnostics[0].Message, "unterminated <style>") {
		t.Errorf("diagnostics: %+v", res.Diagnostics)
	}
}

func TestHeadInsert(t *testing.T) {
	expectHead(t, `<!doctype html><html><head lang="en"><title>x</title>`, `<!doctype html><html><head lang="en">`)
	expectHead(t, `<HTML><HEAD><script src=a.js></script>`, `<HTML><HEAD>`)
	expectHead(t, `<html><header></header><script src=a.js></script>`, `<html><header></header>`)
	expectHead(t, `<!-- <head> --><p>x</p><script type=module src=a.js></script>`, `<!-- <head> --><p>x</p>`)
	expectHead(t, `<html data-x=">"><body>`, `<html data-x=">">`)
	expectHead(t, `<html><body><head>`, `<html><body><head>`)
	expectHead(t, `<p>plain</p>`, ``)
	expectHead(t, ``, ``)
	expectHead(t, `<head`, ``)
	expectHead(t, `<title><head></title><script>`, `<title><head></title>`)
}

func TestGarbage(t *testing.T) {
	expectHTML(t, "\x00\xff<\x00script type=module src=a.js></script>", ``)
	expectHTML(t, "\xff\xfe<script\x00 type=module src=a.js></script>", ``)
	expectHTML(t, "<script type=module src=\"a\x00.js\"></script>", `script "a\ufffd.js" raw="a\x00.js"`)
	// "</<<!<!-<?<script …>" is one bogus comment ending at the tag's ">".
	expectHTML(t, "<<<<>>>></></></<<!<!-<?<script type=module src=a.js></script>", ``)
	expectHTML(t, "<<<<>>>></></></<<!<!-<?<script type=module src=a.js", `diag 1:15 unterminated </`)
	expectHTML(t, "x<!", `diag 1:2 unterminated <!`)
	expectHTML(t, "<", ``)
	expectHTML(t, "</", ``)
	expectHTML(t, "<a", `diag 1:1 unterminated <a tag`)
}

// TestLinear feeds inputs that would be quadratic for a scanner that
// rescans; a linear scan does each in milliseconds, so the generous limit
// only trips on a real complexity bug.
func TestLinear(t *testing.T) {
	const n = 1 << 20
	inputs := map[string]string{
		"single line":     strings.Repeat(`<script type="module" src="/a.js"></script>`, n/43),
		"lt":              strings.Repeat("<", n),
		"end tags":        strings.Repeat("</", n/2),
		"comment dashes":  "<!--" + strings.Repeat("-", n),
		"comment pairs":   "<!--" + strings.Repeat("--x", n/3),
		"script escapes":  "<script>" + strings.Repeat("<!--<script>", n/12),
		"script ends":     "<script>" + strings.Repeat("</scrip", n/7),
		"style ends":      "<style>" + strings.Repeat("</styl", n/6),
		"attributes":      "<a" + strings.Repeat(" b", n/2),
		"entities":        `<script type=module src="` + strings.Repeat("&#1111111", n/9) + `"></script>`,
		"unquoted values": "<a" + strings.Repeat(" b=c", n/4),
	}
	for name, src := range inputs {
		start := time.Now()
		Scan([]byte(src))
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("%s: %v for %d bytes", name, d, len(src))
		}
	}
	res := Scan([]byte(inputs["single line"]))
	if len(res.Scripts) != n/43 || res.Scripts[len(res.Scripts)-1].Line != 1 {
		t.Errorf("single line: %d scripts", len(res.Scripts))
	}
}
