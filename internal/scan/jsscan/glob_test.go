package jsscan

import "testing"

// The patterns match the paths esbuild's ResolveGlob matches for the same
// import (checked against esbuild's metafile in the engine's tests).
func TestGlobMatch(t *testing.T) {
	for _, c := range []struct {
		src       string
		dir       string
		recursive bool
		match     []string
		noMatch   []string
	}{
		{"import(`./locales/${l}.js`)", "./locales/", true,
			[]string{"./locales/en.js", "./locales/a/b/de.js", "./locales/.js"},
			[]string{"./locales/en.json", "./locales.js", "./other/en.js", "./locales/en.js/x"}},
		{"import(`./x${q}.js`)", "./", false,
			[]string{"./x.js", "./xa.js", "./x-b.js"},
			[]string{"./x/b.js", "./y.js", "./xa.jsx"}},
		{"import('../p/' + a + '/index.' + ext)", "../p/", true,
			[]string{"../p/a/index.ts", "../p/a/b/index.js", "../p/x/index."},
			[]string{"../p/index.ts", "../p/a/main.ts"}},
		{"import(`./a/${'b'}.js`)", "./a/", false,
			[]string{"./a/b.js"},
			[]string{"./a/c.js", "./a/b.jsx"}},
		{"import(`./[x]+(y)${z}.js`)", "./", false,
			[]string{"./[x]+(y).js", "./[x]+(y)1.js"},
			[]string{"./x.js", "./[x]+(y)/1.js"}},
		{"new URL(`./img/${n}.png`, import.meta.url)", "./img/", true,
			[]string{"./img/a.png", "./img/a/b.png"},
			[]string{"./img/a.svg"}},
	} {
		r, err := Scan([]byte(c.src), Options{Loader: LoaderJS, Filename: "t.js"})
		if err != nil || len(r.Globs) != 1 {
			t.Fatalf("%s: globs %+v, err %v", c.src, r, err)
		}
		g := r.Globs[0]
		if g.Dir() != c.dir || g.Recursive() != c.recursive {
			t.Errorf("%s: Dir %q Recursive %v, want %q %v", c.src, g.Dir(), g.Recursive(), c.dir, c.recursive)
		}
		re := g.Regexp()
		for _, p := range c.match {
			if !re.MatchString(p) {
				t.Errorf("%s (%s) does not match %s", c.src, g, p)
			}
		}
		for _, p := range c.noMatch {
			if re.MatchString(p) {
				t.Errorf("%s (%s) matches %s", c.src, g, p)
			}
		}
	}
}

// A path that is not UTF-8 still matches the pattern written with the same
// bytes.
func TestGlobMatchInvalidUTF8(t *testing.T) {
	r, err := ScanUnchecked([]byte("import('./\xe0\xe1/' + x)"), Options{Loader: LoaderJS})
	if err != nil || len(r.Globs) != 1 {
		t.Fatalf("globs %+v, err %v", r, err)
	}
	re := r.Globs[0].Regexp()
	if !re.MatchString("./\xe0\xe1/a.js") || re.MatchString("./\xe0/a.js") {
		t.Errorf("%s: wrong answer for invalid UTF-8", re)
	}
}
