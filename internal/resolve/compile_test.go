package resolve

import (
	"slices"
	"testing"

	"github.com/hmrd/hmrd/internal/vfs"
)

// CompilerOptions reads the options that change how a file compiles from
// the nearest tsconfig, with extends merged option by option (the file
// over its bases, later bases over earlier ones), as tsc and esbuild do.
func TestCompilerOptions(t *testing.T) {
	m := vfs.NewMem()
	m.WriteFile("/r/tsconfig.base.json", []byte(`{ "compilerOptions": { "jsx": "react-jsx", "experimentalDecorators": true, "strict": true } }`))
	m.WriteFile("/r/node_modules/@cfg/ts/tsconfig.json", []byte(`{ "compilerOptions": { "jsxImportSource": "solid-js", "useDefineForClassFields": false } }`))
	m.WriteFile("/r/tsconfig.json", []byte(`{
		// comments and trailing commas, as tsc allows
		"extends": ["@cfg/ts", "./tsconfig.base.json"],
		"compilerOptions": { "verbatimModuleSyntax": true, "paths": { "@/*": ["src/*"] }, },
	}`))
	m.WriteFile("/r/src/a.tsx", nil)
	m.WriteFile("/r/preact/tsconfig.json", []byte(`{ "extends": "../tsconfig.json", "compilerOptions": { "jsxImportSource": "preact", "experimentalDecorators": false, "jsx": 1 } }`))
	m.WriteFile("/r/preact/b.tsx", nil)
	m.WriteFile("/r/classic/jsconfig.json", []byte(`{ "compilerOptions": { "jsxFactory": "h", "jsxFragmentFactory": "Fragment", "preserveValueImports": true, "importsNotUsedAsValues": "preserve" } }`))
	m.WriteFile("/r/classic/c.jsx", nil)
	m.WriteFile("/r/plain/tsconfig.json", []byte(`{ "compilerOptions": { "strict": true } }`))
	m.WriteFile("/r/plain/d.ts", nil)
	m.WriteFile("/r/broken/tsconfig.json", []byte(`{ "extends": "./missing.json" }`))
	m.WriteFile("/r/broken/e.ts", nil)
	m.WriteFile("/none/f.ts", nil)
	r := New(m, Options{Root: "/r"})
	for _, c := range []struct {
		file, want string
		configs    []string
		err        bool
	}{
		{"/r/src/a.tsx", `{"compilerOptions":{"experimentalDecorators":true,"jsx":"react-jsx","jsxImportSource":"solid-js","useDefineForClassFields":false,"verbatimModuleSyntax":true}}`,
			[]string{"/r/tsconfig.json", "/r/node_modules/@cfg/ts/tsconfig.json", "/r/tsconfig.base.json"}, false},
		{"/r/preact/b.tsx", `{"compilerOptions":{"experimentalDecorators":false,"jsx":"react-jsx","jsxImportSource":"preact","useDefineForClassFields":false,"verbatimModuleSyntax":true}}`,
			[]string{"/r/preact/tsconfig.json", "/r/tsconfig.json", "/r/node_modules/@cfg/ts/tsconfig.json", "/r/tsconfig.base.json"}, false},
		{"/r/classic/c.jsx", `{"compilerOptions":{"importsNotUsedAsValues":"preserve","jsxFactory":"h","jsxFragmentFactory":"Fragment","preserveValueImports":true}}`,
			[]string{"/r/classic/jsconfig.json"}, false},
		{"/r/plain/d.ts", ``, []string{"/r/plain/tsconfig.json"}, false},
		{"/r/broken/e.ts", ``, []string{"/r/broken/tsconfig.json"}, true},
		{"/none/f.ts", ``, nil, false},
	} {
		raw, configs, err := r.CompilerOptions(c.file)
		if raw != c.want || !slices.Equal(configs, c.configs) || (err != nil) != c.err {
			t.Errorf("CompilerOptions(%s) = %s, %q, %v\nwant %s, %q, error %v", c.file, raw, configs, err, c.want, c.configs, c.err)
		}
	}

	// A changed base config reaches the files of every config extending it.
	m.WriteFile("/r/tsconfig.base.json", []byte(`{ "compilerOptions": { "jsx": "react-jsxdev" } }`))
	r.Invalidate("/r/tsconfig.base.json")
	if raw, _, _ := r.CompilerOptions("/r/preact/b.tsx"); raw != `{"compilerOptions":{"experimentalDecorators":false,"jsx":"react-jsxdev","jsxImportSource":"preact","useDefineForClassFields":false,"verbatimModuleSyntax":true}}` {
		t.Errorf("after the base changed: %s", raw)
	}
	// A config created nearer takes over.
	m.WriteFile("/r/src/tsconfig.json", []byte(`{ "compilerOptions": { "jsx": "react" } }`))
	r.Invalidate("/r/src/tsconfig.json")
	if raw, configs, _ := r.CompilerOptions("/r/src/a.tsx"); raw != `{"compilerOptions":{"jsx":"react"}}` || !slices.Equal(configs, []string{"/r/src/tsconfig.json"}) {
		t.Errorf("after a nearer config appeared: %s %q", raw, configs)
	}
}
