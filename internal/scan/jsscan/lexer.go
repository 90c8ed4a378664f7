package jsscan

import (
	"unicode"
	"unicode/utf8"
)

// The extractor's lexer turns JavaScript into a flat slice of tokens in one
// pass over the bytes. It is not a validator: the input is normally esbuild
// output (valid JS), but the lexer is also fed arbitrary bytes by FuzzLex, so
// every loop advances by at least one byte and every index is bounds-checked.
// Literals, comments and punctuators are measured by the scanners it shares
// with the recogniser's lexer (scanner.go; the package doc says why there
// are two lexers).
//
// Tokens keep only offsets into the source; text is compared in place, so
// lexing allocates nothing beyond the (reused) token and stack slices.

type tokKind uint8

const (
	tokIdent          tokKind = iota + 1 // identifiers and keywords
	tokPrivate                           // #name
	tokNumber                            // numeric literal (loosely lexed)
	tokString                            // '…' or "…"
	tokTemplate                          // `…` without substitutions
	tokTemplateHead                      // `…${
	tokTemplateMiddle                    // }…${
	tokTemplateTail                      // }…`
	tokRegex                             // /…/flags
	tokPunct                             // operators and punctuation
)

// maxDepth caps token.depth; deeper tokens all report maxDepth, which only
// affects pathological inputs.
const maxDepth = 1<<16 - 1

type token struct {
	start, end int32
	// match links an opener — ( [ { or a template head/middle — to the index
	// of the token that closes it, so extraction can jump over a nested
	// group in O(1). It is -1 for an opener that is never closed and 0 for
	// every other token.
	match int32
	// depth is the number of open groups around the token. An opener and its
	// closer have the same depth; the tokens between them are one deeper.
	depth uint16
	kind  tokKind
}

// Frame kinds on the lexer's group stack.
const (
	frameParen     byte = iota // ( … )
	frameCtrlParen             // the condition of if/while/for/with: a regex may follow ")"
	frameBracket               // [ … ]
	frameBlock                 // { … } of a statement block: a regex may follow "}"
	frameObject                // { … } in expression position: "/" after "}" divides
	frameSubst                 // ${ … } inside a template literal
)

type frame struct {
	kind byte
	tok  int32 // index of the opening token
}

type lexer struct {
	src   []byte
	toks  []token
	stack []frame
	// open counts the frames on the stack by closer: [0] parens, [1]
	// brackets, [2] braces and substitutions. A closer with no opener of its
	// kind on the stack is a stray token and pops nothing.
	open [3]int
	// regexOK says whether a "/" starting here begins a regular expression
	// (true) or is the division operator (false), decided from the previous
	// significant token.
	regexOK bool
}

// lex tokenizes src, appending to toks[:0] so a caller can reuse the slice.
// Sources longer than MaxInt32 must be rejected by the caller.
func lex(src []byte, toks []token, stack []frame) ([]token, []frame) {
	// Size the token slice once from the source: dense code has about one
	// token per three bytes (a generated 1 MB module: 3.4), and growing by
	// doubling copies a large file's tokens over and over.
	if want := len(src) / 3; cap(toks) < want {
		toks = make([]token, 0, want)
	}
	lx := lexer{src: src, toks: toks[:0], stack: stack[:0], regexOK: true}
	lx.run()
	// Openers still on the stack were never closed.
	for _, f := range lx.stack {
		lx.toks[f.tok].match = -1
	}
	return lx.toks, lx.stack
}

func (lx *lexer) depth() uint16 {
	if len(lx.stack) > maxDepth {
		return maxDepth
	}
	return uint16(len(lx.stack))
}

func (lx *lexer) emit(kind tokKind, start, end int) {
	lx.toks = append(lx.toks, token{start: int32(start), end: int32(end), kind: kind, depth: lx.depth()})
}

func (lx *lexer) push(kind byte) {
	idx := len(lx.toks) - 1
	lx.toks[idx].match = -1
	lx.stack = append(lx.stack, frame{kind: kind, tok: int32(idx)})
	lx.open[closerClass(kind)]++
}

func closerClass(kind byte) int {
	switch kind {
	case frameParen, frameCtrlParen:
		return 0
	case frameBracket:
		return 1
	}
	return 2
}

// pop closes the innermost group of the given closer class, discarding
// unclosed groups above it, and returns its frame. ok is false when no such
// group is open (a stray closer).
func (lx *lexer) pop(class int) (f frame, ok bool) {
	if lx.open[class] == 0 {
		return frame{}, false
	}
	for {
		f = lx.stack[len(lx.stack)-1]
		lx.stack = lx.stack[:len(lx.stack)-1]
		lx.open[closerClass(f.kind)]--
		if closerClass(f.kind) == class {
			return f, true
		}
		// An inner group that never closed: leave match at -1.
	}
}

