package devserver

import (
	"testing"
)

const pageTag = `<script type="module" src="/@hmrd/client.js"></script>`

// Navigations to paths that name no file get a page, as Vite's html
// fallback: name.html when it exists, else the root's index.html with its
// relative URLs rebased; nothing else falls back.
func TestSPAFallback(t *testing.T) {
	f := newFixture(t, newFakeService(), map[string]string{
		"index.html": "<head><style>.a { background: url(./img/bg.png) }</style>" +
			"<link rel=stylesheet href=\"style.css\"><script type=\"module\" src=\"./src/main.js\"></script></head>",
		"about.html":       "<p>about</p>",
		"docs/guide.html":  "<head><script type=\"module\" src=\"../src/main.js\"></script><link rel=stylesheet href=\"./g.css?x=1\"></head>",
		"empty/readme.txt": "x",
		"src/main.js":      "export {};\n",
	})
	fallbackTag := func(id string) string {
		return `<script type="module" src="/@hmrd/client.js" data-hmrd-page="` + id + `"></script>`
	}
	index := "<head>" + fallbackTag("/index.html") + "<style>.a { background: url(/img/bg.png) }</style>" +
		"<link rel=stylesheet href=\"/style.css\"><script type=\"module\" src=\"/src/main.js\"></script></head>"
	html := "Accept: text/html,application/xhtml+xml,*/*;q=0.8"
	doc := "Sec-Fetch-Dest: document"
	for _, tc := range []struct {
		target, header, want string
	}{
		{"/app/route", html, index},
		{"/app/route/", html, index},
		{"/app/route?tab=2", doc, index},
		{"/empty/", html, index},
		{"/about", html, fallbackTag("/about.html") + "<p>about</p>"},
		{"/circular/index.html", html, index}, // a page that does not exist: Vite answers with the root's
		{"/docs/missing.html", doc, index},
		{"/docs/guide", doc, "<head>" + fallbackTag("/docs/guide.html") + "<script type=\"module\" src=\"/src/main.js\"></script><link rel=stylesheet href=\"/docs/g.css?x=1\"></head>"},
	} {
		r := f.get(t, tc.target, tc.header)
		if r.status != 200 || r.header.Get("Content-Type") != "text/html; charset=utf-8" || r.body != tc.want {
			t.Errorf("%s (%s): %d %q\n%s\nwant:\n%s", tc.target, tc.header, r.status, r.header.Get("Content-Type"), r.body, tc.want)
		}
	}
	for _, tc := range []struct{ target, header string }{
		{"/app/route", ""},                       // not a navigation
		{"/app/route", "Accept: */*"},            // fetch()'s default
		{"/app/route", "Sec-Fetch-Dest: script"}, // a module script
		{"/src/missing.js", html},                // a file name
		{"/img/bg.png", doc},                     // a file name
		{"/.env", html},                          // refused, and a file name
		{"/@fs/app/route", html},                 // a file URL
		{"/about.html/", html},                   // a file asked for as a directory
	} {
		if r := f.get(t, tc.target, tc.header); r.status != 404 {
			t.Errorf("%s (%s): %d, want 404\n%s", tc.target, tc.header, r.status, r.body)
		}
	}
}

func TestSPAFallbackWithoutIndex(t *testing.T) {
	f := newFixture(t, newFakeService(), map[string]string{"src/main.js": "export {};\n"})
	if r := f.get(t, "/app/route", "Accept: text/html"); r.status != 404 {
		t.Errorf("no index.html: %d %q", r.status, r.body)
	}
}

// Relative url()s and @imports of inline <style>s resolve against the page,
// as Vite's CSS transform of inline styles: served anywhere, they hold.
func TestInlineStyleURLs(t *testing.T) {
	f := newFixture(t, newFakeService(), map[string]string{
		"sub/page.html": "<head><style>@import 'theme.css';\n" +
			".a { background: url(../a.png), url('b.png?v=1#x'), url(\"./c d.png\") }\n" +
			".b { background: url(/abs.png), url(data:image/png;base64,AA==), url(https://cdn.test/x.png), url(#f), url(\\2e/esc.png) }" +
			"</style></head><body><p style=\"background: url(./p.png)\">x</p><textarea><style>url(./no.png)</style></textarea></body>",
	})
	want := "<head>" + pageTag + "<style>@import '/sub/theme.css';\n" +
		".a { background: url(/a.png), url('/sub/b.png?v=1#x'), url(\"/sub/c d.png\") }\n" +
		".b { background: url(/abs.png), url(data:image/png;base64,AA==), url(https://cdn.test/x.png), url(#f), url(\\2e/esc.png) }" +
		"</style></head><body><p style=\"background: url(./p.png)\">x</p><textarea><style>url(./no.png)</style></textarea></body>"
	if r := f.get(t, "/sub/page.html"); r.status != 200 || r.body != want {
		t.Errorf("%d\n%s\nwant:\n%s", r.status, r.body, want)
	}
}

func TestPageRelative(t *testing.T) {
	for _, tc := range []struct{ id, u, want string }{
		{"/index.html", "./a.png", "/a.png"},
		{"/index.html", "a.png", "/a.png"},
		{"/index.html", "../../a.png", "/a.png"},
		{"/docs/index.html", "./img/", "/docs/img/"},
		{"/docs/index.html", "../", "/"},
		{"/docs/index.html", "x.css?y#z", "/docs/x.css?y#z"},
		{"/docs/index.html", "?q", "?q"},
		{"/docs/index.html", "/abs", "/abs"},
		{"/docs/index.html", "//cdn/x", "//cdn/x"},
		{"/docs/index.html", "mailto:x", "mailto:x"},
	} {
		if got := pageRelative(tc.id, tc.u); got != tc.want {
			t.Errorf("pageRelative(%q, %q) = %q, want %q", tc.id, tc.u, got, tc.want)
		}
	}
}
