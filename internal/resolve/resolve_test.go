package resolve

import (
	"errors"
	"strings"
	"testing"

	"github.com/hmrd/hmrd/internal/vfs"
)

// fixture builds the project used by the table tests:
//
//	/r            Root (tsconfig with paths, package.json with imports)
//	/r/apps/*     sub-projects with their own tsconfig/jsconfig
//	/r/node_modules  real packages (external) and symlinks into /ws and /r/packages
//	/ws           a watched root holding workspace packages
//	/opt, /elsewhere  outside every watched tree
func fixture() *vfs.Mem {
	m := vfs.NewMem()
	w := func(p, s string) { m.WriteFile(p, []byte(s)) }
	for _, f := range []string{
		"/r/index.html", "/r/src/main.ts", "/r/src/a.ts", "/r/src/b.js", "/r/src/c.tsx",
		"/r/src/d.mts", "/r/src/e.cts", "/r/src/f.js", "/r/src/f.ts", "/r/src/g.mjs", "/r/src/g.js",
		"/r/src/style.css", "/r/src/comp/index.tsx", "/r/src/comp/Button.tsx",
		"/r/src/components-v2/Button.tsx", "/r/src/utils/x.ts", "/r/common/s.ts",
		"/r/src/lib/lib.js", "/r/src/mod/esm.js", "/r/src/mod/cjs.js", "/r/src/nolib/index.js",
		"/r/src/internal/log.ts", "/r/src/env.ts", "/r/src/env-browser.ts", "/r/src/env-node.ts",
		"/elsewhere/file.js", "/r/src/dir.js", "/r/src/dir/index.js", "/r/src/only-dir/index.ts",
	} {
		w(f, "export {}\n")
	}
	w("/r/src/data.json", `{"a":1}`)
	w("/r/src/lib/package.json", `{"main": "./lib.js"}`)
	w("/r/src/mod/package.json", `{"module": "./esm.js", "main": "./cjs.js"}`)
	w("/r/src/nolib/package.json", `{"main": "./missing.js"}`)
	w("/r/src/brokenpkg/package.json", `{"main": `)
	m.Symlink("./a.ts", "/r/src/linked.ts")
	m.Symlink("/nowhere.ts", "/r/src/dangling.ts")
	m.Symlink("loopb", "/r/src/loopa")
	m.Symlink("loopa", "/r/src/loopb")

	w("/r/package.json", `{
		"name": "root",
		"imports": {
			"#internal/*": "./src/internal/*.ts",
			"#env": {"node": "./src/env-node.ts", "browser": "./src/env-browser.ts", "default": "./src/env.ts"},
			"#env-default": {"node": "./src/env-node.ts", "default": "./src/env.ts"},
			"#dep": "react",
			"#ws": "@ws/ui",
			"#fs": "node:fs",
			"#blocked": null,
			"#gone": "./src/nothing-here.ts"
		}
	}`)
	w("/r/tsconfig.json", `{
		// Root config: comments, trailing commas, paths relative to this file.
		"compilerOptions": {
			/* no baseUrl: paths are relative to this file */
			"paths": {
				"@/*": ["./src/*"],
				"@app/comp/*": ["./src/components-v2/*"],
				"@app/*": ["./src/*",],
				"exact-alias": ["./src/a.ts"],
				"multi/*": ["./nope/*", "./src/utils/*"],
				"weird//key/*": ["./src/*"], // "//" inside a string is not a comment
				"star/*": ["./src/*", ],
			},
		},
	}`)

	// baseUrl alone.
	w("/r/apps/base/tsconfig.json", `{"compilerOptions": {"baseUrl": "src"}}`)
	w("/r/apps/base/src/main.ts", "")
	w("/r/apps/base/src/components/Button.tsx", "")
	w("/r/apps/base/src/events/index.ts", "")
	// extends: relative without .json → a package in node_modules.
	w("/r/apps/ext/tsconfig.json", `{"extends": "./configs/mid"}`)
	w("/r/apps/ext/configs/mid.json", `{"extends": "@acme/tsconfig", "compilerOptions": {"baseUrl": "../src"}}`)
	w("/r/node_modules/@acme/tsconfig/package.json", `{"name": "@acme/tsconfig", "tsconfig": "shared.json"}`)
	w("/r/node_modules/@acme/tsconfig/shared.json", `{"compilerOptions": {"paths": {"pkgpath/*": ["./lib/*"]}}}`)
	w("/r/apps/ext/src/main.ts", "")
	w("/r/apps/ext/src/lib/thing.ts", "")
	w("/r/apps/ext/src/direct.ts", "")
	// extends subpath of a package: "pkg/sub" → sub.json.
	w("/r/apps/extsub/tsconfig.json", `{"extends": "@acme/tsconfig/more"}`)
	w("/r/node_modules/@acme/tsconfig/more.json", `{"compilerOptions": {"paths": {"more/*": ["./m/*"]}}}`)
	w("/r/node_modules/@acme/tsconfig/m/x.ts", "")
	w("/r/apps/extsub/main.ts", "")
	// extends array: the later one overrides paths wholesale.
	w("/r/apps/arr/tsconfig.json", `{"extends": ["./a.json", "./b.json"]}`)
	w("/r/apps/arr/a.json", `{"compilerOptions": {"paths": {"x/*": ["./from-a/*"]}}}`)
	w("/r/apps/arr/b.json", `{"compilerOptions": {"paths": {"y/*": ["./from-b/*"]}}}`)
	w("/r/apps/arr/from-a/z.ts", "")
	w("/r/apps/arr/from-b/z.ts", "")
	w("/r/apps/arr/main.ts", "")
	// extends cycle.
	w("/r/apps/cycle/tsconfig.json", `{"extends": "./one.json"}`)
	w("/r/apps/cycle/one.json", `{"extends": "./tsconfig.json"}`)
	w("/r/apps/cycle/main.ts", "")
	w("/r/apps/cycle/local.ts", "")
	// jsconfig when there is no tsconfig.
	w("/r/apps/js/jsconfig.json", `{"compilerOptions": {"baseUrl": "."}}`)
	w("/r/apps/js/main.js", "")
	w("/r/apps/js/helpers/fmt.js", "")
	// malformed tsconfig.
	w("/r/apps/badts/tsconfig.json", `{"compilerOptions": {"paths": {"@/*": ["./*"]}}`)
	w("/r/apps/badts/main.ts", "")
	w("/r/apps/badts/local.ts", "")

	// Real node_modules packages: external.
	w("/r/node_modules/react/package.json", `{"name": "react", "main": "index.js"}`)
	w("/r/node_modules/react/index.js", "")
	w("/opt/ui/package.json", `{"name": "outside-ui", "main": "index.js"}`)
	w("/opt/ui/index.js", "")
	m.Symlink("/opt/ui", "/r/node_modules/outside-ui")
	m.Symlink("/nonexistent", "/r/node_modules/broken")
	m.Symlink("loop2", "/r/node_modules/loop1")
	m.Symlink("loop1", "/r/node_modules/loop2")
	w("/r/node_modules/badjson/package.json", `{"main": "index.js",}`)
	w("/r/node_modules/badjson/index.js", "")

	// A workspace package inside Root, symlinked into node_modules.
	w("/r/packages/ui/package.json", `{"name": "@ws/ui", "exports": {".": "./src/index.ts", "./button": "./src/button.tsx"}}`)
	w("/r/packages/ui/src/index.ts", "")
	w("/r/packages/ui/src/button.tsx", "")
	m.Symlink("../../packages/ui", "/r/node_modules/@ws/ui")

	// Workspace packages in the watched root /ws, to observe which file
	// exports picks.
	pkg := func(name, pj string, files ...string) {
		dir := "/ws/pkgs/" + strings.ReplaceAll(name, "/", "__")
		w(dir+"/package.json", pj)
		for _, f := range files {
			w(dir+"/"+f, "")
		}
		m.Symlink(dir, "/r/node_modules/"+name)
	}
	pkg("exp-str", `{"exports": "./main.js"}`, "main.js", "other.js")
	pkg("exp-sub", `{"exports": {
		".": "./index.js",
		"./feature": "./src/feature.js",
		"./utils/*": "./src/utils/*.js",
		"./feature/*.js": "./src/feat/*.js",
		"./internal/*": null,
		"./data.json": "./data.json",
		"./escape/*": "./src/*",
		"./bad": "../outside.js"
	}}`, "index.js", "src/feature.js", "src/utils/a.js", "src/utils/deep/b.js", "src/feat/x.js", "src/internal.js", "internal/y.js", "data.json")
	pkg("exp-cond", `{"exports": {".": {"node": "./node.js", "browser": "./browser.js", "import": "./esm.js", "default": "./default.js"}}}`,
		"node.js", "browser.js", "esm.js", "default.js")
	pkg("exp-order", `{"exports": {"import": "./esm.js", "browser": "./browser.js", "default": "./default.js"}}`,
		"esm.js", "browser.js", "default.js")
	pkg("exp-require", `{"exports": {"require": "./cjs.js"}}`, "cjs.js")
	pkg("exp-default", `{"exports": {"require": "./cjs.js", "default": "./d.js"}}`, "cjs.js", "d.js")
	pkg("exp-nested", `{"exports": {
		".": {"browser": {"require": "./b-cjs.js", "import": "./b-esm.js"}, "default": "./d.js"},
		"./w": {"browser": {"worker": "./w.js"}, "default": "./wd.js"}
	}}`, "b-cjs.js", "b-esm.js", "d.js", "w.js", "wd.js")
	pkg("exp-array", `{"exports": {".": ["./missing.js", "./present.js"], "./inv": ["bad-target", "./present.js"]}}`, "present.js")
	pkg("exp-blocked", `{"exports": {".": "./i.js", "./*": "./*", "./private/*": null}}`, "i.js", "private/p.js", "public/x.js")
	pkg("exp-mixed", `{"exports": {".": "./a.js", "import": "./b.js"}}`, "a.js", "b.js")
	pkg("exp-nomatch", `{"exports": {".": "./index.js"}}`, "index.js", "other.js")
	pkg("noexp-module", `{"module": "./esm/index.js", "main": "./cjs/index.js"}`, "esm/index.js", "cjs/index.js")
	pkg("noexp-main", `{"main": "lib/main"}`, "lib/main.js")
	pkg("noexp-index", `{}`, "index.js")
	pkg("noexp-browser", `{"browser": "./browser.js", "main": "./main.js"}`, "browser.js", "main.js")
	pkg("noexp-deep", `{"main": "index.js"}`, "index.js", "a/b/c.js", "dir/index.mjs", "t/x.ts")
	pkg("@scope/pkg", `{"exports": {".": "./index.js", "./sub/path": "./deep/sub.js"}}`, "index.js", "deep/sub.js")
	pkg("nopkgjson", `{}`)
	m.Remove("/ws/pkgs/nopkgjson/package.json")
	w("/ws/pkgs/nopkgjson/index.js", "")
	return m
}

