package jsscan

// Expressions, classes and module declarations of the syntax recogniser.

// exprKind is what the parser remembers of a parsed expression: enough to
// check assignment targets, delete operands and operator-mixing rules.
type exprKind uint8

const (
	exOther       exprKind = iota
	exIdent                // a bare identifier reference
	exMember               // a.b, a[b] (assignable)
	exSuperMember          // super.x, super[x]
	exOptional             // a chain containing ?.
	exCall                 // calls, tagged templates, new
	exUnary                // unary operator expression (not a ** base)
	exLogical              // unparenthesised && or ||
	exCoalesce             // unparenthesised ??
	exParenBad             // (x) or (a.#x): not deletable
)

type expr struct {
	kind       exprKind
	kw         kwID
	priv       bool // the last access is a private name
	start, end int32
}

func (p *parser) parseExpression(noIn bool) expr {
	e := p.parseAssign(noIn)
	for p.tok == tComma {
		p.next()
		p.parseAssign(noIn)
		e = expr{}
	}
	return e
}

func (p *parser) parseAssign(noIn bool) expr {
	p.enter()
	e := p.parseAssign1(noIn)
	p.leave()
	return e
}

func (p *parser) parseAssign1(noIn bool) expr {
	switch p.tok {
	case tIdent:
		switch p.kw {
		case kwYield:
			if !p.fn.yieldOK {
				p.fail()
				return expr{}
			}
			p.parseYield(noIn)
			return expr{}
		case kwAsync:
			s := p.save()
			p.next()
			if !p.nl {
				switch {
				case p.tok == tIdent && p.kw != kwFunction:
					outer := p.pushScope(true)
					p.bindIdent(dParam)
					if p.tok == tArrow && !p.nl {
						p.parseArrowBody(true, true, noIn, outer)
						return expr{}
					}
					p.fail()
					return expr{}
				case p.tok == tLParen:
					if p.attemptArrow(true, noIn) {
						return expr{}
					}
					p.fail() // a call of something named async
					return expr{}
				}
			}
			p.restore(s)
		}
	case tLParen:
		if p.attemptArrow(false, noIn) {
			return expr{}
		}
	case tLBrack, tLBrace:
		if p.attemptPattern(false) {
			p.next()
			p.parseAssign(noIn)
			return expr{}
		}
	}
	start := p.start
	e := p.parseConditional(noIn)
	switch p.tok {
	case tArrow:
		if e.kind != exIdent || int(e.start) != start || p.nl || !bindingOK(e.kw) {
			p.fail()
			return expr{}
		}
		outer := p.pushScope(true)
		p.declare(int(e.start), int(e.end), dParam)
		p.parseArrowBody(false, true, noIn, outer)
		return expr{}
	case tAssign, tAssignOp, tSlashAssign:
		p.checkSimpleTarget(e)
		p.next()
		p.parseAssign(noIn)
		return expr{}
	}
	return e
}

// checkSimpleTarget fails unless e may be assigned to or updated. Parenthesised
// targets, valid in the spec, are refused.
func (p *parser) checkSimpleTarget(e expr) {
	switch e.kind {
	case exIdent:
		if e.kw == kwEval || e.kw == kwArguments {
			p.fail()
		}
	case exMember, exSuperMember:
	default:
		p.fail()
	}
}

// attemptArrow tries to parse "(params) =>" and the arrow's body. On
// anything else it restores the state and returns false; the caller then
// parses a parenthesised expression (or a call), which refuses a following
// => so that the two parses can never both succeed differently.
func (p *parser) attemptArrow(isAsync bool, noIn bool) bool {
	s := p.save()
	outer := p.pushScope(true)
	simple := p.parseParams(mNone)
	if !p.err && p.tok == tArrow && !p.nl {
		p.parseArrowBody(isAsync, simple, noIn, outer)
		return true
	}
	p.restore(s)
	return false
}

