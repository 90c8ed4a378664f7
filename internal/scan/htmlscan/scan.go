// Package htmlscan finds what an HTML page loads. HTML files are entries of
// the module graph, not modules: an edit to one reloads the pages showing
// it, and the scripts and stylesheets it loads are where the graph starts.
//
// Scan reports module scripts (<script type="module" src> and inline module
// scripts, whose code the caller scans as JavaScript), stylesheet links, the
// text of <style> elements and the offset where a dev server injects its
// client script. Classic scripts are not ES modules and are ignored.
//
// The scanner follows the tokenizer of the WHATWG HTML standard where it
// decides what is markup: comments (including <!--> and --!>), bogus
// comments (<!doctype>, <?…>, and <![CDATA[, which outside SVG and MathML
// is a bogus comment that ends at the first ">"), attribute quoting, the
// raw text of <script> with its <!-- escape states, and the raw text or
// RCDATA of <style>, <textarea>, <title>, <xmp>, <iframe>, <noembed>,
// <noframes>, <noscript> (browsers run scripts, so <noscript> content is
// text) and <plaintext>. A script inside a comment or one of those elements
// is therefore not a script, exactly as in the browser. It does not build a
// tree: <template> content is scanned like any other markup, so a module
// script in a template counts (it runs once the template is instantiated),
// and SVG/MathML foreign content is not treated specially.
//
// Input is untrusted: Scan never panics, every loop advances, and the work
// is linear in the input.
package htmlscan

import (
	"bytes"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/hmrd/hmrd/internal/scan/urlref"
)

// Range is a half-open byte range [Start, End) into the scanned document.
type Range struct{ Start, End int }

// Script is a module script: type="module" after trimming whitespace,
// compared case-insensitively.
type Script struct {
	// Src is the src attribute with character references (&amp; &#47; …)
	// decoded and leading and trailing whitespace trimmed, as the browser
	// does before fetching. The query is kept: the caller strips it.
	Src string
	// SrcRange is the attribute value as written (inside the quotes).
	SrcRange Range
	// Inline is set for a module script without a src attribute.
	Inline bool
	// Code is the body of an inline script: from after its start tag to
	// the "<" of its </script>.
	Code Range
	// Line and Column (1-based, Column in bytes) are those of "<script".
	Line, Column int
}

// Link is a <link rel="stylesheet" href>.
type Link struct {
	// Href is decoded and trimmed like Script.Src; HrefRange is the value
	// as written.
	Href      string
	HrefRange Range
	// Line and Column are those of "<link".
	Line, Column int
}

// Diagnostic is a problem in the document. Scanning stops at a construct
// that runs to the end of the input (the browser would treat the rest as
// part of it); what was found before is kept.
type Diagnostic struct {
	Line, Column int
	Message      string
}

// Result is what Scan found, in document order.
type Result struct {
	// Scripts holds only module scripts whose source is local (no scheme,
	// no //host) or inline.
	Scripts []Script
	// Stylesheets holds links with a local href whose rel contains the
	// token "stylesheet" but not "alternate" (alternate sheets are not
	// applied by default).
	Stylesheets []Link
	// Styles holds the text of each <style> element, from after its start
	// tag to the "<" of its </style>, so a dev server can rewrite its
	// url()s. An unterminated <style> is not listed.
	Styles []Range
	// HeadInsert is the byte offset where a dev server should inject its
	// client <script>: right after the first <head ...> start tag, else
	// before the first <script>, else right after <html ...>, else 0.
	HeadInsert  int
	Diagnostics []Diagnostic
}

// Scan extracts what a document loads. It is pure and safe for concurrent
// use.
func Scan(src []byte) Result {
	s := scanner{src: src, head: -1, script: -1, html: -1}
	s.run()
	switch {
	case s.head >= 0:
		s.res.HeadInsert = s.head
	case s.script >= 0:
		s.res.HeadInsert = s.script
	case s.html >= 0:
		s.res.HeadInsert = s.html
	}
	return s.res
}

