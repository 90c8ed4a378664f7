package jsscan

import "testing"

// The shared scanners answer two lexers: the end is where the extractor's
// lexer resumes whatever the input, ok is whether the recogniser may go on.

func TestStringEnd(t *testing.T) {
	for _, c := range []struct {
		src string // from the opening quote
		end int
		ok  bool
	}{
		{`'abc' x`, 5, true},
		{`"a'b" x`, 5, true},
		{`'it\'s'`, 7, true},
		{`'\x41\u0041\u{41}\0\n'`, 22, true},
		{"'a\\\r\nb'", 7, true},
		{"'a\\\nb'", 6, true},
		{"'é'", 4, true},
		{`'\1'`, 4, false},          // legacy octal
		{`'\08'`, 5, false},         // \0 before a digit
		{`'\x4g'`, 6, false},        // malformed \x
		{`'\u{110000}'`, 12, false}, // above U+10FFFF
		{"'a\u2028b'", 7, false},
		{"'a\\\u2028b'", 8, false}, // \ before U+2028
		{"'abc\nx'", 4, false},     // unterminated: ends before the break
		{"'abc", 4, false},
		{`'\`, 2, false},
	} {
		end, ok := stringEnd([]byte(c.src), 1, c.src[0])
		if end != c.end || ok != c.ok {
			t.Errorf("stringEnd(%q) = %d, %v; want %d, %v", c.src, end, ok, c.end, c.ok)
		}
	}
}

func TestTemplateEnd(t *testing.T) {
	for _, c := range []struct {
		src      string // after the backquote or "}"
		end      int
		head, ok bool
	}{
		{"abc` x", 4, false, true},
		{"a${b}`", 3, true, true},
		{"a$b{`", 5, false, true},
		{"a\nb`", 4, false, true},
		{"\\`${`", 4, true, true},
		{"\\1`", 3, false, false},
		{"a\u2028`", 5, false, false},
		{"abc", 3, false, false},
	} {
		end, head, ok := templateEnd([]byte(c.src), 0)
		if end != c.end || head != c.head || ok != c.ok {
			t.Errorf("templateEnd(%q) = %d, %v, %v; want %d, %v, %v", c.src, end, head, ok, c.end, c.head, c.ok)
		}
	}
}

func TestCommentEnds(t *testing.T) {
	for _, c := range []struct {
		src string // after "//"
		end int
		ok  bool
	}{
		{" c\nx", 2, true},
		{" c\r\nx", 2, true},
		{" c", 2, true},
		{" a\u2028b\nx", 6, false}, // the extractor reads on to "\n"
	} {
		end, ok := lineCommentEnd([]byte(c.src), 0)
		if end != c.end || ok != c.ok {
			t.Errorf("lineCommentEnd(%q) = %d, %v; want %d, %v", c.src, end, ok, c.end, c.ok)
		}
	}
	for _, c := range []struct {
		src    string // after "/*"
		end    int
		nl, ok bool
	}{
		{" c */x", 5, false, true},
		{"**/x", 3, false, true},
		{" a\n */x", 6, true, true},
		{" a\u2028 */x", 8, false, false},
		{" a *", 4, false, false},
		{"", 0, false, false},
	} {
		end, nl, ok := blockCommentEnd([]byte(c.src), 0)
		if end != c.end || nl != c.nl || ok != c.ok {
			t.Errorf("blockCommentEnd(%q) = %d, %v, %v; want %d, %v, %v", c.src, end, nl, ok, c.end, c.nl, c.ok)
		}
	}
}

func TestRegexBodyEnd(t *testing.T) {
	for _, c := range []struct {
		src string // after the opening "/"
		end int
		ok  bool
	}{
		{"ab/g", 3, true},
		{"[/]/", 4, true},
		{`\//`, 3, true},
		{"(a)/", 4, true},
		{"[(]/", 4, true},
		{"a)/", 3, false}, // esbuild: unexpected ")"
		{"(a/", 3, false}, // unclosed group
		{"a\\\nb/", 5, false},
		{"a\u2028/", 5, false},
		{"ab\n/", 2, false}, // unterminated: ends before the break
		{"ab", 2, false},
	} {
		end, ok := regexBodyEnd([]byte(c.src), 0)
		if end != c.end || ok != c.ok {
			t.Errorf("regexBodyEnd(%q) = %d, %v; want %d, %v", c.src, end, ok, c.end, c.ok)
		}
	}
}

func TestNumberEnds(t *testing.T) {
	for _, c := range []struct {
		src        string
		end, loose int
		bigint, ok bool
	}{
		{"0", 1, 1, false, true},
		{"123 ", 3, 3, false, true},
		{"1_000n", 6, 6, true, true},
		{"0x1F", 4, 4, false, true},
		{"0b101n", 6, 6, true, true},
		{"0o17", 4, 4, false, true},
		{".5e-3", 5, 5, false, true},
		{"1.e+5", 5, 5, false, true},
		{"0x1e+1", 4, 4, false, true},       // no exponent in hex
		{"1..toString", 2, 11, false, true}, // the extractor takes it whole
		{"1.5.x", 3, 5, false, true},
		{"3in", 1, 3, false, false},
		{"08", 0, 2, false, false},
		{"0_1", 0, 3, false, false},
		{"1__0", 1, 4, false, false},
		{"1_", 1, 2, false, false},
		{"1.5n", 3, 4, false, false},
		{"0b1e+1", 3, 6, false, false},
		{"1e", 2, 2, false, false},
	} {
		src := []byte(c.src)
		end, bigint, ok := numberEnd(src, 0)
		if ok && (end != c.end || bigint != c.bigint) || ok != c.ok {
			t.Errorf("numberEnd(%q) = %d, %v, %v; want %d, %v, %v", c.src, end, bigint, ok, c.end, c.bigint, c.ok)
		}
		if loose := looseNumberEnd(src, 0); loose != c.loose || loose < end {
			t.Errorf("looseNumberEnd(%q) = %d, want %d (numberEnd %d)", c.src, loose, c.loose, end)
		}
	}
}

func TestPunctuators(t *testing.T) {
	for _, c := range []struct {
		src string
		tok ctoken
		end int
	}{
		{"(x", tLParen, 1},
		{"a", tEOF, 1},
		{".x", tDot, 1},
		{"...x", tEllipsis, 3},
		{"..x", tDot, 1},
		{"?.x", tQuestionDot, 2},
		{"?.5", tQuestion, 1},
		{"??=", tAssignOp, 3},
		{"=>", tArrow, 2},
		{"!==", tNeStrict, 3},
		{">>>=", tAssignOp, 4},
		{">>>", tShrU, 3},
		{"**=", tAssignOp, 3},
		{"&&", tAndAnd, 2},
		{"||=", tAssignOp, 3},
		{"/=", tSlashAssign, 2},
		{"-->", tMinusMinus, 2},
		{"<!--", tLt, 1},
		{"@", tEOF, 1},
	} {
		src := []byte(c.src)
		tok, end := singlePunct(src, 0), 1
		if tok == tEOF {
			tok, end = operator(src, 0)
		}
		if tok != c.tok || end != c.end {
			t.Errorf("punctuator %q = %d, %d; want %d, %d", c.src, tok, end, c.tok, c.end)
		}
	}
}