// closeWith records tok as the closer of f (tok is the index of the token
// about to be emitted).
func (lx *lexer) closeWith(f frame) {
	lx.toks[f.tok].match = int32(len(lx.toks))
}

func (lx *lexer) run() {
	src := lx.src
	n := len(src)
	i := 0
	if n >= 2 && src[0] == '#' && src[1] == '!' {
		i, _ = lineCommentEnd(src, 2)
	}
	for i < n {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f':
			i++
		case c == '/':
			if i+1 < n && src[i+1] == '/' {
				i, _ = lineCommentEnd(src, i+2)
				continue
			}
			if i+1 < n && src[i+1] == '*' {
				i, _, _ = blockCommentEnd(src, i+2)
				continue
			}
			if lx.regexOK {
				// Then the flags. An unterminated body ends at a line
				// break or at len(src), where identEnd takes nothing.
				end, _ := regexBodyEnd(src, i+1)
				end = identEnd(src, end)
				lx.emit(tokRegex, i, end)
				lx.regexOK = false
				i = end
				continue
			}
			_, end := operator(src, i)
			lx.emit(tokPunct, i, end)
			lx.regexOK = true
			i = end
		case isIdentStart(c) || c == '\\':
			i = lx.ident(i)
		case isDecimal(c) || c == '.' && i+1 < n && isDecimal(src[i+1]):
			i = lx.number(i)
		case c == '\'' || c == '"':
			end, _ := stringEnd(src, i+1, c)
			lx.emit(tokString, i, end)
			lx.regexOK = false
			i = end
		case c == '`':
			end, head, _ := templateEnd(src, i+1)
			if head {
				lx.emit(tokTemplateHead, i, end)
				lx.push(frameSubst)
				lx.regexOK = true
			} else {
				lx.emit(tokTemplate, i, end)
				lx.regexOK = false
			}
			i = end
		case c == '#':
			if i+1 < n && (isIdentStart(src[i+1]) || src[i+1] >= utf8.RuneSelf || src[i+1] == '\\') {
				end := identEnd(src, i+1)
				if end > i+1 {
					lx.emit(tokPrivate, i, end)
					lx.regexOK = false
					i = end
					continue
				}
			}
			lx.emit(tokPunct, i, i+1)
			lx.regexOK = true
			i++
		case c >= utf8.RuneSelf:
			r, size := utf8.DecodeRune(src[i:])
			if isSpaceRune(r) {
				i += size
				continue
			}
			i = lx.ident(i)
		default:
			// A byte that starts no punctuator (tEOF) is a token of its own.
			kind, end := singlePunct(src, i), i+1
			if kind == tEOF {
				kind, end = operator(src, i)
			}
			if kind >= tLBrace && kind <= tRBrack {
				i = lx.group(kind, i)
				continue
			}
			lx.emit(tokPunct, i, end)
			// ++ and -- are taken as postfix: "a++ / b" divides.
			lx.regexOK = kind != tPlusPlus && kind != tMinusMinus
			i = end
		}
	}
}

// isSpaceRune reports non-ASCII whitespace and line terminators, which
// separate tokens; every other non-ASCII rune is lexed as identifier text.
func isSpaceRune(r rune) bool {
	return r == 0xFEFF || r == 0x2028 || r == 0x2029 || unicode.Is(unicode.Zs, r)
}

// identEnd returns the end of the identifier starting at i: ASCII name
// characters, \u escapes and non-ASCII runes that are not whitespace.
func identEnd(src []byte, i int) int {
	n := len(src)
	for {
		i = asciiIdentEnd(src, i)
		if i >= n {
			return i
		}
		switch c := src[i]; {
		case c == '\\':
			// \uXXXX or \u{…}: consume the escape so "{" is not a brace.
			i++
			if i < n && src[i] == 'u' {
				i++
				if i < n && src[i] == '{' {
					i++
					for i < n && isHex(src[i]) {
						i++
					}
					if i < n && src[i] == '}' {
						i++
					}
				}
			}
		case c >= utf8.RuneSelf:
			r, size := utf8.DecodeRune(src[i:])
			if isSpaceRune(r) {
				return i
			}
			i += size
		default:
			return i
		}
	}
}

// regexKeywords are the keywords after which an expression (and so a regex
// literal) may start.
func regexKeyword(word []byte) bool {
	switch string(word) {
	case "return", "typeof", "case", "do", "else", "in", "of", "new", "delete",
		"void", "throw", "instanceof", "yield", "await":
		return true
	}
	return false
}

func (lx *lexer) ident(i int) int {
	end := identEnd(lx.src, i)
	if end == i { // a lone byte that is no identifier part; cannot happen for callers, but never stall
		end = i + 1
	}
	property := lx.afterDot()
	lx.emit(tokIdent, i, end)
	lx.regexOK = !property && regexKeyword(lx.src[i:end])
	return end
}

