package resolve

import (
	"errors"
	"testing"

	"github.com/hmrd/hmrd/internal/vfs"
)

// selfRefFixture is a workspace package that imports itself by name, next
// to an app whose tsconfig declares a custom condition.
func selfRefFixture() *vfs.Mem {
	m := vfs.NewMem()
	w := func(p, s string) { m.WriteFile(p, []byte(s)) }
	w("/r/package.json", `{
		"name": "@acme/lib",
		"exports": {
			".": "./src/index.ts",
			"./utils": {"development": "./src/utils.dev.ts", "default": "./src/utils.ts"},
			"./package.json": "./package.json"
		}
	}`)
	for _, f := range []string{"/r/src/index.ts", "/r/src/utils.ts", "/r/src/utils.dev.ts", "/r/src/private.ts", "/r/app/main.ts"} {
		w(f, "export {}\n")
	}
	// A package without exports cannot refer to itself (Node's rule).
	w("/r/noexp/package.json", `{"name": "noexp", "main": "./index.js"}`)
	w("/r/noexp/index.js", "export {}\n")
	w("/r/noexp/use.js", "export {}\n")
	// The app below uses customConditions from an extended config.
	w("/r/app/tsconfig.base.json", `{"compilerOptions": {"customConditions": ["development"]}}`)
	w("/r/app/tsconfig.json", `{"extends": "./tsconfig.base.json"}`)
	return m
}

func TestSelfReference(t *testing.T) {
	r := New(selfRefFixture(), Options{Root: "/r"})
	for _, tc := range []struct {
		importer, spec, want string
	}{
		{"/r/src/private.ts", "@acme/lib", "/r/src/index.ts"},
		{"/r/src/private.ts", "@acme/lib/utils", "/r/src/utils.ts"},
		{"/r/src/private.ts", "@acme/lib/package.json", "/r/package.json"},
	} {
		res, err := r.Resolve(tc.importer, tc.spec)
		if err != nil || res.Path != tc.want {
			t.Errorf("%s from %s = %+v, %v; want %s", tc.spec, tc.importer, res, err, tc.want)
		}
	}
	// The exports are the whole contract: a subpath they do not grant is
	// not found, not looked for in node_modules.
	if _, err := r.Resolve("/r/src/private.ts", "@acme/lib/src/private.ts"); !errors.Is(err, ErrNotFound) {
		t.Errorf("ungranted self subpath: %v; want ErrNotFound", err)
	}
	// Without exports there is no self-reference.
	if _, err := r.Resolve("/r/noexp/use.js", "noexp"); !errors.Is(err, ErrNotFound) {
		t.Errorf("self-reference without exports: %v; want ErrNotFound", err)
	}
}

func TestCustomConditions(t *testing.T) {
	r := New(selfRefFixture(), Options{Root: "/r"})
	// app/ inherits customConditions: ["development"] through extends.
	if res, err := r.Resolve("/r/app/main.ts", "@acme/lib/utils"); err != nil || res.Path != "/r/src/utils.dev.ts" {
		t.Errorf("with customConditions: %+v, %v; want utils.dev.ts", res, err)
	}
	// src/ has no tsconfig with the condition: the default branch.
	if res, err := r.Resolve("/r/src/index.ts", "@acme/lib/utils"); err != nil || res.Path != "/r/src/utils.ts" {
		t.Errorf("without customConditions: %+v, %v; want utils.ts", res, err)
	}
	// A --condition flag (ExtraConditions) turns it on everywhere, on top
	// of the defaults.
	r = New(selfRefFixture(), Options{Root: "/r", ExtraConditions: []string{"development"}})
	if res, err := r.Resolve("/r/src/index.ts", "@acme/lib/utils"); err != nil || res.Path != "/r/src/utils.dev.ts" {
		t.Errorf("with the condition option: %+v, %v; want utils.dev.ts", res, err)
	}
}