// parseArrowBody parses => and the body of an arrow function whose
// parameters are declared in the current scope; outer is the enclosing one.
func (p *parser) parseArrowBody(isAsync, simple, noIn bool, outer int32) {
	p.next()
	outerFn := p.fn
	p.fn = fnCtx{
		awaitOK:     isAsync,
		returnOK:    true,
		newTargetOK: outerFn.newTargetOK,
		superPropOK: outerFn.superPropOK,
		superCallOK: outerFn.superCallOK,
		noArguments: outerFn.noArguments,
		labelBase:   len(p.labels),
	}
	exporting := p.exporting
	p.exporting = false
	if p.tok == tLBrace {
		p.parseFunctionBody(simple)
		// An arrow function cannot be called, indexed or continued by an
		// operator.
		// After a line break, esbuild ends the statement (ASI) whatever
		// follows; a token that cannot start a statement then fails there.
		switch p.tok {
		case tComma, tSemi, tRParen, tRBrack, tRBrace, tColon, tEOF:
		default:
			if !p.nl {
				p.fail()
			}
		}
	} else {
		p.parseAssign(noIn)
	}
	p.fn = outerFn
	p.scope = outer
	p.exporting = exporting
}

// attemptPattern tries to parse a destructuring assignment target at [ or {
// followed by = (or, in a for head, by of/in). On failure the state is
// restored and the caller parses an array or object literal, which is never
// accepted as an assignment target.
func (p *parser) attemptPattern(forHead bool) bool {
	s := p.save()
	p.parseAssignPattern()
	if !p.err {
		if forHead && (p.isKw(kwOf) || p.isKw(kwIn)) || !forHead && p.tok == tAssign {
			return true
		}
	}
	p.restore(s)
	return false
}

func (p *parser) parseAssignPattern() {
	p.enter()
	defer p.leave()
	if p.tok != tLBrack && p.tok != tLBrace {
		p.fail()
		return
	}
	p.parsePattern(true, 0)
}

// parseAssignElem parses one target of a destructuring assignment.
func (p *parser) parseAssignElem() {
	if p.tok == tLBrack || p.tok == tLBrace {
		p.parseAssignPattern()
		switch p.tok {
		case tComma, tAssign, tRBrack, tRBrace:
		default:
			p.fail() // [a, b].c and the like are not modelled
		}
		return
	}
	p.checkSimpleTarget(p.parseLHS())
}

func (p *parser) parseYield(noIn bool) {
	p.next()
	if p.nl {
		return
	}
	switch p.tok {
	case tRParen, tRBrack, tRBrace, tComma, tSemi, tColon, tEOF:
		return
	case tStar:
		p.next()
	case tIdent:
		if p.kw == kwIn || p.kw == kwInstanceof || p.kw == kwOf {
			p.fail()
			return
		}
	case tNumber, tString, tTemplate, tTemplateHead, tLParen, tLBrack, tLBrace, tPlus, tMinus,
		tBang, tTilde, tPlusPlus, tMinusMinus, tSlash, tSlashAssign:
	default:
		p.fail()
		return
	}
	p.parseAssign(noIn)
}

func (p *parser) parseConditional(noIn bool) expr {
	e := p.parseBinary(1, noIn)
	if p.tok == tQuestion {
		p.next()
		p.parseAssign(false)
		p.expect(tColon)
		p.parseAssign(noIn)
		return expr{}
	}
	return e
}

const precRelational = 7

func (p *parser) binaryPrec(noIn bool) int {
	switch p.tok {
	case tQQ, tOrOr:
		return 1
	case tAndAnd:
		return 2
	case tBar:
		return 3
	case tCaret:
		return 4
	case tAmp:
		return 5
	case tEq, tNe, tEqStrict, tNeStrict:
		return 6
	case tLt, tGt, tLe, tGe:
		return precRelational
	case tIdent:
		if p.kw == kwInstanceof || p.kw == kwIn && !noIn {
			return precRelational
		}
	case tShl, tShr, tShrU:
		return 8
	case tPlus, tMinus:
		return 9
	case tStar, tSlash, tPercent:
		return 10
	case tStarStar:
		return 11
	}
	return 0
}

