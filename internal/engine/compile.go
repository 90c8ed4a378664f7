package engine

import (
	"errors"
	"path/filepath"

	"github.com/hmrd/hmrd/internal/scan/jsscan"
)

// CompileTarget is what Compile needs to know of a file, taken on the
// project's goroutine (CompileTargetOf) so the compile itself, which can
// take a while for a big file, runs off it.
type CompileTarget struct {
	File   string
	Module string // the module ID, "" when the graph has no module for the file
	opts   jsscan.Options
}

// CompileTargetOf prepares the compile of a project file for a runtime
// that loads project files itself and cannot compile them (Node.js without
// type stripping): the options the engine scans the file with (its
// tsconfig's), so the runtime imports exactly what the graph has. file
// must be an absolute path inside the root with a JavaScript, TypeScript
// or JSX extension.
func (p *Project) CompileTargetOf(file string) (CompileTarget, error) {
	if !filepath.IsAbs(file) {
		return CompileTarget{}, errors.New("compile: the file must be an absolute path")
	}
	file = filepath.Clean(file)
	if !within(filepath.ToSlash(file), filepath.ToSlash(p.opts.Root)) {
		return CompileTarget{}, errors.New("compile: " + file + " is outside the project root " + p.opts.Root)
	}
	if _, ok := jsscan.LoaderFor(file); !ok {
		return CompileTarget{}, errors.New("compile: " + file + " is not JavaScript, TypeScript or JSX")
	}
	t := CompileTarget{File: file, opts: p.jsOptions(filepath.ToSlash(file))}
	if r, ok := p.lookup(file); ok {
		t.Module = p.g.Mod(r).ID
	}
	return t, nil
}

// DefaultCompileTarget is the compile of file with esbuild's defaults, as
// when no tsconfig applies; ok is false for a name that is not JavaScript,
// TypeScript or JSX. (For programs without a project engine, such as a
// fake daemon.)
func DefaultCompileTarget(file string) (t CompileTarget, ok bool) {
	loader, ok := jsscan.LoaderFor(file)
	return CompileTarget{File: file, opts: jsscan.Options{Loader: loader, Filename: filepath.ToSlash(file)}}, ok
}

// Compile compiles src, the source of t's file as the runtime read it. A
// syntax error comes back as a ModuleError (code PARSE_ERROR).
func Compile(t CompileTarget, src []byte) ([]byte, *ModuleError) {
	code, err := jsscan.Compile(src, t.opts)
	if err == nil {
		return code, nil
	}
	me := &ModuleError{Module: t.Module, File: t.File, Message: err.Error(), Code: "PARSE_ERROR"}
	var se *jsscan.SyntaxError
	if errors.As(err, &se) {
		me.Line, me.Column, me.Message, me.Frame = se.Line, se.Column, se.Message, se.Frame
	}
	return nil, me
}
