package jsscan

import (
	"sync"
	"unicode/utf8"
	"unsafe"
)

// syntaxOK reports whether src, as an ECMAScript module (strict mode), is
// certainly accepted by esbuild's LoaderJS transform with no error. false
// means "invalid, or not sure": the caller then runs esbuild.
//
// It is a recursive-descent recogniser of the module grammar that builds no
// tree. It is deliberately stricter than both the spec and esbuild: every
// construct it does not model exactly makes it return false, so a true
// answer is always one esbuild agrees with, while a false answer costs only
// the esbuild run it was meant to save. It refuses (bails out on):
//
//   - invalid UTF-8; non-ASCII bytes outside strings, comments, template
//     text and regular expressions; U+2028/U+2029 anywhere; escapes in
//     identifiers; control characters in code; @ (decorators); < where an
//     operand starts (JSX); <!-- and --> (HTML comments);
//   - sloppy-mode forms esbuild accepts in a script: with, legacy octal
//     literals and escapes, delete of an identifier, the strict mode
//     reserved words, async, of, let, yield and await as identifiers,
//     eval and arguments as binding or assignment targets;
//   - redeclarations the spec allows (var and function of one name,
//     function and parameter, var of a catch parameter), and module top
//     level functions declared twice;
//   - parenthesised assignment targets ((a) = 1), [a, b].c as a
//     destructuring target, a rest element with a default;
//   - auto-accessors, a modifier (get, set, async, static) followed by a
//     line break, a BigInt property key, a "use strict"-like string first
//     in a function with non-simple parameters, a setter with a rest
//     parameter;
//   - continue to a label that is not directly on a loop;
//   - import attributes with more than one key, import phases, regular
//     expressions with both u and v or an unclosed group;
//   - nesting deeper than checkMaxDepth, or backtracking beyond a budget of
//     tokens proportional to the input.
//
// Besides the context-free grammar it checks the early errors esbuild
// reports: duplicate lexical declarations and parameters, duplicate and
// undeclared exports, private names, duplicate __proto__, labels,
// break/continue targets, getter/setter arity, "use strict" with
// non-simple parameters, and where await, yield, super, new.target and
// return may appear. esbuild does not report assignments to const or import
// bindings (they only warn), so those are accepted.
func syntaxOK(src []byte) bool {
	if len(src) > 1<<30 || !utf8.Valid(src) {
		return false
	}
	p := parserPool.Get().(*parser)
	ok := p.run(src)
	p.reset()
	parserPool.Put(p)
	return ok
}

var parserPool = sync.Pool{New: func() any {
	return &parser{decls: make(map[declKey]declKind)}
}}

// checkMaxDepth bounds the recursion; deeper input is refused rather than risking
// the stack.
const checkMaxDepth = 1000

// parser holds the lexer state, the syntactic context and the scope tables.
// Parse functions do not return errors: fail sets err and turns the current
// ctoken into tEOF, after which every function unwinds quickly because
// nothing matches and every loop stops at tEOF.
type parser struct {
	src    []byte
	pos    int // lexer position: end of the current ctoken
	tok    ctoken
	kw     kwID // keyword of a tIdent ctoken
	bigint bool // the current tNumber is a BigInt
	start  int  // span of the current ctoken
	end    int
	nl     bool // a line terminator precedes the current ctoken
	err    bool
	budget int // tokens left before giving up (backtracking is bounded)
	depth  int

	fn         fnCtx
	scope      int32
	scopes     []scopeInfo
	decls      map[declKey]declKind
	exporting  bool   // declarations at module scope are exported
	exportRefs []span // local names of export { ... } clauses
	labels     []label
	privDecls  []privDecl
	privRefs   []span
	classDepth int
	failAt     int // where the last failure happened (for tests)
}

type span struct{ start, end int32 }

// fnCtx is the context of the innermost function (or module, class field
// initializer, static block).
type fnCtx struct {
	awaitOK     bool // an await expression may appear here
	yieldOK     bool // a yield expression may appear here
	returnOK    bool
	newTargetOK bool
	superPropOK bool
	superCallOK bool
	noArguments bool // class field initializers and static blocks
	labelBase   int  // labels below this index belong to outer functions
	loopDepth   int  // enclosing loops (continue targets)
	breakDepth  int  // enclosing loops and switches (break targets)
}

type scopeInfo struct {
	parent   int32
	varScope bool // function, module, static block or field initializer
}

type declKey struct {
	scope int32 // -1 holds the export names
	name  string
}

type declKind uint8