func (p *parser) parseBinary(minPrec int, noIn bool) expr {
	var left expr
	if p.tok == tPrivate {
		// #x in obj: the private name must be the whole left operand of in.
		if minPrec > precRelational || noIn {
			p.fail()
			return expr{}
		}
		p.privRef()
		p.next()
		if !p.isKw(kwIn) {
			p.fail()
			return expr{}
		}
	} else {
		left = p.parseUnary()
	}
	for {
		prec := p.binaryPrec(noIn)
		if prec == 0 || prec < minPrec {
			return left
		}
		op := p.tok
		p.next()
		if op == tStarStar {
			if left.kind == exUnary {
				p.fail() // -a ** b
				return expr{}
			}
			p.parseBinary(prec, noIn)
			left = expr{}
			continue
		}
		right := p.parseBinary(prec+1, noIn)
		switch op {
		case tQQ:
			if left.kind == exLogical || right.kind == exLogical {
				p.fail()
				return expr{}
			}
			left = expr{kind: exCoalesce}
		case tAndAnd, tOrOr:
			if left.kind == exCoalesce || right.kind == exCoalesce {
				p.fail()
				return expr{}
			}
			left = expr{kind: exLogical}
		default:
			left = expr{}
		}
	}
}

func (p *parser) parseUnary() expr {
	p.enter()
	e := p.parseUnary1()
	p.leave()
	return e
}

func (p *parser) parseUnary1() expr {
	switch p.tok {
	case tPlus, tMinus, tBang, tTilde:
		p.next()
		p.parseUnary()
		return expr{kind: exUnary}
	case tPlusPlus, tMinusMinus:
		p.next()
		p.checkSimpleTarget(p.parseUnary())
		return expr{}
	case tIdent:
		switch p.kw {
		case kwTypeof, kwVoid:
			p.next()
			p.parseUnary()
			return expr{kind: exUnary}
		case kwDelete:
			p.next()
			e := p.parseUnary()
			if e.kind == exIdent || e.kind == exParenBad || e.kind == exSuperMember || e.priv {
				p.fail()
			}
			return expr{kind: exUnary}
		case kwAwait:
			if !p.fn.awaitOK {
				p.fail()
				return expr{}
			}
			p.next()
			p.parseUnary()
			return expr{kind: exUnary}
		}
	}
	e := p.parseLHS()
	if (p.tok == tPlusPlus || p.tok == tMinusMinus) && !p.nl {
		p.checkSimpleTarget(e)
		p.next()
		return expr{}
	}
	return e
}

// parseLHS parses a left-hand-side expression: new, call and member chains.
func (p *parser) parseLHS() expr {
	var e expr
	switch {
	case p.isKw(kwNew):
		e = p.parseNew()
	case p.isKw(kwSuper):
		e = p.parseSuper()
	case p.isKw(kwImport):
		e = p.parseImportExpr()
	default:
		e = p.parsePrimary()
	}
	return p.parseChain(e, false)
}

func (p *parser) parseChain(e expr, noCall bool) expr {
	optional := e.kind == exOptional
	for {
		switch p.tok {
		case tDot:
			p.next()
			e.priv = p.tok == tPrivate
			if e.priv {
				p.privRef()
			} else if p.tok != tIdent {
				p.fail()
				return expr{}
			}
			p.next()
			e.kind = exMember
		case tQuestionDot:
			if noCall {
				p.fail() // new a?.b()
				return expr{}
			}
			optional = true
			p.next()
			e.priv = false
			switch p.tok {
			case tIdent:
				p.next()
			case tPrivate:
				p.privRef()
				e.priv = true
				p.next()
			case tLBrack:
				p.next()
				p.parseExpression(false)
				p.expect(tRBrack)
			case tLParen:
				p.parseArgs()
			default:
				p.fail()
				return expr{}
			}
		case tLBrack:
			p.next()
			p.parseExpression(false)
			p.expect(tRBrack)
			e.kind, e.priv = exMember, false
		case tLParen:
			if noCall {
				return e
			}
			p.parseArgs()
			e.kind, e.priv = exCall, false
		case tTemplate, tTemplateHead:
			if optional {
				p.fail() // a?.b`` is an error
				return expr{}
			}
			p.parseTemplate()
			e.kind, e.priv = exCall, false
		default:
			if optional {
				e.kind = exOptional
			}
			return e
		}
	}
}

