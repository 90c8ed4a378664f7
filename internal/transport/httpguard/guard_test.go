package httpguard

import (
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

func newGuard(t *testing.T, o Options) *Guard {
	t.Helper()
	g, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestCheckHost(t *testing.T) {
	g := newGuard(t, Options{Hosts: []string{"Dev.Example.", "box.test:5173", "[fd00::1]"}})
	for _, tc := range []struct {
		host string
		ok   bool
	}{
		{"localhost", true},
		{"localhost:5173", true},
		{"LOCALHOST:5173", true},
		{"localhost.:5173", true},
		{"foo.localhost:5173", true},
		{"a.b.localhost", true},
		{"127.0.0.1:5173", true},
		{"127.0.0.2", true},
		{"[::1]:5173", true},
		{"[::1]", true},
		{"[::ffff:127.0.0.1]:5173", true},
		{"dev.example:80", true},
		{"DEV.EXAMPLE", true},
		{"box.test:9999", true}, // the port of a configured host is not checked
		{"[fd00::1]:5173", true},

		{"", false},
		{"evil.example", false},
		{"evil.example:5173", false},
		{"localhost.evil.example", false},
		{"evillocalhost", false},
		{"127.0.0.1.nip.io:5173", false},
		{"127.1", false},
		{"0.0.0.0:5173", false},
		{"192.168.1.10:5173", false},
		{"[localhost]:5173", false},
		{"[localhost]", false},
		{"[127.0.0.1]:5173", false},
		{"[evil.example]", false},
		{"local[host]", false},
		{":5173", false},
		{"localhost..", false},
		{"[fe80::1%25eth0]:80", false},
		{"sub.dev.example", false}, // no implicit suffix match
		{strings.Repeat("a", 8192) + ".localhost.evil", false},
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.Host = tc.host
		err := g.CheckHost(r)
		if (err == nil) != tc.ok {
			t.Errorf("CheckHost(%q) = %v, want ok=%v", tc.host, err, tc.ok)
		}
	}
}

func TestCheckOrigin(t *testing.T) {
	g := newGuard(t, Options{Hosts: []string{"dev.example", "fd00::1"}, Origins: []string{"HTTP://Tools.Example:3000/"}})
	g.AllowServer("127.0.0.1:5173")
	for _, tc := range []struct {
		origin string
		ok     bool
	}{
		{"", true}, // not from a page
		{"http://localhost:5173", true},
		{"http://127.0.0.1:5173", true},
		{"http://[::1]:5173", true},
		{"http://dev.example:5173", true},
		{"http://[fd00::1]:5173", true},
		{"http://tools.example:3000", true},
		// Browsers treat these as local too, and the Host check lets
		// their pages load: their WebSocket must work as well.
		{"http://app.localhost:5173", true},
		{"http://a.b.localhost:5173", true},
		{"http://localhost.:5173", true},
		{"http://app.localhost.:5173", true},
		{"http://127.0.0.2:5173", true},
		{"http://127.1.2.3:5173", true},
		{"http://[::ffff:7f00:2]:5173", true},

		{"null", false},
		{"http://app.localhost:5174", false}, // another server's port
		{"https://app.localhost:5173", false},
		{"http://app.localhost", false},
		{"http://app.localhost:5173/", false},
		{"http://app.localhost:5173?x", false},
		{"http://user@app.localhost:5173", false},
		{"http://app.localhost..:5173", false},
		{"http://localhost.evil.example:5173", false},
		{"http://127.0.0.1.nip.io:5173", false},
		{"http://0.0.0.0:5173", false},
		{"http://[::]:5173", false},
		{"http://[fe80::1%25lo]:5173", false},
		{"http://localhost:5174", false},
		{"https://localhost:5173", false},
		{"http://localhost", false},
		{"http://evil.example:5173", false},
		{"http://localhost:5173.evil.example", false},
		{"http://192.168.1.10:5173", false}, // IP origins get no special treatment
		{"file://", false},
		{"://", false},
		{"http://localhost:5173/", false},
	} {
		r := httptest.NewRequest("GET", "/", nil)
		if tc.origin != "" {
			r.Header.Set("Origin", tc.origin)
		}
		err := g.CheckOrigin(r)
		if (err == nil) != tc.ok {
			t.Errorf("CheckOrigin(%q) = %v, want ok=%v", tc.origin, err, tc.ok)
		}
	}
}

func TestCheckToken(t *testing.T) {
	g := newGuard(t, Options{Token: "s3cret"})
	for _, tc := range []struct {
		name, query, origin string
		ok                  bool
	}{
		{"tool without origin", "", "", true},
		{"tool with token", "token=s3cret", "", true},
		{"tool with wrong token", "token=nope", "", false},
		{"page with token", "token=s3cret", "http://localhost:5173", true},
		{"page without token", "", "http://localhost:5173", false},
		{"page with wrong token", "token=s3cre", "http://localhost:5173", false},
		{"page with longer token", "token=s3cretx", "http://localhost:5173", false},
	} {
		r := httptest.NewRequest("GET", "/@hmrd/ws?"+tc.query, nil)
		if tc.origin != "" {
			r.Header.Set("Origin", tc.origin)
		}
		if err := g.CheckToken(r); (err == nil) != tc.ok {
			t.Errorf("%s: CheckToken = %v, want ok=%v", tc.name, err, tc.ok)
		}
	}
}

func TestNewGeneratesToken(t *testing.T) {
	a, b := newGuard(t, Options{}), newGuard(t, Options{})
	if len(a.Token()) != 32 || a.Token() == b.Token() {
		t.Fatalf("tokens %q and %q: want two different 128-bit hex tokens", a.Token(), b.Token())
	}
	if got := newGuard(t, Options{Token: "given"}).Token(); got != "given" {
		t.Fatalf("Token() = %q, want the given one", got)
	}
}

// AllowServer may run while other handlers check origins (run with -race).
func TestAllowServerConcurrent(t *testing.T) {
	g := newGuard(t, Options{})
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			r := httptest.NewRequest("GET", "/", nil)
			r.Header.Set("Origin", "http://localhost:5173")
			for range 100 {
				g.CheckOrigin(r)
				g.AllowServer("127.0.0.1:" + []string{"5173", "5174"}[i%2])
			}
		})
	}
	wg.Wait()
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("Origin", "http://localhost:5174")
	if err := g.CheckOrigin(r); err != nil {
		t.Fatal(err)
	}
}
