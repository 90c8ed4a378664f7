package devserver

import (
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"strings"
	"unicode/utf8"
)

// errRefused is a path the confinement rules refuse. It is answered like a
// missing file (404), so that a refusal does not tell a page whether the
// file exists.
var errRefused = errors.New("path refused")

// errBadPath is a request path that is malformed as sent: a "..", "." or
// empty segment, an encoded slash, a control byte. It is answered 400
// before anything else looks at the path: nothing is redirected to a
// cleaned form, and nothing depends on what exists.
var errBadPath = errors.New("malformed request path")

func badPath(why string) error { return fmt.Errorf("%w: %s", errBadPath, why) }

// maxPathLen bounds a request path; nothing in a project needs more, and
// the checks below stay linear anyway.
const maxPathLen = 4096

// cleanPath validates a URL path exactly as the client sent it (still
// percent-encoded, query already cut off) and returns it decoded: absolute,
// slash-separated, without empty, "." or ".." segments. dir reports a
// trailing slash, which cleanPath strips.
//
// It refuses instead of normalising: a request that needs cleaning was not
// made by a browser following the server's own URLs, and every Vite
// server.fs bypass came from a normalisation done in one place and a check
// done in another. Refused are: anything not starting with "/", "#"
// (RFC 9112 forbids it, Go accepts it), backslashes and NUL or other control
// bytes raw or decoded, encoded slashes and backslashes (%2f, %5c),
// any encoded "%" (%25, i.e. double encoding: the only decode is this one),
// invalid escapes and invalid UTF-8, and on Windows ":" (alternate data
// streams) and "~" (8.3 short names). Every refusal wraps errBadPath. The
// file name rules (deny list) are applied later, by checkRel, on both the
// requested and the resolved path.
func cleanPath(raw string) (clean string, dir bool, err error) {
	if raw == "" || raw[0] != '/' {
		return "", false, badPath("not an absolute path")
	}
	if len(raw) > maxPathLen {
		return "", false, badPath("too long")
	}
	lower := strings.ToLower(raw)
	for _, bad := range []string{"#", `\`, "%2f", "%5c", "%25", "%00"} {
		if strings.Contains(lower, bad) {
			return "", false, badPath(fmt.Sprintf("%q is not allowed in a path", bad))
		}
	}
	dec, err := url.PathUnescape(raw)
	if err != nil || !utf8.ValidString(dec) {
		return "", false, badPath("invalid escape or UTF-8")
	}
	for i := 0; i < len(dec); i++ {
		if c := dec[i]; c < 0x20 || c == 0x7f || c == '\\' {
			return "", false, badPath("control byte or backslash")
		}
	}
	if runtime.GOOS == "windows" && strings.ContainsAny(dec, ":~") {
		return "", false, badPath(`":" or "~" in a path`)
	}
	if dec == "/" {
		return "/", true, nil
	}
	body := dec[1:]
	if strings.HasSuffix(body, "/") {
		dir = true
		body = body[:len(body)-1]
	}
	for seg := range strings.SplitSeq(body, "/") {
		switch seg {
		case "":
			return "", false, badPath(`an empty segment ("//")`)
		case ".", "..":
			return "", false, badPath(fmt.Sprintf("a %q segment", seg))
		}
	}
	return "/" + body, dir, nil
}

// deniedExact are file names never served, whatever directory they are in
// (docs/design.md#security-defaults), with the reason a refusal gives.
// Most also fall under the dotfile rule; they are listed so that the
// rule's exceptions can never let them through.
var deniedExact = map[string]string{
	".env":        "an environment file",
	".git":        "a version control directory",
	".hg":         "a version control directory",
	".svn":        "a version control directory",
	".npmrc":      "a credentials file",
	".yarnrc":     "a credentials file",
	".yarnrc.yml": "a credentials file",
	".netrc":      "a credentials file",
	"_netrc":      "a credentials file",
	".pypirc":     "a credentials file",
	".aws":        "a credentials directory",
	".ssh":        "a credentials directory",
}

// deniedExt are extensions of key and certificate files.
var deniedExt = map[string]bool{
	".crt": true, ".pem": true, ".key": true, ".p12": true, ".pfx": true,
	".cer": true, ".der": true,
}

// deniedPrefix are the names ssh-keygen gives key pairs (id_rsa,
// id_ed25519.pub, id_ecdsa_sk, …): a copied key is often checked in by
// mistake under its default name.
var deniedPrefix = []string{"id_rsa", "id_dsa", "id_ecdsa", "id_ed25519"}

// deniedError is a path refused by the deny list: the component and why.
// It says nothing about whether the file exists, so a refusal may give it.
type deniedError struct{ name, why string }

func (e *deniedError) Error() string {
	return fmt.Sprintf("%q is %s: private keys, credentials and dotfiles are never served", e.name, e.why)
}

func (e *deniedError) Unwrap() error { return errRefused }

// deniedName reports whether a path component is refused. i is the
// component's index in the path, parent the previous component ("" for the
// first). Matching is case-insensitive (case-insensitive file systems serve
// /.ENV as .env) and ignores trailing dots and spaces (Windows drops them:
// "cert.pem." opens cert.pem there).
func deniedName(name, parent string, i int) bool { return denied(name, parent, i) != "" }

// denied is deniedName with the reason: "" when name may be served.
func denied(name, parent string, i int) string {
	n := strings.TrimRight(strings.ToLower(name), ". ")
	if n == "" {
		return "not a file name" // "...", ". ": no legitimate module is named like that
	}
	if why := deniedExact[n]; why != "" {
		return why
	}
	if strings.HasPrefix(n, ".env.") {
		return "an environment file"
	}
	if deniedExt[path.Ext(n)] {
		return "a key or certificate file"
	}
	for _, p := range deniedPrefix {
		if strings.HasPrefix(n, p) {
			return "an SSH key"
		}
	}
	if strings.HasPrefix(name, ".") {
		// Dotfiles and dot-directories hold configuration and secrets.
		// Two exceptions serve content that pages legitimately load:
		// /.well-known/ at the top, and pnpm's node_modules/.pnpm store
		// (node_modules/pkg is a symlink into it, so without it no CSS
		// or package file of a pnpm project could be read).
		switch {
		case n == ".well-known" && i == 0:
		case n == ".pnpm" && strings.EqualFold(parent, "node_modules"):
		default:
			return "a dotfile"
		}
	}
	return ""
}

// checkRel checks a slash-separated path relative to the root ("." for the
// root itself): local (no leading slash, no empty, "." or ".." segment) and
// no component on the deny list. A component on the deny list gives a
// *deniedError.
func checkRel(rel string) error {
	if rel == "." {
		return nil
	}
	if rel == "" || rel[0] == '/' {
		return errRefused
	}
	parent := ""
	i := 0
	for seg := range strings.SplitSeq(rel, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return errRefused
		}
		if why := denied(seg, parent, i); why != "" {
			return &deniedError{name: seg, why: why}
		}
		parent = seg
		i++
	}
	return nil
}

// open is the server's one file-access check: every feature (modules,
// assets, pages, directory indexes, stylesheet @imports, package bundles)
// reads files through it, so there is no second, weaker variant (Vite's
// dozen server.fs.deny bypasses came from checks scattered across
// features).
//
// rel is a slash-separated path relative to the root. The deny list is
// applied to rel, the file is opened through an os.Root (which refuses ".."
// and symlinks leading out of the root), and the deny list is applied again
// to the file's resolved path: a symlink inside the root may point at .env.
// The resolved path is checked to be the file that was opened, so swapping
// a symlink between the two steps gains nothing.
func (s *Server) open(rel string) (*os.File, fs.FileInfo, error) {
	if err := checkRel(rel); err != nil {
		return nil, nil, err
	}
	f, err := s.openRoot(rel)
	if err != nil {
		return nil, nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("stat %s: %w", rel, err)
	}
	if err := s.checkResolved(rel, fi); err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, fi, nil
}

// openRoot opens rel through the os.Root. When the file is missing because
// the root directory itself was removed and created again (a checkout, a
// scaffolding tool), the stale directory handle is replaced once.
func (s *Server) openRoot(rel string) (*os.File, error) {
	s.rootMu.Lock()
	root := s.root
	s.rootMu.Unlock()
	f, err := root.Open(filepath.FromSlash(rel))
	if err == nil {
		return f, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		// os.Root reports escapes ("path escapes from parent") as plain
		// errors: refused, not missing.
		return nil, fmt.Errorf("%w: %w", errRefused, err)
	}
	if !s.reopenRoot(root) {
		return nil, err
	}
	s.rootMu.Lock()
	root = s.root
	s.rootMu.Unlock()
	f, err = root.Open(filepath.FromSlash(rel))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %w", errRefused, err)
	}
	return f, err
}

// reopenRoot replaces old when the root path now names another directory.
func (s *Server) reopenRoot(old *os.Root) bool {
	cur, err1 := old.Stat(".")
	now, err2 := os.Stat(s.realRoot)
	if err2 != nil || (err1 == nil && os.SameFile(cur, now)) {
		return false
	}
	nr, err := os.OpenRoot(s.realRoot)
	if err != nil {
		return false
	}
	s.rootMu.Lock()
	defer s.rootMu.Unlock()
	if s.root != old {
		nr.Close() // another request got there first
		return true
	}
	s.root = nr
	old.Close()
	return true
}

// checkResolved applies the deny list to the real path of the opened file.
func (s *Server) checkResolved(rel string, opened fs.FileInfo) error {
	real, err := filepath.EvalSymlinks(filepath.Join(s.realRoot, filepath.FromSlash(rel)))
	if err != nil {
		return fmt.Errorf("%w: resolve %s: %w", errRefused, rel, err)
	}
	realRel, err := filepath.Rel(s.realRoot, real)
	if err != nil || !(realRel == "." || filepath.IsLocal(realRel)) {
		return fmt.Errorf("%w: %s resolves outside the root", errRefused, rel)
	}
	if err := checkRel(filepath.ToSlash(realRel)); err != nil {
		return fmt.Errorf("%w: %s resolves to a denied path", errRefused, rel)
	}
	now, err := os.Stat(real)
	if err != nil || !os.SameFile(opened, now) {
		return fmt.Errorf("%w: %s changed while it was opened", errRefused, rel)
	}
	return nil
}

// relOf maps an absolute file path (as esbuild reports it) to a path
// relative to the root, for open. ok is false outside the root.
func (s *Server) relOf(abs string) (string, bool) {
	abs = filepath.Clean(abs)
	for _, root := range []string{s.realRoot, s.rootDir} {
		if abs == root {
			return ".", true
		}
		if rel, ok := strings.CutPrefix(abs, root+string(filepath.Separator)); ok {
			return filepath.ToSlash(rel), true
		}
	}
	return "", false
}
