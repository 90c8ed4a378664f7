package jsscan

import (
	"strconv"
	"strings"
)

// Fast Refresh (React Fast Refresh, Preact's prefresh) keeps a component's
// state across edits: every component is registered under a stable ID, and
// every function that calls hooks carries a signature (the ordered hook
// calls) so that a changed signature remounts instead of reusing state that
// no longer fits. Bundlers do this with react-refresh's Babel plugin; hmrd
// does it here, on esbuild's output (plain JS, one statement per line, every
// statement but declarations ending in ";"), with the extractor's tokens.
//
// The rules follow the Babel plugin, limited to the module's top level:
//
//   - components are top-level `function Name`, `export default function
//     Name`, and `const Name = ` an arrow or function expression, or a call
//     wrapping one (memo, forwardRef, any higher-order component), where Name
//     starts with a capital letter; `export default hoc(…)` registers the
//     call as "%default%";
//   - a wrapper's inner function is registered too, as "Name$callee"; a
//     wrapper around an identifier (`memo(Inner)`) registers only the
//     result, since Inner is registered where it is defined;
//   - every top-level function that calls hooks (`use` + capital letter)
//     gets a signature: the calls in order as `name{lhs(initial)}`, the
//     initial value for useState and useReducer only; calls of other than
//     React's built-in hooks are custom hooks, listed for the runtime to
//     compare theirs, and when one is not a top-level binding (it cannot be
//     named where the signature is made) the signature forces a remount.
//
// The transform only inserts text, and never a line break, so a source map
// stays exact once columns are shifted.

// Refresh is what the Fast Refresh transform does to one module.
type Refresh struct {
	// Registrations are the components, in source order.
	Registrations []Registration
	// Inserts are the edits to make to the code (each an insertion, none
	// containing a line break), in the order they must be applied where
	// several share an offset.
	Inserts []Insert
	// Head declares the signature functions; it goes before the first
	// statement. Tail declares the handles and registers every component;
	// it goes after the last one. Both are one line, "" when unneeded;
	// they call $RefreshSig$ and $RefreshReg$, which the caller defines.
	Head, Tail string
	// Boundary is true when the module exports something and every export
	// is a registered component: an edit of the module can then be
	// applied by re-running it and refreshing the components, without its
	// importers (the module accepts itself).
	Boundary bool
}

// Registration is one component.
type Registration struct {
	// ID is its name in the module ("App", "Button$memo", "%default%").
	ID string
	// Handle is the expression that holds it once the module has run.
	Handle string
}

// Insert is text inserted at byte offset At of Result.Code.
type Insert struct {
	At   int
	Text string
}

// HasRefresh reports whether r changes the module at all.
func (r *Refresh) HasRefresh() bool {
	return r != nil && (len(r.Registrations) > 0 || r.Head != "")
}

// builtinHooks are React's hooks: their signature entries need no
// comparison of a custom hook's own signature.
var builtinHooks = map[string]bool{
	"useState": true, "useReducer": true, "useEffect": true, "useLayoutEffect": true,
	"useMemo": true, "useCallback": true, "useRef": true, "useContext": true,
	"useImperativeHandle": true, "useDebugValue": true, "useId": true,
	"useDeferredValue": true, "useTransition": true, "useInsertionEffect": true,
	"useSyncExternalStore": true, "useFormStatus": true, "useFormState": true,
	"useActionState": true, "useOptimistic": true,
}

// AnalyzeRefresh computes the Fast Refresh transform of code, plain
// JavaScript as esbuild prints it (Result.Code).
func AnalyzeRefresh(code []byte) *Refresh {
	s := scratchPool.Get().(*scratch)
	s.toks, s.stack = lex(code, s.toks, s.stack)
	a := refresher{extractor: extractor{code: code, toks: s.toks, res: &Result{Code: code}}, bindings: map[string]bool{}, locals: map[string]string{}, alias: map[string]string{}}
	a.run()
	if cap(s.toks) <= maxPooledTokens {
		scratchPool.Put(s)
	}
	return a.finish()
}

// refresher walks the top level of a module.
type refresher struct {
	extractor
	out Refresh
	// fns are the top-level functions, for the signature pass (which
	// needs every top-level binding known first).
	fns []refreshFn
	// bindings are the module's top-level names.
	bindings map[string]bool
	// registered: top-level names holding a registered component.
	registered map[string]bool
	// locals maps each export name to the local it exports ("%default%"
	// for a registered default expression, "" for anything else); open is
	// set by `export *` and re-exports, whose values are unknown.
	locals map[string]string
	open   bool
	// alias maps esbuild's variable for `export default Name` to Name.
	alias map[string]string
	nC    int
}

