package devserver

import (
	"errors"
	"net/http"
	"path"
	"strings"

	"github.com/hmrd/hmrd/internal/scan/cssscan"
	"github.com/hmrd/hmrd/internal/scan/htmlscan"
)

// Pages for navigations to paths that name no file, as Vite's html
// fallback: /about is about.html when that exists, and any other path
// without an extension, or naming a page (.html) that does not exist, is
// the root's index.html (a single-page app's client-side routes). Only
// navigations get a page: a script, image or fetch() of a missing file
// stays a 404.

// isNavigation reports whether r asks for a page: a browser navigation
// (Sec-Fetch-Dest: document or a frame) or a request that accepts HTML.
func isNavigation(r *http.Request) bool {
	switch r.Header.Get("Sec-Fetch-Dest") {
	case "document", "iframe", "frame":
		return true
	}
	for _, v := range r.Header.Values("Accept") {
		if strings.Contains(strings.ToLower(v), "text/html") {
			return true
		}
	}
	return false
}

// notOpened answers a request whose file rel did not open: a page for a
// navigation that can have one, else openFailed's 404. A refused path is
// logged either way.
func (s *Server) notOpened(w http.ResponseWriter, r *http.Request, clean, rel string, err error) {
	if !s.serveFallback(w, r, clean) {
		s.openFailed(w, r, rel, err)
		return
	}
	if errors.Is(err, errRefused) {
		s.log.Warn("devserver: path refused; a navigation there gets the fallback page", "path", rel, "err", err)
	}
}

// serveFallback answers a navigation to clean, a request path that opened
// no file (missing, refused or a directory without index.html), with a
// page instead, and reports whether it did. Missing and refused paths get
// the same answer, as they get the same 404 otherwise.
func (s *Server) serveFallback(w http.ResponseWriter, r *http.Request, clean string) bool {
	if !isNavigation(r) || strings.HasPrefix(clean, fsPrefix) || strings.HasPrefix(clean, "/@") {
		return false
	}
	var pages []string
	switch ext := path.Ext(path.Base(clean)); {
	case ext == ".html":
		// A page that does not exist: the root's, as Vite answers.
	case ext != "":
		return false // a file name: its 404 stands
	default:
		if base := strings.TrimSuffix(clean, "/"); base != "" && !strings.HasSuffix(clean, "/") {
			pages = append(pages, base[1:]+".html")
		}
	}
	pages = append(pages, "index.html")
	for _, rel := range pages {
		f, fi, err := s.open(rel)
		if err != nil {
			continue
		}
		if !fi.Mode().IsRegular() {
			f.Close()
			continue
		}
		data, ok := s.readAll(w, r, f, fi, rel)
		f.Close()
		if ok {
			s.writeBody(w, r, http.StatusOK, "text/html; charset=utf-8", s.transformHTML(r, "/"+rel, data, true), "")
		}
		return true
	}
	return false
}

// rebaseEdits rewrites the relative URLs of a page served at another
// directory than its own (the fallback index.html of /app/route) to
// root-absolute ones, as Vite does for its html fallback: the src of
// module scripts and the href of stylesheets. Values with character
// references are left as written.
func rebaseEdits(data []byte, res htmlscan.Result, id string) []edit {
	var edits []edit
	add := func(val string, rg htmlscan.Range) {
		if rg.Start < 0 || rg.End > len(data) || string(data[rg.Start:rg.End]) != val {
			return
		}
		if u := pageRelative(id, val); u != val {
			edits = append(edits, edit{start: rg.Start, end: rg.End, text: u})
		}
	}
	for _, sc := range res.Scripts {
		if !sc.Inline {
			add(sc.Src, sc.SrcRange)
		}
	}
	for _, l := range res.Stylesheets {
		add(l.Href, l.HrefRange)
	}
	return edits
}

// styleEdits rewrites the relative url()s and @imports of the page's
// inline <style> elements to root-absolute URLs resolved against the page
// id, as Vite's CSS transform of inline styles does, so they hold wherever
// the page is served (the fallback index.html of /app/route). URLs
// written with CSS escapes are left as written.
func styleEdits(data []byte, res htmlscan.Result, id string) []edit {
	var edits []edit
	for _, st := range res.Styles {
		if st.Start < 0 || st.End > len(data) || st.Start > st.End {
			continue
		}
		css := data[st.Start:st.End]
		for _, ref := range cssscan.Scan(css).Refs {
			rg := ref.Range
			if rg.Start < 0 || rg.End > len(css) || string(css[rg.Start:rg.End]) != ref.Specifier {
				continue
			}
			u := pageRelative(id, ref.Specifier)
			if u == ref.Specifier {
				continue
			}
			// The new URL must need no escape where it goes: inside its
			// quotes, or in an unquoted url().
			bad := "\"'()\\ \t\n\r\f"
			if q := rg.Start - 1; q >= 0 && (css[q] == '"' || css[q] == '\'') {
				bad = string(css[q]) + "\\\n\r\f"
			}
			if !strings.ContainsAny(u, bad) {
				edits = append(edits, edit{start: st.Start + rg.Start, end: st.Start + rg.End, text: u})
			}
		}
	}
	return edits
}

// pageRelative resolves the URL u of the page id to a root-absolute URL;
// absolute URLs, URLs with a scheme, fragments and queries alone stay as
// written. A path climbing above the root stops at it, as the browser's
// resolution does.
func pageRelative(id, u string) string {
	if u == "" || u[0] == '/' || u[0] == '#' || u[0] == '?' || hasScheme(u) {
		return u
	}
	p, suffix := u, ""
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		p, suffix = u[:i], u[i:]
	}
	joined := path.Join(path.Dir(id), p)
	if strings.HasSuffix(p, "/") && joined != "/" {
		joined += "/"
	}
	return joined + suffix
}
