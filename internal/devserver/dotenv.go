package devserver

import (
	"strings"
)

// A .env file is untrusted input (a checkout can hold anything), so the
// parser is a small hand-written scanner, linear in the input, that never
// fails: what it cannot read as an assignment it skips, as dotenv does.

// maxEnvFileSize bounds what is read of one .env file.
const maxEnvFileSize = 1 << 20

// envVar is one assignment of a .env file.
type envVar struct {
	key, value string
	// literal: the value was single-quoted, so it is not expanded
	// ($NAME stays as written), as dotenv-expand leaves such values.
	literal bool
}

// parseDotenv reads assignments as the dotenv package does (the parser
// Vite uses): one KEY=VALUE per line, an optional "export " before the
// key, "#" comments; a value may be single-, double- or back-quoted (then
// it may span lines; in double quotes \n and \r are a newline and a
// carriage return); an unquoted value ends at "#" and is trimmed. Keys are
// letters, digits, "_", "." and "-". A later assignment of a key wins.
func parseDotenv(src string) []envVar {
	src = strings.ReplaceAll(src, "\r\n", "\n")
	src = strings.ReplaceAll(src, "\r", "\n")
	var out []envVar
	for i := 0; i < len(src); {
		v, next, ok := parseAssignment(src, i)
		if ok {
			out = append(out, v)
		}
		if next <= i {
			next = i + 1 // always advance: the scan stays linear
		}
		i = next
	}
	return out
}

// parseAssignment reads the line starting at i; next is where the
// following line starts (after a multi-line quoted value, after its
// closing line).
func parseAssignment(src string, i int) (v envVar, next int, ok bool) {
	end := lineEnd(src, i)
	j := skipSpace(src, i, end)
	if rest := src[j:end]; strings.HasPrefix(rest, "export") && len(rest) > 6 && (rest[6] == ' ' || rest[6] == '\t') {
		j = skipSpace(src, j+6, end)
	}
	k := j
	for k < end && isEnvKeyByte(src[k]) {
		k++
	}
	if k == j {
		return envVar{}, end + 1, false
	}
	key := src[j:k]
	k = skipSpace(src, k, end)
	switch {
	case k < end && src[k] == '=':
		k++
	case k+1 < end && src[k] == ':' && (src[k+1] == ' ' || src[k+1] == '\t'):
		k += 2
	default:
		return envVar{}, end + 1, false
	}
	k = skipSpace(src, k, end)
	if k < len(src) && (src[k] == '\'' || src[k] == '"' || src[k] == '`') {
		if val, after, ok := quotedValue(src, k); ok {
			return envVar{key: key, value: val, literal: src[k] == '\''}, lineEnd(src, after) + 1, true
		}
	}
	val := src[k:end]
	if h := strings.IndexByte(val, '#'); h >= 0 {
		val = val[:h]
	}
	return envVar{key: key, value: strings.TrimSpace(val)}, end + 1, true
}

// quotedValue reads the value quoted at src[i]: up to the next unescaped
// matching quote, which must be followed on its line only by spaces and a
// comment (otherwise dotenv takes the value as unquoted text).
func quotedValue(src string, i int) (val string, after int, ok bool) {
	q := src[i]
	for k := i + 1; k < len(src); k++ {
		switch src[k] {
		case '\\':
			k++ // \q does not close the value
		case q:
			rest := skipSpace(src, k+1, lineEnd(src, k+1))
			if rest < len(src) && src[rest] != '\n' && src[rest] != '#' {
				return "", 0, false
			}
			val = src[i+1 : k]
			if q == '"' {
				val = strings.NewReplacer(`\n`, "\n", `\r`, "\r").Replace(val)
			}
			return val, k + 1, true
		}
	}
	return "", 0, false
}

func lineEnd(src string, i int) int {
	if i >= len(src) {
		return len(src)
	}
	if n := strings.IndexByte(src[i:], '\n'); n >= 0 {
		return i + n
	}
	return len(src)
}

func skipSpace(src string, i, end int) int {
	for i < end && (src[i] == ' ' || src[i] == '\t') {
		i++
	}
	return i
}

func isEnvKeyByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-'
}

// maxExpandDepth bounds how deep references are followed ($A naming $B
// naming …), which also ends reference cycles.
const maxExpandDepth = 8

// maxExpanded bounds an expanded value, and maxReferences the references
// followed to expand one, so that a few lines of references to references
// can grow neither into gigabytes nor into years of work.
const (
	maxExpanded   = 64 << 10
	maxReferences = 4096
)

// envExpander expands references in values as dotenv-expand does: $NAME
// and ${NAME} take the named variable (from vars, else lookup; empty when
// neither has it), ${NAME:-default} and ${NAME-default} a default when it
// is unset or empty, and \$ is a literal "$".
type envExpander struct {
	vars   map[string]envVar
	lookup func(string) (string, bool)
	budget int // references left to follow
}

func (x *envExpander) expand(value string) string {
	x.budget = maxReferences
	return x.expandAt(value, 0)
}

func (x *envExpander) expandAt(value string, depth int) string {
	if !strings.Contains(value, "$") {
		return value
	}
	var b strings.Builder
	for i := 0; i < len(value); {
		c := value[i]
		switch {
		case c == '\\' && i+1 < len(value) && value[i+1] == '$':
			b.WriteByte('$')
			i += 2
			continue
		case c != '$':
			b.WriteByte(c)
			i++
			continue
		}
		name, def, dflt, n := envReference(value[i:])
		if n == 0 {
			b.WriteByte('$')
			i++
			continue
		}
		i += n
		if x.budget--; x.budget < 0 {
			continue // out of budget: the reference reads empty
		}
		val, ok := "", false
		if v, found := x.vars[name]; found {
			val, ok = v.value, true
			switch {
			case v.literal:
			case depth < maxExpandDepth:
				val = x.expandAt(val, depth+1)
			default:
				val = "" // too deep, or a cycle
			}
		} else if x.lookup != nil {
			val, ok = x.lookup(name)
		}
		if (dflt == unsetOrEmpty && (!ok || val == "") || dflt == unset && !ok) && depth < maxExpandDepth {
			val = x.expandAt(def, depth+1)
		}
		b.WriteString(val)
		if b.Len() > maxExpanded {
			return b.String()[:maxExpanded]
		}
	}
	return b.String()
}

// defaultWhen is when a reference takes its default.
type defaultWhen uint8

const (
	noDefault    defaultWhen = iota
	unsetOrEmpty             // ${NAME:-default}
	unset                    // ${NAME-default}
)

// envReference reads the reference at s[0] == '$': its name, default, and
// length (0 when it is not one).
func envReference(s string) (name, def string, dflt defaultWhen, n int) {
	if len(s) < 2 {
		return "", "", noDefault, 0
	}
	if s[1] != '{' {
		k := 1
		for k < len(s) && (isEnvKeyByte(s[k]) && s[k] != '.' && s[k] != '-') {
			k++
		}
		if k == 1 {
			return "", "", noDefault, 0
		}
		return s[1:k], "", noDefault, k
	}
	end := strings.IndexByte(s, '}')
	if end < 0 {
		return "", "", noDefault, 0
	}
	body := s[2:end]
	if i := strings.Index(body, ":-"); i >= 0 {
		return body[:i], body[i+2:], unsetOrEmpty, end + 1
	}
	if i := strings.IndexByte(body, '-'); i >= 0 {
		return body[:i], body[i+1:], unset, end + 1
	}
	return body, "", noDefault, end + 1
}