func newTestResolver(fsys vfs.FS) *Resolver {
	return New(fsys, Options{Root: "/r", WatchedRoots: []string{"/ws"}})
}

type tcase struct {
	name     string
	importer string
	spec     string
	want     string // expected Path
	ext      bool   // expect External
	notFound bool   // expect an error wrapping ErrNotFound
	errSub   string // expect an error (not ErrNotFound) containing this
}

const main = "/r/src/main.ts"

var cases = []tcase{
	// Relative paths and extension probing.
	{name: "relative with extension", spec: "./a.ts", want: "/r/src/a.ts"},
	{name: "relative without extension", spec: "./a", want: "/r/src/a.ts"},
	{name: "relative js file", spec: "./b", want: "/r/src/b.js"},
	{name: "parent dir", spec: "../common/s", want: "/r/common/s.ts"},
	{name: "up and down", spec: "../src/utils/x", want: "/r/src/utils/x.ts"},
	{name: "json by probing", spec: "./data", want: "/r/src/data.json"},
	{name: "css exact", spec: "./style.css", want: "/r/src/style.css"},
	{name: "vite order: .mjs before .js", spec: "./g", want: "/r/src/g.mjs"},
	{name: "js to ts", spec: "./a.js", want: "/r/src/a.ts"},
	{name: "jsx to tsx", spec: "./c.jsx", want: "/r/src/c.tsx"},
	{name: "js to tsx", spec: "./c.js", want: "/r/src/c.tsx"},
	{name: "mjs to mts", spec: "./d.mjs", want: "/r/src/d.mts"},
	{name: "cjs to cts", spec: "./e.cjs", want: "/r/src/e.cts"},
	{name: "exact js wins over ts", spec: "./f.js", want: "/r/src/f.js"},
	{name: "directory index", spec: "./comp", want: "/r/src/comp/index.tsx"},
	{name: "directory trailing slash", spec: "./comp/", want: "/r/src/comp/index.tsx"},
	{name: "file before directory", spec: "./dir", want: "/r/src/dir.js"},
	{name: "trailing slash forces directory", spec: "./dir/", want: "/r/src/dir/index.js"},
	{name: "dot is the directory", importer: "/r/src/only-dir/x.ts", spec: ".", want: "/r/src/only-dir/index.ts"},
	{name: "directory package.json main", spec: "./lib", want: "/r/src/lib/lib.js"},
	{name: "directory package.json module first", spec: "./mod", want: "/r/src/mod/esm.js"},
	{name: "directory main missing falls to index", spec: "./nolib", want: "/r/src/nolib/index.js"},
	{name: "directory malformed package.json", spec: "./brokenpkg", errSub: "brokenpkg/package.json"},
	{name: "relative missing", spec: "./nope", notFound: true},
	{name: "symlinked file is real path", spec: "./linked", want: "/r/src/a.ts"},
	{name: "broken symlink", spec: "./dangling.ts", notFound: true},
	{name: "symlink loop", spec: "./loopa", notFound: true},

	// Query and hash.
	{name: "query stripped", spec: "./style.css?inline", want: "/r/src/style.css"},
	{name: "timestamp query", spec: "./a.ts?t=123", want: "/r/src/a.ts"},
	{name: "hash stripped", spec: "./a#frag", want: "/r/src/a.ts"},
	{name: "query and hash", spec: "./b.js?x=1#y", want: "/r/src/b.js"},

	// Root-absolute and filesystem paths.
	{name: "root-absolute", spec: "/src/a", want: "/r/src/a.ts"},
	{name: "root-absolute from elsewhere", importer: "/r/apps/js/main.js", spec: "/src/utils/x.ts", want: "/r/src/utils/x.ts"},
	{name: "root-absolute cannot climb", spec: "/../../src/a.ts", want: "/r/src/a.ts"},
	{name: "fs path under root", spec: "/r/src/a.ts", want: "/r/src/a.ts"},
	{name: "fs path outside root", spec: "/elsewhere/file.js", want: "/elsewhere/file.js"},
	{name: "@fs prefix", spec: "/@fs/elsewhere/file.js", want: "/elsewhere/file.js"},
	{name: "@fs prefix probes", spec: "/@fs/r/src/a", want: "/r/src/a.ts"},
	{name: "root-absolute missing", spec: "/src/zzz", notFound: true},
	{name: "index.html importer", importer: "/r/index.html", spec: "./src/main.ts", want: "/r/src/main.ts"},

	// URLs and built-ins.
	{name: "https", spec: "https://cdn.example.com/x.js", ext: true},
	{name: "http", spec: "http://x/y", ext: true},
	{name: "data url", spec: "data:text/javascript,export default '?#'", ext: true},
	{name: "blob", spec: "blob:https://x/123", ext: true},
	{name: "protocol-relative", spec: "//cdn.example.com/x.js", ext: true},
	{name: "node: scheme", spec: "node:fs", ext: true},
	{name: "node: only module", spec: "node:test", ext: true},
	{name: "builtin", spec: "fs", ext: true},
	{name: "builtin subpath", spec: "path/posix", ext: true},
	{name: "builtin promises", spec: "fs/promises", ext: true},
	{name: "not a builtin subpath", spec: "fs/nope", notFound: true},

	// tsconfig paths.
	{name: "paths wildcard", spec: "@/utils/x", want: "/r/src/utils/x.ts"},
	{name: "paths exact", spec: "exact-alias", want: "/r/src/a.ts"},
	{name: "paths longest prefix", spec: "@app/comp/Button", want: "/r/src/components-v2/Button.tsx"},
	{name: "paths shorter prefix", spec: "@app/utils/x", want: "/r/src/utils/x.ts"},
	{name: "paths best pattern only, no retry with shorter", spec: "@app/comp/index", notFound: true},
	{name: "paths fallback target", spec: "multi/x", want: "/r/src/utils/x.ts"},
	{name: "paths key with //", spec: "weird//key/a", want: "/r/src/a.ts"},
	{name: "paths trailing comma in array", spec: "star/b", want: "/r/src/b.js"},
	{name: "paths with js-to-ts", spec: "@/a.js", want: "/r/src/a.ts"},
	{name: "paths no target exists falls through", spec: "@/nothing", notFound: true},
	{name: "baseUrl", importer: "/r/apps/base/src/main.ts", spec: "components/Button", want: "/r/apps/base/src/components/Button.tsx"},
	{name: "baseUrl falls through to node_modules", importer: "/r/apps/base/src/main.ts", spec: "react", ext: true},
	{name: "baseUrl shadows a builtin", importer: "/r/apps/base/src/main.ts", spec: "events", want: "/r/apps/base/src/events/index.ts"},
	{name: "jsconfig baseUrl", importer: "/r/apps/js/main.js", spec: "helpers/fmt", want: "/r/apps/js/helpers/fmt.js"},
	{name: "extends chain: paths from package, baseUrl from mid", importer: "/r/apps/ext/src/main.ts", spec: "pkgpath/thing", want: "/r/apps/ext/src/lib/thing.ts"},
	{name: "extends chain: baseUrl inherited", importer: "/r/apps/ext/src/main.ts", spec: "direct", want: "/r/apps/ext/src/direct.ts"},
	{name: "extends package subpath", importer: "/r/apps/extsub/main.ts", spec: "more/x", want: "/r/node_modules/@acme/tsconfig/m/x.ts"},
	{name: "extends array: later wins", importer: "/r/apps/arr/main.ts", spec: "y/z", want: "/r/apps/arr/from-b/z.ts"},
	{name: "extends array: overridden paths gone", importer: "/r/apps/arr/main.ts", spec: "x/z", notFound: true},
	{name: "extends cycle", importer: "/r/apps/cycle/main.ts", spec: "anything", errSub: "cycle"},
	{name: "extends cycle spares relative", importer: "/r/apps/cycle/main.ts", spec: "./local", want: "/r/apps/cycle/local.ts"},
	{name: "malformed tsconfig", importer: "/r/apps/badts/main.ts", spec: "react", errSub: "badts/tsconfig.json"},
	{name: "malformed tsconfig spares relative", importer: "/r/apps/badts/main.ts", spec: "./local", want: "/r/apps/badts/local.ts"},

	// package.json imports.
	{name: "imports pattern", spec: "#internal/log", want: "/r/src/internal/log.ts"},
	{name: "imports condition order", spec: "#env", want: "/r/src/env-browser.ts"},
	{name: "imports default condition", spec: "#env-default", want: "/r/src/env.ts"},
	{name: "imports bare target", spec: "#dep", ext: true},
	{name: "imports bare workspace target", spec: "#ws", want: "/r/packages/ui/src/index.ts"},
	{name: "imports url target", spec: "#fs", ext: true},
	{name: "imports null", spec: "#blocked", notFound: true},
	{name: "imports missing file", spec: "#gone", notFound: true},
	{name: "imports unknown", spec: "#nope", notFound: true},
	{name: "imports with query", spec: "#internal/log?raw", want: "/r/src/internal/log.ts"},

	// Bare packages.
	{name: "bare real package is external", spec: "react", ext: true},
	{name: "bare walks up", importer: "/r/packages/ui/src/index.ts", spec: "react", ext: true},
	{name: "workspace symlink in Root", spec: "@ws/ui", want: "/r/packages/ui/src/index.ts"},
	{name: "workspace symlink subpath", spec: "@ws/ui/button", want: "/r/packages/ui/src/button.tsx"},
	{name: "package outside watched roots", spec: "outside-ui", ext: true},
	{name: "bare not found", spec: "no-such-package", notFound: true},
	{name: "bare broken symlink", spec: "broken", notFound: true},
	{name: "bare symlink loop", spec: "loop1", notFound: true},
	{name: "bare malformed package.json", spec: "badjson", errSub: "badjson/package.json"},
	{name: "exports string", spec: "exp-str", want: "/ws/pkgs/exp-str/main.js"},
	{name: "exports string blocks subpaths", spec: "exp-str/other.js", notFound: true},
	{name: "exports subpath root", spec: "exp-sub", want: "/ws/pkgs/exp-sub/index.js"},
	{name: "exports subpath", spec: "exp-sub/feature", want: "/ws/pkgs/exp-sub/src/feature.js"},
	{name: "exports pattern", spec: "exp-sub/utils/a", want: "/ws/pkgs/exp-sub/src/utils/a.js"},
	{name: "exports pattern deep", spec: "exp-sub/utils/deep/b", want: "/ws/pkgs/exp-sub/src/utils/deep/b.js"},
	{name: "exports pattern with trailer", spec: "exp-sub/feature/x.js", want: "/ws/pkgs/exp-sub/src/feat/x.js"},
	{name: "exports null pattern", spec: "exp-sub/internal/y", notFound: true},
	{name: "exports exact file", spec: "exp-sub/data.json", want: "/ws/pkgs/exp-sub/data.json"},
	{name: "exports not exported", spec: "exp-sub/src/feature.js", notFound: true},
	{name: "exports pattern cannot escape", spec: "exp-sub/escape/..%2f", notFound: true},
	{name: "exports invalid target", spec: "exp-sub/bad", errSub: "invalid target"},
	{name: "exports conditions: first active key", spec: "exp-cond", want: "/ws/pkgs/exp-cond/browser.js"},
	{name: "exports conditions: object order decides", spec: "exp-order", want: "/ws/pkgs/exp-order/esm.js"},
	{name: "exports require not active", spec: "exp-require", notFound: true},
	{name: "exports default always active", spec: "exp-default", want: "/ws/pkgs/exp-default/d.js"},
	{name: "exports nested conditions", spec: "exp-nested", want: "/ws/pkgs/exp-nested/b-esm.js"},
	{name: "exports nested no match continues", spec: "exp-nested/w", want: "/ws/pkgs/exp-nested/wd.js"},
	{name: "exports array fallback", spec: "exp-array", want: "/ws/pkgs/exp-array/present.js"},
	{name: "exports array invalid fallback", spec: "exp-array/inv", want: "/ws/pkgs/exp-array/present.js"},
	{name: "exports null beats wider pattern", spec: "exp-blocked/private/p.js", notFound: true},
	{name: "exports wide pattern", spec: "exp-blocked/public/x.js", want: "/ws/pkgs/exp-blocked/public/x.js"},
	{name: "exports mixed keys", spec: "exp-mixed", errSub: "mixes"},
	{name: "exports no subpath match", spec: "exp-nomatch/other.js", notFound: true},
	{name: "no exports: module", spec: "noexp-module", want: "/ws/pkgs/noexp-module/esm/index.js"},
	{name: "no exports: main probed", spec: "noexp-main", want: "/ws/pkgs/noexp-main/lib/main.js"},
	{name: "no exports: index", spec: "noexp-index", want: "/ws/pkgs/noexp-index/index.js"},
	{name: "no exports: browser string", spec: "noexp-browser", want: "/ws/pkgs/noexp-browser/browser.js"},
	{name: "no exports: deep subpath", spec: "noexp-deep/a/b/c", want: "/ws/pkgs/noexp-deep/a/b/c.js"},
	{name: "no exports: deep dir index", spec: "noexp-deep/dir", want: "/ws/pkgs/noexp-deep/dir/index.mjs"},
	{name: "no exports: deep js to ts", spec: "noexp-deep/t/x.js", want: "/ws/pkgs/noexp-deep/t/x.ts"},
	{name: "no exports: escaping subpath", spec: "noexp-deep/../react", notFound: true},
	{name: "no package.json: index", spec: "nopkgjson", want: "/ws/pkgs/nopkgjson/index.js"},
	{name: "scoped package", spec: "@scope/pkg", want: "/ws/pkgs/@scope__pkg/index.js"},
	{name: "scoped package subpath", spec: "@scope/pkg/sub/path", want: "/ws/pkgs/@scope__pkg/deep/sub.js"},
	{name: "scope alone", spec: "@scope", notFound: true},

	// Odd specifiers.
	{name: "empty", spec: "", notFound: true},
	{name: "only query", spec: "?x", notFound: true},
	{name: "hash only", spec: "#", notFound: true},
}

