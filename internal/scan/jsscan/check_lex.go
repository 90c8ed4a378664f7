package jsscan

// The lexer of the syntax recogniser (see check.go). It is driven by the
// parser: next scans one ctoken in "operator" form, and the parser asks for a
// regular expression (rescanRegex) or a template continuation
// (rescanTemplate) where the grammar, not a heuristic, says one starts.
// Anything the recogniser does not model exactly makes the lexer fail.

type ctoken uint8

const (
	tEOF ctoken = iota
	tIdent
	tPrivate      // #name
	tNumber       // numeric literal, p.bigint tells a BigInt
	tString       // string literal
	tTemplate     // `...` or }...` (a template without, or the tail after, substitutions)
	tTemplateHead // `...${ or }...${
	tRegex
	tLBrace
	tRBrace
	tLParen
	tRParen
	tLBrack
	tRBrack
	tSemi
	tComma
	tDot
	tEllipsis
	tQuestionDot
	tQuestion
	tColon
	tArrow
	tAssign
	tAssignOp // compound and logical assignment operators except /=
	tSlashAssign
	tPlusPlus
	tMinusMinus
	tPlus
	tMinus
	tStar
	tSlash
	tPercent
	tStarStar
	tLt
	tGt
	tLe
	tGe
	tEq
	tNe
	tEqStrict
	tNeStrict
	tShl
	tShr
	tShrU
	tAmp
	tBar
	tCaret
	tBang
	tTilde
	tAndAnd
	tOrOr
	tQQ
)

// kwID classifies an identifier ctoken. The order matters: the reserved
// words come first, then the words strict mode or this recogniser refuses as
// identifiers, then contextual words that are ordinary identifiers.
type kwID uint8

const (
	kwNone kwID = iota
	// Reserved words.
	kwBreak
	kwCase
	kwCatch
	kwClass
	kwConst
	kwContinue
	kwDebugger
	kwDefault
	kwDelete
	kwDo
	kwElse
	kwEnum
	kwExport
	kwExtends
	kwFalse
	kwFinally
	kwFor
	kwFunction
	kwIf
	kwImport
	kwIn
	kwInstanceof
	kwNew
	kwNull
	kwReturn
	kwSuper
	kwSwitch
	kwThis
	kwThrow
	kwTrue
	kwTry
	kwTypeof
	kwVar
	kwVoid
	kwWhile
	kwWith
	// Strict mode reserved words, and words that are identifiers only in
	// forms the recogniser does not model (async, of).
	kwImplements
	kwInterface
	kwLet
	kwPackage
	kwPrivate
	kwProtected
	kwPublic
	kwStatic
	kwYield
	kwAwait
	kwAsync
	kwOf
	// Identifiers that cannot be bound or assigned in strict mode.
	kwEval
	kwArguments
	// Contextual words: ordinary identifiers.
	kwGet
	kwSet
	kwFrom
	kwAs
	kwMeta
	kwTarget
	kwConstructor
	kwPrototype
	kwProto
	kwAccessor
)

func keyword(s string) kwID {
	switch s {
	case "break":
		return kwBreak
	case "case":
		return kwCase
	case "catch":
		return kwCatch
	case "class":
		return kwClass
	case "const":
		return kwConst
	case "continue":
		return kwContinue
	case "debugger":
		return kwDebugger
	case "default":
		return kwDefault
	case "delete":
		return kwDelete
	case "do":
		return kwDo
	case "else":
		return kwElse
	case "enum":
		return kwEnum
	case "export":
		return kwExport
	case "extends":
		return kwExtends
	case "false":
		return kwFalse
	case "finally":
		return kwFinally
	case "for":
		return kwFor
	case "function":
		return kwFunction
	case "if":
		return kwIf
	case "import":
		return kwImport
	case "in":
		return kwIn
	case "instanceof":
		return kwInstanceof
	case "new":
		return kwNew
	case "null":
		return kwNull
	case "return":
		return kwReturn
	case "super":
		return kwSuper
	case "switch":
		return kwSwitch
	case "this":
		return kwThis
	case "throw":
		return kwThrow
	case "true":
		return kwTrue
	case "try":
		return kwTry
	case "typeof":
		return kwTypeof
	case "var":
		return kwVar
	case "void":
		return kwVoid
	case "while":
		return kwWhile
	case "with":
		return kwWith
	case "implements":
		return kwImplements
	case "interface":
		return kwInterface
	case "let":
		return kwLet
	case "package":
		return kwPackage
	case "private":
		return kwPrivate
	case "protected":
		return kwProtected
	case "public":
		return kwPublic
	case "static":
		return kwStatic
	case "yield":
		return kwYield
	case "await":
		return kwAwait
	case "async":
		return kwAsync
	case "of":
		return kwOf
	case "eval":
		return kwEval
	case "arguments":
		return kwArguments
	case "get":
		return kwGet
	case "set":
		return kwSet
	case "from":
		return kwFrom
	case "as":
		return kwAs
	case "meta":
		return kwMeta
	case "target":
		return kwTarget
	case "constructor":
		return kwConstructor
	case "prototype":
		return kwPrototype
	case "__proto__":
		return kwProto
	case "accessor":
		return kwAccessor
	}
	return kwNone
}

