package jsscan

// The scanners both lexers share (see the package doc for why there are
// two). Each measures one lexical element starting at a given offset and
// returns where it ends, plus what the syntax recogniser needs to know about
// it: ok is false when the element is malformed, unterminated, or uses
// something the recogniser does not model exactly (U+2028 and U+2029, legacy
// octal, malformed escapes). The extractor's lexer ignores ok and takes the
// end: it must get through any bytes, and the end it gets for a malformed
// element is where it resumes. The recogniser fails on !ok.
//
// None of them decides whether a "/" starts a regular expression: the
// extractor's lexer guesses from the previous token, the recogniser is told
// by its grammar.

// Character classes of bytes (non-ASCII bytes are in none).
const (
	cIdentStart = 1 << iota
	cIdentPart
	cDigit
	cHex
)

var charClass = func() (t [256]uint8) {
	for c := 'a'; c <= 'z'; c++ {
		t[c] |= cIdentStart | cIdentPart
	}
	for c := 'A'; c <= 'Z'; c++ {
		t[c] |= cIdentStart | cIdentPart
	}
	t['_'] |= cIdentStart | cIdentPart
	t['$'] |= cIdentStart | cIdentPart
	for c := '0'; c <= '9'; c++ {
		t[c] |= cIdentPart | cDigit | cHex
	}
	for _, c := range "abcdefABCDEF" {
		t[c] |= cHex
	}
	return t
}()

func isIdentStart(c byte) bool { return charClass[c]&cIdentStart != 0 }
func isIdentPart(c byte) bool  { return charClass[c]&cIdentPart != 0 }
func isDecimal(c byte) bool    { return charClass[c]&cDigit != 0 }
func isHex(c byte) bool        { return charClass[c]&cHex != 0 }

// asciiIdentEnd returns the end of the run of ASCII identifier characters
// starting at i. An identifier goes on past it only at a backslash (an
// escape) or a non-ASCII byte, which the recogniser does not model.
func asciiIdentEnd(src []byte, i int) int {
	for i < len(src) && charClass[src[i]]&cIdentPart != 0 {
		i++
	}
	return i
}

// lineSep reports whether src[i:] starts with U+2028 or U+2029, which are
// line terminators the recogniser does not model.
func lineSep(src []byte, i int) bool {
	return src[i] == 0xE2 && i+2 < len(src) && src[i+1] == 0x80 && (src[i+2] == 0xA8 || src[i+2] == 0xA9)
}

// lineCommentEnd returns the offset of the "\n" or "\r" that ends a line
// comment (or a hashbang line) whose text starts at i, or len(src). ok is
// false when the text holds U+2028 or U+2029; the comment is still taken to
// run on to "\n" or "\r".
func lineCommentEnd(src []byte, i int) (end int, ok bool) {
	ok = true
	for ; i < len(src); i++ {
		c := src[i]
		if c == '\n' || c == '\r' {
			break
		}
		if c >= 0x80 && lineSep(src, i) {
			ok = false
		}
	}
	return i, ok
}

// blockCommentEnd returns the offset after the "*/" that closes a block
// comment whose text starts at i, and whether the text holds "\n" or "\r"
// (nl). ok is false when the comment is unterminated (end is then len(src))
// or holds U+2028 or U+2029.
func blockCommentEnd(src []byte, i int) (end int, nl, ok bool) {
	ok = true
	for ; i+1 < len(src); i++ {
		switch c := src[i]; {
		case c == '*':
			if src[i+1] == '/' {
				return i + 2, nl, ok
			}
		case c == '\n' || c == '\r':
			nl = true
		case c >= 0x80:
			if lineSep(src, i) {
				ok = false
			}
		}
	}
	return len(src), nl, false
}

