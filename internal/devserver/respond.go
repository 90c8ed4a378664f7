package devserver

// Responses: content types and the helpers that write answers.

import (
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"path"
	"strconv"
)

// isStylesheet: CSS files. Other stylesheet languages (.scss, …) would
// need a preprocessor; their ?import form answers with an error module.
func isStylesheet(name string) bool {
	switch path.Ext(name) {
	case ".css", ".scss", ".sass", ".less", ".styl", ".stylus", ".pcss", ".postcss", ".sss":
		return true
	}
	return false
}

const jsType = "text/javascript; charset=utf-8"

// contentTypes are fixed where the system table is wrong for a dev server
// (/etc/mime.types maps .ts to video/mp2t) or may be missing.
var contentTypes = map[string]string{
	".html": "text/html; charset=utf-8", ".htm": "text/html; charset=utf-8",
	".js": jsType, ".mjs": jsType, ".cjs": jsType, ".jsx": jsType,
	".ts": jsType, ".mts": jsType, ".cts": jsType, ".tsx": jsType,
	".css":  "text/css; charset=utf-8",
	".json": "application/json", ".map": "application/json",
	".svg": "image/svg+xml", ".wasm": "application/wasm",
	".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
	".webp": "image/webp", ".avif": "image/avif", ".ico": "image/x-icon",
	".woff": "font/woff", ".woff2": "font/woff2", ".ttf": "font/ttf", ".otf": "font/otf",
	".txt": "text/plain; charset=utf-8", ".md": "text/markdown; charset=utf-8",
}

func contentType(name string) string {
	ext := path.Ext(name)
	if t, ok := contentTypes[ext]; ok {
		return t
	}
	if t := mime.TypeByExtension(ext); t != "" {
		return t
	}
	return "application/octet-stream"
}

// writeBody writes a generated response; cache overrides Cache-Control
// when set.
func (s *Server) writeBody(w http.ResponseWriter, r *http.Request, status int, ctype string, body []byte, cache string) {
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	if cache != "" {
		h.Set("Cache-Control", cache)
	}
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

func plain(w http.ResponseWriter, r *http.Request, status int, msg string) {
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(msg)))
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		io.WriteString(w, msg)
	}
}

// notFound carries no detail: the same answer for missing and refused.
func notFound(w http.ResponseWriter, r *http.Request) {
	plain(w, r, http.StatusNotFound, "404 not found\n")
}

// jsonString encodes s as a JSON string, which is also a JS string
// literal; encoding/json escapes <, > and & too, so the result is safe
// inside an HTML <script>.
func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// errorModule is the body of a module that failed: evaluating it throws,
// so a runtime that imports it (or a person who opens it) sees the
// message. It is ESM (export {}), so it is useless as a classic script.
func errorModule(msg string) []byte {
	return []byte("throw new Error(" + jsonString("[hmrd] "+msg) + ");\nexport {};\n")
}