func TestResolve(t *testing.T) {
	if len(cases) < 50 {
		t.Fatalf("only %d cases", len(cases))
	}
	r := newTestResolver(fixture())
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// Twice: cold, then from the result cache.
			for pass := 0; pass < 2; pass++ {
				checkCase(t, r, tc)
			}
		})
	}
}

// TestResolveParallel resolves every case at once from many goroutines on a
// cold resolver, as the engine's parallel scan does (run with -race).
func TestResolveParallel(t *testing.T) {
	r := newTestResolver(fixture())
	done := make(chan struct{})
	for g := 0; g < 8; g++ {
		go func() {
			defer func() { done <- struct{}{} }()
			for i := range cases {
				tc := cases[(i+g*7)%len(cases)]
				checkCase(t, r, tc)
			}
		}()
	}
	for g := 0; g < 8; g++ {
		<-done
	}
}

func checkCase(t *testing.T, r *Resolver, tc tcase) {
	t.Helper()
	imp := tc.importer
	if imp == "" {
		imp = main
	}
	res, err := r.Resolve(imp, tc.spec)
	switch {
	case tc.notFound:
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("%s: Resolve(%q, %q) = %+v, %v; want ErrNotFound", tc.name, imp, tc.spec, res, err)
		} else if !strings.Contains(err.Error(), imp) || !strings.Contains(err.Error(), tc.spec) {
			t.Errorf("%s: error %q does not name importer and specifier", tc.name, err)
		}
	case tc.errSub != "":
		if err == nil || errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), tc.errSub) {
			t.Errorf("%s: Resolve(%q, %q) = %+v, %v; want an error containing %q", tc.name, imp, tc.spec, res, err, tc.errSub)
		}
	case tc.ext:
		if err != nil || !res.External || res.Path != "" {
			t.Errorf("%s: Resolve(%q, %q) = %+v, %v; want External", tc.name, imp, tc.spec, res, err)
		}
	default:
		if err != nil || res.External || res.Path != tc.want {
			t.Errorf("%s: Resolve(%q, %q) = %+v, %v; want %s", tc.name, imp, tc.spec, res, err, tc.want)
		}
	}
}

