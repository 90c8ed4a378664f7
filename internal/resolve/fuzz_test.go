package resolve

import (
	"fmt"
	"path"
	"testing"

	"github.com/hmrd/hmrd/internal/vfs"
)

// FuzzResolve feeds arbitrary specifiers, package.json and tsconfig content
// through a resolver: it must not panic or hang, must be deterministic
// (cold, warm and a second resolver agree), and every Path must be absolute
// and clean.
func FuzzResolve(f *testing.F) {
	seeds := []struct{ spec, pkg, ts string }{
		{"./a", `{}`, `{}`},
		{"../common/s", `{"main": "x"}`, `{"compilerOptions": {"baseUrl": "."}}`},
		{"fz", `{"exports": "./main.js"}`, `{}`},
		{"fz/sub", `{"exports": {"./*": "./lib/*.js", "./private/*": null}}`, `{}`},
		{"fz/x", `{"exports": {".": {"browser": {"import": "./b.js"}, "default": ["./nope.js", "./main.js"]}}}`, `{}`},
		{"#a/b", `{"imports": {"#a/*": "./src/*", "#b": "fz", "#c": {"default": null}}}`, `{}`},
		{"#b", `{"imports": {"#b": ["node:fs", "./main.js"]}}`, `{}`},
		{"@/x", `{}`, `{"compilerOptions": {"paths": {"@/*": ["./*", "./src/*"]}}}`},
		{"q", `{}`, "{// c\n\"extends\": \"./tsconfig.json\",}"},
		{"q", `{}`, `{"extends": ["fz", "./missing", "/abs/x"], "compilerOptions": {"paths": {"*": ["*"]}}}`},
		{"/src/a.ts?t=1#h", `{"exports": {".": "./a.js", "x": "./b.js"}}`, `{}`},
		{"/@fs/r/src/a", `{"main": "../../../etc/passwd"}`, `{}`},
		{"https://x/y?z", `not json`, `/* open`},
		{"node:fs", `{"exports": {"./a/*/b/*": "./*"}}`, `{"compilerOptions": {"baseUrl": "/"}}`},
		{"@s/p/../../x", `[1,2,3]`, `"str"`},
		{"fz/../../../etc", `{"exports": {"./*": "./*/../../*"}}`, `{"compilerOptions": {"paths": {"a*b*": ["x"]}}}`},
		{".", `{"module": "./", "browser": {"x": false}}`, `{"compilerOptions": null}`},
		{"..", `{"exports": null, "main": "."}`, `{"extends": ""}`},
		{"#", `{"imports": {"#*": "./*"}}`, `{"compilerOptions": {"paths": {"#*": ["./src/*"]}}}`},
		{"fz/a\x00b", `{"exports": {"./a\u0000b": "./main.js"}}`, `{}`},
	}
	for _, s := range seeds {
		f.Add(s.spec, s.pkg, s.ts)
	}
	f.Fuzz(func(t *testing.T, spec, pkg, ts string) {
		specs := []string{spec, "fz", "fz/" + spec, "#" + spec, "@/" + spec, "./" + spec, "/" + spec}
		first := fuzzRun(t, spec, pkg, ts, specs)
		second := fuzzRun(t, spec, pkg, ts, specs)
		for i := range first {
			if first[i] != second[i] {
				t.Fatalf("nondeterministic for %q: %s vs %s", specs[i], first[i], second[i])
			}
		}
	})
}

func fuzzRun(t *testing.T, spec, pkg, ts string, specs []string) []string {
	m := vfs.NewMem()
	for _, f := range []string{"/r/src/a.ts", "/r/common/s.ts", "/r/fz/main.js", "/r/fz/src/x.ts", "/r/fz/lib/sub.js"} {
		m.WriteFile(f, nil)
	}
	m.WriteFile("/r/fz/package.json", []byte(pkg))
	m.WriteFile("/r/fz/tsconfig.json", []byte(ts))
	m.WriteFile("/r/node_modules/fz/package.json", []byte(pkg))
	m.WriteFile("/r/node_modules/fz/main.js", nil)
	m.Symlink("../fz", "/r/node_modules/fzlink")
	m.Symlink("loop", "/r/fz/loop")
	r := New(m, Options{Root: "/r", WatchedRoots: []string{"/r/fz"}})
	out := make([]string, len(specs))
	for i, s := range specs {
		res, err := r.Resolve("/r/fz/main.js", s)
		if res.Path != "" && (!path.IsAbs(res.Path) || path.Clean(res.Path) != res.Path) {
			t.Fatalf("Resolve(%q) = %q: not absolute and clean", s, res.Path)
		}
		if res.External && res.Path != "" {
			t.Fatalf("Resolve(%q) = %+v: external with a path", s, res)
		}
		if (err == nil) == (res.Path == "" && !res.External) {
			t.Fatalf("Resolve(%q) = %+v, %v: neither or both of a result and an error", s, res, err)
		}
		warm, werr := r.Resolve("/r/fz/main.js", s)
		if warm != res || fmt.Sprint(werr) != fmt.Sprint(err) {
			t.Fatalf("Resolve(%q) cold %+v, %v; warm %+v, %v", s, res, err, warm, werr)
		}
		out[i] = fmt.Sprintf("%+v %v", res, err)
	}
	return out
}
