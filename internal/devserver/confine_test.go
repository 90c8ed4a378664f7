package devserver

import (
	"bufio"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"
)

// canaryFiles plant a secret in every place the server must not read.
var canaryFiles = map[string]string{
	".env":                         "CANARY_ENV",
	".env.local":                   "CANARY_ENV_LOCAL",
	".npmrc":                       "CANARY_NPMRC",
	".git/config":                  "CANARY_GIT",
	"secret.pem":                   "CANARY_PEM",
	"certs/server.key":             "CANARY_KEY",
	".well-known/.env":             "CANARY_WELLKNOWN_ENV",
	"node_modules/.pnpm/.env":      "CANARY_PNPM_ENV",
	"node_modules/.bin/secret.txt": "CANARY_BIN",
	"../outside.txt":               "CANARY_OUTSIDE",
	"../proj-evil/secret.txt":      "CANARY_SIBLING",
	"public/link":                  "symlink:../../outside.txt",
	"public/dirlink":               "symlink:../..",
	"envlink.txt":                  "symlink:.env",
	"src/safe.js":                  "export const safe = 1\n",
	"index.html":                   "<!doctype html><head></head><p>hello</p>\n",
	".well-known/security.txt":     "Contact: mailto:dev@example.test\n",
}

// readCorpus returns the request-targets of testdata/traversal.txt.
func readCorpus(t testing.TB) []string {
	f, err := os.Open("testdata/traversal.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		out = append(out, line)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func expand(target, parent, root string) string {
	target = strings.ReplaceAll(target, "{{ROOT}}", strings.TrimPrefix(filepath.ToSlash(root), "/"))
	return strings.ReplaceAll(target, "{{PARENT}}", strings.TrimPrefix(filepath.ToSlash(parent), "/"))
}

// TestTraversalCorpus sends every corpus request over a raw socket: each
// is refused (400, 403 or 404), and no body anywhere contains a canary or an
// absolute path of the machine.
func TestTraversalCorpus(t *testing.T) {
	f := newFixture(t, newFakeService(), canaryFiles)
	corpus := readCorpus(t)
	if len(corpus) < 40 {
		t.Fatalf("corpus has %d requests, want at least 40", len(corpus))
	}
	// The controls: the server does serve what it should, so refusals
	// below are the rules at work, not a broken server.
	for _, ok := range []string{"/src/safe.js", "/", "/.well-known/security.txt", "/@fs" + f.root + "/src/safe.js"} {
		if r := f.get(t, ok); r.status != 200 {
			t.Fatalf("control %s: status %d, want 200", ok, r.status)
		}
	}
	for _, target := range corpus {
		target := expand(target, f.parent, f.root)
		for _, method := range []string{"GET", "HEAD"} {
			r := f.raw(t, method, target)
			if r.status != 400 && r.status != 403 && r.status != 404 {
				t.Errorf("%s %s: status %d, want 400, 403 or 404 (body %q)", method, target, r.status, r.body)
			}
			if strings.Contains(r.body, "CANARY") || strings.Contains(r.body, f.parent) {
				t.Errorf("%s %s: body leaks: %q", method, target, r.body)
			}
			if r.header.Get("Access-Control-Allow-Origin") != "" {
				t.Errorf("%s %s: ACAO set", method, target)
			}
		}
	}
}

func TestCleanPath(t *testing.T) {
	for _, tc := range []struct {
		raw, clean string
		dir        bool
	}{
		{"/", "/", true},
		{"/src/app.ts", "/src/app.ts", false},
		{"/src/", "/src", true},
		{"/src/my%20file.js", "/src/my file.js", false},
		{"/%40fs/x", "/@fs/x", false},
		{"/a%23b.js", "/a#b.js", false},
		{"/caf%C3%A9.js", "/café.js", false},
		{"/.well-known/x", "/.well-known/x", false}, // the deny list is checkRel's job
		{"/...", "/...", false},                     // idem
	} {
		clean, dir, err := cleanPath(tc.raw)
		if err != nil || clean != tc.clean || dir != tc.dir {
			t.Errorf("cleanPath(%q) = %q, %v, %v; want %q, %v", tc.raw, clean, dir, err, tc.clean, tc.dir)
		}
	}
	for _, raw := range []string{
		"", "src/a.js", "*", "//a", "/a//b", "/./a", "/a/.", "/a/..", "/../a", "/%2e%2e/a", "/%2E./a",
		"/a%2fb", "/a%2Fb", "/a%5cb", `/a\b`, "/a%00", "/a\x00", "/a%0a", "/a\tb", "/a%7f", "/a%252e", "/a%25",
		"/a#b", "/a%zz", "/a%", "/%ff", "/" + strings.Repeat("a", maxPathLen),
	} {
		if clean, _, err := cleanPath(raw); err == nil {
			t.Errorf("cleanPath(%q) = %q, want refused", raw, clean)
		}
	}
}

func TestCheckRel(t *testing.T) {
	for _, tc := range []struct {
		rel string
		ok  bool
	}{
		{".", true},
		{"src/app.ts", true},
		{"index.html", true},
		{".well-known/security.txt", true},
		{"node_modules/.pnpm/react@19/node_modules/react/index.js", true},
		{"node_modules/pkg/environment.js", true},
		{"src/env.ts", true},
		{"src/keys.ts", true},
		{"docs/pem.md", true},

		{".env", false},
		{".ENV", false},
		{".env.", false},
		{".env ", false},
		{".env.production", false},
		{"src/.env", false},
		{".git", false},
		{".git/config", false},
		{"sub/.git/HEAD", false},
		{".npmrc", false},
		{".yarnrc.yml", false},
		{"cert.pem", false},
		{"CERT.PEM", false},
		{"cert.pem.", false},
		{"a/b/server.key", false},
		{"x.crt", false},
		{"x.p12", false},
		{"x.pfx", false},
		{".htaccess", false},
		{".vscode/settings.json", false},
		{"src/.hidden/a.js", false},
		{"a/.well-known/x", false},              // only at the top
		{".pnpm/x", false},                      // only below node_modules
		{"node_modules/.pnpm/x/.env", false},    // exceptions never cover the deny list
		{"node_modules/.pnpm/x/key.pem", false}, // idem
		{".well-known/.env", false},
		{"node_modules/.cache/x", false},
		{"...", false},
		{"a/../b", false},
		{"/abs", false},
		{"", false},
		{"a//b", false},
	} {
		if err := checkRel(tc.rel); (err == nil) != tc.ok {
			t.Errorf("checkRel(%q) = %v, want ok=%v", tc.rel, err, tc.ok)
		}
	}
}

// FuzzCleanPath: cleanPath never panics, and what it accepts is a clean
// absolute path that cannot leave a root it is joined to.
func FuzzCleanPath(f *testing.F) {
	for _, target := range readCorpus(f) {
		p, _, _ := strings.Cut(expand(target, "/tmp/p", "/tmp/p/proj"), "?")
		f.Add(p)
	}
	for _, s := range []string{"/", "/src/a.js", "/src/", "/a%20b", "/@fs/tmp/p/proj/x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		clean, _, err := cleanPath(raw)
		if err != nil {
			return
		}
		if !strings.HasPrefix(clean, "/") || strings.ContainsAny(clean, "\\\x00") {
			t.Fatalf("cleanPath(%q) = %q: not a clean absolute path", raw, clean)
		}
		if path.Clean(clean) != clean {
			t.Fatalf("cleanPath(%q) = %q: path.Clean gives %q", raw, clean, path.Clean(clean))
		}
		for seg := range strings.SplitSeq(clean[1:], "/") {
			if clean != "/" && (seg == "" || seg == "." || seg == "..") {
				t.Fatalf("cleanPath(%q) = %q: segment %q", raw, clean, seg)
			}
		}
		const root = "/srv/root"
		if j := filepath.Join(root, clean); j != root && !strings.HasPrefix(j, root+"/") {
			t.Fatalf("cleanPath(%q) = %q escapes the root: %q", raw, clean, j)
		}
		rel := "."
		if clean != "/" {
			rel = clean[1:]
		}
		if checkRel(rel) == nil && !filepath.IsLocal(rel) && rel != "." {
			t.Fatalf("checkRel accepts non-local %q", rel)
		}
	})
}

