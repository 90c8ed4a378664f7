package jsscan

// CommonJS is what the text of a module says about its CommonJS exports,
// read with the heuristics of Node's cjs-module-lexer (the ones that let
// `import { useState } from "react"` work in Node): assignments to
// exports.name, module.exports.name and exports["name"],
// Object.defineProperty(exports, "name", …), an object literal assigned to
// module.exports (esbuild's `0 && (module.exports = { … })` hint included),
// and re-exports: module.exports = require("x"), ...require("x") in that
// object literal, TypeScript's __exportStar(require("x"), exports) and
// __export(require("x")), and Babel's Object.keys(_x).forEach(…) over a
// `_x = require("x")`. Names assigned in any other way are not seen; they
// are still properties of the default export.
type CommonJS struct {
	// ModuleSyntax is true when the file has import or export statements
	// or uses import.meta: it is an ES module, and the rest is empty.
	ModuleSyntax bool
	// Exports are the names found, in source order, without duplicates,
	// without "default" and "__esModule".
	Exports []string
	// Reexports are the specifiers whose exports this module passes on,
	// as written in require().
	Reexports []string
	// ESModuleFlag is true when the module sets exports.__esModule (it is
	// transpiled ESM: its default export is exports.default).
	ESModuleFlag bool
}

// LexCommonJS reads the CommonJS exports of plain JavaScript. It never
// fails: text it cannot follow yields fewer names.
func LexCommonJS(src []byte) CommonJS {
	s := scratchPool.Get().(*scratch)
	s.toks, s.stack = lex(src, s.toks, s.stack)
	c := cjsLexer{extractor: extractor{code: src, toks: s.toks}}
	c.run()
	if cap(s.toks) <= maxPooledTokens {
		scratchPool.Put(s)
	}
	if c.out.ModuleSyntax {
		return CommonJS{ModuleSyntax: true}
	}
	return c.out
}

type cjsLexer struct {
	extractor
	out  CommonJS
	seen map[string]bool
	// required maps an identifier to the specifier it was assigned from
	// (`var _x = require("x")`), for Babel's re-export loop.
	required map[string]string
}

func (c *cjsLexer) run() {
	for i := 0; i < len(c.toks); i++ {
		if c.kind(i) != tokIdent {
			continue
		}
		word := string(c.text(i))
		if c.afterDot(i) && word != "__exportStar" {
			continue // a property, except tslib.__exportStar
		}
		switch word {
		case "import":
			// import x / import {…} / import "x" / import.meta: ESM;
			// import(…) is a dynamic import, allowed in CommonJS.
			if c.punct(i+1, "(") {
				continue
			}
			if c.punct(i+1, ".") && !c.word(i+2, "meta") {
				continue
			}
			if c.toks[i].depth == 0 || c.punct(i+1, ".") {
				c.out.ModuleSyntax = true
				return
			}
		case "export":
			if c.toks[i].depth == 0 && !c.punct(i+1, ":") && !c.punct(i+1, "=") && !c.punct(i+1, ".") {
				c.out.ModuleSyntax = true
				return
			}
		case "exports":
			c.exportsTarget(i+1, false)
		case "module":
			if c.punct(i+1, ".") && c.word(i+2, "exports") {
				c.exportsTarget(i+3, true)
			}
		case "Object":
			c.object(i)
		case "__exportStar", "__export":
			// __exportStar(require("x"), exports); __export(require("x")).
			if c.punct(i+1, "(") && c.word(i+2, "require") && c.punct(i+3, "(") && c.isLiteral(i+4) && c.punct(i+5, ")") {
				c.reexport(i + 4)
			}
		case "require":
			c.requireAssign(i)
		}
	}
}

// exportsTarget handles what follows `exports` or `module.exports` at j.
func (c *cjsLexer) exportsTarget(j int, module bool) {
	switch {
	case c.punct(j, ".") && c.kind(j+1) == tokIdent && c.punct(j+2, "="):
		c.add(string(c.text(j + 1)))
	case c.punct(j, "[") && c.isLiteral(j+1) && c.punct(j+2, "]") && c.punct(j+3, "="):
		if name, ok := literalValue(c.text(j + 1)); ok {
			c.add(name)
		}
	case module && c.punct(j, "="):
		c.moduleExports(j + 1)
	}
}

