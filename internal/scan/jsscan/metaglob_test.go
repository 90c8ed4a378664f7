package jsscan

import (
	"errors"
	"strings"
	"testing"
)

// metaGlobSummary is a MetaGlob without its range: "pattern|pattern
// eager import=x query=?q base=b exhaustive", then the text its range
// covers.
func metaGlobSummary(code []byte, g MetaGlob) string {
	var b strings.Builder
	b.WriteString(strings.Join(g.Patterns, "|"))
	if g.Eager {
		b.WriteString(" eager")
	}
	if g.Import != "" {
		b.WriteString(" import=" + g.Import)
	}
	if g.Query != "" {
		b.WriteString(" query=" + g.Query)
	}
	if g.Base != "" {
		b.WriteString(" base=" + g.Base)
	}
	if g.Exhaustive {
		b.WriteString(" exhaustive")
	}
	return b.String() + " @ " + string(code[g.Range.Start:g.Range.End])
}

// The calls Vite's docs and tests write, through the lexer (plain JS) and
// through esbuild (TypeScript, whose type arguments esbuild drops): the
// patterns and options as written, the range the whole call.
func TestMetaGlobScan(t *testing.T) {
	for _, c := range []struct {
		name   string
		loader Loader
		src    string
		want   []string
		diags  []string
	}{
		{"lazy", LoaderJS, `const m = import.meta.glob('./dir/*.js')`,
			[]string{`./dir/*.js @ import.meta.glob('./dir/*.js')`}, nil},
		{"array and negative", LoaderJS, "const m = import.meta.glob(['./dir/*.js', `!**/bar.js`],)",
			[]string{"./dir/*.js|!**/bar.js @ import.meta.glob(['./dir/*.js', `!**/bar.js`],)"}, nil},
		{"options", LoaderJS, `import.meta.glob('/src/*.js', { eager: true, import: 'default', exhaustive: true, base: './x' })`,
			[]string{`/src/*.js eager import=default base=./x exhaustive @ import.meta.glob('/src/*.js', { eager: true, import: 'default', exhaustive: true, base: './x' })`}, nil},
		{"query string", LoaderJS, `import.meta.glob('./a/*.txt', { query: 'raw', import: 'default' })`,
			[]string{`./a/*.txt import=default query=?raw @ import.meta.glob('./a/*.txt', { query: 'raw', import: 'default' })`}, nil},
		{"query object", LoaderJS, `import.meta.glob('./a/*.js', { query: { foo: 'bar', n: 1, ok: true, 'a b': 'c&d' } })`,
			[]string{`./a/*.js query=?foo=bar&n=1&ok=true&a+b=c%26d @ import.meta.glob('./a/*.js', { query: { foo: 'bar', n: 1, ok: true, 'a b': 'c&d' } })`}, nil},
		{"as", LoaderJS, `import.meta.glob('./a/*.svg', { as: 'url' })`,
			[]string{`./a/*.svg query=?url @ import.meta.glob('./a/*.svg', { as: 'url' })`}, nil},
		{"two calls, nested", LoaderJS, "f(import.meta.glob('./a/*.js'), { x: import.meta.glob('./b/*.js', {eager: false}) })",
			[]string{`./a/*.js @ import.meta.glob('./a/*.js')`, `./b/*.js @ import.meta.glob('./b/*.js', {eager: false})`}, nil},
		{"typescript", LoaderTS, "const m = import.meta.glob<{ name: string }>('./modules/*.ts', { eager: true })\nexport { m }",
			[]string{`./modules/*.ts eager @ import.meta.glob("./modules/*.ts", { eager: true })`}, nil},
		{"not static", LoaderJS, `import.meta.glob(dir + '/*.js'); import.meta.glob('./a/*.js', { eager: flag }); import.meta.glob('./a/*.js', opts)`,
			nil, []string{
				"import.meta.glob(): the pattern must be a string literal or an array of them",
				"import.meta.glob(): option eager must be true or false",
				"import.meta.glob(): the options must be an object literal",
			}},
		{"template with substitution", LoaderJS, "import.meta.glob(`./${d}/*.js`)",
			nil, []string{"import.meta.glob(): the pattern must be a string literal or an array of them"}},
		{"unknown option", LoaderJS, `import.meta.glob('./a/*.js', { eagerly: true })`,
			nil, []string{`import.meta.glob(): unknown option "eagerly"`}},
		{"not a call", LoaderJS, `const g = import.meta.glob; import.meta.globEager('./a/*.js')`, nil, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			r, err := Scan([]byte(c.src), Options{Loader: c.loader, Filename: "t"})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, g := range r.MetaGlobs {
				got = append(got, metaGlobSummary(r.Code, g))
			}
			if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Errorf("globs:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(c.want, "\n"))
			}
			var diags []string
			for _, d := range r.Diagnostics {
				diags = append(diags, d.Message)
			}
			if strings.Join(diags, "\n") != strings.Join(c.diags, "\n") {
				t.Errorf("diagnostics:\n%s\nwant:\n%s", strings.Join(diags, "\n"), strings.Join(c.diags, "\n"))
			}
			if len(r.Imports) != 0 || len(r.Globs) != 0 {
				t.Errorf("the call's strings were read as imports: %+v %+v", r.Imports, r.Globs)
			}
		})
	}
}

