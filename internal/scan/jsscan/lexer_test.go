package jsscan

import (
	"strings"
	"testing"
)

var kindNames = map[tokKind]string{
	tokIdent: "id", tokPrivate: "priv", tokNumber: "num", tokString: "str",
	tokTemplate: "tpl", tokTemplateHead: "head", tokTemplateMiddle: "mid",
	tokTemplateTail: "tail", tokRegex: "re", tokPunct: "p",
}

// tokenString renders tokens as "kind:text" separated by spaces.
func tokenString(src []byte, toks []token) string {
	var parts []string
	for _, t := range toks {
		parts = append(parts, kindNames[t.kind]+":"+string(src[t.start:t.end]))
	}
	return strings.Join(parts, " ")
}

func expectTokens(t *testing.T, src, want string) {
	t.Helper()
	toks, _ := lex([]byte(src), nil, nil)
	if got := tokenString([]byte(src), toks); got != want {
		t.Errorf("lex %q\n got: %s\nwant: %s", src, got, want)
	}
}

func TestLexTokens(t *testing.T) {
	for _, c := range []struct{ src, want string }{
		{"a / b / c", "id:a p:/ id:b p:/ id:c"},
		{"x = y / 2; /re/g.test(s)", "id:x p:= id:y p:/ num:2 p:; re:/re/g p:. id:test p:( id:s p:)"},
		{`/'"\/*/g`, `re:/'"\/*/g`},
		{"/[/]x/ / 2", "re:/[/]x/ p:/ num:2"},
		{"a /= 2", "id:a p:/= num:2"},
		{"return /x/", "id:return re:/x/"},
		{"a.return / 2", "id:a p:. id:return p:/ num:2"},
		{"typeof /x/", "id:typeof re:/x/"},
		{"(a) / 2", "p:( id:a p:) p:/ num:2"},
		{"if (a) /x/.test(b)", "id:if p:( id:a p:) re:/x/ p:. id:test p:( id:b p:)"},
		{"a[0] / 2", "id:a p:[ num:0 p:] p:/ num:2"},
		{"i++ / 2", "id:i p:++ p:/ num:2"},
		{"{}\n/x/", "p:{ p:} re:/x/"},
		{"x = {} / 2", "id:x p:= p:{ p:} p:/ num:2"},
		{"f(() => {}\n/x/)", "id:f p:( p:( p:) p:=> p:{ p:} re:/x/ p:)"},
		{"`a${b}c${d}e` / 2", "head:`a${ id:b mid:}c${ id:d tail:}e` p:/ num:2"},
		{"`${`${`x`}`}`", "head:`${ head:`${ tpl:`x` tail:}` tail:}`"},
		{"`${ {a: 1} }`", "head:`${ p:{ id:a p:: num:1 p:} tail:}`"},
		{`'it\'s' "a\"b"`, `str:'it\'s' str:"a\"b"`},
		{"// c\n/* d */ e", "id:e"},
		{"#!/usr/bin/env node\nx", "id:x"},
		{"this.#x #y", "id:this p:. priv:#x priv:#y"},
		{"café $_ü9 \\u0061b", "id:café id:$_ü9 id:\\u0061b"},
		{"a\u00a0b\u2028c", "id:a id:b id:c"},
		{"1e-5 0x1f .5 1_000n", "num:1e-5 num:0x1f num:.5 num:1_000n"},
		{"a?.b ?.5:c", "id:a p:?. id:b p:? num:.5 p:: id:c"},
		{"a ??= b >>>= c === d", "id:a p:??= id:b p:>>>= id:c p:=== id:d"},
		{"...x", "p:... id:x"},
		{"'unterminated\nx", "str:'unterminated id:x"},
		{"/unterminated\nx", "re:/unterminated id:x"},
	} {
		expectTokens(t, c.src, c.want)
	}
}

func TestLexMatchAndDepth(t *testing.T) {
	src := []byte("f(a, [b, {c}], `${d}`) ) ]")
	toks, _ := lex(src, nil, nil)
	byText := func(s string) int {
		for i, tk := range toks {
			if string(src[tk.start:tk.end]) == s {
				return i
			}
		}
		t.Fatalf("no token %q", s)
		return -1
	}
	open := byText("(")
	if m := toks[open].match; string(src[toks[m].start:toks[m].end]) != ")" || int(m) != len(toks)-3 {
		t.Errorf("( matched token %d", m)
	}
	if toks[byText("c")].depth != 3 || toks[byText("{")].depth != 2 || toks[byText("f")].depth != 0 {
		t.Errorf("depths c=%d {=%d f=%d", toks[byText("c")].depth, toks[byText("{")].depth, toks[byText("f")].depth)
	}
	if head := byText("`${"); toks[toks[head].match].kind != tokTemplateTail {
		t.Errorf("template head matched %v", toks[toks[head].match])
	}
	// The stray closers pop nothing.
	if last := toks[len(toks)-1]; last.depth != 0 || last.match != 0 {
		t.Errorf("stray ] = %+v", last)
	}
	// An unclosed opener has match -1.
	toks, _ = lex([]byte("f(a, [b"), nil, nil)
	if toks[1].match != -1 || toks[4].match != -1 {
		t.Errorf("unclosed: %+v", toks)
	}
}

