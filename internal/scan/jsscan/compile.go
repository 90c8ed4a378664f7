package jsscan

import (
	"fmt"
	"math"

	"github.com/evanw/esbuild/pkg/api"
)

// Compile turns one TypeScript or JSX source into the JavaScript ES module
// a runtime that loads project files directly can run (Node.js without type
// stripping): the same esbuild settings Scan compiles with, so the imports
// the runtime meets are the ones the graph recorded, nothing lowered, with
// the file's tsconfig options (Options.Tsconfig) and an inline source map
// naming Options.Filename, so stack traces point into the source. Plain
// JavaScript is returned as it is. A syntax error is a *SyntaxError.
func Compile(src []byte, opts Options) ([]byte, error) {
	if len(src) > math.MaxInt32 {
		return nil, fmt.Errorf("compile %s: source is %d bytes, more than the 2 GiB limit", displayName(opts.Filename), len(src))
	}
	if opts.Loader == LoaderJS {
		return src, nil
	}
	to := transformOptions(opts, false)
	to.Sourcemap = api.SourceMapInline
	tr := api.Transform(string(src), to)
	if len(tr.Errors) > 0 {
		return nil, newSyntaxError(opts.Filename, tr.Errors[0])
	}
	return tr.Code, nil
}