const (
	dVar        declKind = iota + 1
	dVarThrough          // a var of an inner block hoisted through this scope
	dLet
	dConst
	dClass
	dFunction
	dImport
	dParam
	dCatchParam
	dExport
)

type label struct {
	name string
	loop bool
}

type privKind uint8

const (
	pOther privKind = iota
	pGet
	pSet
	pPair
)

type privDecl struct {
	name   string
	kind   privKind
	static bool
}

func (p *parser) reset() {
	p.src = nil
	if len(p.decls) > 4096 {
		p.decls = make(map[declKey]declKind)
	} else {
		clear(p.decls)
	}
	p.scopes = p.scopes[:0]
	p.exportRefs = p.exportRefs[:0]
	p.labels = p.labels[:0]
	p.privDecls = p.privDecls[:0]
	p.privRefs = p.privRefs[:0]
}

func (p *parser) run(src []byte) bool {
	p.src = src
	p.pos = 0
	p.err = false
	p.budget = 3*len(src) + 1000
	p.depth = 0
	p.exporting = false
	p.classDepth = 0
	p.fn = fnCtx{awaitOK: true}
	p.scopes = append(p.scopes[:0], scopeInfo{parent: -1, varScope: true})
	p.scope = 0
	if len(src) >= 2 && src[0] == '#' && src[1] == '!' {
		end, ok := lineCommentEnd(src, 2)
		if !ok {
			return false
		}
		p.pos = end
	}
	p.next()
	for p.tok != tEOF {
		p.parseStatement(sModule)
	}
	if p.err || p.budget < 0 {
		return false
	}
	for _, r := range p.exportRefs {
		k, ok := p.decls[declKey{0, p.text(int(r.start), int(r.end))}]
		if !ok || k == dVarThrough {
			return false // esbuild: "x" is not declared in this file
		}
	}
	return true
}

// text returns src[s:e] as a string sharing src's memory; it never outlives
// the call of syntaxOK (reset clears every table holding one).
func (p *parser) text(s, e int) string {
	if e <= s {
		return ""
	}
	return unsafe.String(&p.src[s], e-s)
}

func (p *parser) fail() {
	if !p.err {
		p.failAt = p.start
	}
	p.err = true
	p.tok = tEOF
	p.kw = kwNone
	p.pos = len(p.src)
	p.start = len(p.src)
	p.end = len(p.src)
}

func (p *parser) expect(t ctoken) {
	if p.tok != t {
		p.fail()
		return
	}
	p.next()
}

func (p *parser) isKw(k kwID) bool { return p.tok == tIdent && p.kw == k }

// semicolon ends a statement: an explicit ; or an automatic one before },
// the end of input or a line break.
func (p *parser) semicolon() {
	switch {
	case p.tok == tSemi:
		p.next()
	case p.tok == tRBrace || p.tok == tEOF || p.nl:
	default:
		p.fail()
	}
}

// enter counts one level of recursion; leave must follow.
func (p *parser) enter() {
	p.depth++
	if p.depth > checkMaxDepth {
		p.fail()
	}
}

func (p *parser) leave() { p.depth-- }

// snapshot is the state restored when a speculative parse (arrow function
// parameters, destructuring assignment) turns out to be something else.
// Scopes are never reused, so the declarations a failed attempt made stay in
// orphaned scopes where nothing looks them up.
type snapshot struct {
	pos, start, end    int
	tok                ctoken
	kw                 kwID
	bigint, nl         bool
	depth              int
	fn                 fnCtx
	scope              int32
	labels, privDecls  int
	privRefs, exportsN int
	classDepth         int
	exporting          bool
}

func (p *parser) save() snapshot {
	return snapshot{p.pos, p.start, p.end, p.tok, p.kw, p.bigint, p.nl, p.depth, p.fn, p.scope,
		len(p.labels), len(p.privDecls), len(p.privRefs), len(p.exportRefs), p.classDepth, p.exporting}
}

func (p *parser) restore(s snapshot) {
	p.err = false
	p.pos, p.start, p.end, p.tok, p.kw, p.bigint, p.nl = s.pos, s.start, s.end, s.tok, s.kw, s.bigint, s.nl
	p.depth, p.fn, p.scope = s.depth, s.fn, s.scope
	p.labels = p.labels[:s.labels]
	p.privDecls = p.privDecls[:s.privDecls]
	p.privRefs = p.privRefs[:s.privRefs]
	p.exportRefs = p.exportRefs[:s.exportsN]
	p.classDepth = s.classDepth
	p.exporting = s.exporting
}

