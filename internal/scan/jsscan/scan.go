package jsscan

import (
	"fmt"
	"math"
	"path"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/evanw/esbuild/pkg/api"
)

// Scan returns the facts of src. A syntax error is returned as *SyntaxError
// (never a panic).
//
// Plain JS that syntaxOK vouches for (it answers only when esbuild would
// accept the file) is lexed directly, as ScanUnchecked does: esbuild's fixed
// cost per call is most of an edit's latency otherwise (decision 0008).
// Everything else is first transformed by esbuild (see the package doc) and
// the facts are read off esbuild's output, which Result.Code then holds;
// Ranges index into Result.Code either way. Diagnostics are positioned in
// src.
func Scan(src []byte, opts Options) (*Result, error) {
	if len(src) > math.MaxInt32 {
		// Token offsets are int32 to keep the lexer's buffers small.
		return nil, fmt.Errorf("scan %s: source is %d bytes, more than the 2 GiB limit", displayName(opts.Filename), len(src))
	}
	if opts.Loader == LoaderJS {
		if len(src) >= concurrentCheckSize {
			return scanLargeJS(src, opts)
		}
		if syntaxOK(src) {
			return ScanUnchecked(src, opts)
		}
		return scanTransformed(src, opts)
	}
	return scanTransformed(src, opts)
}

// concurrentCheckSize is the size from which plain JavaScript is checked
// and scanned at once, on two goroutines: below it, both together take
// less time than starting a goroutine is worth.
const concurrentCheckSize = 64 << 10

// scanLargeJS checks and scans a large plain-JavaScript source at the same
// time, so an edit of a big file waits for the longer of the two rather
// than their sum. The scan's result is used only if the check accepts the
// source; otherwise esbuild decides, as for any source the check refuses.
func scanLargeJS(src []byte, opts Options) (*Result, error) {
	checked := make(chan bool, 1)
	go func() { checked <- syntaxOK(src) }()
	res, err := ScanUnchecked(src, opts)
	if <-checked {
		return res, err
	}
	return scanTransformed(src, opts)
}

// scanTransformed scans what esbuild makes of src: TypeScript and JSX, and
// plain JavaScript hmrd's own check does not accept (esbuild then reports
// the syntax error, or accepts what the conservative check refused).
func scanTransformed(src []byte, opts Options) (*Result, error) {
	tr := api.Transform(string(src), transformOptions(opts, false))
	if len(tr.Errors) > 0 {
		return nil, newSyntaxError(opts.Filename, tr.Errors[0])
	}
	res, diagAt := scanCode(tr.Code)
	if len(res.Diagnostics) > 0 {
		positionDiagnostics(src, opts, res, diagAt)
	}
	return res, nil
}

// transformOptions are the esbuild settings Scan uses. The output must keep
// the module's own import/export statements and import.meta.hot calls
// intact, and add no imports of its own.
func transformOptions(opts Options, sourcemap bool) api.TransformOptions {
	to := api.TransformOptions{
		LogLevel:   api.LogLevelSilent,
		Sourcefile: opts.Filename,
		Target:     api.ESNext, // lower nothing: import.meta, dynamic import stay as written
		Format:     api.FormatDefault,
		// Keep non-ASCII text as it is rather than \u-escaping it, so Code
		// reads like the source.
		Charset: api.CharsetUTF8,
		// Classic JSX turns elements into React.createElement calls and adds
		// no import, so the edges are exactly the source's own imports.
		// Pragmas (@jsx, @jsxRuntime automatic, @jsxImportSource) are
		// honoured by esbuild as usual; the automatic runtime does add its
		// jsx-runtime import, which is a real edge of the module then, and
		// so does a tsconfig's "jsx": "react-jsx" (Options.Tsconfig).
		JSX:         api.JSXTransform,
		TsconfigRaw: opts.Tsconfig,
	}
	switch opts.Loader {
	case LoaderJSX:
		to.Loader = api.LoaderJSX
	case LoaderTS:
		to.Loader = api.LoaderTS
	case LoaderTSX:
		to.Loader = api.LoaderTSX
	default:
		to.Loader = api.LoaderJS
	}
	if sourcemap {
		to.Sourcemap = api.SourceMapExternal
	}
	return to
}