func TestResolveErrorNamesImporter(t *testing.T) {
	r := newTestResolver(fixture())
	// Two importers of one directory share the cached failure; each error
	// must still name its own importer.
	for _, imp := range []string{"/r/src/main.ts", "/r/src/a.ts"} {
		_, err := r.Resolve(imp, "./nope")
		want := `resolve "./nope" from ` + imp + ": "
		if err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("error %v; want prefix %q", err, want)
		}
	}
	if _, err := r.Resolve("relative/importer.ts", "./a"); err == nil {
		t.Error("relative importer accepted")
	}
}

func TestConditionsOption(t *testing.T) {
	r := New(fixture(), Options{Root: "/r", WatchedRoots: []string{"/ws"}, Conditions: []string{"node", "require"}})
	for spec, want := range map[string]string{
		"exp-cond":    "/ws/pkgs/exp-cond/node.js",
		"exp-order":   "/ws/pkgs/exp-order/default.js",
		"exp-require": "/ws/pkgs/exp-require/cjs.js",
		"exp-nested":  "/ws/pkgs/exp-nested/d.js",
		"#env":        "/r/src/env-node.ts",
	} {
		res, err := r.Resolve(main, spec)
		if err != nil || res.Path != want {
			t.Errorf("%s: %+v, %v; want %s", spec, res, err, want)
		}
	}
}