// escapeEnd checks the escape sequence whose backslash is at src[i] and
// returns the offset after it. ok is false, and end meaningless, for what
// strict mode forbids (legacy octal escapes: \1 to \9 and \0 before a
// digit), malformed \x and \u escapes, code points above U+10FFFF, and a
// backslash before a non-ASCII character (the recogniser does not model
// U+2028 and friends there) or at the end of src.
func escapeEnd(src []byte, i int) (end int, ok bool) {
	i++
	if i >= len(src) {
		return i, false
	}
	switch c := src[i]; {
	case c == '0':
		if i+1 < len(src) && isDecimal(src[i+1]) {
			return i, false
		}
		return i + 1, true
	case c >= '1' && c <= '9':
		return i, false
	case c == 'x':
		if i+2 < len(src) && isHex(src[i+1]) && isHex(src[i+2]) {
			return i + 3, true
		}
		return i, false
	case c == 'u':
		i++
		if i < len(src) && src[i] == '{' {
			i++
			v, n := 0, 0
			for i < len(src) && isHex(src[i]) {
				if v = v*16 + int(hexVal(src[i])); v > 0x10FFFF {
					return i, false
				}
				n++
				i++
			}
			if n == 0 || i >= len(src) || src[i] != '}' {
				return i, false
			}
			return i + 1, true
		}
		for k := range 4 {
			if i+k >= len(src) || !isHex(src[i+k]) {
				return i, false
			}
		}
		return i + 4, true
	case c == '\r':
		if i+1 < len(src) && src[i+1] == '\n' {
			return i + 2, true
		}
		return i + 1, true
	case c >= 0x80:
		return i, false
	}
	return i + 1, true
}

// stringEnd scans a string literal whose text starts at i, after the
// opening quote q, and returns the offset after the closing quote. An
// unterminated literal ends before the line break, or at len(src). ok is
// false for an unterminated literal, an escape escapeEnd refuses, and
// U+2028 or U+2029.
func stringEnd(src []byte, i int, q byte) (end int, ok bool) {
	n := len(src)
	ok = true
	for i < n {
		c := src[i]
		switch {
		case c == q:
			return i + 1, ok
		case c == '\\':
			if j, good := escapeEnd(src, i); good {
				i = j
				continue
			}
			// Step over the backslash and the byte after it, as the
			// extractor's lexer always did; escapeEnd accepts a backslash
			// before "\r", so this never splits a "\r\n".
			ok = false
			i += 2
		case c == '\n' || c == '\r':
			return i, false
		case c >= 0x80:
			if lineSep(src, i) {
				ok = false
			}
			i++
		default:
			i++
		}
	}
	return n, false
}

// templateEnd scans template text starting at i, after the opening
// backquote or the "}" that closes a substitution. It returns the offset
// after the closing backquote, or after "${" with head set; an unterminated
// template ends at len(src). ok is false for an unterminated template, an
// escape escapeEnd refuses (tagged templates allow more; the recogniser
// does not model them), and U+2028 or U+2029.
func templateEnd(src []byte, i int) (end int, head, ok bool) {
	n := len(src)
	ok = true
	for i < n {
		c := src[i]
		switch {
		case c == '`':
			return i + 1, false, ok
		case c == '$':
			if i+1 < n && src[i+1] == '{' {
				return i + 2, true, ok
			}
			i++
		case c == '\\':
			if j, good := escapeEnd(src, i); good {
				i = j
				continue
			}
			ok = false
			i += 2
		case c >= 0x80:
			if lineSep(src, i) {
				ok = false
			}
			i++
		default:
			i++
		}
	}
	return n, false, false
}

// regexBodyEnd scans the body of a regular expression literal starting at
// i, after the opening "/", and returns the offset after the closing "/"
// (the flags are left to the caller). A "/" inside a class [...] does not
// end it. An unterminated body ends before the line break, or at len(src).
// ok is false for an unterminated body, a backslash before a line
// terminator, U+2028 or U+2029, and parentheses outside classes that do not
// balance: esbuild rejects an unmatched ")", and the recogniser refuses an
// unclosed "(" too.
func regexBodyEnd(src []byte, i int) (end int, ok bool) {
	n := len(src)
	ok = true
	inClass := false
	parens := 0
	for i < n {
		c := src[i]
		switch {
		case c == '\\':
			if i+1 < n {
				if e := src[i+1]; e == '\n' || e == '\r' || e >= 0x80 && lineSep(src, i+1) {
					ok = false
				}
			}
			i += 2
			continue
		case c == '\n' || c == '\r':
			return i, false
		case c >= 0x80:
			if lineSep(src, i) {
				ok = false
			}
		case c == '[':
			inClass = true
		case c == ']':
			inClass = false
		case inClass:
		case c == '(':
			parens++
		case c == ')':
			if parens--; parens < 0 {
				ok = false
			}
		case c == '/':
			return i + 1, ok && parens == 0
		}
		i++
	}
	return n, false
}