func (p *parser) parseArgs() {
	p.expect(tLParen)
	for p.tok != tRParen && p.tok != tEOF {
		if p.tok == tEllipsis {
			p.next()
		}
		p.parseAssign(false)
		if p.tok != tRParen {
			p.expect(tComma)
		}
	}
	p.expect(tRParen)
}

func (p *parser) parseNew() expr {
	p.enter()
	defer p.leave()
	p.next()
	if p.tok == tDot {
		p.next()
		if !p.isKw(kwTarget) || !p.fn.newTargetOK {
			p.fail()
			return expr{}
		}
		p.next()
		return expr{}
	}
	var callee expr
	switch {
	case p.isKw(kwNew):
		callee = p.parseNew()
	case p.isKw(kwSuper), p.isKw(kwImport):
		p.fail()
		return expr{}
	default:
		callee = p.parsePrimary()
	}
	p.parseChain(callee, true)
	if p.tok == tLParen {
		p.parseArgs()
	}
	return expr{kind: exCall}
}

func (p *parser) parseSuper() expr {
	p.next()
	switch p.tok {
	case tLParen:
		if !p.fn.superCallOK {
			p.fail()
			return expr{}
		}
		p.parseArgs()
		return expr{kind: exCall}
	case tDot:
		if !p.fn.superPropOK {
			p.fail()
			return expr{}
		}
		p.next()
		if p.tok != tIdent {
			p.fail()
			return expr{}
		}
		p.next()
	case tLBrack:
		if !p.fn.superPropOK {
			p.fail()
			return expr{}
		}
		p.next()
		p.parseExpression(false)
		p.expect(tRBrack)
	default:
		p.fail()
		return expr{}
	}
	return expr{kind: exSuperMember}
}

// parseImportExpr parses import.meta and import(specifier[, options]).
func (p *parser) parseImportExpr() expr {
	p.next()
	switch p.tok {
	case tDot:
		p.next()
		if !p.isKw(kwMeta) {
			p.fail()
			return expr{}
		}
		p.next()
		return expr{}
	case tLParen:
		p.next()
		p.parseAssign(false)
		if p.tok == tComma {
			p.next()
			if p.tok != tRParen {
				p.parseAssign(false)
				if p.tok == tComma {
					p.next()
				}
			}
		}
		p.expect(tRParen)
		return expr{kind: exCall}
	}
	p.fail()
	return expr{}
}

func (p *parser) parsePrimary() expr {
	switch p.tok {
	case tIdent:
		switch p.kw {
		case kwThis, kwNull, kwTrue, kwFalse:
			p.next()
			return expr{}
		case kwFunction:
			p.parseFunction(false, false, true)
			return expr{}
		case kwAsync:
			p.next()
			if !p.isKw(kwFunction) || p.nl {
				p.fail()
				return expr{}
			}
			p.parseFunction(true, false, true)
			return expr{}
		case kwClass:
			p.parseClass(false, true)
			return expr{}
		}
		if !referenceOK(p.kw) || p.kw == kwArguments && p.fn.noArguments {
			p.fail()
			return expr{}
		}
		e := expr{kind: exIdent, kw: p.kw, start: int32(p.start), end: int32(p.end)}
		p.next()
		return e
	case tNumber, tString:
		p.next()
		return expr{}
	case tTemplate, tTemplateHead:
		p.parseTemplate()
		return expr{}
	case tSlash, tSlashAssign:
		p.rescanRegex()
		p.next()
		return expr{}
	case tLParen:
		p.next()
		e := p.parseExpression(false)
		p.expect(tRParen)
		if p.tok == tArrow {
			p.fail()
			return expr{}
		}
		if e.kind == exIdent || e.priv || e.kind == exParenBad {
			return expr{kind: exParenBad}
		}
		return expr{}
	case tLBrack:
		p.next()
		for p.tok != tRBrack && p.tok != tEOF {
			if p.tok == tComma {
				p.next()
				continue
			}
			if p.tok == tEllipsis {
				p.next()
			}
			p.parseAssign(false)
			if p.tok != tRBrack {
				p.expect(tComma)
			}
		}
		p.expect(tRBrack)
		return expr{}
	case tLBrace:
		p.parseObjectLiteral()
		return expr{}
	}
	p.fail()
	return expr{}
}