func (p *parser) pushScope(varScope bool) (outer int32) {
	outer = p.scope
	p.scopes = append(p.scopes, scopeInfo{parent: outer, varScope: varScope})
	p.scope = int32(len(p.scopes) - 1)
	return outer
}

// declare binds name in the current scope (var: in the nearest var scope,
// marking the blocks it is hoisted through). Any redeclaration other than
// var with var or var with a parameter fails; that is stricter than esbuild
// (which allows, for one, a function and a var of the same name in a
// function body) but never looser.
func (p *parser) declare(s, e int, kind declKind) {
	name := p.text(s, e)
	if kind == dVar {
		for sc := p.scope; ; sc = p.scopes[sc].parent {
			k := declKey{sc, name}
			old, ok := p.decls[k]
			if ok && old != dVar && old != dVarThrough && old != dParam {
				p.fail()
				return
			}
			if p.scopes[sc].varScope {
				if !ok {
					p.decls[k] = dVar
				}
				break
			}
			if !ok {
				p.decls[k] = dVarThrough
			}
		}
	} else {
		k := declKey{p.scope, name}
		if _, ok := p.decls[k]; ok {
			p.fail()
			return
		}
		p.decls[k] = kind
	}
	if p.exporting && p.scope == 0 {
		p.addExport(name)
	}
}

// addExport records an export name; esbuild rejects duplicates.
func (p *parser) addExport(name string) {
	k := declKey{-1, name}
	if _, ok := p.decls[k]; ok {
		p.fail()
		return
	}
	p.decls[k] = dExport
}

// bindingOK reports whether an identifier ctoken may be bound in strict mode
// by this recogniser.
func bindingOK(kw kwID) bool { return kw == kwNone || kw >= kwGet }

// referenceOK reports whether an identifier ctoken may be read.
func referenceOK(kw kwID) bool { return kw == kwNone || kw >= kwEval }

// bindIdent binds the current identifier ctoken.
func (p *parser) bindIdent(kind declKind) {
	if p.tok != tIdent || !bindingOK(p.kw) {
		p.fail()
		return
	}
	p.declare(p.start, p.end, kind)
	p.next()
}

// Statement contexts: which declarations a statement position allows.
type stmtCtx uint8

const (
	sModule stmtCtx = iota // module top level: import/export allowed
	sList                  // function body, block, case clause, static block
	sSingle                // body of if/loop/label: no declarations
)

func (p *parser) parseStatement(ctx stmtCtx) {
	p.enter()
	p.parseStatement1(ctx)
	p.leave()
}

func (p *parser) parseStatement1(ctx stmtCtx) {
	switch p.tok {
	case tLBrace:
		p.parseBlock()
		return
	case tSemi:
		p.next()
		return
	case tIdent:
	default:
		p.parseExpressionStatement()
		return
	}
	switch p.kw {
	case kwVar:
		p.next()
		if _, _, missing := p.parseBindingList(dVar, false); missing {
			p.fail()
		}
		p.semicolon()
	case kwLet, kwConst:
		if ctx == sSingle {
			p.fail()
			return
		}
		kind := dLet
		if p.kw == kwConst {
			kind = dConst
		}
		p.next()
		if p.tok != tIdent && p.tok != tLBrack && p.tok != tLBrace {
			p.fail() // let as an identifier is not modelled
			return
		}
		if _, _, missing := p.parseBindingList(kind, false); missing {
			p.fail()
		}
		p.semicolon()
	case kwFunction:
		if ctx == sSingle {
			p.fail()
			return
		}
		p.parseFunction(false, true, false)
	case kwAsync:
		s := p.save()
		p.next()
		if p.isKw(kwFunction) && !p.nl {
			if ctx == sSingle {
				p.fail()
				return
			}
			p.parseFunction(true, true, false)
			return
		}
		p.restore(s)
		p.parseExpressionStatement()
	case kwClass:
		if ctx == sSingle {
			p.fail()
			return
		}
		p.parseClass(true, false)
	case kwIf:
		p.next()
		p.parseParenExpr()
		p.parseStatement(sSingle)
		if p.isKw(kwElse) {
			p.next()
			p.parseStatement(sSingle)
		}
	case kwWhile:
		p.next()
		p.parseParenExpr()
		p.parseLoopBody()
	case kwDo:
		p.next()
		p.parseLoopBody()
		if !p.isKw(kwWhile) {
			p.fail()
			return
		}
		p.next()
		p.parseParenExpr()
		if p.tok == tSemi {
			p.next()
		}
	case kwFor:
		p.parseFor()
	case kwSwitch:
		p.parseSwitch()
	case kwTry:
		p.parseTry()
	case kwReturn:
		if !p.fn.returnOK {
			p.fail()
			return
		}
		p.next()
		if p.tok != tSemi && p.tok != tRBrace && p.tok != tEOF && !p.nl {
			p.parseExpression(false)
		}
		p.semicolon()
	case kwThrow:
		p.next()
		if p.nl {
			p.fail()
			return
		}
		p.parseExpression(false)
		p.semicolon()
	case kwBreak, kwContinue:
		p.parseJump()
	case kwDebugger:
		p.next()
		p.semicolon()
	case kwImport:
		s := p.save()
		p.next()
		if p.tok == tLParen || p.tok == tDot {
			p.restore(s)
			p.parseExpressionStatement()
			return
		}
		if ctx != sModule {
			p.fail()
			return
		}
		p.parseImportDecl()
	case kwExport:
		if ctx != sModule {
			p.fail()
			return
		}
		p.parseExport()
	case kwWith, kwEnum, kwElse, kwCase, kwDefault, kwCatch, kwFinally:
		p.fail()
	default:
		p.parseExpressionStatement()
	}
}

