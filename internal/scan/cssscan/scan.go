// Package cssscan finds what a stylesheet depends on, so the daemon can put
// it in the module graph without a full CSS parser.
//
// Two kinds of reference are extracted, and a third in CSS modules:
//
//   - the target of each top-level @import (KindImport): an edit to the
//     imported sheet changes the importing sheet, so it is a module edge;
//   - every other url() and every string inside image-set() (KindURL): an
//     edit to an image or a font must restyle the sheets that use it, so it
//     is an asset edge;
//   - in a CSS module (ScanModule), the file of `composes: a b from
//     "./other.module.css"` (KindComposes): the importer's exported class
//     names include the other file's, so it is a module edge too.
//
// References that the dev server can never serve from the project — data:,
// http:, blob: and any other URL with a scheme, protocol-relative //host,
// fragment-only #id (SVG filter and clip references) and empty URLs — are
// dropped, because they are not files and must not become graph nodes.
//
// The scanner follows the tokenizer of CSS Syntax Level 3 closely enough to
// agree with browsers on where comments, strings and url() tokens start and
// end, which is what decides whether an @import is real. It does not build
// rules; it only tracks parenthesis and brace depth. Input is untrusted: Scan
// never panics, every loop advances, and the work is linear in the input.
// Preprocessor syntax (SCSS // line comments, Less mixins) is not understood:
// such files are expected to be compiled to CSS before they are scanned.
package cssscan

import (
	"bytes"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/hmrd/hmrd/internal/scan/urlref"
)

// Kind says what a reference is used for.
type Kind uint8

const (
	// KindImport is the target of an @import rule.
	KindImport Kind = iota
	// KindURL is a url() asset reference (or a string in image-set()).
	KindURL
	// KindComposes is the file of a CSS module's `composes: … from`.
	KindComposes
)

func (k Kind) String() string {
	switch k {
	case KindImport:
		return "import"
	case KindURL:
		return "url"
	case KindComposes:
		return "composes"
	}
	return "kind?"
}

// Range is a half-open byte range [Start, End) into the scanned source.
type Range struct{ Start, End int }

// Ref is one reference to another file.
type Ref struct {
	// Specifier is the URL with quotes removed, CSS escapes (\" \2f …)
	// decoded and, as the browser's URL parser does, leading and trailing
	// spaces and control characters trimmed. Queries and fragments are kept:
	// the caller strips them.
	Specifier string
	Kind      Kind
	// Range is the URL text as written: inside the quotes when quoted, the
	// url( ) contents without surrounding whitespace when not.
	Range Range
	// Line and Column (1-based, Column in bytes) are those of Range.Start.
	Line, Column int
}

// Diagnostic is a problem in the stylesheet. Scanning continues past it
// when the browser would; a diagnostic never discards references found
// before it.
type Diagnostic struct {
	Line, Column int
	Message      string
}

// Result is what Scan found, in source order.
type Result struct {
	Refs        []Ref
	Diagnostics []Diagnostic
}

// IsModule reports whether name is a CSS module (*.module.css,
// .module.scss etc.): such files export class names and are not
// self-accepting. The extensions and the optional ?query are those of
// Vite's cssModuleRE, so both tools agree on which files are modules.
func IsModule(name string) bool {
	if q := strings.IndexByte(name, '?'); q >= 0 {
		name = name[:q]
	}
	dot := strings.LastIndexByte(name, '.')
	if dot < 0 || !strings.HasSuffix(name[:dot], ".module") {
		return false
	}
	switch name[dot+1:] {
	case "css", "less", "sass", "scss", "styl", "stylus", "pcss", "postcss", "sss":
		return true
	}
	return false
}

// Scan extracts the references of a stylesheet. It is pure and safe for
// concurrent use.
func Scan(src []byte) Result {
	return scan(src, false)
}

