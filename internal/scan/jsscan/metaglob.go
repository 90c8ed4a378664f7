package jsscan

import (
	"strconv"
	"strings"
)

// import.meta.glob calls.
//
// `import.meta.glob('./pages/*.js')` is Vite's way to import every file a
// pattern matches: the call becomes an object whose keys are the matched
// paths and whose values are `() => import(path)` (lazy, the default) or
// the modules themselves (`{ eager: true }`). The scanner reports each call
// whose arguments are static, as Vite requires: one pattern string or an
// array of them, then an optional object literal of options. The patterns
// are kept as written; CompileGlobPattern (globpattern.go) turns one into
// a matcher confined to the project root.

// MetaGlob is one import.meta.glob call.
type MetaGlob struct {
	// Patterns as written, in order; a negative pattern starts with "!".
	Patterns []string
	// Eager: the matches are imported statically (`eager: true`).
	Eager bool
	// Import names the export each match contributes ("default", a named
	// export), or "" for the whole module namespace.
	Import string
	// Query is appended to each import specifier: "" or text starting
	// with "?" ("?raw", "?foo=bar").
	Query string
	// Base is the directory keys are made relative to ("" for the
	// importer's directory, or root-relative paths when a pattern starts
	// with "/").
	Base string
	// Exhaustive: node_modules and dot-files are searched too.
	Exhaustive bool
	// Range covers the whole call, from `import` to its ")", in
	// Result.Code.
	Range Range
}

// Signature identifies the call by everything that decides its matches
// and output, so that two scans of the same source (the graph's and a
// dev server's) can pair their calls.
func (g MetaGlob) Signature() string {
	var b strings.Builder
	for _, p := range g.Patterns {
		b.WriteString(strconv.Quote(p))
		b.WriteByte(',')
	}
	b.WriteString("eager=" + strconv.FormatBool(g.Eager))
	b.WriteString(" import=" + strconv.Quote(g.Import))
	b.WriteString(" query=" + strconv.Quote(g.Query))
	b.WriteString(" base=" + strconv.Quote(g.Base))
	b.WriteString(" exhaustive=" + strconv.FormatBool(g.Exhaustive))
	return b.String()
}

// metaGlob handles `import.meta.glob(` with the "(" at token open and the
// `import` at token start. A call with arguments that are not static is
// reported and left out, as Vite refuses it.
func (e *extractor) metaGlob(start, open int) {
	m := e.match(open)
	if m < 0 {
		return
	}
	g, msg := e.metaGlobArgs(open+1, m)
	if msg != "" {
		e.diag(int(e.toks[start].start), "import.meta.glob(): "+msg)
		return
	}
	g.Range = Range{Start: int(e.toks[start].start), End: int(e.toks[m].end)}
	e.res.MetaGlobs = append(e.res.MetaGlobs, g)
}

// metaGlobArgs reads the arguments in tokens [a, m): the patterns, then an
// optional options object. msg says why they are not static.
func (e *extractor) metaGlobArgs(a, m int) (g MetaGlob, msg string) {
	switch {
	case e.isLiteral(a):
		v, ok := literalValue(e.text(a))
		if !ok {
			return g, "the pattern is not a string literal"
		}
		g.Patterns = []string{v}
		a++
	case e.punct(a, "["):
		close := e.match(a)
		if close < 0 || close > m {
			return g, "the patterns must be string literals"
		}
		for k := a + 1; k < close; k++ {
			if e.punct(k, ",") {
				continue
			}
			v, ok := literalValue(e.text(k))
			if !e.isLiteral(k) || !ok || !(k+1 == close || e.punct(k+1, ",")) {
				return g, "the patterns must be string literals"
			}
			g.Patterns = append(g.Patterns, v)
		}
		a = close + 1
	default:
		return g, "the pattern must be a string literal or an array of them"
	}
	if len(g.Patterns) == 0 {
		return g, "no pattern"
	}
	if e.punct(a, ",") {
		a++
	}
	if a == m {
		return g, ""
	}
	if !e.punct(a, "{") || e.match(a) < 0 {
		return g, "the options must be an object literal"
	}
	close := e.match(a)
	if msg := e.metaGlobOptions(&g, a+1, close); msg != "" {
		return g, msg
	}
	a = close + 1
	if e.punct(a, ",") {
		a++
	}
	if a != m {
		return g, "too many arguments"
	}
	return g, ""
}