// afterDot reports whether the last token is "." or "?.", which makes the
// next identifier a property name rather than a keyword.
func (lx *lexer) afterDot() bool {
	return len(lx.toks) > 0 && lx.isDot(lx.toks[len(lx.toks)-1])
}

// isDot reports whether t is "." or "?.", comparing in place: this runs for
// every identifier.
func (lx *lexer) isDot(t token) bool {
	if t.kind != tokPunct {
		return false
	}
	switch t.end - t.start {
	case 1:
		return lx.src[t.start] == '.'
	case 2:
		return lx.src[t.start] == '?' && lx.src[t.start+1] == '.'
	}
	return false
}

// number lexes a numeric literal loosely (see looseNumberEnd).
func (lx *lexer) number(i int) int {
	end := looseNumberEnd(lx.src, i)
	lx.emit(tokNumber, i, end)
	lx.regexOK = false
	return end
}

// group lexes a bracket, brace or parenthesis and maintains the group stack.
func (lx *lexer) group(kind ctoken, i int) int {
	end := i + 1
	switch kind {
	case tLParen:
		ctrl := lx.beforeControlParen()
		lx.emit(tokPunct, i, end)
		if ctrl {
			lx.push(frameCtrlParen)
		} else {
			lx.push(frameParen)
		}
	case tLBrack:
		lx.emit(tokPunct, i, end)
		lx.push(frameBracket)
	case tLBrace:
		kind := lx.braceKind()
		lx.emit(tokPunct, i, end)
		lx.push(kind)
	case tRParen:
		f, ok := lx.pop(0)
		if ok {
			lx.closeWith(f)
		}
		lx.emit(tokPunct, i, end)
		lx.regexOK = ok && f.kind == frameCtrlParen
		return end
	case tRBrack:
		f, ok := lx.pop(1)
		if ok {
			lx.closeWith(f)
		}
		lx.emit(tokPunct, i, end)
		lx.regexOK = false
		return end
	case tRBrace:
		f, ok := lx.pop(2)
		if ok {
			lx.closeWith(f)
		}
		if ok && f.kind == frameSubst {
			tend, head, _ := templateEnd(lx.src, end)
			if head {
				lx.emit(tokTemplateMiddle, i, tend)
				lx.push(frameSubst)
				lx.regexOK = true
			} else {
				lx.emit(tokTemplateTail, i, tend)
				lx.regexOK = false
			}
			return tend
		}
		lx.emit(tokPunct, i, end)
		// After a block a statement (maybe a regex) starts; after an object
		// literal an operator such as "/" follows.
		lx.regexOK = !ok || f.kind == frameBlock
		return end
	}
	lx.regexOK = true
	return end
}

// lastTok returns the previous token, ok=false at the start of input.
func (lx *lexer) lastTok() (token, bool) {
	if len(lx.toks) == 0 {
		return token{}, false
	}
	return lx.toks[len(lx.toks)-1], true
}

// beforeControlParen reports whether a "(" about to be emitted opens the
// condition of if/while/for/with, after which ")" may be followed by a
// statement starting with a regex: `if (x) /re/.test(y)`.
func (lx *lexer) beforeControlParen() bool {
	t, ok := lx.lastTok()
	if !ok || t.kind != tokIdent {
		return false
	}
	switch string(lx.src[t.start:t.end]) {
	case "if", "while", "for", "with":
		// A property such as a.if( is a call.
		return !lx.identIsProperty(len(lx.toks) - 1)
	}
	return false
}

// braceKind decides from the previous token whether a "{" opens a statement
// block or an expression (object literal, class body in an expression is
// treated as a block — best effort; the distinction matters only for a "/"
// directly after the matching "}").
func (lx *lexer) braceKind() byte {
	t, ok := lx.lastTok()
	if !ok {
		return frameBlock
	}
	switch t.kind {
	case tokIdent:
		if regexKeyword(lx.src[t.start:t.end]) && !lx.identIsProperty(len(lx.toks)-1) {
			return frameObject // return { … }, case { … }: expressions
		}
		return frameBlock // else {, try {, class C {, …
	case tokTemplateHead, tokTemplateMiddle:
		return frameObject
	case tokPunct:
		switch string(lx.src[t.start:t.end]) {
		case ";", "{", "}", ")", "=>":
			return frameBlock
		case ":":
			// { a: { … } } is an object; case x: { … } and label: { … }
			// are blocks. Decide by the enclosing group.
			if len(lx.stack) == 0 {
				return frameBlock
			}
			if top := lx.stack[len(lx.stack)-1].kind; top == frameBlock {
				return frameBlock
			}
			return frameObject
		}
		return frameObject
	}
	return frameBlock
}

// identIsProperty reports whether the token at idx follows "." or "?.".
func (lx *lexer) identIsProperty(idx int) bool {
	return idx > 0 && lx.isDot(lx.toks[idx-1])
}