// parseExpressionStatement also recognises labelled statements, which start
// like an expression statement consisting of one identifier.
func (p *parser) parseExpressionStatement() {
	start := p.start
	e := p.parseExpression(false)
	if e.kind == exIdent && int(e.start) == start && p.tok == tColon {
		name := p.text(int(e.start), int(e.end))
		for _, l := range p.labels[p.fn.labelBase:] {
			if l.name == name {
				p.fail() // duplicate label
				return
			}
		}
		p.next()
		loop := p.isKw(kwFor) || p.isKw(kwWhile) || p.isKw(kwDo)
		p.labels = append(p.labels, label{name, loop})
		p.parseStatement(sSingle)
		if !p.err {
			p.labels = p.labels[:len(p.labels)-1]
		}
		return
	}
	p.semicolon()
}

func (p *parser) parseJump() {
	isBreak := p.kw == kwBreak
	p.next()
	if p.tok == tIdent && !p.nl {
		name := p.text(p.start, p.end)
		found := false
		for i := len(p.labels) - 1; i >= p.fn.labelBase; i-- {
			if p.labels[i].name == name {
				found = isBreak || p.labels[i].loop
				break
			}
		}
		if !found {
			p.fail()
			return
		}
		p.next()
	} else if isBreak && p.fn.breakDepth == 0 || !isBreak && p.fn.loopDepth == 0 {
		p.fail()
		return
	}
	p.semicolon()
}

func (p *parser) parseBlock() {
	if p.tok != tLBrace {
		p.fail()
		return
	}
	p.next()
	outer := p.pushScope(false)
	p.parseStatementList()
	p.scope = outer
	p.expect(tRBrace)
}

// parseStatementList parses statements up to (not including) the closing }.
func (p *parser) parseStatementList() {
	for p.tok != tRBrace && p.tok != tEOF {
		p.parseStatement(sList)
	}
}

func (p *parser) parseParenExpr() {
	p.expect(tLParen)
	p.parseExpression(false)
	p.expect(tRParen)
}

func (p *parser) parseLoopBody() {
	p.fn.loopDepth++
	p.fn.breakDepth++
	p.parseStatement(sSingle)
	p.fn.loopDepth--
	p.fn.breakDepth--
}

// parseBindingList parses the declarators of var/let/const. missingInit
// reports a const or destructuring declarator without initializer, which
// only a for-in/of head allows.
func (p *parser) parseBindingList(kind declKind, noIn bool) (count int, anyInit, missingInit bool) {
	for {
		pattern := p.tok != tIdent
		p.parseBinding(kind)
		count++
		if p.tok == tAssign {
			p.next()
			p.parseAssign(noIn)
			anyInit = true
		} else if kind == dConst || pattern {
			missingInit = true
		}
		if p.tok != tComma {
			return
		}
		p.next()
	}
}

