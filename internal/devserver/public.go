package devserver

import (
	"errors"
	"io/fs"
	"net/http"
	"path"
	"strings"
)

// publicDir is Vite's public directory: its files are served at the
// root's URLs, as they are (create-vite's pages link /favicon.svg and
// /icons.svg from it).
const publicDir = "public"

// servePublic answers a request for rel, which is missing from the root,
// with public/rel when that is a file; it reports whether it answered.
// The file goes through the same check as every other (Server.open), and
// is never transformed. A file in the root wins over one in public/.
func (s *Server) servePublic(w http.ResponseWriter, r *http.Request, rel string, openErr error) bool {
	if !errors.Is(openErr, fs.ErrNotExist) || rel == "." || rel == publicDir || strings.HasPrefix(rel, publicDir+"/") {
		return false
	}
	f, fi, err := s.open(publicDir + "/" + rel)
	if err != nil {
		return false
	}
	defer f.Close()
	if !fi.Mode().IsRegular() {
		return false
	}
	name := strings.ToLower(path.Base(rel))
	w.Header().Set("Content-Type", contentType(name))
	http.ServeContent(w, r, name, fi.ModTime(), f)
	return true
}