// moduleExports handles the value assigned to module.exports at j.
func (c *cjsLexer) moduleExports(j int) {
	switch {
	case c.word(j, "require") && c.punct(j+1, "(") && c.isLiteral(j+2) && c.punct(j+3, ")"):
		c.reexport(j + 2)
	case c.punct(j, "{"):
		c.objectLiteral(j)
	}
}

// objectLiteral reads `{ a, b: x, "c": y, ...require("d") }` at open; it
// stops at the first entry of another form (a getter, a computed key).
func (c *cjsLexer) objectLiteral(open int) {
	end := c.match(open)
	if end < 0 {
		return
	}
	for i := open + 1; i < end; {
		switch {
		case c.punct(i, "...") && c.word(i+1, "require") && c.punct(i+2, "(") && c.isLiteral(i+3) && c.punct(i+4, ")"):
			c.reexport(i + 3)
		case c.kind(i) == tokIdent && (c.punct(i+1, ",") || c.punct(i+1, ":") || i+1 == end):
			c.add(string(c.text(i)))
		case c.kind(i) == tokString && c.punct(i+1, ":"):
			if name, ok := literalValue(c.text(i)); ok {
				c.add(name)
			}
		default:
			return
		}
		i = c.skipExpr(i)
		if !c.punct(i, ",") {
			return
		}
		i++
	}
}

// object handles Object.defineProperty(exports, "name", …) and
// Object.keys(_x).forEach(…) at i ("Object").
func (c *cjsLexer) object(i int) {
	if !c.punct(i+1, ".") || !c.punct(i+3, "(") {
		return
	}
	switch {
	case c.word(i+2, "defineProperty"):
		j := i + 4
		switch {
		case c.word(j, "exports"):
			j++
		case c.word(j, "module") && c.punct(j+1, ".") && c.word(j+2, "exports"):
			j += 3
		default:
			return
		}
		if c.punct(j, ",") && c.isLiteral(j+1) && c.punct(j+2, ",") {
			if name, ok := literalValue(c.text(j + 1)); ok {
				c.add(name)
			}
		}
	case c.word(i+2, "keys"):
		// Object.keys(_x).forEach(function (key) { … exports[key] = … })
		if c.kind(i+4) == tokIdent && c.punct(i+5, ")") && c.punct(i+6, ".") && c.word(i+7, "forEach") {
			if spec, ok := c.required[string(c.text(i+4))]; ok {
				c.addReexport(spec)
			}
		}
	}
}

// requireAssign records `_x = require("x")` and
// `_x = _interopRequireWildcard(require("x"))` at i ("require").
func (c *cjsLexer) requireAssign(i int) {
	if !c.punct(i+1, "(") || !c.isLiteral(i+2) || !c.punct(i+3, ")") {
		return
	}
	j := i - 1
	if c.punct(j, "(") && c.kind(j-1) == tokIdent {
		j -= 2 // a wrapper call: _interopRequireWildcard(require("x"))
	}
	if !c.punct(j, "=") || c.kind(j-1) != tokIdent {
		return
	}
	spec, ok := literalValue(c.text(i + 2))
	if !ok {
		return
	}
	if c.required == nil {
		c.required = map[string]string{}
	}
	c.required[string(c.text(j-1))] = spec
}

func (c *cjsLexer) add(name string) {
	switch name {
	case "__esModule":
		c.out.ESModuleFlag = true
		return
	case "default":
		return
	}
	if c.seen == nil {
		c.seen = map[string]bool{}
	}
	if c.seen[name] {
		return
	}
	c.seen[name] = true
	c.out.Exports = append(c.out.Exports, name)
}

func (c *cjsLexer) reexport(lit int) {
	if spec, ok := literalValue(c.text(lit)); ok {
		c.addReexport(spec)
	}
}

func (c *cjsLexer) addReexport(spec string) {
	c.out.Reexports = appendUnique(c.out.Reexports, spec)
}