type scanner struct {
	src   []byte
	res   Result
	lines []int // line start offsets, built on the first position lookup

	// Candidate injection points, -1 until seen: the end of the first
	// <head> and <html> start tags, the start of the first <script>.
	head, script, html int
}

// attr is an attribute value as written; ok is false when the attribute
// is absent.
type attr struct {
	ok  bool
	val Range
}

// tag is a start or end tag. Only the attributes Scan needs are kept; the
// first occurrence of a duplicated attribute wins, as in the browser.
type tag struct {
	name                []byte
	end                 int // offset after ">"
	typ, src, rel, href attr
}

func (s *scanner) run() {
	src := s.src
	for i := 0; i < len(src); {
		lt := bytes.IndexByte(src[i:], '<')
		if lt < 0 || i+lt+1 >= len(src) {
			return
		}
		i += lt
		switch c := src[i+1]; {
		case c == '!':
			if bytes.HasPrefix(src[i+2:], []byte("--")) {
				if i = s.comment(i); i < 0 {
					return
				}
				continue
			}
			if i = s.bogusComment(i, "<!"); i < 0 {
				return
			}
		case c == '?':
			if i = s.bogusComment(i, "<?"); i < 0 {
				return
			}
		case c == '/':
			switch {
			case i+2 == len(src):
				return // "</" at the end is text
			case isAlpha(src[i+2]):
				t, ok := s.tag(i + 2)
				if !ok {
					s.diag(i, "unterminated end tag")
					return
				}
				i = t.end
			case src[i+2] == '>':
				i += 3 // "</>" is dropped
			default:
				if i = s.bogusComment(i, "</"); i < 0 {
					return
				}
			}
		case isAlpha(c):
			if i = s.startTag(i); i < 0 {
				return
			}
		default:
			i++ // a "<" that starts no tag is text
		}
	}
}

// startTag handles the start tag whose "<" is at i and the raw text that
// may follow it. It returns the offset to continue at, or -1 when the rest
// of the input belongs to the tag or its raw text.
func (s *scanner) startTag(i int) int {
	t, ok := s.tag(i + 1)
	if !ok {
		s.diag(i, "unterminated <"+printable(s.src[i+1:min(i+1+32, len(s.src))])+" tag")
		return -1
	}
	switch name := lower(t.name); name {
	case "script":
		if s.script < 0 {
			s.script = i
		}
		end, ok := scriptEnd(s.src, t.end)
		if !ok {
			// The tree builder marks a script cut off by the end of the
			// input "already started": the browser never runs it.
			s.diag(i, "unterminated <script>: the browser will not run it")
			return -1
		}
		s.moduleScript(i, t, end)
		return end
	case "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "noscript":
		end, ok := rawTextEnd(s.src, t.end, name)
		if !ok {
			s.diag(i, "unterminated <"+name+">")
			return -1
		}
		if name == "style" {
			s.res.Styles = append(s.res.Styles, Range{t.end, end})
		}
		return end
	case "plaintext":
		return -1 // nothing after <plaintext> is markup, ever
	case "head":
		if s.head < 0 {
			s.head = t.end
		}
	case "html":
		if s.html < 0 {
			s.html = t.end
		}
	case "link":
		s.link(i, t)
	}
	return t.end
}

func (s *scanner) moduleScript(i int, t tag, bodyEnd int) {
	if !t.typ.ok || !equalFold([]byte(strings.TrimFunc(s.value(t.typ), isSpaceRune)), "module") {
		return
	}
	line, col := s.position(i)
	sc := Script{Line: line, Column: col}
	if t.src.ok {
		// With a src attribute the body is ignored; an empty or remote
		// src loads nothing from the project.
		sc.Src, sc.SrcRange = s.url(t.src), t.src.val
		if !urlref.IsLocal(sc.Src) {
			return
		}
	} else {
		sc.Inline, sc.Code = true, Range{t.end, bodyEnd}
	}
	s.res.Scripts = append(s.res.Scripts, sc)
}

