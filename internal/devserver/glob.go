package devserver

import (
	"bytes"
	"strconv"
	"strings"

	"github.com/hmrd/hmrd/internal/engine"
	"github.com/hmrd/hmrd/internal/scan/jsscan"
)

// import.meta.glob is rewritten as Vite rewrites it: the call becomes an
// object of the matched files, keyed as Vite keys them, whose values are
// `() => import(url)` (lazy) or the modules imported statically on the
// first line (eager). The matches come from the graph (engine.GlobCall),
// which holds them as the importer's edges, so what the page imports is
// what propagation reasons about; the URLs carry ?t=<version> like every
// rewritten import.

// globEdits returns the edits that replace each call in code with its
// expansion, and the static imports eager calls need, inserted at `at`
// (the prelude's offset: first line, no newline, so the source map keeps
// its lines). A call the graph does not know (the module is not in it, or
// changed between the two scans) becomes an expression that throws and
// says so; after a change, the update it brings replaces it.
func globEdits(code []byte, calls []jsscan.MetaGlob, expanded []engine.GlobCall, at int) []edit {
	var edits []edit
	var prelude strings.Builder
	used := make([]bool, len(expanded))
	for i, call := range calls {
		sig := call.Signature()
		k := -1
		for j := range expanded {
			if !used[j] && expanded[j].Signature == sig {
				k = j
				break
			}
		}
		var text string
		switch {
		case k < 0:
			text = throwExpr("hmrd: import.meta.glob(" + strconv.Quote(strings.Join(call.Patterns, ", ")) +
				") has no matches in the module graph: the module is not imported from a page or entry, or changed since (save it again)")
		case expanded[k].Err != "":
			used[k] = true
			text = throwExpr(expanded[k].Err)
		default:
			used[k] = true
			text = globObject(i, call, expanded[k].Matches, &prelude)
		}
		edits = append(edits, spanEdits(code, call.Range, text)...)
	}
	if prelude.Len() > 0 {
		edits = append(edits, edit{start: at, end: at, text: prelude.String()})
	}
	return edits
}

// globObject writes the expansion of call number i; eager imports go to
// prelude.
func globObject(i int, call jsscan.MetaGlob, matches []engine.GlobMatch, prelude *strings.Builder) string {
	var b strings.Builder
	b.WriteString("Object.assign({")
	for j, m := range matches {
		if j > 0 {
			b.WriteString(", ")
		}
		u := globURL(m)
		b.WriteString(quoteJS('"', m.Key) + ": ")
		if call.Eager {
			local := "__hmrd_glob_" + strconv.Itoa(i) + "_" + strconv.Itoa(j)
			if call.Import == "" {
				prelude.WriteString("import * as " + local)
			} else {
				prelude.WriteString("import { " + exportName(call.Import) + " as " + local + " }")
			}
			prelude.WriteString(" from " + quoteJS('"', u) + "; ")
			b.WriteString(local)
			continue
		}
		b.WriteString("() => import(" + quoteJS('"', u) + ")")
		if call.Import != "" {
			b.WriteString(".then((m) => m[" + quoteJS('"', call.Import) + "])")
		}
	}
	b.WriteString("})")
	return b.String()
}

// globURL is the URL a match is imported from: the target's module URL
// (importURL's rules) with the call's query before the version, or the
// specifier as written when the graph could not resolve it.
func globURL(m engine.GlobMatch) string {
	q := ""
	if i := strings.IndexByte(m.Spec, '?'); i >= 0 {
		q = m.Spec[i+1:]
	}
	t := m.Target
	if t.ID == "" {
		return m.Spec
	}
	var parts []string
	if t.Kind != "js" && t.Kind != "external" && t.Kind != "" {
		parts = append(parts, "import")
	}
	if q != "" {
		parts = append(parts, q)
	}
	if t.Version != 0 {
		parts = append(parts, "t="+strconv.FormatInt(t.Version, 10))
	}
	u := escapeURLPath(t.ID)
	if len(parts) == 0 {
		return u
	}
	return u + "?" + strings.Join(parts, "&")
}

// exportName writes an import option as an import specifier's name: an
// identifier as is, anything else as a string literal (ES2022).
func exportName(name string) string {
	for i, c := range name {
		if !(c == '_' || c == '$' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || i > 0 && '0' <= c && c <= '9') {
			return quoteJS('"', name)
		}
	}
	if name == "" {
		return `""`
	}
	return name
}

// throwExpr is an expression that throws msg when it runs, so the page
// shows why a call has no matches where it is used.
func throwExpr(msg string) string {
	return "(() => { throw new Error(" + quoteJS('"', msg) + ") })()"
}

// spanEdits replaces code[rg] with text without adding or removing a
// line: text goes where the range starts, and the rest of the range is
// cleared line by line with its "\n"s kept (the source map counts on
// every edit staying within one line; a line break inside a call is
// white space, so the expression reads the same).
func spanEdits(code []byte, rg jsscan.Range, text string) []edit {
	if rg.Start < 0 || rg.End > len(code) || rg.Start >= rg.End {
		return nil
	}
	var out []edit
	start := rg.Start
	first := true
	for start <= rg.End {
		end := rg.End
		if nl := bytes.IndexByte(code[start:rg.End], '\n'); nl >= 0 {
			end = start + nl
		}
		e := edit{start: start, end: end}
		if first {
			e.text = text
			first = false
		}
		if e.start != e.end || e.text != "" {
			out = append(out, e)
		}
		if end == rg.End {
			break
		}
		start = end + 1 // keep the "\n": the lines stay where they were
	}
	return out
}
