package jsscan

// Loader says how to parse a source.
type Loader uint8

const (
	LoaderJS Loader = iota
	LoaderJSX
	LoaderTS
	LoaderTSX
)

// ImportKind is the kind of an import edge.
type ImportKind uint8

const (
	// ImportStatic is `import … from 'x'` or the side-effect form `import 'x'`.
	ImportStatic ImportKind = iota
	// ImportReExport is `export … from 'x'` and `export * from 'x'`.
	ImportReExport
	// ImportDynamic is `import('x')` with a string literal argument
	// (or a template literal without substitutions).
	ImportDynamic
	// ImportURL is `new URL('x', import.meta.url)`: a file the module
	// refers to by URL, an asset or the script of a worker or worklet
	// (`new Worker(new URL('./w.js', import.meta.url))`).
	ImportURL
)

// Range is a half-open byte range [Start, End) into Result.Code.
type Range struct{ Start, End int }

// Import is one import edge.
type Import struct {
	Specifier string
	Kind      ImportKind
	// Range covers the specifier literal including its quotes.
	Range Range
	// Bindings lists the names this import uses from the target: "default",
	// named imports by their exported name, and "*" for a namespace import,
	// `export * from`, `export * as ns from` and dynamic import. A side-effect
	// import has no bindings (nil).
	Bindings []string
}

// Dep is a string literal naming a module in an import.meta.hot call.
type Dep struct {
	Specifier string
	Range     Range // the literal including its quotes
}

// Hot is what a module's import.meta.hot (or import.meta.webpackHot) calls
// say about it.
type Hot struct {
	// Used is true when the source mentions import.meta.hot or
	// import.meta.webpackHot at all.
	Used bool
	// Webpack is true when it mentions import.meta.webpackHot (webpack's
	// API, which says the same facts).
	Webpack bool
	// SelfAccepting: accept(), accept(cb), accept(anything not a string or array).
	SelfAccepting bool
	// AcceptedDeps from accept('dep', cb) and accept(['a','b'], cb), in source order.
	AcceptedDeps []Dep
	// PartialAccept is true when acceptExports(...) was called; AcceptedExports
	// lists the names (possibly empty: acceptExports([]) accepts no export).
	PartialAccept   bool
	AcceptedExports []string
	// Declined: decline() with no arguments. DeclinedDeps: decline('dep' | [...]).
	Declined     bool
	DeclinedDeps []Dep
	// UsesAPI: dispose, prune, invalidate, on, off, send or data are used.
	UsesAPI bool
}

// Severity of a Diagnostic.
type Severity uint8

const (
	SeverityWarning Severity = iota
	SeverityError
)

// Diagnostic is a problem found while scanning, positioned in the ORIGINAL
// source (not in Code). Line and Column are 1-based; Column counts bytes.
type Diagnostic struct {
	Severity Severity
	Line     int
	Column   int
	Message  string
	// Frame is a short code frame (the offending line and a caret line),
	// ready to show to a person; may be empty.
	Frame string
}

// Result holds the facts of one source.
type Result struct {
	// Code is the JavaScript that was lexed (esbuild's output for the
	// source); all Ranges index into it.
	Code    []byte
	Imports []Import
	// Exports lists exported names in source order ("default" included),
	// without duplicates. Names re-exported through `export * from` are not
	// known here: such modules have an ImportReExport with Bindings ["*"].
	Exports []string
	Hot     Hot
	// URLs are the files named by `new URL('x', import.meta.url)` (Kind
	// ImportURL, no bindings), with the same Range rule as Imports. URLs
	// that cannot name a project file (data:, https:, //host) are left out.
	// They are not in Imports because they are not imports: a server that
	// rewrites import specifiers must leave them alone.
	URLs []Import
	// Globs are the import() calls and `new URL(…, import.meta.url)`
	// references whose specifier is computed but starts with a known
	// relative path (see Glob), in source order.
	Globs []Glob
	// MetaGlobs are the import.meta.glob calls with static arguments, in
	// source order (see MetaGlob).
	MetaGlobs []MetaGlob
	// Diagnostics are warnings (a dynamic import that cannot be analysed,
	// a template literal with ${} in accept(), an identifier inside
	// accept([...])).
	Diagnostics []Diagnostic
}

// Options tune Scan.
type Options struct {
	// Loader selects the syntax; LoaderFor picks it from a file name.
	Loader Loader
	// Filename is used in error messages only.
	Filename string
	// Tsconfig is the text of a tsconfig whose compilerOptions apply to
	// the source (esbuild's TsconfigRaw), or "" for esbuild's defaults.
	// Its jsx settings decide whether JSX imports a runtime (jsx
	// "react-jsx" imports react/jsx-runtime, or jsxImportSource's),
	// verbatimModuleSyntax and preserveValueImports keep unused imports
	// (which esbuild drops otherwise), experimentalDecorators allows
	// parameter decorators. Plain JS lexed directly ignores it.
	Tsconfig string
}