// TestHost: a foreign Host is refused before anything else, whatever the
// Origin says (DNS rebinding); loopback names are served.
func TestHost(t *testing.T) {
	f := newFixture(t, newFakeService(), canaryFiles)
	_, port, _ := strings.Cut(f.addr, ":")
	for _, tc := range []struct {
		target string
		header []string
		status int
	}{
		{"/src/safe.js", []string{"Host: evil.example:" + port}, 403},
		{"/src/safe.js", []string{"Host: evil.example:" + port, "Origin: http://localhost:" + port}, 403},
		{"/src/safe.js", []string{"Host: evil.example", "Origin: http://evil.example"}, 403},
		{"/src/safe.js", []string{"Host: 127.0.0.1.nip.io:" + port}, 403},
		{"/src/safe.js", []string{"Host: localhost.evil.example:" + port}, 403},
		{"/src/safe.js", []string{"Host: [localhost]:" + port}, 403},
		{"/.env", []string{"Host: evil.example"}, 403},
		{"http://evil.example/src/safe.js", nil, 403},
		{"/src/safe.js", []string{"Host: localhost:" + port}, 200},
		{"/src/safe.js", []string{"Host: LOCALHOST:" + port}, 200},
		{"/src/safe.js", []string{"Host: localhost.:" + port}, 200},
		{"/src/safe.js", []string{"Host: app.localhost:" + port}, 200},
		{"/src/safe.js", []string{"Host: 127.0.0.1:" + port}, 200},
		{"/src/safe.js", []string{"Host: [::1]:" + port}, 200},
		{"/src/safe.js", []string{"Host: localhost:" + port, "Origin: https://evil.example"}, 200},
	} {
		r := f.get(t, tc.target, tc.header...)
		if r.status != tc.status {
			t.Errorf("GET %s %v: status %d, want %d (%q)", tc.target, tc.header, r.status, tc.status, r.body)
		}
		if r.status == 403 && strings.Contains(r.body, "export") {
			t.Errorf("GET %s %v: refusal carries the file", tc.target, tc.header)
		}
		if r.header.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("GET %s %v: Access-Control-Allow-Origin set", tc.target, tc.header)
		}
		if r.header.Get("X-Content-Type-Options") != "nosniff" || r.header.Get("Cross-Origin-Resource-Policy") != "same-origin" {
			t.Errorf("GET %s %v: missing nosniff/CORP: %v", tc.target, tc.header, r.header)
		}
	}
}

