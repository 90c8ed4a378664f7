package resolve

import (
	"errors"
	"testing"
)

// step is one action of an invalidation scenario: change the filesystem,
// tell the resolver, check a resolution.
type step struct {
	write      map[string]string // files to write
	remove     []string
	link       [2]string // symlink {target, name}
	invalidate []string
	importer   string
	spec       string
	want       string
	notFound   bool
	ext        bool
}

func TestInvalidate(t *testing.T) {
	tests := []struct {
		name  string
		steps []step
	}{
		{"created file makes a failing import resolve", []step{
			{spec: "./new", notFound: true},
			{write: map[string]string{"/r/src/new.ts": ""}, spec: "./new", notFound: true}, // cached until told
			{invalidate: []string{"/r/src/new.ts"}, spec: "./new", want: "/r/src/new.ts"},
		}},
		{"deleted file makes an import fail", []step{
			{spec: "./a", want: "/r/src/a.ts"},
			{remove: []string{"/r/src/a.ts"}, invalidate: []string{"/r/src/a.ts"}, spec: "./a", notFound: true},
			{spec: "@/a", notFound: true},
		}},
		{"created file earlier in probe order wins", []step{
			{spec: "./b", want: "/r/src/b.js"},
			{write: map[string]string{"/r/src/b.mjs": ""}, invalidate: []string{"/r/src/b.mjs"}, spec: "./b", want: "/r/src/b.mjs"},
		}},
		{"directory created with contents, reported as the directory", []step{
			{spec: "./newdir", notFound: true},
			{write: map[string]string{"/r/src/newdir/index.ts": ""}, invalidate: []string{"/r/src/newdir"}, spec: "./newdir", want: "/r/src/newdir/index.ts"},
		}},
		{"deep file created under missing directories, reported as the file", []step{
			{spec: "./x/y/z", notFound: true},
			{write: map[string]string{"/r/src/x/y/z.ts": ""}, invalidate: []string{"/r/src/x/y/z.ts"}, spec: "./x/y/z", want: "/r/src/x/y/z.ts"},
		}},
		{"directory removed, reported as the directory", []step{
			{spec: "./comp/Button", want: "/r/src/comp/Button.tsx"},
			{spec: "./comp", want: "/r/src/comp/index.tsx"},
			{remove: []string{"/r/src/comp"}, invalidate: []string{"/r/src/comp"}, spec: "./comp/Button", notFound: true},
			{spec: "./comp", notFound: true},
		}},
		{"file replaced by a directory", []step{
			{spec: "./dir.js", want: "/r/src/dir.js"},
			{remove: []string{"/r/src/dir.js"}, write: map[string]string{"/r/src/dir.js/index.ts": ""}, invalidate: []string{"/r/src/dir.js"}, spec: "./dir.js", want: "/r/src/dir.js/index.ts"},
		}},
		{"tsconfig created later takes effect", []step{
			{importer: "/r/apps/late/main.ts", spec: "lib/x", notFound: true},
			{write: map[string]string{
				"/r/apps/late/tsconfig.json": `{"compilerOptions": {"baseUrl": "."}}`,
				"/r/apps/late/lib/x.ts":      "",
			}, invalidate: []string{"/r/apps/late/lib/x.ts", "/r/apps/late/tsconfig.json"}, importer: "/r/apps/late/main.ts", spec: "lib/x", want: "/r/apps/late/lib/x.ts"},
		}},
		{"tsconfig paths edited", []step{
			{spec: "@/a", want: "/r/src/a.ts"},
			{write: map[string]string{"/r/tsconfig.json": `{"compilerOptions": {"paths": {"@/*": ["./common/*"]}}}`},
				invalidate: []string{"/r/tsconfig.json"}, spec: "@/s", want: "/r/common/s.ts"},
			{spec: "@/a", notFound: true},
		}},
		{"tsconfig deleted", []step{
			{spec: "exact-alias", want: "/r/src/a.ts"},
			{remove: []string{"/r/tsconfig.json"}, invalidate: []string{"/r/tsconfig.json"}, spec: "exact-alias", notFound: true},
		}},
		{"extended config under another name edited", []step{
			{importer: "/r/apps/ext/src/main.ts", spec: "direct", want: "/r/apps/ext/src/direct.ts"},
			{write: map[string]string{"/r/apps/ext/configs/mid.json": `{"compilerOptions": {"baseUrl": "../src/lib"}}`},
				invalidate: []string{"/r/apps/ext/configs/mid.json"}, importer: "/r/apps/ext/src/main.ts", spec: "thing", want: "/r/apps/ext/src/lib/thing.ts"},
			{importer: "/r/apps/ext/src/main.ts", spec: "direct", notFound: true},
		}},
		{"package.json exports edited", []step{
			{spec: "exp-str", want: "/ws/pkgs/exp-str/main.js"},
			{write: map[string]string{"/ws/pkgs/exp-str/package.json": `{"exports": "./other.js"}`},
				invalidate: []string{"/ws/pkgs/exp-str/package.json"}, spec: "exp-str", want: "/ws/pkgs/exp-str/other.js"},
		}},
		{"package.json imports added", []step{
			{spec: "#later", notFound: true},
			{write: map[string]string{"/r/package.json": `{"imports": {"#later": "./src/a.ts"}}`},
				invalidate: []string{"/r/package.json"}, spec: "#later", want: "/r/src/a.ts"},
		}},
		{"file created in a workspace package, reported by real path", []step{
			{spec: "noexp-deep/a/b/new", notFound: true},
			{write: map[string]string{"/ws/pkgs/noexp-deep/a/b/new.js": ""}, invalidate: []string{"/ws/pkgs/noexp-deep/a/b/new.js"},
				spec: "noexp-deep/a/b/new", want: "/ws/pkgs/noexp-deep/a/b/new.js"},
		}},
		{"file created behind a symlinked source dir, reported by real path", []step{
			{link: [2]string{"../common", "/r/src/shlink"}, spec: "./shlink/s", want: "/r/common/s.ts"},
			{spec: "./shlink/new", notFound: true},
			{write: map[string]string{"/r/common/new.ts": ""}, invalidate: []string{"/r/common/new.ts"}, spec: "./shlink/new", want: "/r/common/new.ts"},
		}},
		{"file created behind a symlinked source dir, reported through the link", []step{
			{link: [2]string{"../common", "/r/src/shlink"}, spec: "./shlink/new2", notFound: true},
			{write: map[string]string{"/r/common/new2.ts": ""}, invalidate: []string{"/r/src/shlink/new2.ts"}, spec: "./shlink/new2", want: "/r/common/new2.ts"},
		}},
		{"symlinked source dir retargeted", []step{
			{link: [2]string{"../common", "/r/src/shlink"}, spec: "./shlink/s", want: "/r/common/s.ts"},
			{write: map[string]string{"/r/other/s.ts": ""}, link: [2]string{"../other", "/r/src/shlink"}, invalidate: []string{"/r/src/shlink"},
				spec: "./shlink/s", want: "/r/other/s.ts"},
		}},
		{"workspace symlink retargeted", []step{
			{spec: "@ws/ui", want: "/r/packages/ui/src/index.ts"},
			{write: map[string]string{
				"/r/packages/ui2/package.json": `{"main": "main.ts"}`,
				"/r/packages/ui2/main.ts":      "",
			}, link: [2]string{"../../packages/ui2", "/r/node_modules/@ws/ui"}, invalidate: []string{"/r/node_modules/@ws/ui"},
				spec: "@ws/ui", want: "/r/packages/ui2/main.ts"},
		}},
		{"node_modules created later", []step{
			{importer: "/r/apps/js/main.js", spec: "leftpad", notFound: true},
			{write: map[string]string{"/r/apps/js/node_modules/leftpad/index.js": ""}, invalidate: []string{"/r/apps/js/node_modules"},
				importer: "/r/apps/js/main.js", spec: "leftpad", ext: true},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := fixture()
			r := newTestResolver(m)
			for i, s := range tt.steps {
				for _, p := range s.remove {
					m.Remove(p)
				}
				for p, c := range s.write {
					m.WriteFile(p, []byte(c))
				}
				if s.link[1] != "" {
					m.Remove(s.link[1])
					m.Symlink(s.link[0], s.link[1])
				}
				for _, p := range s.invalidate {
					r.Invalidate(p)
				}
				imp := s.importer
				if imp == "" {
					imp = main
				}
				res, err := r.Resolve(imp, s.spec)
				switch {
				case s.notFound:
					if !errors.Is(err, ErrNotFound) {
						t.Errorf("step %d: Resolve(%q) = %+v, %v; want ErrNotFound", i, s.spec, res, err)
					}
				case s.ext:
					if err != nil || !res.External {
						t.Errorf("step %d: Resolve(%q) = %+v, %v; want External", i, s.spec, res, err)
					}
				case err != nil || res.Path != s.want:
					t.Errorf("step %d: Resolve(%q) = %+v, %v; want %s", i, s.spec, res, err, s.want)
				}
			}
		})
	}
}