// charClass bits for ASCII bytes.
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

// identTail reports whether c may continue an identifier, counting the
// escape and non-ASCII bytes the lexer refuses: after a number or a regular
// expression such a byte is an error or something not modelled.
func identTail(c byte) bool {
	return charClass[c]&cIdentPart != 0 || c == '\\' || c >= 0x80
}

// lineSep reports whether src[i:] starts with U+2028 or U+2029, which are
// line terminators the recogniser does not model.
func lineSep(src []byte, i int) bool {
	return src[i] == 0xE2 && i+2 < len(src) && src[i+1] == 0x80 && (src[i+2] == 0xA8 || src[i+2] == 0xA9)
}

// next scans the ctoken after the current one.
func (p *parser) next() {
	p.budget--
	if p.err || p.budget < 0 {
		p.fail()
		return
	}
	src := p.src
	i := p.pos
	p.nl = false
	p.kw = kwNone
skip:
	for i < len(src) {
		switch c := src[i]; c {
		case ' ', '\t', '\v', '\f':
			i++
		case '\n', '\r':
			p.nl = true
			i++
		case '/':
			if i+1 >= len(src) {
				break skip
			}
			switch src[i+1] {
			case '/':
				i += 2
				for i < len(src) && src[i] != '\n' && src[i] != '\r' {
					if src[i] >= 0x80 && lineSep(src, i) {
						p.fail()
						return
					}
					i++
				}
			case '*':
				i += 2
				for {
					if i+1 >= len(src) {
						p.fail() // unterminated comment
						return
					}
					c := src[i]
					if c == '*' && src[i+1] == '/' {
						i += 2
						break
					}
					if c == '\n' || c == '\r' {
						p.nl = true
					} else if c >= 0x80 && lineSep(src, i) {
						p.fail()
						return
					}
					i++
				}
			default:
				break skip
			}
		default:
			break skip
		}
	}
	p.start = i
	if i >= len(src) {
		p.tok = tEOF
		p.pos = i
		p.end = i
		return
	}
	c := src[i]
	if charClass[c]&cIdentStart != 0 {
		j := i + 1
		for j < len(src) && charClass[src[j]]&cIdentPart != 0 {
			j++
		}
		if j < len(src) && (src[j] == '\\' || src[j] >= 0x80) {
			p.fail() // escapes and non-ASCII identifiers are not modelled
			return
		}
		p.tok = tIdent
		// Every keyword is lower case or __proto__, 2 to 11 bytes long.
		if n := j - i; n >= 2 && n <= 11 && (c >= 'a' && c <= 'z' || c == '_') {
			p.kw = keyword(p.text(i, j))
		}
		p.setEnd(j)
		return
	}
	if charClass[c]&cDigit != 0 || (c == '.' && i+1 < len(src) && charClass[src[i+1]]&cDigit != 0) {
		p.scanNumber(i)
		return
	}
	j := i + 1
	at := func(k int) byte {
		if k < len(src) {
			return src[k]
		}
		return 0
	}
	switch c {
	case '"', '\'':
		p.scanString(i)
		return
	case '`':
		p.scanTemplate(i + 1)
		return
	case '#':
		k := j
		if k < len(src) && charClass[src[k]]&cIdentStart != 0 {
			k++
			for k < len(src) && charClass[src[k]]&cIdentPart != 0 {
				k++
			}
			if k < len(src) && (src[k] == '\\' || src[k] >= 0x80) {
				p.fail()
				return
			}
			p.tok = tPrivate
			p.setEnd(k)
			return
		}
		p.fail()
		return
	case '{':
		p.tok = tLBrace
	case '}':
		p.tok = tRBrace
	case '(':
		p.tok = tLParen
	case ')':
		p.tok = tRParen
	case '[':
		p.tok = tLBrack
	case ']':
		p.tok = tRBrack
	case ';':
		p.tok = tSemi
	case ',':
		p.tok = tComma
	case '~':
		p.tok = tTilde
	case ':':
		p.tok = tColon
	case '.':
		p.tok = tDot
		if at(j) == '.' && at(j+1) == '.' {
			p.tok = tEllipsis
			j += 2
		}
	case '?':
		p.tok = tQuestion
		switch at(j) {
		case '.':
			if charClass[at(j+1)]&cDigit == 0 {
				p.tok = tQuestionDot
				j++
			}
		case '?':
			p.tok = tQQ
			j++
			if at(j) == '=' {
				p.tok = tAssignOp
				j++
			}
		}
	case '=':
		p.tok = tAssign
		switch at(j) {
		case '>':
			p.tok = tArrow
			j++
		case '=':
			p.tok = tEq
			j++
			if at(j) == '=' {
				p.tok = tEqStrict
				j++
			}
		}
	case '!':
		p.tok = tBang
		if at(j) == '=' {
			p.tok = tNe
			j++
			if at(j) == '=' {
				p.tok = tNeStrict
				j++
			}
		}
	case '+':
		p.tok = tPlus
		switch at(j) {
		case '+':
			p.tok = tPlusPlus
			j++
		case '=':
			p.tok = tAssignOp
			j++
		}
	case '-':
		p.tok = tMinus
		switch at(j) {
		case '-':
			if at(j+1) == '>' {
				p.fail() // possibly an HTML close comment
				return
			}
			p.tok = tMinusMinus
			j++
		case '=':
			p.tok = tAssignOp
			j++
		}
	case '*':
		j = p.lexDoubled(src, j, '*', tStar, tStarStar)
	case '/':
		p.tok = tSlash
		if at(j) == '=' {
			p.tok = tSlashAssign
			j++
		}
	case '%':
		p.tok = tPercent
		if at(j) == '=' {
			p.tok = tAssignOp
			j++
		}
	case '<':
		p.tok = tLt
		switch at(j) {
		case '!':
			if at(j+1) == '-' && at(j+2) == '-' {
				p.fail() // HTML open comment
				return
			}
		case '<':
			p.tok = tShl
			j++
			if at(j) == '=' {
				p.tok = tAssignOp
				j++
			}
		case '=':
			p.tok = tLe
			j++
		}
	case '>':
		p.tok = tGt
		switch at(j) {
		case '>':
			p.tok = tShr
			j++
			switch at(j) {
			case '>':
				p.tok = tShrU
				j++
				if at(j) == '=' {
					p.tok = tAssignOp
					j++
				}
			case '=':
				p.tok = tAssignOp
				j++
			}
		case '=':
			p.tok = tGe
			j++
		}
	case '&':
		j = p.lexDoubled(src, j, '&', tAmp, tAndAnd)
	case '|':
		j = p.lexDoubled(src, j, '|', tBar, tOrOr)
	case '^':
		p.tok = tCaret
		if at(j) == '=' {
			p.tok = tAssignOp
			j++
		}
	default:
		// @ (decorators), \, non-ASCII, control characters: not modelled.
		p.fail()
		return
	}
	p.setEnd(j)
}

