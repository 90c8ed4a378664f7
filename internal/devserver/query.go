package devserver

import (
	"context"
	"encoding/base64"
	"net/http"
	"os"
	"path"
	"strconv"
	"strings"

	"github.com/hmrd/hmrd/internal/engine"
)

// Vite's query suffixes: an import of "./f?raw", "?url", "?inline",
// "?worker", "?sharedworker" gets a JS module made from the file f rather
// than f's own module. The query only chooses that representation of a
// file that passed confinement: "./.env?raw" is refused like "./.env".
// Each is a module of its own in the graph ("/src/f?raw", see
// engine.SuffixQuery), which imports nothing and accepts nothing, so an
// edit of f re-runs the importer.
//
//   - raw: the file's text as the default export;
//   - url: the file's URL as the default export, for any file;
//   - inline: a stylesheet's CSS text (@imports inlined, url()s made
//     root-absolute), not installed on the page; any other file as a
//     data: URL;
//   - worker, sharedworker (with &inline, which Vite too serves from the
//     URL in development): a constructor of a module Worker or
//     SharedWorker running the file; worker&url: the worker's URL.

// serveSuffix answers the file rel requested with the suffix query q.
func (s *Server) serveSuffix(w http.ResponseWriter, r *http.Request, id, rel, q string, f *os.File, fi os.FileInfo) {
	moduleID := id + "?" + q
	name := strings.ToLower(path.Base(rel))
	ctx := r.Context()
	var body string
	switch {
	case q == "raw":
		data, ok := s.readAll(w, r, f, fi, rel)
		if !ok {
			return
		}
		s.lookupTargets(ctx, moduleID, nil) // mark loaded
		body = "export default " + jsonString(string(data)) + ";\n"
	case q == "url":
		body = "export default " + jsonString(s.versionedURL(ctx, moduleID, id)) + ";\n"
	case q == "inline" && isStylesheet(name):
		if path.Ext(name) != ".css" {
			s.failModule(w, r, id, path.Ext(name)+" stylesheets need a preprocessor; hmrd serves plain CSS")
			return
		}
		css, _, err := s.bundleCSS(rel, false)
		if err != nil {
			s.failModule(w, r, id, err.Error())
			return
		}
		s.lookupTargets(ctx, moduleID, nil)
		body = "export default " + jsonString(css) + ";\n"
	case q == "inline":
		data, ok := s.readAll(w, r, f, fi, rel)
		if !ok {
			return
		}
		s.lookupTargets(ctx, moduleID, nil)
		mime, _, _ := strings.Cut(contentType(name), ";")
		body = "export default " + jsonString("data:"+mime+";base64,"+base64.StdEncoding.EncodeToString(data)) + ";\n"
	case engine.IsWorkerQuery(q):
		if !isJSFile(name) {
			s.failModule(w, r, id, "?"+q+" needs a JavaScript or TypeScript module")
			return
		}
		body = workerModule(q, s.versionedURL(ctx, moduleID, id))
	default:
		notFound(w, r)
		return
	}
	s.writeBody(w, r, http.StatusOK, jsType, []byte(body), "")
}

// workerModule is what an import of a worker query gets: Vite's
// WorkerWrapper, a function that starts the worker (called with or
// without new; options.name names it), or its URL for worker&url.
func workerModule(q, url string) string {
	u := jsonString(url)
	if strings.HasSuffix(q, "&url") {
		return "export default " + u + ";\n"
	}
	ctor := "Worker"
	if strings.HasPrefix(q, "sharedworker") {
		ctor = "SharedWorker"
	}
	return "export default function WorkerWrapper(options) {\n" +
		"  return new " + ctor + "(new URL(" + u + ", import.meta.url), { type: \"module\", name: options?.name });\n" +
		"}\n"
}

// versionedURL is the URL of the file id as a suffix module moduleID
// gives it out: the path, with ?t=<version> once the file changed, so an
// importer that re-runs after an edit gets a URL the page has not loaded
// yet. Asking the graph marks the module loaded.
func (s *Server) versionedURL(ctx context.Context, moduleID, id string) string {
	u := escapeURLPath(id)
	info, ok, err := s.svc.ServeModule(ctx, s.project, moduleID, nil)
	if err != nil {
		s.log.Warn("devserver: graph lookup failed; serving the URL without a version", "path", moduleID, "err", err)
		return u
	}
	if !ok || info.Version == 0 {
		return u
	}
	return u + "?t=" + strconv.FormatInt(info.Version, 10)
}

// failModule answers a module that cannot be made with an error module,
// logged.
func (s *Server) failModule(w http.ResponseWriter, r *http.Request, id, msg string) {
	s.log.Error("devserver: module", "path", id, "err", msg)
	s.writeBody(w, r, http.StatusInternalServerError, jsType, errorModule(id+": "+msg), "")
}

// suffixURL is the URL an import of a suffix module (t.Query set) is
// rewritten to: the file's path, the query, and the version once it
// changed. No ?import: the suffix already asks for a JS module.
func suffixURL(t engine.ImportTarget) string {
	u := escapeURLPath(strings.TrimSuffix(t.ID, "?"+t.Query)) + "?" + t.Query
	if t.Version != 0 {
		u += "&t=" + strconv.FormatInt(t.Version, 10)
	}
	return u
}
