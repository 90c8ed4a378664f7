package jsscan

import (
	"bytes"
	"unicode/utf16"
	"unicode/utf8"
)

// literalValue returns the value of a complete string literal ('…', "…") or
// substitution-free template literal (`…`), given its text with the quotes.
// ok is false when the literal is unterminated, which only happens for input
// that did not come from esbuild.
func literalValue(lit []byte) (string, bool) {
	if len(lit) < 2 {
		return "", false
	}
	quote := lit[0]
	if quote != '\'' && quote != '"' && quote != '`' || lit[len(lit)-1] != quote {
		return "", false
	}
	body := lit[1 : len(lit)-1]
	if bytes.IndexByte(body, '\\') < 0 && (quote != '`' || bytes.IndexByte(body, '\r') < 0) {
		if bytes.IndexByte(body, quote) >= 0 {
			return "", false
		}
		return string(body), true
	}
	buf := make([]byte, 0, len(body))
	n := len(body)
	for i := 0; i < n; {
		c := body[i]
		switch {
		case c == quote:
			return "", false // the real closing quote came earlier
		case c == '\r' && quote == '`':
			// Template values normalise CRLF and CR to LF.
			buf = append(buf, '\n')
			i++
			if i < n && body[i] == '\n' {
				i++
			}
		case c != '\\':
			buf = append(buf, c)
			i++
		default:
			i++
			if i >= n {
				return "", false // the backslash escaped the closing quote
			}
			var r rune
			r, i = unescape(body, i)
			if r >= 0 {
				buf = utf8.AppendRune(buf, r)
			}
		}
	}
	return string(buf), true
}

// unescape decodes the escape sequence whose first byte after the backslash
// is body[i]. It returns the rune (or -1 for a line continuation, which
// contributes nothing) and the offset after the sequence. Malformed escapes
// yield their characters verbatim rather than an error: the value is only
// used to name modules.
func unescape(body []byte, i int) (rune, int) {
	n := len(body)
	c := body[i]
	switch c {
	case 'n':
		return '\n', i + 1
	case 't':
		return '\t', i + 1
	case 'r':
		return '\r', i + 1
	case 'b':
		return '\b', i + 1
	case 'f':
		return '\f', i + 1
	case 'v':
		return '\v', i + 1
	case '\n':
		return -1, i + 1
	case '\r':
		if i+1 < n && body[i+1] == '\n' {
			return -1, i + 2
		}
		return -1, i + 1
	case 'x':
		if i+2 < n && isHex(body[i+1]) && isHex(body[i+2]) {
			return rune(hexVal(body[i+1])<<4 | hexVal(body[i+2])), i + 3
		}
		return 'x', i + 1
	case 'u':
		r, next, ok := unicodeEscape(body, i)
		if !ok {
			return 'u', i + 1
		}
		// A surrogate pair is written as two \u escapes.
		if utf16.IsSurrogate(r) && next+1 < n && body[next] == '\\' && body[next+1] == 'u' {
			if r2, next2, ok := unicodeEscape(body, next+1); ok {
				if pair := utf16.DecodeRune(r, r2); pair != utf8.RuneError {
					return pair, next2
				}
			}
		}
		return r, next
	}
	if c >= '0' && c <= '7' {
		// \0 and legacy octal escapes (up to \377).
		v := rune(c - '0')
		j := i + 1
		for k := 0; k < 2 && j < n && body[j] >= '0' && body[j] <= '7' && v*8+rune(body[j]-'0') <= 0377; k++ {
			v = v*8 + rune(body[j]-'0')
			j++
		}
		return v, j
	}
	r, size := utf8.DecodeRune(body[i:])
	if r == 0x2028 || r == 0x2029 {
		return -1, i + size // line continuation
	}
	return r, i + size
}

// unicodeEscape decodes \uXXXX or \u{X…} with body[i] == 'u'.
func unicodeEscape(body []byte, i int) (rune, int, bool) {
	n := len(body)
	if i+1 < n && body[i+1] == '{' {
		var v rune
		j := i + 2
		for j < n && isHex(body[j]) {
			if v = v<<4 | rune(hexVal(body[j])); v > utf8.MaxRune {
				return 0, 0, false
			}
			j++
		}
		if j == i+2 || j >= n || body[j] != '}' {
			return 0, 0, false
		}
		return v, j + 1, true
	}
	if i+4 >= n {
		return 0, 0, false
	}
	var v rune
	for j := i + 1; j <= i+4; j++ {
		if !isHex(body[j]) {
			return 0, 0, false
		}
		v = v<<4 | rune(hexVal(body[j]))
	}
	return v, i + 5, true
}

func hexVal(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}