func (p *parser) setEnd(j int) {
	p.end = j
	p.pos = j
}

// digits scans digits of the given class with numeric separators, which must
// sit between two digits. It returns the end and the number of digits; ok is
// false for a misplaced separator.
func (p *parser) digits(i int, class uint8, octal, binary bool) (end, n int, ok bool) {
	src := p.src
	for i < len(src) {
		c := src[i]
		if c == '_' {
			if n == 0 || i+1 >= len(src) || !p.isDigit(src[i+1], class, octal, binary) {
				return i, n, false
			}
			i++
			continue
		}
		if !p.isDigit(c, class, octal, binary) {
			break
		}
		n++
		i++
	}
	return i, n, true
}

func (p *parser) isDigit(c byte, class uint8, octal, binary bool) bool {
	switch {
	case binary:
		return c == '0' || c == '1'
	case octal:
		return c >= '0' && c <= '7'
	}
	return charClass[c]&class != 0
}

// scanNumber scans a numeric literal. Legacy octal and leading-zero decimal
// literals are errors in a module; anything irregular fails.
func (p *parser) scanNumber(i int) {
	src := p.src
	p.tok = tNumber
	p.bigint = false
	var ok bool
	var n int
	j := i
	if src[i] == '0' && i+1 < len(src) {
		switch src[i+1] | 0x20 {
		case 'x', 'o', 'b':
			class, oct, bin := uint8(cHex), src[i+1]|0x20 == 'o', src[i+1]|0x20 == 'b'
			j, n, ok = p.digits(i+2, class, oct, bin)
			if !ok || n == 0 {
				p.fail()
				return
			}
			if j < len(src) && src[j] == 'n' {
				p.bigint = true
				j++
			}
			p.numberEnd(j)
			return
		}
		if c := src[i+1]; charClass[c]&cDigit != 0 || c == '_' {
			p.fail() // legacy octal, 08, 0_1
			return
		}
	}
	intDigits := 0
	if src[i] != '.' {
		j, intDigits, ok = p.digits(i, cDigit, false, false)
		if !ok {
			p.fail()
			return
		}
	}
	plain := true
	if j < len(src) && src[j] == '.' {
		plain = false
		j, n, ok = p.digits(j+1, cDigit, false, false)
		if !ok || (n == 0 && intDigits == 0) {
			p.fail()
			return
		}
		if n == 0 && j < len(src) && src[j] == '_' {
			p.fail()
			return
		}
	}
	if j < len(src) && src[j]|0x20 == 'e' {
		plain = false
		j++
		if j < len(src) && (src[j] == '+' || src[j] == '-') {
			j++
		}
		j, n, ok = p.digits(j, cDigit, false, false)
		if !ok || n == 0 {
			p.fail()
			return
		}
	}
	if j < len(src) && src[j] == 'n' {
		if !plain || (src[i] == '0' && intDigits > 1) {
			p.fail()
			return
		}
		p.bigint = true
		j++
	}
	p.numberEnd(j)
}

