package jsscan

// The lexer of the syntax recogniser (see check.go). It is driven by the
// parser: next scans one ctoken in "operator" form, and the parser asks for a
// regular expression (rescanRegex) or a template continuation
// (rescanTemplate) where the grammar, not a heuristic, says one starts.
// Anything the recogniser does not model exactly makes the lexer fail.
// Literals, comments and punctuators are measured by the scanners it shares
// with the extractor's lexer (scanner.go; the package doc says why there are
// two lexers).

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
			var ok bool
			switch src[i+1] {
			case '/':
				i, ok = lineCommentEnd(src, i+2)
			case '*':
				var nl bool
				i, nl, ok = blockCommentEnd(src, i+2)
				p.nl = p.nl || nl
				// Reloaded rather than kept across the call, which would
				// spill src on every token.
				src = p.src
			default:
				break skip
			}
			if !ok {
				p.fail()
				return
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
	if isIdentStart(c) {
		j := asciiIdentEnd(src, i+1)
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
	var j int
	ok := true
	if isDecimal(c) || c == '.' && i+1 < len(src) && isDecimal(src[i+1]) {
		p.tok = tNumber
		j, p.bigint, ok = numberEnd(src, i)
	} else if p.tok = singlePunct(src, i); p.tok != tEOF {
		j = i + 1
	} else {
		switch c {
		case '"', '\'':
			p.tok = tString
			j, ok = stringEnd(src, i+1, c)
		case '`':
			p.scanTemplate(i + 1)
			return
		case '#':
			// A private name; escapes and non-ASCII are not modelled.
			j = asciiIdentEnd(src, i+1)
			ok = j > i+1 && isIdentStart(src[i+1]) && (j == len(src) || src[j] != '\\' && src[j] < 0x80)
			p.tok = tPrivate
		default:
			p.tok, j = operator(src, i)
			src := p.src // see above
			// @ (decorators), \, non-ASCII and control characters (tEOF),
			// and HTML comments (<!-- and -->) are not modelled.
			ok = p.tok != tEOF &&
				!(p.tok == tMinusMinus && j < len(src) && src[j] == '>') &&
				!(p.tok == tLt && j+2 < len(src) && src[j] == '!' && src[j+1] == '-' && src[j+2] == '-')
		}
	}
	if !ok {
		p.fail()
		return
	}
	p.setEnd(j)
}

func (p *parser) setEnd(j int) {
	p.end = j
	p.pos = j
}

// scanTemplate scans template text from src[i] (after ` or }) up to and
// including the closing ` or ${.
func (p *parser) scanTemplate(i int) {
	end, head, ok := templateEnd(p.src, i)
	if !ok {
		p.fail()
		return
	}
	p.tok = tTemplate
	if head {
		p.tok = tTemplateHead
	}
	p.setEnd(end)
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
	j, ok := regexBodyEnd(src, p.start+1)
	if !ok {
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