func TestExtensionsOption(t *testing.T) {
	m := fixture()
	m.WriteFile("/r/src/k.css", nil)
	m.WriteFile("/r/src/k.vue", nil)
	r := New(m, Options{Root: "/r", Extensions: []string{".vue", ".css"}})
	if res, err := r.Resolve(main, "./k"); err != nil || res.Path != "/r/src/k.vue" {
		t.Errorf("./k = %+v, %v; want k.vue", res, err)
	}
	if _, err := r.Resolve(main, "./a"); !errors.Is(err, ErrNotFound) {
		t.Errorf("./a with custom extensions = %v; want ErrNotFound", err)
	}
}

func TestIsConfigFile(t *testing.T) {
	for p, want := range map[string]bool{
		"/r/package.json":          true,
		"/r/tsconfig.json":         true,
		"/r/tsconfig.app.json":     true,
		"/r/jsconfig.json":         true,
		"/r/src/a.ts":              false,
		"/r/package.json.bak":      false,
		"/r/data.json":             false,
		"/r/node_modules/x/p.json": false,
	} {
		if got := IsConfigFile(p); got != want {
			t.Errorf("IsConfigFile(%s) = %v", p, got)
		}
	}
	r := newTestResolver(fixture())
	if _, err := r.Resolve("/r/apps/ext/src/main.ts", "direct"); err != nil {
		t.Fatal(err)
	}
	if !r.IsConfigFile("/r/apps/ext/configs/mid.json") {
		t.Error("an extended config is not reported as a config once loaded")
	}
}
