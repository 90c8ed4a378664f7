// Package urlref holds URL rules shared by the CSS and HTML scanners, so
// that both agree on which references can name a project file.
package urlref

import "strings"

// IsLocal reports whether a URL can name a file of the project: anything
// with a scheme (data:, http:, blob:, about:, …), a protocol-relative
// //host URL, an empty URL or a #fragment of the document itself cannot.
func IsLocal(u string) bool {
	if u == "" || u[0] == '#' || strings.HasPrefix(u, "//") {
		return false
	}
	for i := 0; i < len(u); i++ {
		c := u[i]
		switch {
		case c == ':':
			return i == 0
		case 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z':
		case i > 0 && ('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.'):
		default:
			return true
		}
	}
	return true
}