// ScanModule is Scan for a CSS module (see IsModule): it also reports the
// file of each `composes: names from "file"` declaration, as esbuild's
// local-css loader and postcss-modules (Vite) read it: the file is a
// string or url() that ends the declaration, right after `from`.
// `composes: a from global` and `composes: a` (same file) name none.
func ScanModule(src []byte) Result {
	return scan(src, true)
}

func scan(src []byte, module bool) Result {
	s := scanner{src: src, module: module, declStart: true}
	s.run()
	if s.expectImport {
		s.diag(s.importAt, "@import without a string or url()")
	}
	return s.res
}

type scanner struct {
	src []byte
	res Result
	// lines holds the offset of every line start; built on the first
	// position lookup, so sheets without references never pay for it.
	lines []int

	parens int // open ( and function( tokens
	braces int // open { blocks; an @import inside one is ignored by browsers
	// imageSets holds, for each open image-set(), the paren depth of its
	// arguments: a string at exactly that depth is an image URL.
	imageSets []int
	// expectImport is set right after a top-level @import: the next token
	// decides whether the rule has a URL.
	expectImport bool
	importAt     int
	// quiet is set inside the prelude of @import and @namespace, whose
	// url() and strings (supports(), a namespace URI) load nothing. It ends
	// at the ; { or } that ends the prelude, at the paren depth it began.
	quiet       bool
	quietParens int

	// module enables composes (ScanModule). declStart is set where a
	// declaration may start: after { ; or }. composes is the state of a
	// composes declaration being read; composesRef the index in res.Refs
	// of its file, dropped if anything but the end of the declaration
	// follows; composesParens the paren depth before its url(.
	module         bool
	declStart      bool
	composes       composesState
	composesRef    int
	composesParens int
}

type composesState uint8

const (
	composesNone  composesState = iota
	composesNames               // after `composes:`
	composesFrom                // after `from`
	composesFile                // after the file
)

func (s *scanner) run() {
	src := s.src
	for i := 0; i < len(src); {
		c := src[i]
		if isSpace(c) {
			i++
			continue
		}
		if c == '/' && i+1 < len(src) && src[i+1] == '*' {
			end := bytes.Index(src[i+2:], []byte("*/"))
			if end < 0 {
				s.diag(i, "unterminated comment")
				return
			}
			i += 2 + end + 2
			continue
		}
		// Whitespace and comments may sit between @import and its URL;
		// any other token is the URL or proves there is none.
		expect := s.expectImport
		s.expectImport = false
		tok := i
		decl := s.declStart
		s.declStart = false
		if s.module {
			if next, ok := s.composesToken(i, decl); ok {
				i = next
				continue
			}
		}
		switch {
		case c == '"' || c == '\'':
			var kind Kind
			report := false
			switch {
			case expect:
				kind, report = KindImport, true
			case !s.quiet && len(s.imageSets) > 0 && s.imageSets[len(s.imageSets)-1] == s.parens:
				kind, report = KindURL, true
			}
			i = s.str(i, kind, report)
			continue
		case c == '@' && i+1 < len(src) && startsName(src, i+1):
			i = s.atKeyword(i)
		case c == '#' && i+1 < len(src) && isNameByte(src, i+1):
			// A hash token: consuming the whole name keeps "#url(" from
			// being read as a url( function.
			i = nameEnd(src, i+1)
		case startsName(src, i):
			var done bool
			if i, done = s.word(i, expect); done {
				continue
			}
		case c == '(':
			s.parens++
			i++
		case c == ')':
			if n := len(s.imageSets); n > 0 && s.imageSets[n-1] == s.parens {
				s.imageSets = s.imageSets[:n-1]
			}
			if s.parens > 0 {
				s.parens--
			}
			i++
		case c == '{' || c == '}' || c == ';':
			s.declStart = true
			if c == '{' {
				s.braces++
			} else if c == '}' && s.braces > 0 {
				s.braces--
			}
			if s.quiet && s.parens <= s.quietParens {
				s.quiet = false
			}
			i++
		default:
			i++
		}
		if expect {
			s.diag(tok, "@import without a string or url()")
		}
	}
}

