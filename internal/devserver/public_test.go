package devserver

import (
	"strings"
	"testing"
)

// Files in public/ are served at the root's URLs, as they are; a file in
// the root wins; the deny list applies there too.
func TestPublicDir(t *testing.T) {
	f := newFixture(t, newFakeService(), map[string]string{
		"public/favicon.svg":  "<svg>PUBLIC</svg>",
		"public/both.txt":     "PUBLIC",
		"both.txt":            "ROOT",
		"public/raw.js":       "import x from 'x'\n",
		"public/.env":         "CANARY_ENV",
		"public/sub/deep.txt": "DEEP",
	})
	for _, tt := range []struct{ path, want, ctype string }{
		{"/favicon.svg", "<svg>PUBLIC</svg>", "image/svg+xml"},
		{"/both.txt", "ROOT", "text/plain; charset=utf-8"},
		{"/raw.js", "import x from 'x'\n", jsType},
		{"/sub/deep.txt", "DEEP", "text/plain; charset=utf-8"},
	} {
		r := f.get(t, tt.path)
		if r.status != 200 || r.body != tt.want || r.header.Get("Content-Type") != tt.ctype {
			t.Errorf("%s: %d %q %q", tt.path, r.status, r.header.Get("Content-Type"), r.body)
		}
	}
	for _, p := range []string{"/.env", "/missing.svg", "/sub/", "/public/../.env"} {
		if r := f.get(t, p); r.status != 404 && r.status != 400 || strings.Contains(r.body, "CANARY") {
			t.Errorf("%s: %d %q", p, r.status, r.body)
		}
	}
}
