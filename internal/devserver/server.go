package devserver

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/hmrd/hmrd/internal/control"
	"github.com/hmrd/hmrd/internal/engine"
	"github.com/hmrd/hmrd/internal/scan/jsscan"
	"github.com/hmrd/hmrd/internal/transport/httpguard"
	"github.com/hmrd/hmrd/internal/transport/ratelog"
)

// Paths the server answers itself; everything else is a file below the
// root.
const (
	// RuntimePrefix is where the browser runtime's modules are served:
	// /@hmrd/<name>.
	RuntimePrefix = "/@hmrd/"
	// ClientPath is where the runtime's entry module is served, with its
	// configuration line prepended; pages and injected imports load it.
	ClientPath = RuntimePrefix + clientName
	// DefaultWSPath is where the daemon mounts the WebSocket bridge.
	DefaultWSPath = "/@hmrd/ws"

	clientName = "client.js"

	fsPrefix = "/@fs/"
	idPrefix = "/@id/"
)

// maxModuleSize bounds what is read into memory to be transformed. Larger
// files are still served raw when requested without ?import.
const maxModuleSize = 32 << 20

// Options configure a Server.
type Options struct {
	// Project is the project name passed to the control service.
	Project string
	// Root is the absolute, symlink-free project root.
	Root string
	// Guard checks the Host of every request; required.
	Guard *httpguard.Guard
	// Runtime holds the browser runtime's ES modules
	// (internal/runtime/browser.Files): each top-level .js file is served
	// at RuntimePrefix+name, and client.js, the entry, at ClientPath with
	// its configuration line prepended. When nil, a stand-in client.js is
	// served that keeps pages running without hot updates.
	Runtime fs.FS
	// WSPath is the WebSocket bridge path given to the runtime (default
	// DefaultWSPath); the daemon mounts the bridge there.
	WSPath string
	// Logger receives errors and refusals (default slog.Default()).
	Logger *slog.Logger
}

// Server is the dev server of one project. It is an http.Handler, safe for
// concurrent use.
type Server struct {
	svc     control.Service
	project string
	guard   *httpguard.Guard
	log     *slog.Logger
	// refusals logs refused requests, rate-limited: a page retrying in a
	// loop or a scanner must not flood the log.
	refusals *ratelog.Limiter
	// client is client.js with its configuration line; modules are the
	// runtime's other modules by name.
	client  []byte
	modules map[string]runtimeModule
	// rootDir is Root as given (module IDs and /@fs/ paths are relative
	// to it); realRoot is the same directory with symlinks resolved, for
	// comparing resolved paths.
	rootDir, realRoot string

	root *rootHandle

	ext externals
	tsc tsconfigs
}

// New returns the dev server of a project rooted at o.Root.
func New(svc control.Service, o Options) (*Server, error) {
	if svc == nil {
		return nil, errors.New("devserver: no control service")
	}
	if o.Guard == nil {
		return nil, errors.New("devserver: no httpguard.Guard")
	}
	if !filepath.IsAbs(o.Root) {
		return nil, fmt.Errorf("devserver: root %q is not an absolute path", o.Root)
	}
	s := &Server{svc: svc, project: o.Project, guard: o.Guard, log: o.Logger, rootDir: filepath.Clean(o.Root)}
	if s.log == nil {
		s.log = slog.Default()
	}
	s.refusals = ratelog.New(s.log, ratelog.DefaultInterval)
	real, err := filepath.EvalSymlinks(s.rootDir)
	if err != nil {
		return nil, fmt.Errorf("devserver: root: %w", err)
	}
	s.realRoot = real
	wsPath := o.WSPath
	if wsPath == "" {
		wsPath = DefaultWSPath
	}
	client, modules, err := loadRuntime(o.Runtime)
	if err != nil {
		return nil, err
	}
	if client == nil {
		s.log.Warn("devserver: no browser runtime given; serving a stand-in without hot updates", "path", ClientPath)
		client = []byte(fallbackClient)
	}
	s.modules = modules
	cfg, err := json.Marshal(struct {
		Token   string `json:"token"`
		WSPath  string `json:"wsPath"`
		Project string `json:"project"`
	}{o.Guard.Token(), wsPath, o.Project})
	if err != nil {
		return nil, fmt.Errorf("devserver: client config: %w", err)
	}
	s.client = append([]byte("const __HMRD_CONFIG__ = "+string(cfg)+";\n"), client...)
	// Last: the handle's checker runs until Close.
	if s.root, err = openRootHandle(real, s.log); err != nil {
		return nil, fmt.Errorf("devserver: root: %w", err)
	}
	return s, nil
}

// Close releases the root directory handle and writes the counts of
// refusals not logged yet.
func (s *Server) Close() error {
	s.refusals.Close()
	return s.root.close()
}

// runtimeModule is one module of the runtime, served as is.
type runtimeModule struct {
	body []byte
	etag string
}