// refreshFn is a top-level function. A named one (a declaration, or the
// initializer of a top-level binding) is signed by a call after its
// statement, at token after, so that a function expression keeps the name
// it takes from its binding; an unnamed one is wrapped in the call.
type refreshFn struct {
	name       string
	after      int
	start, end int // its first token, and the token after it
	// body is the token index of "{", or of the first token of an arrow's
	// expression body (expr set).
	body int
	expr bool
}

func (a *refresher) run() {
	a.registered = map[string]bool{}
	for i := 0; i < len(a.toks); i++ {
		t := a.toks[i]
		if t.depth != 0 || t.kind != tokIdent || a.afterDot(i) {
			continue
		}
		switch string(a.text(i)) {
		case "import":
			a.importBindings(i)
		case "export":
			i = a.export(i)
		case "function":
			if a.declStart(i) {
				i = a.funcDecl(i)
			}
		case "const", "let", "var":
			i = a.varDecl(i, false)
		case "class":
			if a.declStart(i) && a.kind(i+1) == tokIdent {
				a.bindings[string(a.text(i+1))] = true
			}
		}
	}
}

// declStart reports whether the token at i starts a statement: the first
// token, or one after ";" or "}" (esbuild ends every other statement with
// a semicolon).
func (a *refresher) declStart(i int) bool {
	return i == 0 || a.punct(i-1, ";") || a.punct(i-1, "}")
}

// importBindings records the local names of an import declaration.
func (a *refresher) importBindings(i int) {
	if a.punct(i+1, "(") || a.punct(i+1, ".") {
		return // import() or import.meta
	}
	for j := i + 1; j < len(a.toks) && !a.punct(j, ";") && !a.word(j, "from"); j++ {
		switch {
		case a.punct(j, "{"):
			m := a.match(j)
			if m < 0 {
				return
			}
			a.specifiers(j+1, m, func(local, _ string) { a.bindings[local] = true })
			j = m
		case a.kind(j) == tokIdent && !a.word(j, "as") && !a.word(j, "type"):
			a.bindings[string(a.text(j))] = true
		}
	}
}

// export handles an export declaration at i and returns the index of the
// last token it consumed.
func (a *refresher) export(i int) int {
	j := i + 1
	switch {
	case a.punct(j, "*"):
		a.open = true
	case a.punct(j, "{"):
		m := a.match(j)
		if m < 0 {
			return i
		}
		if a.word(m+1, "from") {
			a.open = true
			return m
		}
		a.specifiers(j+1, m, func(local, name string) { a.locals[name] = local })
		return m
	case a.word(j, "default"):
		return a.exportDefault(j + 1)
	case a.word(j, "function"):
		if a.kind(j+1) == tokIdent {
			a.locals[string(a.text(j+1))] = string(a.text(j + 1))
		}
		return a.funcDecl(j)
	case a.word(j, "const") || a.word(j, "let") || a.word(j, "var"):
		return a.varDecl(j, true)
	case a.word(j, "class") || a.word(j, "async"):
		// Not components the transform registers: exported as themselves,
		// they keep the module from being a boundary.
		k := j + 1
		if a.word(k, "function") {
			k++
		}
		if a.punct(k, "*") {
			k++
		}
		if a.kind(k) == tokIdent {
			a.bindings[string(a.text(k))] = true
			a.locals[string(a.text(k))] = ""
		}
	}
	return i
}

// exportDefault handles what follows `export default` at j.
func (a *refresher) exportDefault(j int) int {
	switch {
	case a.word(j, "function") && a.kind(j+1) == tokIdent:
		a.locals["default"] = string(a.text(j + 1))
		return a.funcDecl(j)
	case a.kind(j) == tokIdent && a.punct(j+1, ";"):
		a.locals["default"] = string(a.text(j))
		return j + 1
	case a.isCall(j):
		end := a.skipExpr(j)
		a.locals["default"] = ""
		if a.componentInit("%default%", j, end, false) {
			a.locals["default"] = "%default%"
		}
		return end
	}
	a.locals["default"] = ""
	return j
}

