package jsscan

import (
	"bytes"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/hmrd/hmrd/internal/scan/urlref"
)

// scratch holds the reusable buffers of one lex+extract run.
type scratch struct {
	toks  []token
	stack []frame
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

// maxPooledTokens bounds what goes back into the pool, so one huge file does
// not pin its token slice for the life of the daemon.
const maxPooledTokens = 1 << 18

// scanCode lexes code (plain JavaScript) and extracts its facts. Diagnostics
// are positioned in code; the second result holds their byte offsets so
// that Scan can move them to the original source.
func scanCode(code []byte) (*Result, []int) {
	s := scratchPool.Get().(*scratch)
	s.toks, s.stack = lex(code, s.toks, s.stack)
	e := extractor{code: code, toks: s.toks, res: &Result{Code: code}}
	e.run()
	if cap(s.toks) <= maxPooledTokens {
		scratchPool.Put(s)
	}
	return e.res, e.diagAt
}

// extractor reads facts off the token slice. The main loop visits every
// token once; the statement handlers only look ahead (using token.match to
// jump over nested groups), so an import() nested anywhere inside another
// construct is still seen by the main loop.
type extractor struct {
	code   []byte
	toks   []token
	res    *Result
	diagAt []int // code offset of each res.Diagnostics entry

	exportSet map[string]struct{}
	// line counting cache for diagnostics positioned in code.
	lineOff, lineNo int
}

func (e *extractor) run() {
	for i, t := range e.toks {
		if t.kind != tokIdent || t.end-t.start != 6 || e.afterDot(i) {
			continue
		}
		switch string(e.code[t.start:t.end]) {
		case "import":
			e.importKeyword(i)
		case "export":
			if t.depth == 0 {
				e.exportKeyword(i)
			}
		}
	}
}

// Token accessors: out-of-range indexes read as "no token", so handlers
// need no bounds checks of their own.

func (e *extractor) kind(i int) tokKind {
	if i < 0 || i >= len(e.toks) {
		return 0
	}
	return e.toks[i].kind
}

func (e *extractor) text(i int) []byte {
	if i < 0 || i >= len(e.toks) {
		return nil
	}
	t := e.toks[i]
	return e.code[t.start:t.end]
}

func (e *extractor) punct(i int, s string) bool {
	return e.kind(i) == tokPunct && string(e.text(i)) == s
}

func (e *extractor) word(i int, s string) bool {
	return e.kind(i) == tokIdent && string(e.text(i)) == s
}

func (e *extractor) dotLike(i int) bool {
	return e.punct(i, ".") || e.punct(i, "?.")
}

func (e *extractor) afterDot(i int) bool { return e.dotLike(i - 1) }

// isLiteral reports a string literal or a template literal without
// substitutions: the only forms whose value is known statically.
func (e *extractor) isLiteral(i int) bool {
	k := e.kind(i)
	return k == tokString || k == tokTemplate
}

// match returns the index of the closer of the opener at i, or -1.
func (e *extractor) match(i int) int {
	if i < 0 || i >= len(e.toks) || e.toks[i].match <= int32(i) {
		return -1
	}
	return int(e.toks[i].match)
}

// skip returns the index after the syntactic unit at i: a whole bracketed
// group or template literal, or a single token.
func (e *extractor) skip(i int) int {
	for i < len(e.toks) {
		m := e.toks[i].match
		if m <= int32(i) {
			return i + 1
		}
		i = int(m) // a template middle is itself an opener: keep jumping
	}
	return i + 1
}

// skipExpr skips an expression starting at i and returns the index of the
// "," or ";" ending it, of the first token outside its nesting level, or of
// a statement keyword on a new line (the expression ended there by
// automatic semicolon insertion). Without that last stop, a file of
// `export const a = …` lines without semicolons would be skipped to its
// end once per declaration: quadratic in the file's size, and the names of
// a later `let b, c` taken for exports.
func (e *extractor) skipExpr(i int) int {
	if i >= len(e.toks) {
		return i
	}
	start := i
	d := e.toks[i].depth
	for i < len(e.toks) {
		t := e.toks[i]
		if t.depth < d || t.depth == d && (e.punct(i, ",") || e.punct(i, ";") || e.isCloser(i) || i > start && e.statementStart(i)) {
			return i
		}
		i = e.skip(i)
	}
	return i
}

// statementStart reports a keyword at i that can only begin a statement,
// never begin or continue an expression, on a line after the previous
// token: there an expression has ended. Module code is strict, so `let` is
// a keyword too.
func (e *extractor) statementStart(i int) bool {
	if e.kind(i) != tokIdent || e.afterDot(i) {
		return false
	}
	switch string(e.text(i)) {
	case "export", "const", "let", "var", "if", "for", "while", "do", "return",
		"throw", "try", "switch", "break", "continue", "debugger", "with":
	default:
		return false
	}
	return bytes.IndexByte(e.code[e.toks[i-1].end:e.toks[i].start], '\n') >= 0
}

func (e *extractor) isCloser(i int) bool {
	switch e.kind(i) {
	case tokTemplateMiddle, tokTemplateTail:
		return true
	case tokPunct:
		s := string(e.text(i))
		return s == ")" || s == "]" || s == "}"
	}
	return false
}

// name returns the value of a module export name: an identifier or a string
// literal (`import {"a b" as c}`).
func (e *extractor) name(i int) (string, bool) {
	switch e.kind(i) {
	case tokIdent:
		return string(e.text(i)), true
	case tokString:
		return literalValue(e.text(i))
	}
	return "", false
}

func (e *extractor) addImport(lit int, kind ImportKind, bindings []string) {
	spec, ok := literalValue(e.text(lit))
	if !ok {
		return
	}
	t := e.toks[lit]
	e.res.Imports = append(e.res.Imports, Import{
		Specifier: spec,
		Kind:      kind,
		Range:     Range{Start: int(t.start), End: int(t.end)},
		Bindings:  bindings,
	})
}

func (e *extractor) addExport(name string) {
	if e.exportSet == nil {
		e.exportSet = make(map[string]struct{})
	}
	if _, dup := e.exportSet[name]; dup {
		return
	}
	e.exportSet[name] = struct{}{}
	e.res.Exports = append(e.res.Exports, name)
}

func appendUnique(list []string, s string) []string {
	for _, have := range list {
		if have == s {
			return list
		}
	}
	return append(list, s)
}

// importKeyword handles `import` at token i (not a property name).
func (e *extractor) importKeyword(i int) {
	switch {
	case e.punct(i+1, "."):
		if e.word(i+2, "meta") {
			e.importMeta(i + 3)
		}
	case e.punct(i+1, "("):
		e.dynamicImport(i + 1)
	case e.toks[i].depth == 0:
		e.staticImport(i + 1)
	}
}

// staticImport parses the clause of `import … from 's'` or `import 's'`
// starting at token j. Anything that does not fit the grammar is ignored.
func (e *extractor) staticImport(j int) {
	// Import phase modifiers: `import defer * as ns from`, `import source x from`.
	if (e.word(j, "defer") || e.word(j, "source")) &&
		(e.kind(j+1) == tokIdent && !e.word(j+1, "from") || e.punct(j+1, "*") || e.punct(j+1, "{")) {
		j++
	}
	if e.kind(j) == tokString {
		// Side effect only. Import attributes after the specifier
		// (`with { type: 'json' }`) need no skipping: the main loop passes
		// over their tokens harmlessly.
		e.addImport(j, ImportStatic, nil)
		return
	}
	var names []string
	if e.kind(j) == tokIdent && (e.punct(j+1, ",") || e.word(j+1, "from")) {
		names = append(names, "default")
		j++
		if e.punct(j, ",") {
			j++
		}
	}
	switch {
	case e.punct(j, "*"):
		if !e.word(j+1, "as") || e.kind(j+2) != tokIdent {
			return
		}
		names = appendUnique(names, "*")
		j += 3
	case e.punct(j, "{"):
		m := e.match(j)
		if m < 0 {
			return
		}
		e.specifiers(j+1, m, func(imported, _ string) {
			names = appendUnique(names, imported)
		})
		j = m + 1
	}
	if !e.word(j, "from") || e.kind(j+1) != tokString {
		return
	}
	e.addImport(j+1, ImportStatic, names)
}

// specifiers walks `a, b as c, "s" as d` between tokens from and to
// (exclusive), calling fn with the name on the left of `as` (the imported
// or local name) and the one on the right (or the same name).
func (e *extractor) specifiers(from, to int, fn func(left, right string)) {
	for k := from; k < to; {
		left, ok := e.name(k)
		if !ok {
			// Not a specifier (malformed input): resynchronise after the next comma.
			for k < to && !e.punct(k, ",") {
				k = e.skip(k)
			}
			k++
			continue
		}
		right := left
		k++
		if e.word(k, "as") {
			if r, ok := e.name(k + 1); ok {
				right = r
				k += 2
			}
		}
		fn(left, right)
		for k < to && !e.punct(k, ",") {
			k = e.skip(k)
		}
		k++
	}
}

// exportKeyword handles a top-level `export` at token i.
func (e *extractor) exportKeyword(i int) {
	j := i + 1
	switch {
	case e.punct(j, "*"):
		// export * from 's' | export * as ns from 's'
		var exported string
		k := j + 1
		if e.word(k, "as") {
			name, ok := e.name(k + 1)
			if !ok {
				return
			}
			exported = name
			k += 2
		}
		if !e.word(k, "from") || e.kind(k+1) != tokString {
			return
		}
		e.addImport(k+1, ImportReExport, []string{"*"})
		if exported != "" {
			e.addExport(exported)
		}
	case e.punct(j, "{"):
		m := e.match(j)
		if m < 0 {
			return
		}
		var locals, exported []string
		e.specifiers(j+1, m, func(local, name string) {
			locals = appendUnique(locals, local)
			exported = append(exported, name)
		})
		if e.word(m+1, "from") {
			if e.kind(m+2) != tokString {
				return
			}
			e.addImport(m+2, ImportReExport, locals)
		}
		for _, name := range exported {
			e.addExport(name)
		}
	case e.word(j, "default"):
		e.addExport("default")
	case e.word(j, "const") || e.word(j, "let") || e.word(j, "var"):
		e.declarations(j + 1)
	case e.word(j, "async") && e.word(j+1, "function"):
		e.functionName(j + 2)
	case e.word(j, "function"):
		e.functionName(j + 1)
	case e.word(j, "class"):
		if e.kind(j+1) == tokIdent {
			e.addExport(string(e.text(j + 1)))
		}
	}
}

// functionName records the name after `function` or `function*`.
func (e *extractor) functionName(j int) {
	if e.punct(j, "*") {
		j++
	}
	if e.kind(j) == tokIdent {
		e.addExport(string(e.text(j)))
	}
}

// declarations records the names bound by `a = 1, {b, c: [d]} = o, …`.
func (e *extractor) declarations(j int) {
	for j < len(e.toks) {
		j = e.pattern(j, 0)
		if e.punct(j, "=") {
			j = e.skipExpr(j + 1)
		}
		if !e.punct(j, ",") {
			return
		}
		j++
	}
}

// maxPatternNest bounds recursion on adversarial input; real destructuring
// patterns are a few levels deep.
const maxPatternNest = 256

// pattern records the names bound by the binding pattern at j and returns
// the index after it.
func (e *extractor) pattern(j, nest int) int {
	if nest > maxPatternNest {
		return e.skip(j)
	}
	switch {
	case e.kind(j) == tokIdent:
		e.addExport(string(e.text(j)))
		return j + 1
	case e.punct(j, "{"):
		m := e.match(j)
		if m < 0 {
			return j + 1
		}
		for k := j + 1; k < m; {
			switch {
			case e.punct(k, ","):
				k++
				continue
			case e.punct(k, "..."):
				k = e.pattern(k+1, nest+1)
			default:
				key := k
				k = e.skip(k) // identifier, string, number or [computed]
				if e.punct(k, ":") {
					k = e.pattern(k+1, nest+1)
				} else if e.kind(key) == tokIdent {
					e.addExport(string(e.text(key))) // shorthand {a} or {a = 1}
				}
			}
			if e.punct(k, "=") {
				k = e.skipExpr(k + 1)
			}
			for k < m && !e.punct(k, ",") { // resynchronise on malformed input
				k = e.skip(k)
			}
		}
		return m + 1
	case e.punct(j, "["):
		m := e.match(j)
		if m < 0 {
			return j + 1
		}
		for k := j + 1; k < m; {
			switch {
			case e.punct(k, ","): // hole
				k++
				continue
			case e.punct(k, "..."):
				k = e.pattern(k+1, nest+1)
			default:
				k = e.pattern(k, nest+1)
			}
			if e.punct(k, "=") {
				k = e.skipExpr(k + 1)
			}
			for k < m && !e.punct(k, ",") {
				k = e.skip(k)
			}
		}
		return m + 1
	}
	return j + 1
}

// dynamicImport handles `import(` with the "(" at token p.
func (e *extractor) dynamicImport(p int) {
	m := e.match(p)
	if m > 0 && e.punct(m+1, "{") {
		return // a method named import: `import(a) { … }` in a class or object
	}
	a := p + 1
	if e.isLiteral(a) && (e.punct(a+1, ")") || e.punct(a+1, ",")) {
		e.addImport(a, ImportDynamic, []string{"*"})
		return
	}
	if e.punct(a, ")") || a >= len(e.toks) {
		return // `import()` is a syntax error esbuild reports itself
	}
	if end := e.skipExpr(a); end < len(e.toks) && (end == m || e.punct(end, ",")) {
		if e.addGlob(a, end, ImportDynamic) {
			return
		}
	}
	start := int(e.toks[a].start)
	end := len(e.code)
	if m > 0 {
		end = int(e.toks[m].start)
	}
	// Vite's way to say an import is meant to stay as written.
	if hasViteIgnore(e.code[e.toks[p].start:end]) {
		return
	}
	e.diag(start, "non-literal dynamic import cannot be analysed: import("+snippet(e.code[start:end], 40)+")")
}

// addGlob records the specifier expression in tokens [from, to) as a Glob
// of the given kind if it is one (see glob.go), and reports whether it was.
func (e *extractor) addGlob(from, to int, kind ImportKind) bool {
	pieces, ok := e.globPieces(from, to, 0)
	if !ok {
		return false
	}
	parts, ok := globFromPieces(pieces)
	if !ok {
		return false
	}
	e.res.Globs = append(e.res.Globs, Glob{
		Parts: parts,
		Kind:  kind,
		Range: Range{Start: int(e.toks[from].start), End: int(e.toks[to-1].end)},
	})
	return true
}

// globPieces reads the expression in tokens [from, to) as a chain of `+`
// whose leftmost operand is a string or template literal, the shape
// esbuild's globPatternFromExpr accepts: string operands are text, any
// other operand a wildcard. ok is false for any other expression,
// including one whose top level has an operator binding looser than `+`
// (`a + b ? c : d` is a conditional) or a binary `-` (`'a' + b - c`
// subtracts).
func (e *extractor) globPieces(from, to, nest int) (pieces []globPiece, ok bool) {
	if nest > maxPatternNest || from >= to {
		return nil, false
	}
	start := from
	for k := from; ; {
		if k < to && !(e.punct(k, "+") && k > start && e.endsOperand(k-1)) {
			if e.looserThanPlus(k, start) {
				return nil, false
			}
			k = e.skip(k)
			continue
		}
		// [start, k) is one operand.
		op, ok := e.globOperand(start, min(k, to), nest)
		if !ok {
			if start == from {
				return nil, false // the leftmost operand must be text
			}
			op = []globPiece{{wild: true}}
		}
		pieces = append(pieces, op...)
		if k >= to {
			return pieces, true
		}
		start = k + 1
		k = start
	}
}

// globOperand reads one operand of a `+` chain: a string or template
// literal (its substitutions read recursively, as esbuild folds constant
// ones), or a parenthesised chain. ok is false for anything else.
func (e *extractor) globOperand(from, to, nest int) ([]globPiece, bool) {
	if from >= to || e.skip(from) != to {
		return nil, false // empty, or more than one unit (`a.b`, `f(x)`, `-x`)
	}
	switch e.kind(from) {
	case tokString, tokTemplate:
		v, ok := literalValue(e.text(from))
		return []globPiece{{text: v}}, ok
	case tokTemplateHead:
		return e.templatePieces(from, nest)
	}
	if e.punct(from, "(") && e.match(from) == to-1 {
		return e.globPieces(from+1, to-1, nest+1)
	}
	return nil, false
}

// templatePieces reads the template literal whose head is token h: its
// text cooked, each substitution as its own pieces when it is a string
// chain and as a wildcard otherwise.
func (e *extractor) templatePieces(h, nest int) ([]globPiece, bool) {
	var pieces []globPiece
	for k := h; ; {
		t := e.toks[k]
		text := e.text(k)
		// A head is `…${, a middle }…${, a tail }…` : cook the text between.
		open, closeLen := 1, 2
		if t.kind == tokTemplateTail {
			closeLen = 1
		}
		if len(text) < open+closeLen || t.kind == tokTemplateTail && text[len(text)-1] != '`' ||
			t.kind != tokTemplateTail && string(text[len(text)-2:]) != "${" {
			return nil, false
		}
		v, ok := cookTemplate(text[open : len(text)-closeLen])
		if !ok {
			return nil, false
		}
		pieces = append(pieces, globPiece{text: v})
		if t.kind == tokTemplateTail {
			return pieces, true
		}
		next := e.match(k)
		if next < 0 || (e.kind(next) != tokTemplateMiddle && e.kind(next) != tokTemplateTail) {
			return nil, false // never closed
		}
		sub, ok := e.globPieces(k+1, next, nest+1)
		if !ok {
			sub = []globPiece{{wild: true}}
		}
		pieces = append(pieces, sub...)
		k = next
	}
}

// cookTemplate returns the value of template text between its delimiters.
func cookTemplate(body []byte) (string, bool) {
	lit := make([]byte, 0, len(body)+2)
	lit = append(lit, '`')
	lit = append(lit, body...)
	lit = append(lit, '`')
	return literalValue(lit)
}

// endsOperand reports whether token i can end an operand, which makes a
// "+" or "-" after it binary rather than unary.
func (e *extractor) endsOperand(i int) bool {
	switch e.kind(i) {
	case tokIdent:
		// After a keyword an expression starts, as after one a regex may.
		return !regexKeyword(e.text(i))
	case tokNumber, tokString, tokTemplate, tokTemplateTail, tokRegex, tokPrivate:
		return true
	case tokPunct:
		switch string(e.text(i)) {
		case ")", "]", "}", "++", "--":
			return true
		}
	}
	return false
}

// looserThanPlus reports whether token k, at the top level of an operand
// chain that started at token start, is an operator binding looser than
// `+`, or a binary `-`: then the expression is not a `+` chain.
func (e *extractor) looserThanPlus(k, start int) bool {
	switch e.kind(k) {
	case tokIdent:
		s := string(e.text(k))
		return (s == "in" || s == "instanceof") && k > start && e.endsOperand(k-1)
	case tokPunct:
		switch string(e.text(k)) {
		case ".", "?.", "*", "/", "%", "**", "!", "~", "++", "--", "+", "(", "[", "{":
			return false
		case "-":
			return k > start && e.endsOperand(k-1)
		}
		return true
	}
	return false
}

// snippet returns text with runs of white space collapsed, cut to at most
// max runes (an ellipsis marks the cut).
func snippet(text []byte, max int) string {
	var b strings.Builder
	runes := 0
	space := false
	for len(text) > 0 {
		r, size := utf8.DecodeRune(text)
		text = text[size:]
		if r == ' ' || r == '\t' || r == '\n' || r == '\r' {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			if runes == max {
				b.WriteString("…")
				return b.String()
			}
			b.WriteByte(' ')
			runes++
		}
		space = false
		if runes == max {
			b.WriteString("…")
			return b.String()
		}
		b.WriteRune(r)
		runes++
	}
	return b.String()
}

// importMeta handles `import.meta` with j at the token after `meta`. Only
// the literal member chain import.meta.hot[?].name counts, like Vite: an
// alias (`const hot = import.meta.hot`) is not followed. webpack's
// import.meta.webpackHot says the same facts: accept() or accept(handler)
// self-accepts, accept(deps, callback, errorHandler) accepts deps, and
// decline() / decline(deps) decline.
func (e *extractor) importMeta(j int) {
	if e.punct(j, ".") && e.word(j+1, "url") {
		e.newURL(j - 3)
		return
	}
	if e.punct(j, ".") && e.word(j+1, "glob") && e.punct(j+2, "(") {
		e.metaGlob(j-3, j+2)
		return
	}
	if !e.dotLike(j) || !(e.word(j+1, "hot") || e.word(j+1, "webpackHot")) {
		return
	}
	hot := &e.res.Hot
	hot.Used = true
	if e.word(j+1, "webpackHot") {
		hot.Webpack = true
	}
	j += 2
	if !e.dotLike(j) || e.kind(j+1) != tokIdent {
		return
	}
	member := string(e.text(j + 1))
	call := j + 2
	if e.punct(call, "?.") {
		call++ // import.meta.hot.accept?.(…)
	}
	isCall := e.punct(call, "(")
	switch member {
	case "accept":
		if !isCall {
			return
		}
		deps, self := e.hotArgs(call, member)
		hot.SelfAccepting = hot.SelfAccepting || self
		hot.AcceptedDeps = append(hot.AcceptedDeps, deps...)
	case "acceptExports":
		if !isCall {
			return
		}
		hot.PartialAccept = true
		deps, self := e.hotArgs(call, member)
		if self && call+1 < len(e.toks) && !e.punct(call+1, ")") {
			e.diag(int(e.toks[call+1].start), hotArgsMessage(member))
		}
		for _, d := range deps {
			hot.AcceptedExports = appendUnique(hot.AcceptedExports, d.Specifier)
		}
	case "decline":
		if !isCall {
			return
		}
		deps, self := e.hotArgs(call, member)
		hot.Declined = hot.Declined || self
		hot.DeclinedDeps = append(hot.DeclinedDeps, deps...)
	case "dispose", "prune", "invalidate", "on", "off", "send", "data",
		"addDisposeHandler", "removeDisposeHandler", "check", "apply", "status", "addStatusHandler", "removeStatusHandler":
		hot.UsesAPI = true
	}
}

// newURL handles `new URL(spec, import.meta.url)` around the import.meta.url
// whose `import` is token i, the form Vite's asset and worker plugins
// recognise (a trailing comma is allowed): a string literal names a file,
// a template literal with substitutions is a Glob. A /* @vite-ignore */
// before the specifier leaves it alone, as in Vite.
func (e *extractor) newURL(i int) {
	closer := i + 5 // after import . meta . url
	if e.punct(closer, ",") {
		closer++
	}
	if !e.punct(closer, ")") || !e.punct(i-1, ",") {
		return
	}
	last := i - 2 // the specifier's last token
	first := last
	switch e.kind(last) {
	case tokString, tokTemplate:
	case tokTemplateTail:
		// Walk back over the substitutions to the template's head.
		d := e.toks[last].depth
		for first--; first >= 0 && (e.toks[first].depth > d || e.kind(first) == tokTemplateMiddle); first-- {
		}
		if e.kind(first) != tokTemplateHead || e.toks[first].depth != d {
			return
		}
	default:
		return
	}
	open := first - 1
	if !e.punct(open, "(") || e.match(open) != closer || !e.word(open-1, "URL") || !e.word(open-2, "new") || e.afterDot(open-2) {
		return
	}
	if hasViteIgnore(e.code[e.toks[open].end:e.toks[first].start]) {
		return
	}
	if first == last {
		spec, ok := literalValue(e.text(last))
		if !ok || !urlref.IsLocal(spec) {
			return
		}
		t := e.toks[last]
		e.res.URLs = append(e.res.URLs, Import{Specifier: spec, Kind: ImportURL, Range: Range{Start: int(t.start), End: int(t.end)}})
		return
	}
	e.addGlob(first, last+1, ImportURL)
}

func hotArgsMessage(method string) string {
	return "import.meta.hot." + method + "() can only accept string literals or an Array of string literals"
}

// hotArgs reads the first argument of an import.meta.hot method call whose
// "(" is at token open, following Vite's lexAcceptedHmrDeps: a string (or
// substitution-free template) literal names one dep, an array of them names
// several, and anything else — including no argument — makes self true. A
// template with ${} or a non-literal array element is reported and ignored.
func (e *extractor) hotArgs(open int, method string) (deps []Dep, self bool) {
	a := open + 1
	switch {
	case a >= len(e.toks) || e.punct(a, ")"):
		return nil, true
	case e.isLiteral(a):
		if d, ok := e.dep(a); ok {
			deps = append(deps, d)
		}
		return deps, false
	case e.kind(a) == tokTemplateHead:
		e.diag(int(e.toks[a].start), hotArgsMessage(method))
		return nil, false
	case e.punct(a, "["):
		m := e.match(a)
		if m < 0 {
			return nil, false
		}
		for k := a + 1; k < m; {
			if e.punct(k, ",") {
				k++
				continue
			}
			if e.isLiteral(k) && (k+1 == m || e.punct(k+1, ",")) {
				if d, ok := e.dep(k); ok {
					deps = append(deps, d)
				}
				k++
				continue
			}
			e.diag(int(e.toks[k].start), hotArgsMessage(method))
			for k < m && !e.punct(k, ",") {
				k = e.skip(k)
			}
		}
		return deps, false
	}
	return nil, true
}

func (e *extractor) dep(i int) (Dep, bool) {
	spec, ok := literalValue(e.text(i))
	if !ok {
		return Dep{}, false
	}
	t := e.toks[i]
	return Dep{Specifier: spec, Range: Range{Start: int(t.start), End: int(t.end)}}, true
}

// diag records a warning at code offset off, positioned in code; Scan
// repositions it in the original source.
func (e *extractor) diag(off int, msg string) {
	line, col, text := e.codePosition(off)
	e.res.Diagnostics = append(e.res.Diagnostics, Diagnostic{
		Severity: SeverityWarning,
		Line:     line,
		Column:   col,
		Message:  msg,
		Frame:    codeFrame(text, line, col),
	})
	e.diagAt = append(e.diagAt, off)
}

// codePosition returns the 1-based line and byte column of off in code and
// the text of that line. Diagnostics come in token order, so counting
// resumes from the previous one.
func (e *extractor) codePosition(off int) (line, col int, lineText []byte) {
	if off < e.lineOff || e.lineNo == 0 {
		e.lineOff, e.lineNo = 0, 1
	}
	for {
		nl := bytes.IndexByte(e.code[e.lineOff:off], '\n')
		if nl < 0 {
			break
		}
		e.lineOff += nl + 1
		e.lineNo++
	}
	end := bytes.IndexByte(e.code[e.lineOff:], '\n')
	if end < 0 {
		end = len(e.code) - e.lineOff
	}
	return e.lineNo, off - e.lineOff + 1, e.code[e.lineOff : e.lineOff+end]
}
