package devserver

import (
	"net/http"
	"strings"
)

// requestPath is the path as the client sent it, still encoded, without
// the query: the request line itself, so that nothing decoded or
// re-encoded it first. Absolute-form requests ("GET http://host/x") use the
// parsed URL's escaped path (their Host was checked above).
func requestPath(r *http.Request) string {
	uri := r.RequestURI
	if !strings.HasPrefix(uri, "/") {
		uri = r.URL.EscapedPath()
		if strings.Contains(r.RequestURI, "#") {
			return "#" // refused by cleanPath
		}
	}
	if i := strings.IndexByte(uri, '?'); i >= 0 {
		uri = uri[:i]
	}
	return uri
}

// hasImportQuery reports whether the query asks for the module form of a
// non-JS file (?import, as Vite). It and Vite's query suffixes (query.go)
// are the only query parameters that change a response, and they only
// change the representation of a file that passed confinement: no query
// changes which file is read. "?" and
// "&" both separate parameters so "?t=1??import" means what it looks like.
func hasImportQuery(q string) bool {
	for p := range strings.FieldsFuncSeq(q, func(r rune) bool { return r == '&' || r == '?' }) {
		if p == "import" || strings.HasPrefix(p, "import=") {
			return true
		}
	}
	return false
}