// funcDecl handles `function Name(…) {…}` at i and returns the index of
// its closing brace.
func (a *refresher) funcDecl(i int) int {
	j := i + 1
	if a.punct(j, "*") || a.word(i-1, "async") {
		if a.kind(j) == tokIdent {
			a.bindings[string(a.text(j))] = true
		}
		return i
	}
	if a.kind(j) != tokIdent || !a.punct(j+1, "(") {
		return i
	}
	name := string(a.text(j))
	a.bindings[name] = true
	params := a.match(j + 1)
	if params < 0 || !a.punct(params+1, "{") || a.match(params+1) < 0 {
		return i
	}
	body := params + 1
	end := a.match(body)
	a.fns = append(a.fns, refreshFn{name: name, after: end, start: i, end: end + 1, body: body})
	if componentish(name) {
		a.register(name, name)
		a.registered[name] = true
	}
	return end
}

// varDecl handles `const a = …, b = …` at i (the keyword) and returns the
// index of the token ending it.
func (a *refresher) varDecl(i int, exported bool) int {
	var named []int // a.fns entries signed after the statement
	j := i + 1
	for j < len(a.toks) {
		if a.kind(j) != tokIdent {
			// A destructuring pattern: bind its names, register nothing.
			names := extractor{code: a.code, toks: a.toks, res: &Result{}}
			j = names.pattern(j, 0)
			for _, n := range names.res.Exports {
				a.bindings[n] = true
				if exported {
					a.locals[n] = ""
				}
			}
		} else {
			name := string(a.text(j))
			a.bindings[name] = true
			if exported {
				a.locals[name] = name
			}
			j++
			if a.punct(j, "=") {
				end := a.skipExpr(j + 1)
				if fn, ok := a.function(j+1, end); ok {
					fn.name = name
					named = append(named, len(a.fns))
					a.fns = append(a.fns, fn)
					if componentish(name) {
						a.register(name, name)
						a.registered[name] = true
					}
				} else if componentish(name) && a.componentInit(name, j+1, end, true) {
					a.register(name, name)
					a.registered[name] = true
				} else if strings.HasSuffix(name, "_default") {
					a.defaultInit(name, j+1, end)
				}
				j = end
			}
		}
		if a.punct(j, "=") {
			j = a.skipExpr(j + 1)
		}
		if !a.punct(j, ",") {
			break
		}
		j++
	}
	after := min(j, len(a.toks)-1)
	for _, k := range named {
		a.fns[k].after = after
	}
	return j
}

// defaultInit handles `var x_default = …`, esbuild's form of `export
// default <expression>`: a component's name stands for that component, a
// call wrapping one is registered as "%default%" (an anonymous function is
// not registered, as with the Babel plugin).
func (a *refresher) defaultInit(name string, s, e int) {
	if a.kind(s) == tokIdent && s+1 == e {
		a.alias[name] = string(a.text(s))
		return
	}
	if a.isCall(s) && a.componentInit("%default%", s, e, true) {
		a.register("%default%", name)
		a.registered[name] = true
	}
}

// componentInit reports whether the initializer of `const Name =` from
// token s to e (exclusive) defines a component: a function, or a call
// wrapping one. Calls that look like imports (require…, import…) do not.
// top: see component.
func (a *refresher) componentInit(name string, s, e int, top bool) bool {
	if a.isCall(s) {
		callee := string(a.text(s))
		if strings.HasPrefix(callee, "require") || strings.HasPrefix(callee, "import") {
			return false
		}
	}
	return a.component(name, s, e, top)
}

// component mirrors the Babel plugin's search for components in an
// expression from token s to e: a function, an identifier that names a
// component (registered where it is defined), or a call whose first
// argument holds one. Each function and call found inside is registered,
// under id extended by the callee ("Foo$memo"), through a handle assigned
// in place; the expression itself is registered as id too unless top is
// set (the caller registers it by the name of its binding).
func (a *refresher) component(id string, s, e int, top bool) bool {
	if a.kind(s) == tokIdent && s+1 == e {
		return componentish(string(a.text(s)))
	}
	if fn, ok := a.function(s, e); ok {
		if !top {
			h := a.handle()
			a.insertBefore(s, h+" = ")
			a.register(id, h)
		}
		fn.after = -1
		a.fns = append(a.fns, fn)
		return true
	}
	if !a.isCall(s) {
		return false
	}
	open := a.calleeEnd(s)
	close := a.match(open)
	if close < 0 || close+1 != e || open+1 == close {
		return false
	}
	inner := id + "$" + string(a.code[a.toks[s].start:a.toks[open-1].end])
	if !a.component(inner, open+1, a.skipExpr(open+1), false) {
		return false
	}
	if !top {
		h := a.handle()
		a.insertBefore(s, h+" = ")
		a.register(id, h)
	}
	return true
}

