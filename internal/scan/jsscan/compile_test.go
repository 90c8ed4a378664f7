package jsscan

import (
	"errors"
	"strings"
	"testing"
)

// Compile makes runnable JavaScript of TypeScript and JSX: types gone,
// the module's imports as written, the tsconfig's decorators and JSX
// runtime honoured, a source map inline; syntax errors are positioned.
func TestCompile(t *testing.T) {
	for _, c := range []struct {
		name, src string
		opts      Options
		want      []string // substrings of the output
		not       []string // substrings it must not have
	}{
		{"types stripped", "import { a } from './a.js'\nimport type { T } from './t.js'\nexport const x: number = a as number\n",
			Options{Loader: LoaderTS, Filename: "/p/x.ts"},
			[]string{`from "./a.js"`, "export const x = a", "sourceMappingURL=data:application/json;base64,"}, []string{"./t.js", ": number"}},
		{"automatic JSX from tsconfig", "export const App = () => <p>hi</p>\n",
			Options{Loader: LoaderTSX, Filename: "/p/App.tsx", Tsconfig: `{"compilerOptions":{"jsx":"react-jsx"}}`},
			[]string{`from "react/jsx-runtime"`}, []string{"React.createElement"}},
		{"experimental decorators", "function d(c: any) {}\n@d export class C {}\n",
			Options{Loader: LoaderTS, Filename: "/p/c.ts", Tsconfig: `{"compilerOptions":{"experimentalDecorators":true}}`},
			[]string{"__decorateClass"}, nil},
		{"plain JavaScript as it is", "export const y = 1 // untouched\n",
			Options{Loader: LoaderJS, Filename: "/p/y.js"},
			[]string{"export const y = 1 // untouched\n"}, []string{"sourceMappingURL"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			out, err := Compile([]byte(c.src), c.opts)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range c.want {
				if !strings.Contains(string(out), w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			for _, n := range c.not {
				if strings.Contains(string(out), n) {
					t.Errorf("output has %q:\n%s", n, out)
				}
			}
		})
	}
	_, err := Compile([]byte("const a: number = \nexport {"), Options{Loader: LoaderTS, Filename: "/p/bad.ts"})
	var se *SyntaxError
	if !errors.As(err, &se) || se.Line != 2 || se.File != "/p/bad.ts" || se.Frame == "" {
		t.Fatalf("syntax error: %#v", err)
	}
}