// LoaderFor picks the loader from a file name: .ts .mts .cts → TS, .tsx →
// TSX, .jsx → JSX, .js .mjs .cjs → JS. ok is false for other names.
func LoaderFor(name string) (Loader, bool) {
	switch strings.ToLower(path.Ext(strings.ReplaceAll(name, `\`, "/"))) {
	case ".js", ".mjs", ".cjs":
		return LoaderJS, true
	case ".jsx":
		return LoaderJSX, true
	case ".ts", ".mts", ".cts":
		return LoaderTS, true
	case ".tsx":
		return LoaderTSX, true
	}
	return LoaderJS, false
}

// SyntaxError is the first error esbuild reports, positioned in the
// original source.
type SyntaxError struct {
	File string
	// Line and Column are 1-based; Column counts bytes. Both are 0 when
	// esbuild gave no position.
	Line, Column int
	Message      string
	// Frame shows the offending line and a caret under Column.
	Frame string
}

// Error returns "file:line:col: message" (the file part is left out when
// File is empty).
func (e *SyntaxError) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		b.WriteByte(':')
	}
	if e.Line > 0 {
		b.WriteString(strconv.Itoa(e.Line))
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(e.Column))
		b.WriteByte(':')
	}
	if b.Len() > 0 {
		b.WriteByte(' ')
	}
	b.WriteString(e.Message)
	return b.String()
}

func newSyntaxError(file string, msg api.Message) *SyntaxError {
	se := &SyntaxError{File: file, Message: msg.Text}
	if loc := msg.Location; loc != nil {
		se.Line = loc.Line
		se.Column = loc.Column + 1 // esbuild columns are 0-based bytes
		se.Frame = codeFrame([]byte(loc.LineText), se.Line, se.Column)
	}
	return se
}

func displayName(file string) string {
	if file == "" {
		return "<input>"
	}
	return file
}

// frameWidth bounds the source text shown in a code frame: a minified or
// generated file can be one line of megabytes.
const frameWidth = 100

// CodeFrame is the code frame of SyntaxError.Frame for any position of
// src: line (1-based) and, below it, a caret under the 1-based byte column
// col. It is "" when src has no such line.
func CodeFrame(src []byte, line, col int) string {
	if line < 1 {
		return ""
	}
	text, ok := sourceLine(src, line-1)
	if !ok {
		return ""
	}
	return codeFrame(text, line, col)
}

// codeFrame renders the line, prefixed by two spaces, its number and " | ",
// and below it a caret under the 1-based byte column:
//
//	3 | const x = ;
//	  |           ^
func codeFrame(lineText []byte, line, col int) string {
	text := strings.TrimRight(string(lineText), "\r\n")
	caret := min(max(col-1, 0), len(text))
	if len(text) > frameWidth {
		start := max(caret-frameWidth/2, 0)
		end := min(start+frameWidth, len(text))
		start = max(end-frameWidth, 0)
		for start > 0 && !utf8.RuneStart(text[start]) {
			start--
		}
		for end < len(text) && !utf8.RuneStart(text[end]) {
			end++
		}
		prefix, suffix := "", ""
		if start > 0 {
			prefix = "…"
		}
		if end < len(text) {
			suffix = "…"
		}
		caret = caret - start + len(prefix)
		text = prefix + text[start:end] + suffix
	}
	gutter := strconv.Itoa(line)
	var b strings.Builder
	b.WriteString("  ")
	b.WriteString(gutter)
	b.WriteString(" | ")
	// Control characters and invalid UTF-8 would garble a terminal; each
	// is shown as one U+FFFD so the caret arithmetic below still holds.
	for _, r := range text {
		if r < 0x20 && r != '\t' || r == 0x7f || r == utf8.RuneError {
			r = utf8.RuneError
		}
		b.WriteRune(r)
	}
	b.WriteString("\n  ")
	b.WriteString(strings.Repeat(" ", len(gutter)))
	b.WriteString(" | ")
	// One pad character per rune keeps the caret under the column in a
	// terminal; tabs are copied so they expand the same way.
	for _, r := range text[:caret] {
		if r == '\t' {
			b.WriteByte('\t')
		} else {
			b.WriteByte(' ')
		}
	}
	b.WriteByte('^')
	return b.String()
}

// ScanUnchecked reads the facts of plain JavaScript straight off src with
// the scanner's own lexer, skipping esbuild's parse: it does not check
// syntax. It is for files the engine has no reason to doubt — the tree as it
// stands when a project opens — where esbuild's full parse and link would
// cost 20–50× the lexing. Edited files go through Scan, so a save that
// breaks a module is still reported (Scan uses this path too, once
// syntaxOK has vouched for the file). Other loaders (TS, JSX) need esbuild's
// transform for their semantics and use Scan.
func ScanUnchecked(src []byte, opts Options) (*Result, error) {
	if opts.Loader != LoaderJS {
		return Scan(src, opts)
	}
	if len(src) > math.MaxInt32 {
		return nil, fmt.Errorf("scan %s: source is %d bytes, more than the 2 GiB limit", displayName(opts.Filename), len(src))
	}
	res, diagAt := scanCode(src)
	for i := range res.Diagnostics {
		line, start := 1, 0
		for j := 0; j < diagAt[i] && j < len(src); j++ {
			if src[j] == '\n' {
				line++
				start = j + 1
			}
		}
		end := start
		for end < len(src) && src[end] != '\n' {
			end++
		}
		d := &res.Diagnostics[i]
		d.Line = line
		d.Column = diagAt[i] - start + 1
		d.Frame = codeFrame(src[start:end], d.Line, d.Column)
	}
	return res, nil
}