// looseNumberEnd returns where the extractor's lexer ends the numeric
// literal at src[i], a digit or a "." before a digit: it runs on over
// letters, digits, "_", "." and the sign of a decimal exponent, so malformed
// literals, "3in" and "1..toString" are one token. That end is never before
// numberEnd's, and the bytes numberEnd takes are all ones this rule takes.
func looseNumberEnd(src []byte, i int) int {
	hex := i+1 < len(src) && src[i] == '0' && src[i+1]|0x20 == 'x'
	j := i
	for j < len(src) {
		c := src[j]
		if isIdentPart(c) || c == '.' ||
			(c == '+' || c == '-') && !hex && j > i && src[j-1]|0x20 == 'e' {
			j++
			continue
		}
		break
	}
	return j
}

// numberEnd scans the numeric literal at src[i], a digit or a "." before a
// digit, by the grammar, for the recogniser. ok says that it is one the
// recogniser accepts in a module — decimal, hex, octal or binary, with
// separators only between digits, no legacy octal or leading zero, not
// followed by an identifier character — and bigint that it has the BigInt
// suffix n.
func numberEnd(src []byte, i int) (end int, bigint, ok bool) {
	n := 0
	j := i
	if src[i] == '0' && i+1 < len(src) {
		switch src[i+1] | 0x20 {
		case 'x', 'o', 'b':
			class, oct, bin := uint8(cHex), src[i+1]|0x20 == 'o', src[i+1]|0x20 == 'b'
			j, n, ok = digits(src, i+2, class, oct, bin)
			if !ok || n == 0 {
				return j, false, false
			}
			if j < len(src) && src[j] == 'n' {
				bigint = true
				j++
			}
			return j, bigint, numberFollowOK(src, j)
		}
		if c := src[i+1]; isDecimal(c) || c == '_' {
			return i, false, false // legacy octal, 08, 0_1
		}
	}
	intDigits := 0
	if src[i] != '.' {
		j, intDigits, ok = digits(src, i, cDigit, false, false)
		if !ok {
			return j, false, false
		}
	}
	plain := true
	if j < len(src) && src[j] == '.' {
		plain = false
		j, n, ok = digits(src, j+1, cDigit, false, false)
		if !ok || (n == 0 && intDigits == 0) {
			return j, false, false
		}
		if n == 0 && j < len(src) && src[j] == '_' {
			return j, false, false
		}
	}
	if j < len(src) && src[j]|0x20 == 'e' {
		plain = false
		j++
		if j < len(src) && (src[j] == '+' || src[j] == '-') {
			j++
		}
		j, n, ok = digits(src, j, cDigit, false, false)
		if !ok || n == 0 {
			return j, false, false
		}
	}
	if j < len(src) && src[j] == 'n' {
		if !plain || (src[i] == '0' && intDigits > 1) {
			return j, false, false
		}
		bigint = true
		j++
	}
	return j, bigint, numberFollowOK(src, j)
}

// numberFollowOK reports whether a numeric literal ending at j is not
// followed by an identifier character, an escape or a non-ASCII byte (3in,
// 1_, 0x1g; after a number such a byte is an error or not modelled).
func numberFollowOK(src []byte, j int) bool {
	return j >= len(src) || !identTail(src[j])
}

// identTail reports whether c may continue an identifier, counting the
// escape and non-ASCII bytes the recogniser refuses.
func identTail(c byte) bool {
	return charClass[c]&cIdentPart != 0 || c == '\\' || c >= 0x80
}

// digits scans digits of the given class with numeric separators, which must
// sit between two digits. It returns the end and the number of digits; ok is
// false for a misplaced separator.
func digits(src []byte, i int, class uint8, octal, binary bool) (end, n int, ok bool) {
	for i < len(src) {
		c := src[i]
		if c == '_' {
			if n == 0 || i+1 >= len(src) || !isDigitOf(src[i+1], class, octal, binary) {
				return i, n, false
			}
			i++
			continue
		}
		if !isDigitOf(c, class, octal, binary) {
			break
		}
		n++
		i++
	}
	return i, n, true
}

func isDigitOf(c byte, class uint8, octal, binary bool) bool {
	switch {
	case binary:
		return c == '0' || c == '1'
	case octal:
		return c >= '0' && c <= '7'
	}
	return charClass[c]&class != 0
}