// loadRuntime reads the runtime's modules: client.js (nil without a
// runtime) and the others by name.
func loadRuntime(fsys fs.FS) ([]byte, map[string]runtimeModule, error) {
	if fsys == nil {
		return nil, nil, nil
	}
	names, err := fs.Glob(fsys, "*.js")
	if err != nil {
		return nil, nil, fmt.Errorf("devserver: runtime: %w", err)
	}
	var client []byte
	modules := make(map[string]runtimeModule, len(names))
	for _, name := range names {
		body, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, nil, fmt.Errorf("devserver: runtime: %w", err)
		}
		if name == clientName {
			client = body
			continue
		}
		sum := sha256.Sum256(body)
		modules[name] = runtimeModule{body: body, etag: `"` + hex.EncodeToString(sum[:12]) + `"`}
	}
	if client == nil {
		return nil, nil, fmt.Errorf("devserver: runtime: no %s among %q", clientName, names)
	}
	return client, modules, nil
}

// serveRuntime serves a module of the runtime other than client.js: as
// is, revalidated on every use (no-cache) against its ETag.
func (s *Server) serveRuntime(w http.ResponseWriter, r *http.Request, name string) {
	m := s.modules[name]
	h := w.Header()
	h.Set("Content-Type", jsType)
	h.Set("ETag", m.etag)
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(m.body))
}

// fallbackClient stands in for the runtime when none was given: it offers
// the API generated modules import, so pages load; updates never arrive.
const fallbackClient = `console.warn("[hmrd] browser runtime missing: no hot updates");
const styles = new Map();
export function createHotContext() {
  return { data: {}, accept() {}, acceptExports() {}, dispose() {}, prune() {}, decline() {}, invalidate() {}, on() {}, off() {}, send() {} };
}
export function updateStyle(id, css) {
  let el = styles.get(id);
  if (!el) { el = document.createElement("style"); el.dataset.hmrdId = id; document.head.appendChild(el); styles.set(id, el); }
  el.textContent = css;
}
export function removeStyle(id) { styles.get(id)?.remove(); styles.delete(id); }
export function webpackHot() {
  return { data: {}, accept() {}, decline() {}, dispose() {}, addDisposeHandler() {}, removeDisposeHandler() {}, invalidate() {}, status: () => "idle", addStatusHandler() {}, removeStatusHandler() {} };
}
`

// ServeHTTP answers one request: Host check, method check, confinement,
// then the file as a module, page or asset.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	// On every response, refusals included: nosniff so a module is never
	// read as something else, CORP so no other origin can embed any of
	// it (XSSI: webpack-dev-server CVE-2025-30359, CVE-2026-6402). No
	// Access-Control-Allow-Origin is ever sent.
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
	h.Set("Cache-Control", "no-cache")
	if err := s.guard.CheckHost(r); err != nil {
		// DNS rebinding: the page's own name in Host. The reason is
		// logged, not echoed.
		s.refusals.Warn("devserver: host refused", "path", r.URL.Path, "err", err)
		plain(w, r, http.StatusForbidden, "hmrd: this host name is not allowed (see --allow-host)\n")
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		h.Set("Allow", "GET, HEAD")
		plain(w, r, http.StatusMethodNotAllowed, "hmrd: method not allowed\n")
		return
	}
	// An extra on top of CORP where browsers send fetch metadata: a
	// subresource request made by another site is refused outright;
	// navigations (a link to the dev server) stay allowed.
	if r.Header.Get("Sec-Fetch-Site") == "cross-site" && r.Header.Get("Sec-Fetch-Mode") != "navigate" {
		plain(w, r, http.StatusForbidden, "hmrd: cross-site request refused\n")
		return
	}
	raw := requestPath(r)
	clean, dir, err := cleanPath(raw)
	if err != nil {
		s.refusals.Warn("devserver: malformed path refused", "path", raw, "err", err)
		plain(w, r, http.StatusBadRequest, "hmrd: "+err.Error()+"\n")
		return
	}
	imp := hasImportQuery(r.URL.RawQuery)
	switch {
	case clean == ClientPath && !dir:
		s.writeBody(w, r, http.StatusOK, jsType, s.client, "no-store")
	case strings.HasPrefix(clean, RuntimePrefix) || clean == "/@hmrd":
		name := strings.TrimPrefix(clean, RuntimePrefix)
		if _, ok := s.modules[name]; ok && !dir {
			s.serveRuntime(w, r, name)
			return
		}
		notFound(w, r)
	case strings.HasPrefix(clean, idPrefix):
		s.serveExternal(w, r, clean[len(idPrefix):])
	case strings.HasPrefix(clean, fsPrefix) || clean == "/@fs":
		rel, ok := s.fsRel(clean[len("/@fs"):])
		if !ok {
			// Workspace files outside the root are not served: the
			// root is the only tree a page may read.
			s.refusals.Warn("devserver: /@fs/ path outside the root refused", "path", clean)
			plain(w, r, http.StatusNotFound, "hmrd: not served: /@fs/ serves only files inside the project root\n")
			return
		}
		s.serveRel(w, r, clean, rel, dir, imp)
	default:
		rel := "."
		if clean != "/" {
			rel = clean[1:]
		}
		s.serveRel(w, r, clean, rel, dir, imp)
	}
}