// composesToken follows a composes declaration through the token at i; a
// declaration starts there when decl is set. It consumes the tokens only
// it gives meaning to (`composes:`, `from`, the file) and returns ok with
// the offset after them; any other token is left to the main loop.
func (s *scanner) composesToken(i int, decl bool) (next int, ok bool) {
	src := s.src
	c := src[i]
	name := func() (string, int) {
		if !startsName(src, i) {
			return "", i
		}
		end := nameEnd(src, i)
		return nameText(src[i:end]), end
	}
	switch s.composes {
	case composesNone:
		if !decl || s.braces == 0 || s.parens > 0 {
			return i, false
		}
		if n, end := name(); n == "composes" {
			if colon := skipSpaceAndComments(src, end); colon < len(src) && src[colon] == ':' {
				s.composes = composesNames
				return colon + 1, true
			}
		}
	case composesNames:
		if n, end := name(); n == "from" && (end >= len(src) || src[end] != '(') {
			s.composes = composesFrom
			return end, true
		}
		if c == ';' || c == '}' || c == '{' {
			s.composes = composesNone
		}
	case composesFrom:
		s.composes, s.composesRef, s.composesParens = composesFile, len(s.res.Refs), s.parens
		if c == '"' || c == '\'' {
			return s.str(i, KindComposes, true), true
		}
		n, end := name()
		if n == "url" && end < len(src) && src[end] == '(' {
			return s.url(i, end+1, KindComposes, true), true
		}
		switch {
		case n == "from":
			// The first `from` was a class name: `composes: from from "x"`.
			s.composes = composesFrom
			return end, true
		case n != "" && (end == len(src) || src[end] != '('):
			// So was this one; `from global` is a name too, of no file.
			s.composes = composesNames
			return end, true
		}
		s.composes = composesNone // not a file
	case composesFile:
		switch {
		case c == ')' && s.parens > s.composesParens:
			// the ) of url("…")
		case c == ';' || c == '}':
			s.composes = composesNone
		default:
			s.res.Refs = s.res.Refs[:s.composesRef] // the file was not last
			s.composes = composesNone
		}
	}
	return i, false
}

// skipSpaceAndComments returns the offset of the first byte at or after i
// that is neither white space nor inside a comment.
func skipSpaceAndComments(src []byte, i int) int {
	for i < len(src) {
		switch {
		case isSpace(src[i]):
			i++
		case src[i] == '/' && i+1 < len(src) && src[i+1] == '*':
			end := bytes.Index(src[i+2:], []byte("*/"))
			if end < 0 {
				return len(src)
			}
			i += 2 + end + 2
		default:
			return i
		}
	}
	return i
}

// atKeyword handles the at-keyword at i ('@' followed by a name) and
// returns the offset after it.
func (s *scanner) atKeyword(i int) int {
	end := nameEnd(s.src, i+1)
	switch nameText(s.src[i+1 : end]) {
	case "import":
		s.quiet, s.quietParens = true, s.parens
		if s.braces > 0 || s.parens > 0 {
			// Browsers drop an @import nested in a block (or in anything
			// else): it loads nothing, so it is no edge.
			s.diag(i, "@import inside a block is ignored")
			return end
		}
		s.expectImport, s.importAt = true, i
	case "namespace":
		s.quiet, s.quietParens = true, s.parens
	}
	return end
}

// word consumes the name at i (an ident, number or dimension) and the
// function it may open. done reports that the caller must not check for a
// missing @import URL, because the word was a url() and handled it.
func (s *scanner) word(i int, expect bool) (next int, done bool) {
	src := s.src
	end := nameEnd(src, i)
	if end >= len(src) || src[end] != '(' {
		return end, false
	}
	switch nameText(src[i:end]) {
	case "url":
		kind, report := KindURL, !s.quiet
		if expect {
			kind, report = KindImport, true
		}
		return s.url(i, end+1, kind, report), true
	case "image-set", "-webkit-image-set":
		s.imageSets = append(s.imageSets, s.parens+1)
	}
	s.parens++
	return end + 1, false
}