func TestLiteralValue(t *testing.T) {
	for lit, want := range map[string]string{
		`'a'`:                "a",
		`"a\"b"`:             `a"b`,
		`'\x41\u0042\u{43}'`: "ABC",
		`'\uD83D\uDE00'`:     "😀",
		`'\n\t\0\101'`:       "\n\t\x00A",
		"'a\\\nb'":           "ab",
		"`a\r\nb`":           "a\nb",
		"`x`":                "x",
		`'\q'`:               "q",
		`'\u12'`:             "u12",
	} {
		if got, ok := literalValue([]byte(lit)); !ok || got != want {
			t.Errorf("literalValue(%s) = %q, %v; want %q", lit, got, ok, want)
		}
	}
	for _, lit := range []string{`'`, `'a`, `'a"`, `'\'`, `'a'b'`, `x`, ``, "`a${b}`x`"} {
		if got, ok := literalValue([]byte(lit)); ok {
			t.Errorf("literalValue(%s) = %q, want not ok", lit, got)
		}
	}
}

func TestSnippet(t *testing.T) {
	for in, want := range map[string]string{
		"a  +\n\t b":  "a + b",
		"  x  ":       "x",
		"0123456789a": "0123456789…",
		"01234 6789":  "01234 6789",
		"ééééééééééé": "éééééééééé…",
	} {
		if got := snippet([]byte(in), 10); got != want {
			t.Errorf("snippet(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDecodeMappings(t *testing.T) {
	// Fields are deltas: "IAAQ" is genCol +4, srcCol +8; "EAEP" on the next
	// line is genCol 2, srcLine +2, srcCol -7.
	segs := decodeMappings("AAAA,IAAQ;EAEP")
	want := []segment{{0, 0, 0, 0}, {0, 4, 0, 8}, {1, 2, 2, 1}}
	if len(segs) != len(want) {
		t.Fatalf("segments %v", segs)
	}
	for i := range want {
		if segs[i] != want[i] {
			t.Errorf("segment %d = %v, want %v", i, segs[i], want[i])
		}
	}
	if s, ok := lookup(segs, 0, 6); !ok || s != want[1] {
		t.Errorf("lookup(0,6) = %v", s)
	}
	if _, ok := lookup(segs, -1, 0); ok {
		t.Errorf("lookup before first segment succeeded")
	}
	// Malformed input stops decoding without panicking.
	if got := decodeMappings("AAAA,!!"); len(got) != 1 {
		t.Errorf("malformed: %v", got)
	}
}

func TestCodeFrameWindow(t *testing.T) {
	line := strings.Repeat("x", 500) + "BAD" + strings.Repeat("y", 500)
	f := codeFrame([]byte(line), 7, 501)
	lines := strings.Split(f, "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], "BAD") || !strings.HasPrefix(lines[0], "  7 | …") || !strings.HasSuffix(lines[0], "…") {
		t.Fatalf("frame:\n%s", f)
	}
	// The caret sits under B, counting runes as a terminal would.
	if b, caret := runeIndex(lines[0], "BAD"), runeIndex(lines[1], "^"); b != caret {
		t.Errorf("caret at rune %d, B at %d\n%s", caret, b, f)
	}
	if got := codeFrame([]byte("a\x00b"), 1, 3); !strings.Contains(got, "a\uFFFDb") {
		t.Errorf("control character shown raw: %q", got)
	}
}

func runeIndex(s, sub string) int {
	return len([]rune(s[:strings.Index(s, sub)]))
}

func TestCodeFrameOfSource(t *testing.T) {
	src := []byte("import a from './a.js'\nimport b from './b.js'\n")
	if got, want := CodeFrame(src, 2, 15), "  2 | import b from './b.js'\n    |               ^"; got != want {
		t.Errorf("CodeFrame:\n%s\nwant:\n%s", got, want)
	}
	for _, line := range []int{0, 4} {
		if got := CodeFrame(src, line, 1); got != "" {
			t.Errorf("CodeFrame of line %d = %q, want \"\"", line, got)
		}
	}
}