// fsRel maps the absolute path of a /@fs/ URL to a root-relative path.
func (s *Server) fsRel(abs string) (string, bool) {
	if abs == "" {
		return "", false
	}
	return s.relOf(filepath.FromSlash(abs))
}

// serveRel serves the file rel (root-relative, not yet opened); clean is the
// request path.
func (s *Server) serveRel(w http.ResponseWriter, r *http.Request, clean, rel string, dir, imp bool) {
	f, fi, err := s.open(rel)
	if err != nil {
		if !dir && !imp && s.servePublic(w, r, rel, err) {
			return
		}
		s.notOpened(w, r, clean, rel, err)
		return
	}
	switch {
	case fi.IsDir():
		f.Close()
		index := path.Join(rel, "index.html")
		if f, fi, err = s.open(index); err != nil {
			// No listings: a directory without an index is not found.
			s.notOpened(w, r, clean, index, err)
			return
		}
		if !dir && fi.Mode().IsRegular() {
			// Relative URLs in the page resolve against the directory
			// only with the trailing slash.
			f.Close()
			u := url.URL{Path: clean + "/"}
			http.Redirect(w, r, u.EscapedPath(), http.StatusTemporaryRedirect)
			return
		}
		rel = index
	case dir:
		f.Close()
		notFound(w, r) // a file asked for as a directory: "/x.js/"
		return
	}
	defer f.Close()
	if !fi.Mode().IsRegular() {
		notFound(w, r)
		return
	}
	id := "/" + rel
	name := strings.ToLower(path.Base(rel))
	ext := path.Ext(name)
	// The extension decides, and ?import or a Vite query suffix only picks
	// the module form of a file that passed confinement above.
	switch q := engine.SuffixQuery("?" + r.URL.RawQuery); {
	case q != "":
		s.serveSuffix(w, r, id, rel, q, f, fi)
	case imp && engine.UnsupportedFile(name, "") != nil:
		s.failModule(w, r, id, engine.UnsupportedFile(name, "").Error())
	case isJSFile(name):
		if data, ok := s.readAll(w, r, f, fi, rel); ok {
			s.serveJS(w, r, id, name, data)
		}
	case imp && isStylesheet(name):
		s.serveStyleModule(w, r, id, rel)
	case imp && ext == ".json":
		if data, ok := s.readAll(w, r, f, fi, rel); ok {
			s.serveJSONModule(w, r, id, data)
		}
	case imp:
		// Any other file imported from JS (an image, a font, a page):
		// its URL.
		s.writeBody(w, r, http.StatusOK, jsType, []byte("export default "+jsonString(s.assetURL(r.Context(), id))+";\n"), "")
	case ext == ".html" || ext == ".htm":
		if data, ok := s.readAll(w, r, f, fi, rel); ok {
			s.serveHTML(w, r, id, data)
		}
	default:
		w.Header().Set("Content-Type", contentType(name))
		http.ServeContent(w, r, name, fi.ModTime(), f)
	}
}

// openFailed answers a failed open: 404 for missing and refused files
// alike, logged with the root-relative path. A path refused for its name
// (the deny list, decided before anything is opened) says why; any other
// refusal (a symlink out of the root or onto a denied file) gets the
// answer of a missing file, since it depends on what exists.
func (s *Server) openFailed(w http.ResponseWriter, r *http.Request, rel string, err error) {
	var de *deniedError
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case errors.As(err, &de):
		s.refusals.Warn("devserver: denied path refused", "path", rel, "err", err)
		plain(w, r, http.StatusNotFound, "hmrd: not served: "+de.Error()+"\n")
		return
	case errors.Is(err, errRefused):
		s.refusals.Warn("devserver: path refused", "path", rel, "err", err)
	default:
		s.log.Error("devserver: open", "path", rel, "err", err)
	}
	notFound(w, r)
}

// readAll reads a file to be transformed; on failure it answers.
func (s *Server) readAll(w http.ResponseWriter, r *http.Request, f *os.File, fi fs.FileInfo, rel string) ([]byte, bool) {
	if fi.Size() > maxModuleSize {
		err := fmt.Errorf("%s is %d bytes, more than the %d the dev server transforms", "/"+rel, fi.Size(), maxModuleSize)
		s.log.Error("devserver: read", "path", rel, "err", err)
		s.writeBody(w, r, http.StatusInternalServerError, jsType, errorModule(err.Error()), "")
		return nil, false
	}
	data, err := io.ReadAll(io.LimitReader(f, maxModuleSize+1))
	if err != nil {
		s.log.Error("devserver: read", "path", rel, "err", err)
		plain(w, r, http.StatusInternalServerError, "hmrd: read error\n")
		return nil, false
	}
	return data, true
}

// isJSFile: the extensions served as transformed JavaScript modules.
func isJSFile(name string) bool {
	_, ok := jsscan.LoaderFor(name)
	return ok
}