func (s *scanner) link(i int, t tag) {
	if !t.rel.ok || !t.href.ok {
		return
	}
	stylesheet := false
	for _, tok := range strings.FieldsFunc(s.value(t.rel), isSpaceRune) {
		switch {
		case equalFold([]byte(tok), "stylesheet"):
			stylesheet = true
		case equalFold([]byte(tok), "alternate"):
			return
		}
	}
	href := s.url(t.href)
	if !stylesheet || !urlref.IsLocal(href) {
		return
	}
	line, col := s.position(i)
	s.res.Stylesheets = append(s.res.Stylesheets, Link{Href: href, HrefRange: t.href.val, Line: line, Column: col})
}

// tag parses a tag whose name starts at i (after "<" or "</"), following
// the tokenizer's attribute states. ok is false when the input ends inside
// the tag: the browser then drops the tag.
func (s *scanner) tag(i int) (t tag, ok bool) {
	src := s.src
	j := i
	for j < len(src) && !isSpace(src[j]) && src[j] != '/' && src[j] != '>' {
		j++
	}
	t.name = src[i:j]
	for {
		// Before an attribute name: a "/" not followed by ">" is ignored.
		for j < len(src) && (isSpace(src[j]) || src[j] == '/') {
			j++
		}
		if j == len(src) {
			return t, false
		}
		if src[j] == '>' {
			t.end = j + 1
			return t, true
		}
		// The first character may be "=": it is part of the name then.
		a := j
		for j++; j < len(src) && !isSpace(src[j]) && src[j] != '/' && src[j] != '>' && src[j] != '='; j++ {
		}
		name := src[a:j]
		for j < len(src) && isSpace(src[j]) {
			j++
		}
		var v attr
		if j < len(src) && src[j] == '=' {
			for j++; j < len(src) && isSpace(src[j]); j++ {
			}
			if j == len(src) {
				return t, false
			}
			switch q := src[j]; q {
			case '"', '\'':
				k := bytes.IndexByte(src[j+1:], q)
				if k < 0 {
					return t, false
				}
				v = attr{true, Range{j + 1, j + 1 + k}}
				j += k + 2
			case '>':
				v = attr{true, Range{j, j}} // "a=>": an empty value
			default:
				a := j
				for j < len(src) && !isSpace(src[j]) && src[j] != '>' {
					j++
				}
				v = attr{true, Range{a, j}}
			}
		} else {
			v = attr{true, Range{j, j}} // no value: the empty string
		}
		var slot *attr
		switch {
		case equalFold(name, "type"):
			slot = &t.typ
		case equalFold(name, "src"):
			slot = &t.src
		case equalFold(name, "rel"):
			slot = &t.rel
		case equalFold(name, "href"):
			slot = &t.href
		}
		if slot != nil && !slot.ok {
			*slot = v
		}
	}
}

// comment skips the comment whose "<!--" is at i and returns the offset
// after it, or -1 at an unterminated comment. Like the browser it accepts
// the abrupt forms <!--> and <!---> and the --!> terminator.
func (s *scanner) comment(i int) int {
	src := s.src
	j := i + 4
	if j < len(src) && src[j] == '>' {
		return j + 1
	}
	if j+1 < len(src) && src[j] == '-' && src[j+1] == '>' {
		return j + 2
	}
	for j < len(src) {
		k := bytes.Index(src[j:], []byte("--"))
		if k < 0 {
			break
		}
		j += k
		switch {
		case j+2 < len(src) && src[j+2] == '>':
			return j + 3
		case j+3 < len(src) && src[j+2] == '!' && src[j+3] == '>':
			return j + 4
		}
		j++
	}
	s.diag(i, "unterminated comment")
	return -1
}

// bogusComment skips a <!…>, <?…> or </…> construct that is not a tag or
// comment; it ends at the first ">".
func (s *scanner) bogusComment(i int, open string) int {
	k := bytes.IndexByte(s.src[i+len(open):], '>')
	if k < 0 {
		what, rest := open, s.src[i+2:]
		switch {
		case open != "<!":
		case len(rest) >= 7 && equalFold(rest[:7], "doctype"):
			what = "<!doctype"
		case bytes.HasPrefix(rest, []byte("[CDATA[")):
			what = "<![CDATA["
		}
		s.diag(i, "unterminated "+what)
		return -1
	}
	return i + len(open) + k + 1
}

