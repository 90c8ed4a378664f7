package jsscan

import (
	"errors"
	"path"
	"regexp"
	"strings"
)

// Patterns of import.meta.glob.
//
// A pattern is untrusted input: any module of the project (or of a package
// it installs) can write one, and the files it matches are read and served.
// So a pattern is confined to the project root: "/…" is root-relative as
// in Vite (never an absolute file-system path), "./…" and "../…" are
// relative to the importer and must stay inside the root once cleaned, and
// no ".." may follow a wildcard (its meaning would depend on what exists).
//
// The syntax is the part of picomatch's that Vite users write: "*" (any
// text within a segment), "**" as a whole segment (any number of
// directories), "?" (one character), "[abc]" / "[!a-z]" (a character
// class), "{a,b}" (alternatives, nested). Extglobs ("!(x)", "@(x)") and
// backslash escapes are refused rather than misread. A pattern starting
// with "**" searches the whole root.

// GlobPattern is one compiled pattern of an import.meta.glob call.
type GlobPattern struct {
	// Negative: a match excludes a file ("!" in front).
	Negative bool
	// Dir is the absolute directory every match lies in or below: the
	// pattern's text up to the last "/" before its first wildcard.
	Dir string
	// Recursive: matches may lie in Dir's subdirectories.
	Recursive bool
	// dotOK: the wildcard part spells a dot-segment itself, which picomatch
	// lets match even when dot-files are otherwise left out.
	dotOK bool
	// dirRel is Dir relative to the root ("" for the root itself).
	dirRel string
	// re matches the path below Dir.
	re *regexp.Regexp
}

// Limits on one pattern: long enough for any real pattern, short enough
// that its expression stays small.
const (
	maxGlobPatternLen = 1024
	maxBraceNest      = 16
)

// ErrGlobSyntax wraps every error CompileGlobPattern returns.
var ErrGlobSyntax = errors.New("invalid import.meta.glob pattern")

func globErr(pattern, why string) error {
	return errors.Join(ErrGlobSyntax, errors.New(pattern+": "+why))
}

// CompileGlobPattern compiles pattern for a module whose relative patterns
// start in dir (the importer's directory, or the call's base), in the
// project whose root is root. dir and root are absolute, clean, slash
// paths, dir inside root.
func CompileGlobPattern(pattern, dir, root string) (GlobPattern, error) {
	var g GlobPattern
	src := pattern
	if len(src) > maxGlobPatternLen {
		return g, globErr(pattern[:64]+"…", "longer than 1024 bytes")
	}
	if strings.ContainsAny(src, "\x00\\") {
		return g, globErr(pattern, "NUL bytes and backslashes are not allowed")
	}
	if rest, ok := strings.CutPrefix(src, "!"); ok {
		g.Negative, src = true, rest
	}
	var full string
	switch {
	case strings.HasPrefix(src, "/"):
		full = root + src
	case strings.HasPrefix(src, "./"), strings.HasPrefix(src, "../"):
		full = dir + "/" + src
	case strings.HasPrefix(src, "**"):
		full = root + "/" + src
	default:
		return g, globErr(pattern, "must start with './', '../', '/' or '**' (aliases are not supported)")
	}
	wild := strings.IndexAny(full, "*?[{")
	if wild < 0 {
		wild = len(full)
	}
	cut := strings.LastIndexByte(full[:wild], '/')
	static, rest := full[:cut], full[cut+1:]
	if rest == "" {
		return g, globErr(pattern, "names a directory, not files")
	}
	g.Dir = path.Clean("/" + static)
	if g.Dir != root && !strings.HasPrefix(g.Dir, strings.TrimSuffix(root, "/")+"/") {
		return g, globErr(pattern, "reaches outside the project root")
	}
	g.dirRel = strings.TrimPrefix(strings.TrimPrefix(g.Dir, root), "/")
	for _, seg := range strings.Split(rest, "/") {
		if seg == ".." || seg == "." || seg == "" {
			return g, globErr(pattern, "'.', '..' or an empty segment after a wildcard")
		}
	}
	expr, err := globExpr(rest)
	if err != nil {
		return g, globErr(pattern, err.Error())
	}
	re, err := regexp.Compile("^" + expr + "$")
	if err != nil {
		return g, globErr(pattern, "not a valid pattern")
	}
	g.re = re
	g.Recursive = strings.Contains(rest, "/") || strings.Contains(rest, "**")
	g.dotOK = strings.HasPrefix(rest, ".") || strings.Contains(rest, "/.") ||
		strings.Contains(rest, "{.") || strings.Contains(rest, ",.")
	return g, nil
}