// url consumes a url( whose name starts at start and whose contents start
// at i, and returns the offset after what it consumed.
func (s *scanner) url(start, i int, kind Kind, report bool) int {
	src := s.src
	for i < len(src) && isSpace(src[i]) {
		i++
	}
	if i < len(src) && (src[i] == '"' || src[i] == '\'') {
		// url("…") is a function token holding a string; its ")" is read
		// by the main loop like any other.
		s.parens++
		return s.str(i, kind, report)
	}
	// An unquoted url( is a single token that ends at ")"; comments and
	// quotes are not recognised inside it.
	a, esc := i, false
	for i < len(src) {
		c := src[i]
		switch {
		case c == ')':
			if report {
				s.ref(kind, a, i, esc, false)
			}
			return i + 1
		case isSpace(c):
			b := i
			for i < len(src) && isSpace(src[i]) {
				i++
			}
			if i == len(src) {
				s.diag(start, "unterminated url(")
				return i
			}
			if src[i] == ')' {
				if report {
					s.ref(kind, a, b, esc, false)
				}
				return i + 1
			}
			return s.badURL(start, i)
		case c == '"' || c == '\'' || c == '(' || isNonPrintable(c):
			return s.badURL(start, i)
		case c == '\\':
			if i+1 < len(src) && isNewline(src[i+1]) {
				return s.badURL(start, i)
			}
			esc = true
			i = escapeEnd(src, i+1)
		default:
			i++
		}
	}
	s.diag(start, "unterminated url(")
	return i
}

// badURL skips the rest of an invalid unquoted url( the way browsers
// recover: up to the next ")" that is not escaped.
func (s *scanner) badURL(start, i int) int {
	s.diag(start, "invalid url(): unquoted URL contains a quote, parenthesis, space or control character")
	src := s.src
	for i < len(src) {
		switch src[i] {
		case ')':
			return i + 1
		case '\\':
			i = escapeEnd(src, i+1)
		default:
			i++
		}
	}
	return i
}

// str consumes the string whose quote is at i and returns the offset after
// it. When report is set, its contents are a reference of the given kind.
func (s *scanner) str(i int, kind Kind, report bool) int {
	src := s.src
	q := src[i]
	a, esc := i+1, false
	for j := a; j < len(src); {
		c := src[j]
		switch {
		case c == q:
			if report {
				s.ref(kind, a, j, esc, true)
			}
			return j + 1
		case isNewline(c):
			// An unescaped newline ends a string as a bad-string token:
			// the declaration is dropped, but scanning goes on from here.
			s.diag(i, "unterminated string")
			return j
		case c == '\\':
			esc = true
			if j+1 < len(src) && isNewline(src[j+1]) {
				j = newlineEnd(src, j+1)
			} else {
				j = escapeEnd(src, j+1)
			}
		default:
			j++
		}
	}
	s.diag(i, "unterminated string")
	return len(src)
}

// ref records the reference written at [a, b) unless it names no local file.
func (s *scanner) ref(kind Kind, a, b int, esc, quoted bool) {
	raw := s.src[a:b]
	var spec string
	if esc || bytes.IndexByte(raw, 0) >= 0 {
		spec = decode(raw, quoted)
	} else {
		spec = string(raw)
	}
	spec = strings.TrimFunc(spec, func(r rune) bool { return r <= ' ' })
	if !urlref.IsLocal(spec) {
		return
	}
	line, col := s.position(a)
	s.res.Refs = append(s.res.Refs, Ref{Specifier: spec, Kind: kind, Range: Range{a, b}, Line: line, Column: col})
}

func (s *scanner) diag(off int, msg string) {
	line, col := s.position(off)
	s.res.Diagnostics = append(s.res.Diagnostics, Diagnostic{Line: line, Column: col, Message: msg})
}

// position converts a byte offset into a 1-based line and byte column.
// CSS counts \n, \r, \r\n and \f as one newline each.
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
			case '\n', '\f':
				s.lines = append(s.lines, i+1)
			}
		}
	}
	n := sort.Search(len(s.lines), func(k int) bool { return s.lines[k] > off })
	return n, off - s.lines[n-1] + 1
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'
}