func (p *parser) parseTemplate() {
	for p.tok == tTemplateHead {
		p.next()
		p.parseExpression(false)
		p.rescanTemplate()
	}
	p.expect(tTemplate)
}

// keyStart reports whether the current ctoken can start a property name,
// which tells a modifier (get, set, async, static) from a member of that
// name.
func (p *parser) keyStart(class bool) bool {
	switch p.tok {
	case tIdent, tString, tNumber, tLBrack, tStar:
		return true
	case tPrivate:
		return class
	}
	return false
}

// parsePropertyKey parses a property name. It reports whether the name may
// be __proto__ (a string key with escapes counts, conservatively).
func (p *parser) parsePropertyKey(class bool) (proto bool) {
	switch p.tok {
	case tIdent:
		proto = p.kw == kwProto
		p.next()
	case tString:
		raw := p.src[p.start+1 : p.end-1]
		proto = mayBeNamed(raw, "__proto__")
		p.next()
	case tNumber:
		if p.bigint {
			p.fail()
			return
		}
		p.next()
	case tLBrack:
		p.next()
		p.parseAssign(false)
		p.expect(tRBrack)
	case tPrivate:
		if !class {
			p.fail()
			return
		}
		p.next()
	default:
		p.fail()
	}
	return proto
}

// mayBeNamed reports whether the raw text of a string literal may denote
// name: it is name, or it has escapes and is long enough to decode to it.
func mayBeNamed(raw []byte, name string) bool {
	return string(raw) == name || len(raw) > len(name) && hasBackslash(raw)
}

func hasBackslash(b []byte) bool {
	for _, c := range b {
		if c == '\\' {
			return true
		}
	}
	return false
}

func (p *parser) parseObjectLiteral() {
	p.next()
	protos := 0
	for p.tok != tRBrace && p.tok != tEOF {
		if p.parseObjectProperty() {
			if protos++; protos > 1 {
				p.fail()
				return
			}
		}
		if p.tok != tRBrace {
			p.expect(tComma)
		}
	}
	p.expect(tRBrace)
}

// parseObjectProperty parses one property of an object literal and reports
// whether it is named __proto__ (in any form, conservatively).
func (p *parser) parseObjectProperty() (proto bool) {
	if p.tok == tEllipsis {
		p.next()
		p.parseAssign(false)
		return false
	}
	if p.tok == tStar {
		p.next()
		proto = p.parsePropertyKey(false)
		p.parseFunctionRest(false, true, mMethod)
		return proto
	}
	isIdent, kw, ks, ke := p.tok == tIdent, p.kw, p.start, p.end
	proto = p.parsePropertyKey(false)
	if isIdent && (kw == kwGet || kw == kwSet || kw == kwAsync) && p.keyStart(false) {
		if p.nl {
			p.fail()
			return
		}
		kind, async, gen := p.memberModifier(kw)
		if p.tok == tStar {
			p.fail()
			return
		}
		proto = p.parsePropertyKey(false)
		p.parseFunctionRest(async, gen, kind)
		return proto
	}
	switch p.tok {
	case tColon:
		p.next()
		p.parseAssign(false)
	case tLParen:
		p.parseFunctionRest(false, false, mMethod)
	default:
		// Shorthand {a}; {a = 1} is valid only as a pattern, which
		// attemptPattern would have taken.
		if !isIdent || !referenceOK(kw) || kw == kwArguments && p.fn.noArguments {
			p.fail()
			return
		}
		if p.tok != tComma && p.tok != tRBrace {
			p.fail()
		}
		_, _ = ks, ke
	}
	return proto
}

