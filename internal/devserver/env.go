package devserver

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"maps"
	"os"
	"regexp"
	"slices"
	"strings"

	"github.com/hmrd/hmrd/internal/engine"
)

// import.meta.env, as Vite's dev server gives it: a module that reads it
// gets `import.meta.env = {…};` written in before its code, holding MODE,
// DEV, PROD, SSR, BASE_URL and the variables of the root's .env files
// whose names start with one of envPrefixes. The files are read for every
// such module (they are small, and an edit of one reloads the page, see
// engine.EnvFiles), so a served module never carries stale values.

// envMode is the mode import.meta.env.MODE reports and whose .env.[mode]
// files are read.
const envMode = "development"

// envPrefixes are the prefixes of the variables exposed to modules. Any
// other variable of a .env file stays on the server: the files are on the
// deny list because they commonly hold secrets.
var envPrefixes = []string{"VITE_", "HMRD_"}

// usesEnv matches code that reads import.meta.env.
var usesEnv = regexp.MustCompile(`\bimport\.meta\.env\b`)

// envPrelude is the statement that gives a module its import.meta.env,
// on one line (it goes on line 1, like the hot prelude).
func (s *Server) envPrelude() string {
	return "import.meta.env = " + envObject(s.loadEnv()) + ";"
}

// loadEnv reads the root's .env files (engine.EnvFiles, later ones
// winning), expands references (over all of their variables and the
// daemon's environment, as dotenv-expand does) and keeps the variables
// with an exposed prefix; a VITE_ variable set in the daemon's environment
// wins over the files, as in Vite. The daemon's own HMRD_ variables
// (HMRD_TOKEN among them) are its configuration, never a page's: HMRD_
// variables come from .env files only, and references do not reach the
// daemon's.
func (s *Server) loadEnv() map[string]string {
	vars := map[string]envVar{}
	var order []string
	for _, name := range engine.EnvFiles() {
		for _, v := range parseDotenv(s.readEnvFile(name)) {
			if _, ok := vars[v.key]; !ok {
				order = append(order, v.key)
			}
			vars[v.key] = v
		}
	}
	x := envExpander{vars: vars, lookup: daemonEnv}
	out := map[string]string{}
	for _, k := range order {
		if exposed(k) {
			v := vars[k]
			if !v.literal {
				v.value = x.expand(v.value)
			}
			out[k] = v.value
		}
	}
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok && strings.HasPrefix(k, "VITE_") {
			out[k] = v
		}
	}
	return out
}

// daemonEnv looks a variable up in the daemon's environment for a
// reference in a .env file, leaving out hmrd's own configuration.
func daemonEnv(key string) (string, bool) {
	if strings.HasPrefix(key, "HMRD_") {
		return "", false
	}
	return os.LookupEnv(key)
}

func exposed(key string) bool {
	for _, p := range envPrefixes {
		if strings.HasPrefix(key, p) {
			return true
		}
	}
	return false
}

// readEnvFile reads one .env file of the root ("" when there is none). It
// goes through the root handle, so a symlink out of the root is not
// followed, but not through Server.open: the deny list keeps .env files
// from being served, not from being read here.
func (s *Server) readEnvFile(name string) string {
	root, err := s.root.get()
	if err != nil {
		return ""
	}
	f, err := root.Open(name)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			s.log.Warn("devserver: .env file not read", "file", name, "err", err)
		}
		return ""
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return ""
	}
	data, err := io.ReadAll(io.LimitReader(f, maxEnvFileSize+1))
	if err != nil {
		s.log.Warn("devserver: .env file not read", "file", name, "err", err)
		return ""
	}
	if len(data) > maxEnvFileSize {
		s.log.Warn("devserver: .env file too large; ignored", "file", name, "limit", maxEnvFileSize)
		return ""
	}
	return string(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")))
}

// envObject is import.meta.env as a JS object literal: Vite's built-in
// keys, then the variables in name order.
func envObject(vars map[string]string) string {
	var b strings.Builder
	b.WriteString(`{"BASE_URL":"/","MODE":` + jsonString(envMode) + `,"DEV":true,"PROD":false,"SSR":false`)
	for _, k := range slices.Sorted(maps.Keys(vars)) {
		b.WriteString("," + jsonString(k) + ":" + jsonString(vars[k]))
	}
	b.WriteByte('}')
	return b.String()
}