// function recognises an arrow function or a function expression filling
// tokens s to e (exclusive). Curried arrows (whose body is an arrow) are
// not components, as in the Babel plugin; nor are async functions and
// generators.
func (a *refresher) function(s, e int) (refreshFn, bool) {
	switch {
	case a.word(s, "function"):
		j := s + 1
		if a.punct(j, "*") {
			return refreshFn{}, false
		}
		if a.kind(j) == tokIdent {
			j++
		}
		params := a.match(j)
		if !a.punct(j, "(") || params < 0 || !a.punct(params+1, "{") || a.match(params+1)+1 != e {
			return refreshFn{}, false
		}
		return refreshFn{start: s, end: e, body: params + 1}, true
	case a.punct(s, "(") || a.kind(s) == tokIdent && a.punct(s+1, "=>"):
		arrow := s + 1
		if a.punct(s, "(") {
			arrow = a.match(s) + 1
		}
		if arrow <= s || !a.punct(arrow, "=>") {
			return refreshFn{}, false
		}
		body := arrow + 1
		if a.punct(body, "{") {
			if a.match(body)+1 != e {
				return refreshFn{}, false
			}
			return refreshFn{start: s, end: e, body: body}, true
		}
		if _, curried := a.function(body, e); curried {
			return refreshFn{}, false
		}
		return refreshFn{start: s, end: e, body: body, expr: true}, true
	}
	return refreshFn{}, false
}

// isCall reports whether tokens at s start a call of an identifier or a
// member chain (`memo(`, `React.forwardRef(`).
func (a *refresher) isCall(s int) bool {
	if a.kind(s) != tokIdent || a.word(s, "function") || a.word(s, "new") {
		return false
	}
	return a.punct(a.calleeEnd(s), "(")
}

// calleeEnd returns the index after the identifier chain a.b.c at s.
func (a *refresher) calleeEnd(s int) int {
	j := s + 1
	for a.punct(j, ".") && a.kind(j+1) == tokIdent {
		j += 2
	}
	return j
}

// handle allocates a variable to hold a component that no name holds.
func (a *refresher) handle() string {
	h := "_c" + strconv.Itoa(a.nC) + "$"
	a.nC++
	return h
}

func (a *refresher) register(id, handle string) {
	a.out.Registrations = append(a.out.Registrations, Registration{ID: id, Handle: handle})
}

func (a *refresher) insertBefore(i int, text string) {
	a.out.Inserts = append(a.out.Inserts, Insert{At: int(a.toks[i].start), Text: text})
}

// componentish is the Babel plugin's test for a component's name.
func componentish(name string) bool {
	return name != "" && name[0] >= 'A' && name[0] <= 'Z'
}

// hookName reports whether name is a hook's: "use" and a capital letter.
func hookName(name []byte) bool {
	return len(name) > 3 && name[0] == 'u' && name[1] == 's' && name[2] == 'e' && name[3] >= 'A' && name[3] <= 'Z'
}

// finish signs the functions that call hooks and decides the boundary.
func (a *refresher) finish() *Refresh {
	var sigs []string
	for _, fn := range a.fns {
		key, custom, force := a.hookSignature(fn)
		if key == "" && len(custom) == 0 {
			continue
		}
		s := "_s" + strconv.Itoa(len(sigs)) + "$"
		sigs = append(sigs, s+" = $RefreshSig$()")
		args := jsQuote(key)
		if force || len(custom) > 0 {
			args += ", " + strconv.FormatBool(force)
		}
		if len(custom) > 0 {
			args += ", () => [" + strings.Join(custom, ", ") + "]"
		}
		endAt := int(a.toks[fn.end-1].end)
		named := fn.name != "" && fn.after >= 0
		if !named {
			a.out.Inserts = append(a.out.Inserts, Insert{At: int(a.toks[fn.start].start), Text: s + "("})
		}
		if fn.expr {
			// An expression body: call first, then the value.
			a.out.Inserts = append(a.out.Inserts,
				Insert{At: int(a.toks[fn.body].start), Text: "(" + s + "(), "},
				Insert{At: endAt, Text: ")"})
		} else {
			a.out.Inserts = append(a.out.Inserts, Insert{At: int(a.toks[fn.body].end), Text: s + "();"})
		}
		if named {
			a.out.Inserts = append(a.out.Inserts, Insert{At: int(a.toks[fn.after].end), Text: ";" + s + "(" + fn.name + ", " + args + ");"})
		} else {
			a.out.Inserts = append(a.out.Inserts, Insert{At: endAt, Text: ", " + args + ")"})
		}
	}
	if len(sigs) > 0 {
		a.out.Head = "var " + strings.Join(sigs, ", ") + ";"
	}
	if len(a.out.Registrations) > 0 {
		var b strings.Builder
		if a.nC > 0 {
			b.WriteString("var ")
			for i := range a.nC {
				if i > 0 {
					b.WriteString(", ")
				}
				b.WriteString("_c" + strconv.Itoa(i) + "$")
			}
			b.WriteString("; ")
		}
		for _, r := range a.out.Registrations {
			b.WriteString("$RefreshReg$(" + r.Handle + ", " + jsQuote(r.ID) + "); ")
		}
		a.out.Tail = strings.TrimSuffix(b.String(), " ")
	}
	a.out.Boundary = !a.open && len(a.locals) > 0
	for _, local := range a.locals {
		if to, ok := a.alias[local]; ok {
			local = to
		}
		if local == "" || local != "%default%" && !a.registered[local] {
			a.out.Boundary = false
		}
	}
	return &a.out
}