func TestMethodsAndFetchMetadata(t *testing.T) {
	f := newFixture(t, newFakeService(), canaryFiles)
	for _, tc := range []struct {
		method, target string
		header         []string
		status         int
	}{
		{"POST", "/src/safe.js", []string{"Content-Length: 0"}, 405},
		{"PUT", "/src/safe.js", []string{"Content-Length: 0"}, 405},
		{"DELETE", "/src/safe.js", nil, 405},
		{"OPTIONS", "/src/safe.js", []string{"Origin: http://evil.example", "Access-Control-Request-Method: GET"}, 405},
		{"GET", "/src/safe.js", []string{"Sec-Fetch-Site: cross-site", "Sec-Fetch-Mode: no-cors", "Sec-Fetch-Dest: script"}, 403},
		{"GET", "/", []string{"Sec-Fetch-Site: cross-site", "Sec-Fetch-Mode: navigate"}, 200},
		{"GET", "/src/safe.js", []string{"Sec-Fetch-Site: same-origin", "Sec-Fetch-Mode: cors"}, 200},
		{"HEAD", "/src/safe.js", nil, 200},
	} {
		r := f.raw(t, tc.method, tc.target, tc.header...)
		if r.status != tc.status {
			t.Errorf("%s %s %v: status %d, want %d", tc.method, tc.target, tc.header, r.status, tc.status)
		}
		if tc.status == 405 && r.header.Get("Allow") != "GET, HEAD" {
			t.Errorf("%s: Allow = %q", tc.method, r.header.Get("Allow"))
		}
		if tc.method == "HEAD" && r.body != "" {
			t.Errorf("HEAD %s: body %q", tc.target, r.body)
		}
	}
}

// A root directory removed and created again (git checkout of the whole
// tree, a scaffolder) is served again without a restart.
func TestRootRecreated(t *testing.T) {
	f := newFixture(t, newFakeService(), map[string]string{"a.txt": "one"})
	if r := f.get(t, "/a.txt"); r.body != "one" {
		t.Fatalf("before: %d %q", r.status, r.body)
	}
	if err := os.RemoveAll(f.root); err != nil {
		t.Fatal(err)
	}
	writeFiles(t, f.root, map[string]string{"a.txt": "two"})
	if r := f.get(t, "/a.txt"); r.status != 200 || r.body != "two" {
		t.Fatalf("after: %d %q", r.status, r.body)
	}
}