func (p *parser) numberEnd(j int) {
	if j < len(p.src) && identTail(p.src[j]) {
		p.fail() // 3in, 1_, 0x1g
		return
	}
	p.setEnd(j)
}

// escape checks the escape sequence whose backslash is at src[i] and
// returns the index after it. Legacy octal escapes (\1 to \9 and \0 followed
// by a digit) are errors in strict code and in templates.
func (p *parser) escape(i int) (int, bool) {
	src := p.src
	i++
	if i >= len(src) {
		return i, false
	}
	switch c := src[i]; {
	case c == '0':
		if i+1 < len(src) && charClass[src[i+1]]&cDigit != 0 {
			return i, false
		}
		return i + 1, true
	case c >= '1' && c <= '9':
		return i, false
	case c == 'x':
		if i+2 < len(src) && charClass[src[i+1]]&cHex != 0 && charClass[src[i+2]]&cHex != 0 {
			return i + 3, true
		}
		return i, false
	case c == 'u':
		i++
		if i < len(src) && src[i] == '{' {
			i++
			v, n := 0, 0
			for i < len(src) && charClass[src[i]]&cHex != 0 {
				if v = v*16 + hexDigitVal(src[i]); v > 0x10FFFF {
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
		for k := 0; k < 4; k++ {
			if i+k >= len(src) || charClass[src[i+k]]&cHex == 0 {
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
		return i, false // \ before U+2028 and friends: not modelled
	}
	return i + 1, true
}

func hexDigitVal(c byte) int {
	switch {
	case c <= '9':
		return int(c - '0')
	case c >= 'a':
		return int(c-'a') + 10
	}
	return int(c-'A') + 10
}

func (p *parser) scanString(i int) {
	src := p.src
	q := src[i]
	j := i + 1
	for {
		if j >= len(src) {
			p.fail()
			return
		}
		c := src[j]
		switch {
		case c == q:
			p.tok = tString
			p.setEnd(j + 1)
			return
		case c == '\\':
			var ok bool
			if j, ok = p.escape(j); !ok {
				p.fail()
				return
			}
			continue
		case c == '\n' || c == '\r':
			p.fail()
			return
		case c >= 0x80 && lineSep(src, j):
			p.fail()
			return
		}
		j++
	}
}

// scanTemplate scans template text from src[i] (after ` or }) up to and
// including the closing ` or ${.
func (p *parser) scanTemplate(i int) {
	src := p.src
	j := i
	for {
		if j >= len(src) {
			p.fail()
			return
		}
		c := src[j]
		switch {
		case c == '`':
			p.tok = tTemplate
			p.setEnd(j + 1)
			return
		case c == '$' && j+1 < len(src) && src[j+1] == '{':
			p.tok = tTemplateHead
			p.setEnd(j + 2)
			return
		case c == '\\':
			var ok bool
			if j, ok = p.escape(j); !ok {
				p.fail()
				return
			}
			continue
		case c >= 0x80 && lineSep(src, j):
			p.fail()
			return
		}
		j++
	}
}

// rescanTemplate continues a template at the } that closes a substitution.
func (p *parser) rescanTemplate() {
	if p.err || p.tok != tRBrace {
		p.fail()
		return
	}
	p.scanTemplate(p.start + 1)
}

// rescanRegex rescans the current / or /= ctoken as a regular expression
// literal. esbuild checks that the body is terminated, that no ) outside a
// class is unmatched, and the flags; the recogniser also refuses unclosed
// groups and the u and v flags together (spec errors).
func (p *parser) rescanRegex() {
	src := p.src
	j := p.start + 1
	inClass := false
	parens := 0
body:
	for {
		if j >= len(src) {
			p.fail()
			return
		}
		c := src[j]
		if c == '\n' || c == '\r' || (c >= 0x80 && lineSep(src, j)) {
			p.fail()
			return
		}
		if c == '\\' {
			j++
			if j >= len(src) || src[j] == '\n' || src[j] == '\r' || (src[j] >= 0x80 && lineSep(src, j)) {
				p.fail()
				return
			}
			j++
			continue
		}
		j++
		switch {
		case c == '[':
			inClass = true
		case c == ']':
			inClass = false
		case inClass:
		case c == '(':
			parens++
		case c == ')':
			if parens--; parens < 0 {
				p.fail() // esbuild: Unexpected ")" in regular expression
				return
			}
		case c == '/':
			break body
		}
	}
	if parens != 0 {
		p.fail()
		return
	}
	var seen uint32
	for j < len(src) && identTail(src[j]) {
		var bit uint32
		switch src[j] {
		case 'd':
			bit = 1
		case 'g':
			bit = 2
		case 'i':
			bit = 4
		case 'm':
			bit = 8
		case 's':
			bit = 16
		case 'u':
			bit = 32
		case 'v':
			bit = 64
		case 'y':
			bit = 128
		default:
			p.fail()
			return
		}
		if seen&bit != 0 {
			p.fail()
			return
		}
		seen |= bit
		j++
	}
	if seen&96 == 96 {
		p.fail()
		return
	}
	p.tok = tRegex
	p.setEnd(j)
}

// lexDoubled lexes an operator that may be doubled, either form optionally
// followed by "=" (* ** *= **=, & && &= &&=, | || |= ||=), the first c
// ending at j: one or two without "=", an assignment operator with it. It
// returns where the token ends.
func (p *parser) lexDoubled(src []byte, j int, c byte, one, two ctoken) int {
	p.tok = one
	if j < len(src) && src[j] == c {
		p.tok = two
		j++
	}
	if j < len(src) && src[j] == '=' {
		p.tok = tAssignOp
		j++
	}
	return j
}