func (p *parser) privRef() {
	if p.classDepth == 0 {
		p.fail()
		return
	}
	p.privRefs = append(p.privRefs, span{int32(p.start), int32(p.end)})
}

// parseClass parses a class declaration or expression from the class
// keyword.
func (p *parser) parseClass(isDecl, nameOptional bool) {
	p.next()
	if p.tok == tIdent && p.kw != kwExtends {
		if isDecl {
			p.bindIdent(dClass)
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
	exporting := p.exporting
	p.exporting = false
	derived := false
	if p.isKw(kwExtends) {
		derived = true
		p.next()
		p.parseLHS()
	}
	p.expect(tLBrace)
	outer := p.pushScope(false)
	declStart, refStart := len(p.privDecls), len(p.privRefs)
	p.classDepth++
	hasCtor := false
	for p.tok != tRBrace && p.tok != tEOF {
		if p.tok == tSemi {
			p.next()
			continue
		}
		p.parseClassMember(derived, &hasCtor, declStart)
	}
	p.expect(tRBrace)
	p.classDepth--
	p.scope = outer
	p.exporting = exporting
	if p.err {
		return
	}
	// Resolve the private names used in the body; the unresolved ones must
	// belong to an enclosing class.
	j := refStart
	for _, r := range p.privRefs[refStart:] {
		name := p.text(int(r.start), int(r.end))
		found := false
		for _, d := range p.privDecls[declStart:] {
			if d.name == name {
				found = true
				break
			}
		}
		if !found {
			p.privRefs[j] = r
			j++
		}
	}
	p.privRefs = p.privRefs[:j]
	p.privDecls = p.privDecls[:declStart]
	if p.classDepth == 0 && j > refStart {
		p.fail() // esbuild: private name must be declared in an enclosing class
	}
}

func (p *parser) parseClassMember(derived bool, hasCtor *bool, declStart int) {
	isStatic := false
	if p.isKw(kwStatic) {
		s := p.save()
		p.next()
		if p.tok == tLBrace {
			if p.nl {
				p.fail()
				return
			}
			p.parseStaticBlock()
			return
		}
		if p.keyStart(true) {
			if p.nl {
				p.fail()
				return
			}
			isStatic = true
		} else {
			p.restore(s)
		}
	}
	kind, async, gen := mMethod, false, false
	if p.tok == tStar {
		gen = true
		p.next()
	}
	isIdent, isString, isPriv, kw, ks, ke := p.tok == tIdent, p.tok == tString, p.tok == tPrivate, p.kw, p.start, p.end
	p.parsePropertyKey(true)
	if !gen && isIdent && (kw == kwGet || kw == kwSet || kw == kwAsync || kw == kwAccessor) && p.keyStart(true) {
		if p.nl || kw == kwAccessor {
			p.fail() // auto-accessors are not modelled
			return
		}
		kind, async, gen = p.memberModifier(kw)
		if p.tok == tStar {
			p.fail()
			return
		}
		isIdent, isString, isPriv, kw, ks, ke = p.tok == tIdent, p.tok == tString, p.tok == tPrivate, p.kw, p.start, p.end
		p.parsePropertyKey(true)
	}
	named := func(name string) bool {
		switch {
		case isIdent:
			return p.text(ks, ke) == name
		case isString:
			return mayBeNamed(p.src[ks+1:ke-1], name)
		}
		return false
	}
	_ = kw
	if isPriv {
		name := p.text(ks, ke)
		if name == "#constructor" {
			p.fail()
			return
		}
		pk := pOther
		if kind == mGet {
			pk = pGet
		} else if kind == mSet {
			pk = pSet
		}
		p.declarePrivate(name, pk, isStatic, declStart)
	}
	if isStatic && named("prototype") {
		p.fail()
		return
	}
	if p.tok == tLParen {
		if !isStatic && named("constructor") {
			if kind != mMethod || async || gen || *hasCtor {
				p.fail()
				return
			}
			*hasCtor = true
			kind = mCtor
			if derived {
				kind = mCtorDerived
			}
		}
		p.parseFunctionRest(async, gen, kind)
		return
	}
	// A field.
	if kind != mMethod || async || gen || named("constructor") {
		p.fail()
		return
	}
	if p.tok == tAssign {
		p.next()
		outerFn := p.fn
		outerScope := p.pushScope(true)
		p.fn = fnCtx{newTargetOK: true, superPropOK: true, noArguments: true, labelBase: len(p.labels)}
		p.parseAssign(false)
		p.fn = outerFn
		p.scope = outerScope
	}
	switch {
	case p.tok == tSemi:
		p.next()
	case p.tok == tRBrace || p.nl:
	default:
		p.fail()
	}
}

// declarePrivate records a private name of the class being parsed. A getter
// and a setter of the same staticness may share a name; nothing else may.
func (p *parser) declarePrivate(name string, kind privKind, static bool, declStart int) {
	for i := declStart; i < len(p.privDecls); i++ {
		d := &p.privDecls[i]
		if d.name != name {
			continue
		}
		if d.static == static && (d.kind == pGet && kind == pSet || d.kind == pSet && kind == pGet) {
			d.kind = pPair
			return
		}
		p.fail()
		return
	}
	p.privDecls = append(p.privDecls, privDecl{name, kind, static})
}

func (p *parser) parseStaticBlock() {
	p.next()
	outerFn := p.fn
	outerScope := p.pushScope(true)
	p.fn = fnCtx{newTargetOK: true, superPropOK: true, noArguments: true, labelBase: len(p.labels)}
	p.parseStatementList()
	p.expect(tRBrace)
	p.fn = outerFn
	p.scope = outerScope
}

// parseImportDecl parses an import declaration after the import keyword.
func (p *parser) parseImportDecl() {
	if p.tok != tString {
		// A default binding ends the clause unless a comma follows it:
		// `import A {} from` and `import A * as b from` are errors.
		more := true
		if p.tok == tIdent {
			p.bindIdent(dImport)
			more = p.tok == tComma
			if more {
				p.next()
				if p.tok != tStar && p.tok != tLBrace {
					p.fail()
					return
				}
			}
		}
		switch {
		case !more:
		case p.tok == tStar:
			p.next()
			if !p.isKw(kwAs) {
				p.fail()
				return
			}
			p.next()
			p.bindIdent(dImport)
		case p.tok == tLBrace:
			p.next()
			for p.tok != tRBrace && p.tok != tEOF {
				switch p.tok {
				case tString:
					p.moduleExportName()
					if !p.isKw(kwAs) {
						p.fail()
						return
					}
					p.next()
					p.bindIdent(dImport)
				case tIdent:
					s := p.save()
					p.next()
					if p.isKw(kwAs) {
						p.next()
						p.bindIdent(dImport)
					} else {
						p.restore(s)
						p.bindIdent(dImport)
					}
				default:
					p.fail()
					return
				}
				if p.tok != tRBrace {
					p.expect(tComma)
				}
			}
			p.expect(tRBrace)
		}
		if !p.isKw(kwFrom) {
			p.fail()
			return
		}
		p.next()
	}
	p.moduleSpecifier()
}

// moduleSpecifier parses the "specifier" [with { ... }] ; ending an import
// or re-export.
func (p *parser) moduleSpecifier() {
	if p.tok != tString {
		p.fail()
		return
	}
	p.next()
	if p.isKw(kwWith) && !p.nl {
		p.next()
		p.expect(tLBrace)
		first := true
		for p.tok != tRBrace && p.tok != tEOF {
			if p.tok != tIdent && p.tok != tString || !first {
				// Only a single attribute is modelled; more could repeat a key.
				p.fail()
				return
			}
			first = false
			p.next()
			p.expect(tColon)
			if p.tok != tString {
				p.fail()
				return
			}
			p.next()
			if p.tok != tRBrace {
				p.expect(tComma)
			}
		}
		p.expect(tRBrace)
	}
	p.semicolon()
}

// moduleExportName consumes a string used as an import/export name and
// returns its text; escapes are refused (esbuild checks well-formedness).
func (p *parser) moduleExportName() string {
	raw := p.src[p.start+1 : p.end-1]
	if hasBackslash(raw) {
		p.fail()
		return ""
	}
	name := p.text(p.start+1, p.end-1)
	p.next()
	return name
}

func (p *parser) parseExport() {
	p.next()
	switch {
	case p.tok == tStar:
		p.next()
		if p.isKw(kwAs) {
			p.next()
			p.addExport(p.exportName())
		}
		if !p.isKw(kwFrom) {
			p.fail()
			return
		}
		p.next()
		p.moduleSpecifier()
	case p.tok == tLBrace:
		p.next()
		refStart := len(p.exportRefs)
		localsOK := true
		for p.tok != tRBrace && p.tok != tEOF {
			var local string
			if p.tok == tIdent {
				if !bindingOK(p.kw) {
					localsOK = false
				}
				p.exportRefs = append(p.exportRefs, span{int32(p.start), int32(p.end)})
				local = p.text(p.start, p.end)
				p.next()
			} else if p.tok == tString {
				localsOK = false
				local = p.moduleExportName()
			} else {
				p.fail()
				return
			}
			if p.isKw(kwAs) {
				p.next()
				local = p.exportName()
			}
			p.addExport(local)
			if p.tok != tRBrace {
				p.expect(tComma)
			}
		}
		p.expect(tRBrace)
		if p.isKw(kwFrom) {
			p.exportRefs = p.exportRefs[:refStart]
			p.next()
			p.moduleSpecifier()
			return
		}
		if !localsOK {
			p.fail()
			return
		}
		p.semicolon()
	case p.isKw(kwVar) || p.isKw(kwLet) || p.isKw(kwConst) || p.isKw(kwFunction) || p.isKw(kwClass) || p.isKw(kwAsync):
		if p.isKw(kwAsync) {
			s := p.save()
			p.next()
			if !p.isKw(kwFunction) || p.nl {
				p.fail()
				return
			}
			p.restore(s)
		}
		p.exporting = true
		p.parseStatement(sList)
		p.exporting = false
	case p.isKw(kwDefault):
		p.addExport("default")
		p.next()
		switch {
		case p.isKw(kwFunction):
			p.parseFunction(false, true, true)
			return
		case p.isKw(kwClass):
			p.parseClass(true, true)
			return
		case p.isKw(kwAsync):
			s := p.save()
			p.next()
			if p.isKw(kwFunction) && !p.nl {
				p.parseFunction(true, true, true)
				return
			}
			p.restore(s)
		}
		p.parseAssign(false)
		p.semicolon()
	default:
		p.fail()
	}
}

// exportName consumes an export name: any identifier name or a string.
func (p *parser) exportName() string {
	switch p.tok {
	case tIdent:
		name := p.text(p.start, p.end)
		p.next()
		return name
	case tString:
		return p.moduleExportName()
	}
	p.fail()
	return ""
}

// memberModifier reads what a get, set or async keyword before a method's
// name makes of it (an async may be followed by the generator's *), in
// object literals and class bodies alike.
func (p *parser) memberModifier(kw kwID) (kind methodKind, async, gen bool) {
	kind = mMethod
	switch kw {
	case kwGet:
		kind = mGet
	case kwSet:
		kind = mSet
	case kwAsync:
		async = true
		if p.tok == tStar {
			gen = true
			p.next()
		}
	}
	return kind, async, gen
}