func (p *parser) parseFor() {
	p.next()
	isAwait := false
	if p.isKw(kwAwait) {
		if !p.fn.awaitOK {
			p.fail()
			return
		}
		isAwait = true
		p.next()
	}
	p.expect(tLParen)
	outer := p.pushScope(false)
	defer func() { p.scope = outer }()
	forInOf := false
	switch {
	case p.tok == tSemi:
	case p.isKw(kwVar) || p.isKw(kwLet) || p.isKw(kwConst):
		kind := dVar
		if p.kw == kwLet {
			kind = dLet
		} else if p.kw == kwConst {
			kind = dConst
		}
		p.next()
		if p.tok != tIdent && p.tok != tLBrack && p.tok != tLBrace {
			p.fail()
			return
		}
		n, anyInit, missing := p.parseBindingList(kind, true)
		if (p.isKw(kwOf) || p.isKw(kwIn)) && n == 1 && !anyInit {
			forInOf = true
		} else if missing {
			p.fail()
			return
		}
	case p.tok == tLBrack || p.tok == tLBrace:
		if p.attemptPattern(true) {
			forInOf = true
			break
		}
		fallthrough
	default:
		e := p.parseExpression(true)
		if p.isKw(kwOf) || p.isKw(kwIn) {
			p.checkSimpleTarget(e)
			forInOf = true
		}
	}
	if forInOf {
		if p.isKw(kwOf) {
			p.next()
			p.parseAssign(false)
		} else {
			if isAwait {
				p.fail()
				return
			}
			p.next()
			p.parseExpression(false)
		}
	} else {
		if isAwait {
			p.fail()
			return
		}
		p.expect(tSemi)
		if p.tok != tSemi {
			p.parseExpression(false)
		}
		p.expect(tSemi)
		if p.tok != tRParen {
			p.parseExpression(false)
		}
	}
	p.expect(tRParen)
	p.parseLoopBody()
}

func (p *parser) parseSwitch() {
	p.next()
	p.parseParenExpr()
	p.expect(tLBrace)
	outer := p.pushScope(false)
	p.fn.breakDepth++
	hasDefault := false
	for p.tok != tRBrace && p.tok != tEOF {
		switch {
		case p.isKw(kwCase):
			p.next()
			p.parseExpression(false)
		case p.isKw(kwDefault):
			if hasDefault {
				p.fail()
				return
			}
			hasDefault = true
			p.next()
		default:
			p.fail()
			return
		}
		p.expect(tColon)
		for p.tok != tRBrace && p.tok != tEOF && !p.isKw(kwCase) && !p.isKw(kwDefault) {
			p.parseStatement(sList)
		}
	}
	p.fn.breakDepth--
	p.scope = outer
	p.expect(tRBrace)
}

func (p *parser) parseTry() {
	p.next()
	p.parseBlock()
	handled := false
	if p.isKw(kwCatch) {
		handled = true
		p.next()
		if p.tok == tLParen {
			p.next()
			outer := p.pushScope(false)
			p.parseBinding(dCatchParam)
			p.expect(tRParen)
			// The body shares the parameter's scope, so that a let of the
			// same name is a redeclaration.
			p.expect(tLBrace)
			p.parseStatementList()
			p.scope = outer
			p.expect(tRBrace)
		} else {
			p.parseBlock()
		}
	}
	if p.isKw(kwFinally) {
		handled = true
		p.next()
		p.parseBlock()
	}
	if !handled {
		p.fail()
	}
}

// parseBinding parses a binding identifier or pattern and declares its names.
func (p *parser) parseBinding(kind declKind) {
	p.enter()
	defer p.leave()
	switch p.tok {
	case tIdent:
		p.bindIdent(kind)
	case tLBrack, tLBrace:
		p.parsePattern(false, kind)
	default:
		p.fail()
	}
}