// TestInvalidateIsPrecise checks that a plain source change keeps unrelated
// cached results, and a config change drops them.
func TestInvalidateIsPrecise(t *testing.T) {
	m := fixture()
	r := newTestResolver(m)
	specs := []string{"./a", "./b", "./comp", "@/utils/x", "react", "#env", "exp-sub/feature"}
	for _, s := range specs {
		if _, err := r.Resolve(main, s); err != nil {
			t.Fatal(s, err)
		}
	}
	cached := func(spec string) bool {
		r.mu.RLock()
		defer r.mu.RUnlock()
		_, ok := r.results[resultKey{"/r/src", spec}]
		return ok
	}
	m.WriteFile("/r/src/a.ts", []byte("changed"))
	r.Invalidate("/r/src/a.ts")
	if cached("./a") {
		t.Error("./a still cached after its file changed")
	}
	for _, s := range specs[1:] {
		if !cached(s) {
			t.Errorf("%s dropped by an unrelated source change", s)
		}
	}
	m.WriteFile("/r/src/unrelated.ts", nil)
	r.Invalidate("/r/src/unrelated.ts")
	for _, s := range specs[1:] {
		if !cached(s) {
			t.Errorf("%s dropped by creating an unrelated file", s)
		}
	}
	r.Invalidate("/r/package.json")
	if cached("react") || cached("#env") {
		t.Error("results survived a package.json change")
	}
}