func isNewline(c byte) bool { return c == '\n' || c == '\r' || c == '\f' }

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// isNonPrintable excludes NUL: preprocessing turns it into U+FFFD.
func isNonPrintable(c byte) bool {
	return 0x01 <= c && c <= 0x08 || c == 0x0b || 0x0e <= c && c <= 0x1f || c == 0x7f
}

// isNameByte reports whether src[i] continues a name: a name code point or
// a valid escape (a backslash not followed by a newline).
func isNameByte(src []byte, i int) bool {
	c := src[i]
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
		c == '_', c == '-', c >= 0x80, c == 0:
		return true
	case c == '\\':
		return i+1 == len(src) || !isNewline(src[i+1])
	}
	return false
}

// startsName reports whether a name (ident, number or dimension) starts at
// i. Numbers are consumed as names too: "1url(" is a dimension, not url(.
func startsName(src []byte, i int) bool { return isNameByte(src, i) }

// nameEnd returns the offset after the name starting at i.
func nameEnd(src []byte, i int) int {
	for i < len(src) && isNameByte(src, i) {
		if src[i] == '\\' {
			i = escapeEnd(src, i+1)
		} else {
			i++
		}
	}
	return i
}

// nameText returns a name lowercased with its escapes decoded, for
// comparison with keywords. Long names cannot be keywords and are not
// decoded, which keeps the work per name bounded by the keyword length.
func nameText(name []byte) string {
	if len(name) > 64 {
		return ""
	}
	if bytes.IndexByte(name, '\\') >= 0 {
		return strings.ToLower(decode(name, false))
	}
	return strings.ToLower(string(name))
}

// escapeEnd returns the offset after the escape whose backslash precedes i:
// one to six hex digits and one optional whitespace, or one byte (the rest
// of a multi-byte character is copied as ordinary bytes).
func escapeEnd(src []byte, i int) int {
	if i >= len(src) {
		return i
	}
	if !isHex(src[i]) {
		return i + 1
	}
	j := i
	for j < len(src) && j-i < 6 && isHex(src[j]) {
		j++
	}
	if j < len(src) && isSpace(src[j]) {
		j = newlineEnd(src, j)
	}
	return j
}

// newlineEnd returns the offset after the whitespace byte at i, treating
// \r\n as one.
func newlineEnd(src []byte, i int) int {
	if src[i] == '\r' && i+1 < len(src) && src[i+1] == '\n' {
		return i + 2
	}
	return i + 1
}

// decode resolves CSS escapes in raw. In a quoted string an escaped newline
// is a line continuation and vanishes; a NUL byte and invalid code points
// become U+FFFD as the CSS preprocessing step requires.
func decode(raw []byte, quoted bool) string {
	var b strings.Builder
	b.Grow(len(raw))
	for i := 0; i < len(raw); {
		c := raw[i]
		switch {
		case c == 0:
			b.WriteRune(utf8.RuneError)
			i++
		case c != '\\':
			b.WriteByte(c)
			i++
		case i+1 == len(raw):
			// A trailing backslash: dropped in a string, U+FFFD elsewhere.
			if !quoted {
				b.WriteRune(utf8.RuneError)
			}
			i++
		case isNewline(raw[i+1]):
			i = newlineEnd(raw, i+1)
		case isHex(raw[i+1]):
			end := escapeEnd(raw, i+1)
			var r rune
			for _, h := range raw[i+1 : end] {
				if !isHex(h) {
					break
				}
				r = r<<4 | rune(hexValue(h))
			}
			if r == 0 || r > utf8.MaxRune || 0xd800 <= r && r <= 0xdfff {
				r = utf8.RuneError
			}
			b.WriteRune(r)
			i = end
		default:
			b.WriteByte(raw[i+1])
			i += 2
		}
	}
	return b.String()
}

func hexValue(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}