// Punctuators are scanned by maximal munch in two steps, so that the
// common ones cost no call: singlePunct answers for the punctuators that are
// one byte whatever follows, and operator scans every other one. Neither
// decides whether "/" starts a regular expression ("/" comes back as
// division), a "." before a digit starts a number (the caller checks first),
// and "-->" and "<!--" come back as "--" ">" and "<" "!" "--".

// singlePunct returns the kind of the punctuator at src[i] if it is one of
// the brackets, separators, or a "." that does not start "...", and tEOF
// otherwise.
func singlePunct(src []byte, i int) ctoken {
	tok := punctSingle[src[i]]
	if tok == tDot && i+1 < len(src) && src[i+1] == '.' {
		return tEOF
	}
	return tok
}

// punctSingle holds the punctuators that are one byte whatever follows, and
// ".", which singlePunct checks.
var punctSingle = [256]ctoken{
	'{': tLBrace, '}': tRBrace, '(': tLParen, ')': tRParen, '[': tLBrack, ']': tRBrack,
	';': tSemi, ',': tComma, '~': tTilde, ':': tColon, '.': tDot,
}

// operator scans the punctuator at src[i] that singlePunct leaves, and
// returns its kind and end; tEOF, and i+1, when no punctuator starts there.
func operator(src []byte, i int) (tok ctoken, end int) {
	at := func(k int) byte {
		if k < len(src) {
			return src[k]
		}
		return 0
	}
	j := i + 1
	switch src[i] {
	case '.':
		tok = tDot
		if at(j) == '.' && at(j+1) == '.' {
			tok = tEllipsis
			j += 2
		}
	case '?':
		tok = tQuestion
		switch at(j) {
		case '.':
			if !isDecimal(at(j + 1)) {
				tok = tQuestionDot
				j++
			}
		case '?':
			tok = tQQ
			j++
			if at(j) == '=' {
				tok = tAssignOp
				j++
			}
		}
	case '=':
		tok = tAssign
		switch at(j) {
		case '>':
			tok = tArrow
			j++
		case '=':
			tok = tEq
			j++
			if at(j) == '=' {
				tok = tEqStrict
				j++
			}
		}
	case '!':
		tok = tBang
		if at(j) == '=' {
			tok = tNe
			j++
			if at(j) == '=' {
				tok = tNeStrict
				j++
			}
		}
	case '+':
		tok = tPlus
		switch at(j) {
		case '+':
			tok = tPlusPlus
			j++
		case '=':
			tok = tAssignOp
			j++
		}
	case '-':
		tok = tMinus
		switch at(j) {
		case '-':
			tok = tMinusMinus
			j++
		case '=':
			tok = tAssignOp
			j++
		}
	case '*':
		tok, j = doubled(src, j, '*', tStar, tStarStar)
	case '/':
		tok = tSlash
		if at(j) == '=' {
			tok = tSlashAssign
			j++
		}
	case '%':
		tok = tPercent
		if at(j) == '=' {
			tok = tAssignOp
			j++
		}
	case '<':
		tok = tLt
		switch at(j) {
		case '<':
			tok = tShl
			j++
			if at(j) == '=' {
				tok = tAssignOp
				j++
			}
		case '=':
			tok = tLe
			j++
		}
	case '>':
		tok = tGt
		switch at(j) {
		case '>':
			tok = tShr
			j++
			switch at(j) {
			case '>':
				tok = tShrU
				j++
				if at(j) == '=' {
					tok = tAssignOp
					j++
				}
			case '=':
				tok = tAssignOp
				j++
			}
		case '=':
			tok = tGe
			j++
		}
	case '&':
		tok, j = doubled(src, j, '&', tAmp, tAndAnd)
	case '|':
		tok, j = doubled(src, j, '|', tBar, tOrOr)
	case '^':
		tok = tCaret
		if at(j) == '=' {
			tok = tAssignOp
			j++
		}
	default:
		return tEOF, j
	}
	return tok, j
}

// doubled scans an operator that may be doubled, either form optionally
// followed by "=" (* ** *= **=, & && &= &&=, | || |= ||=), the first c
// ending at j: one or two without "=", an assignment operator with it.
func doubled(src []byte, j int, c byte, one, two ctoken) (ctoken, int) {
	tok := one
	if j < len(src) && src[j] == c {
		tok = two
		j++
	}
	if j < len(src) && src[j] == '=' {
		tok = tAssignOp
		j++
	}
	return tok, j
}