// hookSignature lists the hook calls made in fn's own body (not in the
// functions nested in it): the signature key, the custom hooks that can be
// named at the top level, and whether one could not be.
func (a *refresher) hookSignature(fn refreshFn) (key string, custom []string, force bool) {
	from, to := fn.body+1, fn.end-1
	if fn.expr {
		from, to = fn.body, fn.end
	}
	var calls []string
	for k := from; k < to; {
		switch {
		case a.word(k, "function") && !a.afterDot(k):
			k = a.skipFunction(k)
			continue
		case a.punct(k, "=>"):
			if a.punct(k+1, "{") {
				k = a.skip(k + 1)
			} else {
				k = a.skipExpr(k + 1)
			}
			continue
		case a.kind(k) == tokIdent && hookName(a.text(k)) && a.punct(k+1, "("):
			name := string(a.text(k))
			callee := name
			first := k
			if a.punct(k-1, ".") && a.kind(k-2) == tokIdent && !a.afterDot(k-2) {
				first = k - 2
				callee = string(a.text(k-2)) + "." + name
			} else if a.afterDot(k) {
				force = true // a hook reached through a longer chain
				calls = append(calls, name+"{"+a.hookKey(k, k)+"}")
				k++
				continue
			}
			calls = append(calls, name+"{"+a.hookKey(first, k)+"}")
			if !builtinHooks[name] {
				if a.bindings[string(a.text(first))] {
					custom = append(custom, callee)
				} else {
					force = true
				}
			}
		}
		k++
	}
	return strings.Join(calls, "\n"), custom, force
}

// hookKey is a hook call's part of the signature: the declarator's
// pattern when the call initialises one, and the initial state of
// useState and useReducer. first is the callee's first token, k its name.
func (a *refresher) hookKey(first, k int) string {
	var key string
	if a.punct(first-1, "=") {
		p := first - 2
		if a.isCloser(p) {
			for q := p - 1; q >= 0; q-- {
				if a.match(q) == p {
					p = q
					break
				}
			}
		}
		if a.word(p-1, "const") || a.word(p-1, "let") || a.word(p-1, "var") || a.punct(p-1, ",") {
			key = string(a.code[a.toks[p].start:a.toks[first-2].end])
		}
	}
	open := k + 1
	close := a.match(open)
	if close < 0 {
		return key
	}
	arg := open + 1
	name := string(a.text(k))
	if name == "useReducer" {
		arg = a.skipExpr(arg)
		if !a.punct(arg, ",") {
			return key
		}
		arg++
	} else if name != "useState" {
		return key
	}
	if arg >= close {
		return key
	}
	end := a.skipExpr(arg)
	if end <= arg {
		return key
	}
	return key + "(" + string(a.code[a.toks[arg].start:a.toks[end-1].end]) + ")"
}

// skipFunction returns the index after a function expression or
// declaration nested in a body, starting at the keyword.
func (a *refresher) skipFunction(k int) int {
	j := k + 1
	if a.punct(j, "*") {
		j++
	}
	if a.kind(j) == tokIdent {
		j++
	}
	if !a.punct(j, "(") {
		return k + 1
	}
	j = a.skip(j)
	if a.punct(j, "{") {
		return a.skip(j)
	}
	return j
}

// jsQuote writes s as a double-quoted JS string literal.
func jsQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r < 0x20 || r == 0x2028 || r == 0x2029:
			b.WriteString(`\u` + strconv.FormatInt(int64(r)+0x10000, 16)[1:])
		case r == '<':
			b.WriteString(`\x3C`)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