// metaGlobOptions reads `key: literal, …` in tokens [a, close).
func (e *extractor) metaGlobOptions(g *MetaGlob, a, close int) string {
	for k := a; k < close; {
		if e.punct(k, ",") {
			k++
			continue
		}
		key, ok := e.name(k)
		if !ok || !e.punct(k+1, ":") {
			return "the options must be static `key: value` pairs"
		}
		v := k + 2
		next := v + 1
		switch key {
		case "eager", "exhaustive":
			b, ok := e.boolean(v)
			if !ok {
				return "option " + key + " must be true or false"
			}
			if key == "eager" {
				g.Eager = b
			} else {
				g.Exhaustive = b
			}
		case "import", "base", "as":
			s, ok := e.stringAt(v)
			if !ok {
				return "option " + key + " must be a string literal"
			}
			switch key {
			case "import":
				g.Import = s
			case "base":
				g.Base = s
			default:
				// The form Vite deprecated for query: as: 'raw'.
				if g.Query == "" && s != "" {
					g.Query = "?" + s
				}
			}
		case "query":
			q, end, msg := e.queryOption(v)
			if msg != "" {
				return msg
			}
			g.Query, next = q, end
		default:
			return "unknown option " + strconv.Quote(key)
		}
		if next != close && !e.punct(next, ",") {
			return "option " + key + " must be a literal"
		}
		k = next
	}
	return ""
}

// queryOption reads the value of `query:` at token v: a string ("?raw",
// "raw") or an object of literal values ({ foo: 'bar', n: 1 }), written
// as a query string in order. It returns the token after the value.
func (e *extractor) queryOption(v int) (q string, end int, msg string) {
	if s, ok := e.stringAt(v); ok {
		if s != "" && !strings.HasPrefix(s, "?") {
			s = "?" + s
		}
		return s, v + 1, ""
	}
	if !e.punct(v, "{") || e.match(v) < 0 {
		return "", 0, "option query must be a string or an object literal"
	}
	close := e.match(v)
	var parts []string
	for k := v + 1; k < close; {
		if e.punct(k, ",") {
			k++
			continue
		}
		key, ok := e.name(k)
		if !ok || !e.punct(k+1, ":") || !(k+3 == close || e.punct(k+3, ",")) {
			return "", 0, "option query must hold static `key: value` pairs"
		}
		var val string
		switch {
		case e.kind(k+2) == tokNumber:
			val = string(e.text(k + 2))
		default:
			if b, ok := e.boolean(k + 2); ok {
				val = strconv.FormatBool(b)
			} else if val, ok = e.stringAt(k + 2); !ok {
				return "", 0, "option query must hold static `key: value` pairs"
			}
		}
		parts = append(parts, queryEscape(key)+"="+queryEscape(val))
		k += 3
	}
	if len(parts) == 0 {
		return "", close + 1, ""
	}
	return "?" + strings.Join(parts, "&"), close + 1, ""
}

// queryEscape escapes s as URLSearchParams writes a name or value, which
// is how Vite stringifies an object query.
func queryEscape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '*', c == '-', c == '.', c == '_':
			b.WriteByte(c)
		case c == ' ':
			b.WriteByte('+')
		default:
			b.WriteString("%" + strings.ToUpper(strconv.FormatUint(uint64(c)>>4, 16)+strconv.FormatUint(uint64(c)&15, 16)))
		}
	}
	return b.String()
}

// boolean reads `true` or `false`.
func (e *extractor) boolean(i int) (bool, bool) {
	switch {
	case e.word(i, "true"):
		return true, true
	case e.word(i, "false"):
		return false, true
	}
	return false, false
}

// stringAt reads a string literal (or substitution-free template) at i.
func (e *extractor) stringAt(i int) (string, bool) {
	if !e.isLiteral(i) {
		return "", false
	}
	return literalValue(e.text(i))
}