// parsePattern parses an array or object pattern, the current token being
// its [ or {. A binding pattern (assign false: declarations, parameters,
// catch) declares its names as kind; an assignment pattern (assign true:
// `[a, b] = …`, `for ({x} of …)`) assigns to its targets. The two share
// their grammar — holes, defaults, a rest element only last, at most one
// __proto__ property — and differ only in how an element, a rest element
// and a shorthand property are read.
func (p *parser) parsePattern(assign bool, kind declKind) {
	elem := func() {
		if assign {
			p.parseAssignElem()
		} else {
			p.parseBinding(kind)
		}
	}
	if p.tok == tLBrack {
		p.next()
		for p.tok != tRBrack && p.tok != tEOF {
			if p.tok == tComma {
				p.next()
				continue
			}
			if p.tok == tEllipsis {
				p.next()
				elem()
				if p.tok != tRBrack {
					p.fail()
				}
				break
			}
			elem()
			if p.tok == tAssign {
				p.next()
				p.parseAssign(false)
			}
			if p.tok != tRBrack {
				p.expect(tComma)
			}
		}
		p.expect(tRBrack)
		return
	}
	p.expect(tLBrace)
	protos := 0
	for p.tok != tRBrace && p.tok != tEOF {
		if p.tok == tEllipsis {
			// An object rest is one simple target: no nested pattern.
			p.next()
			if assign {
				p.checkSimpleTarget(p.parseLHS())
			} else {
				p.bindIdent(kind)
			}
			if p.tok != tRBrace {
				p.fail()
			}
			break
		}
		isProto := false
		if p.tok == tIdent {
			s, e, kw := p.start, p.end, p.kw
			p.next()
			isProto = kw == kwProto
			if p.tok == tColon {
				p.next()
				elem()
			} else if !bindingOK(kw) {
				p.fail() // {if}, {eval} = …: not an assignable name
				return
			} else if !assign {
				p.declare(s, e, kind)
			}
		} else {
			isProto = p.parsePropertyKey(false)
			p.expect(tColon)
			elem()
		}
		if isProto {
			if protos++; protos > 1 {
				p.fail()
			}
		}
		if p.tok == tAssign {
			p.next()
			p.parseAssign(false)
		}
		if p.tok != tRBrace {
			p.expect(tComma)
		}
	}
	p.expect(tRBrace)
}

// parseFunction parses a function declaration or expression from the
// function keyword (async already consumed).
func (p *parser) parseFunction(isAsync, isDecl, nameOptional bool) {
	p.next()
	gen := false
	if p.tok == tStar {
		gen = true
		p.next()
	}
	if p.tok == tIdent {
		if isDecl {
			p.bindIdent(dFunction)
		} else {
			if !bindingOK(p.kw) {
				p.fail()
				return
			}
			p.next()
		}
	} else if !nameOptional {
		p.fail()
		return
	}
	p.parseFunctionRest(isAsync, gen, mNone)
}

// methodKind says what kind of function the parameters and body belong to.
type methodKind uint8

const (
	mNone methodKind = iota
	mMethod
	mGet
	mSet
	mCtor
	mCtorDerived
)

func (p *parser) parseFunctionRest(isAsync, gen bool, kind methodKind) {
	outerFn := p.fn
	outerScope := p.pushScope(true)
	exporting := p.exporting
	p.exporting = false
	p.fn = fnCtx{
		returnOK:    true,
		newTargetOK: true,
		superPropOK: kind != mNone,
		superCallOK: kind == mCtorDerived,
		labelBase:   len(p.labels),
	}
	simple := p.parseParams(kind)
	p.fn.awaitOK = isAsync
	p.fn.yieldOK = gen
	p.parseFunctionBody(simple)
	p.fn = outerFn
	p.scope = outerScope
	p.exporting = exporting
}

// parseParams parses a parenthesised parameter list into the current scope
// and reports whether it is simple (identifiers only). Default values are
// parsed with the context's await/yield forbidden, as the spec requires for
// parameters.
func (p *parser) parseParams(kind methodKind) (simple bool) {
	awaitOK, yieldOK := p.fn.awaitOK, p.fn.yieldOK
	p.fn.awaitOK, p.fn.yieldOK = false, false
	p.expect(tLParen)
	simple = true
	n, rest := 0, false
	for p.tok != tRParen && p.tok != tEOF {
		if p.tok == tEllipsis {
			simple, rest = false, true
			p.next()
			p.parseBinding(dParam)
			if p.tok != tRParen {
				p.fail()
			}
			break
		}
		if p.tok != tIdent {
			simple = false
		}
		p.parseBinding(dParam)
		n++
		if p.tok == tAssign {
			simple = false
			p.next()
			p.parseAssign(false)
		}
		if p.tok != tRParen {
			p.expect(tComma)
		}
	}
	p.expect(tRParen)
	if kind == mGet && (n != 0 || rest) || kind == mSet && (n != 1 || rest) {
		p.fail()
	}
	p.fn.awaitOK, p.fn.yieldOK = awaitOK, yieldOK
	return simple
}

// parseFunctionBody parses { statements } in the current function scope.
// A function with non-simple parameters may not have a "use strict"
// directive; any leading string is refused there.
func (p *parser) parseFunctionBody(simple bool) {
	p.expect(tLBrace)
	if !simple && p.tok == tString {
		s := p.save()
		p.next()
		directive := p.tok == tSemi || p.tok == tRBrace || p.tok == tEOF || p.nl
		p.restore(s)
		if directive {
			p.fail()
			return
		}
	}
	p.parseStatementList()
	p.expect(tRBrace)
}