// Match reports whether the absolute path file matches the pattern (for a
// negative pattern: whether it excludes file). Unless exhaustive, paths
// through node_modules and dot-segments the pattern does not spell are
// left out, as Vite leaves them out by default.
func (g *GlobPattern) Match(file string, exhaustive bool) bool {
	if g.re == nil {
		return false
	}
	below, ok := strings.CutPrefix(file, g.Dir+"/")
	if g.Dir == "/" {
		below, ok = strings.CutPrefix(file, "/")
	}
	if !ok || below == "" || !g.Recursive && strings.Contains(below, "/") {
		return false
	}
	if !exhaustive {
		if hasSegment(g.dirRel, "node_modules") || hasSegment(below, "node_modules") {
			return false
		}
		if !g.dotOK && (strings.HasPrefix(below, ".") || strings.Contains(below, "/.")) {
			return false
		}
	}
	return g.re.MatchString(below)
}

// SpellsDot reports whether the wildcard part of the pattern names a
// dot-segment itself ("./**/.well-known/*"), which then matches even when
// dot-files are otherwise left out.
func (g *GlobPattern) SpellsDot() bool { return g.dotOK }

func hasSegment(p, seg string) bool {
	return p == seg || strings.HasPrefix(p, seg+"/") || strings.HasSuffix(p, "/"+seg) || strings.Contains(p, "/"+seg+"/")
}

// globExpr translates the wildcard part of a pattern into a regular
// expression over the path below the pattern's directory.
func globExpr(s string) (string, error) {
	gp := globParser{s: s}
	expr, err := gp.seq(0)
	if err != nil {
		return "", err
	}
	if gp.i != len(s) {
		return "", errors.New("unbalanced '}'")
	}
	return expr, nil
}

type globParser struct {
	s string
	i int
}

// seq translates text up to the end, or, inside braces (nest > 0), up to
// the "," or "}" ending one alternative.
func (p *globParser) seq(nest int) (string, error) {
	var b strings.Builder
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case nest > 0 && (c == ',' || c == '}'):
			return b.String(), nil
		case (c == '!' || c == '@' || c == '+' || c == '*' || c == '?') && p.i+1 < len(p.s) && p.s[p.i+1] == '(':
			return "", errors.New("extglobs such as !(x) are not supported")
		case c == '*':
			j := p.i
			for j < len(p.s) && p.s[j] == '*' {
				j++
			}
			segStart := p.i == 0 || p.s[p.i-1] == '/'
			switch {
			case j-p.i >= 2 && segStart && j < len(p.s) && p.s[j] == '/':
				b.WriteString("(?:[^/]*/)*")
				j++
			case j-p.i >= 2 && segStart && j == len(p.s):
				b.WriteString(".*")
			default:
				b.WriteString("[^/]*")
			}
			p.i = j
		case c == '?':
			b.WriteString("[^/]")
			p.i++
		case c == '[':
			b.WriteString(p.class())
		case c == '{':
			if nest >= maxBraceNest {
				return "", errors.New("braces nested too deep")
			}
			p.i++
			var alts []string
			for {
				alt, err := p.seq(nest + 1)
				if err != nil {
					return "", err
				}
				alts = append(alts, alt)
				if p.i >= len(p.s) {
					return "", errors.New("unclosed '{'")
				}
				p.i++
				if p.s[p.i-1] == '}' {
					break
				}
			}
			b.WriteString("(?:" + strings.Join(alts, "|") + ")")
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
			p.i++
		}
	}
	if nest > 0 {
		return "", errors.New("unclosed '{'")
	}
	return b.String(), nil
}

// class translates the character class at p.i ("[a-z]", "[!._]"); an
// unclosed "[" is a literal. A class never matches "/".
func (p *globParser) class() string {
	j := p.i + 1
	neg := j < len(p.s) && (p.s[j] == '!' || p.s[j] == '^')
	if neg {
		j++
	}
	start := j
	if j < len(p.s) && p.s[j] == ']' {
		j++ // a leading "]" is a member
	}
	for j < len(p.s) && p.s[j] != ']' && p.s[j] != '/' {
		j++
	}
	if j >= len(p.s) || p.s[j] != ']' {
		p.i++
		return `\[`
	}
	var b strings.Builder
	b.WriteByte('[')
	if neg {
		b.WriteString("^/")
	}
	for _, r := range p.s[start:j] {
		switch r {
		case '[', ']', '\\', '^':
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	b.WriteByte(']')
	p.i = j + 1
	return b.String()
}