func TestGlobPatternMatch(t *testing.T) {
	const root, dir = "/p", "/p/src"
	for _, c := range []struct {
		pattern    string
		exhaustive bool
		wantDir    string
		match      []string
		noMatch    []string
	}{
		{"./dir/*.js", false, "/p/src/dir",
			[]string{"/p/src/dir/a.js", "/p/src/dir/b.c.js"},
			[]string{"/p/src/dir/a.ts", "/p/src/dir/x/a.js", "/p/src/dir/.a.js", "/p/src/a.js"}},
		{"./**/*.{js,ts}", false, "/p/src",
			[]string{"/p/src/a.js", "/p/src/x/y/b.ts"},
			[]string{"/p/src/a.jsx", "/p/src/node_modules/x/a.js", "/p/src/.cache/a.js", "/p/a.js"}},
		{"./**/*.{js,ts}", true, "/p/src",
			[]string{"/p/src/node_modules/x/a.js", "/p/src/.cache/a.js"}, nil},
		{"/src/pages/**", false, "/p/src/pages",
			[]string{"/p/src/pages/a.js", "/p/src/pages/x/b.md"},
			[]string{"/p/src/pagesx/a.js"}},
		{"../lib/?.js", false, "/p/lib",
			[]string{"/p/lib/a.js"},
			[]string{"/p/lib/ab.js"}},
		{"./[ab]-[!x].js", false, "/p/src",
			[]string{"/p/src/a-y.js", "/p/src/b-1.js"},
			[]string{"/p/src/c-y.js", "/p/src/a-x.js"}},
		{"./{a,b/{c,d}}/*.js", false, "/p/src",
			[]string{"/p/src/a/x.js", "/p/src/b/d/x.js"},
			[]string{"/p/src/b/x.js", "/p/src/b/e/x.js"}},
		{"!**/index.js", false, "/p",
			[]string{"/p/src/index.js", "/p/index.js"},
			[]string{"/p/src/main.js"}},
		{"./.config/*.js", false, "/p/src/.config",
			[]string{"/p/src/.config/a.js"}, nil},
		{"./x.js", false, "/p/src",
			[]string{"/p/src/x.js"}, []string{"/p/src/y.js"}},
		{"./a+(b).js", false, "", nil, nil},
	} {
		g, err := CompileGlobPattern(c.pattern, dir, root)
		if c.wantDir == "" {
			if err == nil {
				t.Errorf("%s: compiled, want an error", c.pattern)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.pattern, err)
			continue
		}
		if g.Dir != c.wantDir || g.Negative != strings.HasPrefix(c.pattern, "!") {
			t.Errorf("%s: Dir %q Negative %v, want %q", c.pattern, g.Dir, g.Negative, c.wantDir)
		}
		for _, f := range c.match {
			if !g.Match(f, c.exhaustive) {
				t.Errorf("%s (exhaustive %v) does not match %s", c.pattern, c.exhaustive, f)
			}
		}
		for _, f := range c.noMatch {
			if g.Match(f, c.exhaustive) {
				t.Errorf("%s (exhaustive %v) matches %s", c.pattern, c.exhaustive, f)
			}
		}
	}
}

// Patterns that would reach outside the root, or whose meaning is not
// picomatch's, are refused.
func TestGlobPatternRefused(t *testing.T) {
	for _, p := range []string{
		"../../*.js",          // above the root from /p/src
		"./../../../etc/*",    // the same, spelled from ./
		"/../*.js",            // root-relative, then up
		"./a/*/../../../../x", // ".." after a wildcard
		"./*/..",
		"C:/x/*.js", // not relative: no alias or drive paths
		"src/*.js",
		"@/components/*.vue",
		"./a\\*.js",
		"./a\x00/*.js",
		"./{a,b",
		"./[z-a].js",
		"./",
		"./" + strings.Repeat("{", 40) + strings.Repeat("}", 40),
		"./" + strings.Repeat("a", 2000),
	} {
		if g, err := CompileGlobPattern(p, "/p/src", "/p"); err == nil {
			t.Errorf("%q compiled (Dir %s), want an error", p, g.Dir)
		} else if !errors.Is(err, ErrGlobSyntax) {
			t.Errorf("%q: %v does not wrap ErrGlobSyntax", p, err)
		}
	}
}

// FuzzGlobPattern: whatever the pattern, compiling never panics, and a
// compiled pattern's directory and every path it matches lie inside the
// root.
func FuzzGlobPattern(f *testing.F) {
	for _, s := range []string{
		"./dir/*.js", "!**/index.ts", "/src/**/*.{js,ts}", "../x/[a-z]?.js",
		"./{a,{b,c}}/**", "../../..", "/../../etc/passwd", "./*/../../x",
		"./[!]].js", "./[", "./{", "**", "!", "./a/**/b/**", "/./x/*",
	} {
		f.Add(s, "a/b.js")
	}
	f.Fuzz(func(t *testing.T, pattern, file string) {
		const root = "/p"
		g, err := CompileGlobPattern(pattern, "/p/src", root)
		if err != nil {
			return
		}
		if g.Dir != root && !strings.HasPrefix(g.Dir, root+"/") {
			t.Fatalf("%q: Dir %q outside the root", pattern, g.Dir)
		}
		for _, abs := range []string{"/" + file, root + "/" + file, g.Dir + "/" + file} {
			for _, ex := range []bool{false, true} {
				if g.Match(abs, ex) && !strings.HasPrefix(abs, g.Dir+"/") {
					t.Fatalf("%q matches %q outside its directory %q", pattern, abs, g.Dir)
				}
			}
		}
	})
}
