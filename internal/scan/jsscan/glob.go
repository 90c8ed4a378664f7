package jsscan

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// Glob imports.
//
// `import(`./locales/${lang}.js`)` names no one module, but every module it
// can load lies below ./locales. esbuild (when bundling) and Vite (its
// dynamic-import-vars plugin) both turn such an import into a glob over the
// files that exist and bundle or watch all of them; hmrd does the same, with
// esbuild's rules (handleGlobPattern and ResolveGlob in its sources):
//
//   - The specifier is a template literal or a chain of `+` whose leftmost
//     operand is a string, and the text before the first substitution
//     starts with "./" or "../". Other specifiers (`import(url)`,
//     `import(`${base}/x.js`)`) cannot be analysed.
//   - Each substitution (or non-string operand) is a wildcard; adjacent
//     wildcards are one. A wildcard matches any text within one path
//     segment (`./x${a}.js` is ./x*.js), except that one right after a "/"
//     also matches any number of directories (`./locales/${a}.js` is
//     ./locales/**/*.js): the value may itself contain slashes.
//   - String constants inside a substitution count as text (`${'en'}`).
//
// Vite's plugin differs: its wildcard never crosses a "/", it requires a
// file extension, and it leaves string concatenation alone.
// docs/design.md records which rules hmrd follows and why.

// GlobWildcard is what follows a GlobPart's prefix.
type GlobWildcard uint8

const (
	// GlobNone: nothing follows; only the last part may have it.
	GlobNone GlobWildcard = iota
	// GlobSegment matches any text without a "/" ("*").
	GlobSegment
	// GlobDirs matches zero or more whole directories ("**"); the next
	// part starts with the "/" that ends them.
	GlobDirs
)

// GlobPart is literal text followed by a wildcard.
type GlobPart struct {
	Prefix   string
	Wildcard GlobWildcard
}

// Glob is an import whose specifier is a pattern over the files that exist.
type Glob struct {
	// Parts spell the pattern: the first part's prefix starts with "./"
	// or "../", and a pattern without a wildcard is a single path.
	Parts []GlobPart
	// Kind is ImportDynamic for import(), ImportURL for new URL().
	Kind ImportKind
	// Range covers the specifier expression in Result.Code.
	Range Range
}

// String writes the pattern as esbuild's metafile names it:
// "./locales/**/*.js".
func (g Glob) String() string {
	var b strings.Builder
	for _, p := range g.Parts {
		b.WriteString(p.Prefix)
		switch p.Wildcard {
		case GlobSegment:
			b.WriteByte('*')
		case GlobDirs:
			b.WriteString("**")
		}
	}
	return b.String()
}

// Dir is the pattern's directory: its text up to the last "/" before the
// first wildcard ("./locales/"). Every match lies in it or below it.
func (g Glob) Dir() string {
	if len(g.Parts) == 0 {
		return ""
	}
	first := g.Parts[0].Prefix
	return first[:strings.LastIndexByte(first, '/')+1]
}

// Recursive reports whether matches may lie below Dir's subdirectories.
func (g Glob) Recursive() bool {
	for _, p := range g.Parts {
		if p.Wildcard == GlobDirs {
			return true
		}
	}
	return false
}

// Regexp returns the expression a path must match, written as Dir followed
// by the path below it ("./locales/en.js"). It is the expression esbuild
// builds for the same pattern.
func (g Glob) Regexp() *regexp.Regexp {
	var b strings.Builder
	b.WriteByte('^')
	afterDirs := false
	for _, p := range g.Parts {
		prefix := p.Prefix
		if afterDirs {
			prefix = strings.TrimPrefix(prefix, "/")
		}
		b.WriteString(regexp.QuoteMeta(validUTF8(prefix)))
		afterDirs = false
		switch p.Wildcard {
		case GlobDirs:
			b.WriteString("(?:[^/]*(?:/|$))*")
			afterDirs = true
		case GlobSegment:
			b.WriteString("[^/]*")
		}
	}
	b.WriteByte('$')
	return regexp.MustCompile(b.String())
}

// validUTF8 replaces each invalid byte of s with U+FFFD, which is how the
// regexp package reads such a byte in the path it matches.
func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		b.WriteRune(r) // RuneError for an invalid byte, with size 1
		i += size
	}
	return b.String()
}

// globPiece is one piece of a computed specifier: text, or a wildcard.
type globPiece struct {
	text string
	wild bool
}

// globFromPieces turns the pieces of a specifier into a Glob's parts as
// esbuild's handleGlobPattern does. ok is false unless the pattern starts
// with "./" or "../".
func globFromPieces(pieces []globPiece) ([]GlobPart, bool) {
	var parts []GlobPart
	var last GlobPart
	for _, pc := range pieces {
		switch {
		case pc.wild:
			if last.Wildcard != GlobNone {
				continue // adjacent wildcards are one
			}
			if !strings.HasSuffix(last.Prefix, "/") {
				last.Wildcard = GlobSegment
				continue
			}
			// A wildcard after "/" may hold slashes: "a/**/*".
			last.Wildcard = GlobDirs
			parts = append(parts, last)
			last = GlobPart{Prefix: "/", Wildcard: GlobSegment}
		case pc.text != "":
			if last.Wildcard != GlobNone {
				parts = append(parts, last)
				last = GlobPart{}
			}
			last.Prefix += pc.text
		}
	}
	parts = append(parts, last)
	first := parts[0].Prefix
	if !strings.HasPrefix(first, "./") && !strings.HasPrefix(first, "../") {
		return nil, false
	}
	return parts, true
}

// hasViteIgnore reports whether text holds a /* @vite-ignore */ comment,
// with Vite's rule (any white space inside the comment delimiters).
func hasViteIgnore(text []byte) bool {
	s := string(text)
	for {
		i := strings.Index(s, "@vite-ignore")
		if i < 0 {
			return false
		}
		before := strings.TrimRight(s[:i], " \t\r\n\f\v")
		after := strings.TrimLeft(s[i+len("@vite-ignore"):], " \t\r\n\f\v")
		if strings.HasSuffix(before, "/*") && strings.HasPrefix(after, "*/") {
			return true
		}
		s = s[i+len("@vite-ignore"):]
	}
}