// scriptEnd returns the offset of the "<" of the </script> that ends the
// script body starting at i. It runs the tokenizer's script data states:
// inside "<!--" a nested "<script" enters the double-escaped state, where
// "</script" only leaves that state instead of ending the element. This is
// why `<!-- <script>` in inline code can swallow the next </script>, just
// as it does in the browser.
func scriptEnd(src []byte, i int) (int, bool) {
	const (
		data = iota
		escaped
		doubleEscaped
	)
	state, dashes := data, 0
	for i < len(src) {
		c := src[i]
		if state != data {
			switch {
			case c == '-':
				dashes++
				i++
				continue
			case c == '>' && dashes >= 2:
				state, dashes = data, 0
				i++
				continue
			}
			dashes = 0
		}
		if c != '<' {
			i++
			continue
		}
		switch state {
		case data:
			if i+1 < len(src) && src[i+1] == '/' && tagNameAt(src, i+2, "script") {
				return i, true
			}
			if bytes.HasPrefix(src[i+1:], []byte("!--")) {
				// The dashes of "<!--" count: "<!-->" opens and closes.
				state, dashes = escaped, 2
				i += 4
				continue
			}
		case escaped:
			if i+1 < len(src) && src[i+1] == '/' && tagNameAt(src, i+2, "script") {
				return i, true
			}
			if tagNameAt(src, i+1, "script") {
				state = doubleEscaped
				i += len("<script")
				continue
			}
		case doubleEscaped:
			if i+1 < len(src) && src[i+1] == '/' && tagNameAt(src, i+2, "script") {
				state = escaped
				i += len("</script")
				continue
			}
		}
		i++
	}
	return len(src), false
}

// rawTextEnd returns the offset of the "<" of the end tag named name that
// ends the raw text or RCDATA starting at i.
func rawTextEnd(src []byte, i int, name string) (int, bool) {
	for i < len(src) {
		k := bytes.Index(src[i:], []byte("</"))
		if k < 0 {
			break
		}
		i += k
		if tagNameAt(src, i+2, name) {
			return i, true
		}
		i += 2
	}
	return len(src), false
}

// tagNameAt reports whether name (lowercase) is at i, case-insensitively,
// followed by what ends a tag name: whitespace, "/" or ">". A name cut off
// by the end of the input ends nothing.
func tagNameAt(src []byte, i int, name string) bool {
	end := i + len(name)
	if i < 0 || end >= len(src) || !equalFold(src[i:end], name) {
		return false
	}
	c := src[end]
	return isSpace(c) || c == '/' || c == '>'
}

// value returns an attribute value with character references decoded.
func (s *scanner) value(a attr) string {
	return decode(s.src[a.val.Start:a.val.End])
}

// url returns an attribute value decoded and trimmed the way the URL
// parser trims its input (C0 controls and space).
func (s *scanner) url(a attr) string {
	return strings.TrimFunc(s.value(a), func(r rune) bool { return r <= ' ' })
}

func (s *scanner) diag(off int, msg string) {
	line, col := s.position(off)
	s.res.Diagnostics = append(s.res.Diagnostics, Diagnostic{Line: line, Column: col, Message: msg})
}

// position converts a byte offset into a 1-based line and byte column.
// HTML normalises \r\n and \r to \n, so each counts as one newline.
func (s *scanner) position(off int) (line, col int) {
	if s.lines == nil {
		s.lines = append(s.lines, 0)
		for i := 0; i < len(s.src); i++ {
			switch s.src[i] {
			case '\r':
				if i+1 < len(s.src) && s.src[i+1] == '\n' {
					i++
				}
				s.lines = append(s.lines, i+1)
			case '\n':
				s.lines = append(s.lines, i+1)
			}
		}
	}
	n := sort.Search(len(s.lines), func(k int) bool { return s.lines[k] > off })
	return n, off - s.lines[n-1] + 1
}

