package devserver

import (
	"bytes"
	"html"
	"net/http"

	"github.com/hmrd/hmrd/internal/scan/htmlscan"
	"github.com/hmrd/hmrd/internal/scan/jsscan"
)

// clientTag loads the runtime; it is the only markup the server adds (a
// page served at another URL, the fallback, names itself on it).
const clientTag = `<script type="module" src="` + ClientPath + `"></script>`

// serveHTML answers a page with the runtime injected.
func (s *Server) serveHTML(w http.ResponseWriter, r *http.Request, id string, data []byte) {
	s.writeBody(w, r, http.StatusOK, "text/html; charset=utf-8", s.transformHTML(r, id, data, false), "")
}

// transformHTML injects the client <script>, rewrites the import
// specifiers of inline module scripts like those of a JS module (the graph
// knows them as imports of the page) and the relative url()s of inline
// <style>s to root-absolute ones, and gives the inline module scripts
// that read import.meta.env their object (env.go). <script src> and <link href> are URLs the
// browser resolves itself and that the server answers as files; they are
// rewritten to root-absolute ones only when rebase is set: the page is
// served at another URL (the fallback for a client-side route).
//
// Inline scripts get no hot prelude: import.meta cannot be assigned a hot
// context per inline script under one ID, so import.meta.hot stays
// undefined there (code guarded by `if (import.meta.hot)` simply does not
// run) and their accept/decline literals are left as written.
func (s *Server) transformHTML(r *http.Request, id string, data []byte, rebase bool) []byte {
	res := htmlscan.Scan(data)
	type inline struct {
		start int
		res   *jsscan.Result
	}
	var scripts []inline
	var specs []string
	for _, sc := range res.Scripts {
		if !sc.Inline || sc.Code.Start < 0 || sc.Code.End > len(data) || sc.Code.Start > sc.Code.End {
			continue
		}
		jr, err := jsscan.ScanUnchecked(data[sc.Code.Start:sc.Code.End], jsscan.Options{Loader: jsscan.LoaderJS, Filename: id})
		if err != nil {
			continue
		}
		scripts = append(scripts, inline{sc.Code.Start, jr})
		for _, imp := range jr.Imports {
			specs = append(specs, imp.Specifier)
		}
	}
	_, targets, info := s.lookupModule(r.Context(), id, dedupe(specs))
	at := res.HeadInsert
	if at == 0 {
		at = afterDoctype(data)
	}
	tag := clientTag
	if rebase {
		// The page is not at its own URL: tell the runtime which page
		// it is, so that a reload of this page reaches it.
		tag = `<script type="module" src="` + ClientPath + `" data-hmrd-page="` + html.EscapeString(id) + `"></script>`
	}
	edits := []edit{{start: at, end: at, text: tag + s.refreshPreamble(r.Context(), info.Refresh)}}
	edits = append(edits, styleEdits(data, res, id)...)
	if rebase {
		edits = append(edits, rebaseEdits(data, res, id)...)
	}
	env := "" // read once per page, when a script reads import.meta.env
	for _, sc := range scripts {
		if usesEnv.Match(sc.res.Code) {
			if env == "" {
				env = s.envPrelude()
			}
			// Each inline module script has its own import.meta.
			edits = append(edits, edit{start: sc.start, end: sc.start, text: env})
		}
		for _, imp := range sc.res.Imports {
			t := targets[imp.Specifier]
			if t.ID == "" {
				continue
			}
			if e, ok := literalEdit(sc.res.Code, imp.Range, importURL(t)); ok {
				e.start += sc.start
				e.end += sc.start
				edits = append(edits, e)
			}
		}
	}
	return applyEdits(data, sortEdits(edits))
}

// afterDoctype is where the client goes in a page with no <head>, <html>
// or <script>: after a leading <!doctype …>, since anything before it
// would switch the page to quirks mode.
func afterDoctype(data []byte) int {
	d := bytes.TrimLeft(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), " \t\r\n\f")
	if len(d) < 9 || !bytes.EqualFold(d[:9], []byte("<!doctype")) {
		return 0
	}
	off := len(data) - len(d)
	if i := bytes.IndexByte(d, '>'); i >= 0 {
		return off + i + 1
	}
	return 0
}

func dedupe(s []string) []string {
	seen := make(map[string]bool, len(s))
	out := s[:0]
	for _, v := range s {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}