// decode resolves the character references that occur in URLs and
// attribute values in practice: &amp; &lt; &gt; &quot; &apos; (the first
// four also without ";" unless followed by "=" or an alphanumeric, as the
// attribute rule for legacy references says) and numeric &#NN; &#xHH;.
// Other named references are kept as written. NUL becomes U+FFFD.
func decode(raw []byte) string {
	if bytes.IndexByte(raw, '&') < 0 && bytes.IndexByte(raw, 0) < 0 {
		return string(raw)
	}
	var b strings.Builder
	b.Grow(len(raw))
	for i := 0; i < len(raw); {
		switch c := raw[i]; c {
		case 0:
			b.WriteRune(utf8.RuneError)
			i++
		case '&':
			r, n := charRef(raw[i+1:])
			if n == 0 {
				b.WriteByte('&')
				i++
				continue
			}
			b.WriteRune(r)
			i += 1 + n
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String()
}

var namedRefs = []struct {
	name   string
	r      rune
	legacy bool // also recognised without ";"
}{
	{"amp", '&', true},
	{"lt", '<', true},
	{"gt", '>', true},
	{"quot", '"', true},
	{"apos", '\'', false},
}

// charRef decodes the character reference after an "&" and returns the
// rune and the number of bytes it used, 0 if s starts no reference.
func charRef(s []byte) (rune, int) {
	if len(s) > 0 && s[0] == '#' {
		j, hex := 1, false
		if j < len(s) && (s[j] == 'x' || s[j] == 'X') {
			j, hex = 2, true
		}
		digits, base, v := j, 10, 0
		if hex {
			base = 16
		}
		for ; j < len(s); j++ {
			d, ok := digit(s[j], hex)
			if !ok {
				break
			}
			if v <= utf8.MaxRune {
				// Saturating: past U+10FFFF the value no longer matters.
				v = v*base + d
			}
		}
		if j == digits {
			return 0, 0
		}
		if j < len(s) && s[j] == ';' {
			j++
		}
		if v == 0 || v > utf8.MaxRune || 0xd800 <= v && v <= 0xdfff {
			return utf8.RuneError, j
		}
		return rune(v), j
	}
	for _, e := range namedRefs {
		if len(s) < len(e.name) || string(s[:len(e.name)]) != e.name {
			continue
		}
		rest := s[len(e.name):]
		if len(rest) > 0 && rest[0] == ';' {
			return e.r, len(e.name) + 1
		}
		if e.legacy && (len(rest) == 0 || rest[0] != '=' && !isAlnum(rest[0])) {
			return e.r, len(e.name)
		}
	}
	return 0, 0
}

func digit(c byte, hex bool) (int, bool) {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0'), true
	case hex && 'a' <= c && c <= 'f':
		return int(c-'a') + 10, true
	case hex && 'A' <= c && c <= 'F':
		return int(c-'A') + 10, true
	}
	return 0, false
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'
}

func isSpaceRune(r rune) bool { return r < utf8.RuneSelf && isSpace(byte(r)) }

func isAlpha(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

func isAlnum(c byte) bool { return isAlpha(c) || '0' <= c && c <= '9' }

// equalFold compares ASCII case-insensitively; b is lowercase.
func equalFold(a []byte, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range len(a) {
		c := a[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != b[i] {
			return false
		}
	}
	return true
}

// lower lowercases a tag name the way HTML does, ASCII only (so that
// U+212A KELVIN SIGN does not turn <linK> into <link>); long names are no
// element Scan cares about and are not copied.
func lower(name []byte) string {
	if len(name) > 16 {
		return ""
	}
	b := []byte(string(name))
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// printable shortens a tag name for a message, replacing bytes that would
// garble it.
func printable(b []byte) string {
	var sb strings.Builder
	for _, c := range b {
		if isSpace(c) || c == '/' || c == '>' {
			break
		}
		if c < ' ' || c >= 0x7f {
			c = '?'
		}
		sb.WriteByte(c)
	}
	return sb.String()
}
