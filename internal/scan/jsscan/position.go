package jsscan

import (
	"bytes"
	"encoding/json"
	"sort"
	"unicode/utf8"

	"github.com/evanw/esbuild/pkg/api"
)

// Diagnostics are found in esbuild's output but must point into the
// original source, and esbuild reformats even plain JS. Searching the source
// for the same text is fragile (TypeScript's `import('x')` types vanish from
// the output, so occurrence counts disagree), so instead the rare file that
// has diagnostics is transformed a second time with a source map, and each
// position is mapped through it. esbuild maps the start of every expression,
// so the offending token (an import() argument, an accept() element) lands
// exactly on a mapping. Files without diagnostics — nearly all of them — pay
// nothing. If the second transform's code differs from the first (it should
// not), the diagnostics keep their positions in Code.

// positionDiagnostics moves res.Diagnostics (at Code offsets diagAt) into src.
func positionDiagnostics(src []byte, opts Options, res *Result, diagAt []int) {
	tr := api.Transform(string(src), transformOptions(opts, true))
	if len(tr.Errors) > 0 || !bytes.Equal(tr.Code, res.Code) {
		return
	}
	var sm struct {
		Mappings string `json:"mappings"`
	}
	if err := json.Unmarshal(tr.Map, &sm); err != nil {
		return
	}
	segs := decodeMappings(sm.Mappings)
	if len(segs) == 0 {
		return
	}
	for i := range res.Diagnostics {
		line, col16 := utf16Position(res.Code, diagAt[i])
		s, ok := lookup(segs, line, col16)
		if !ok {
			continue
		}
		srcCol16 := s.srcCol
		if s.genLine == line {
			// Between mappings the text is copied verbatim.
			srcCol16 += col16 - s.genCol
		}
		lineText, ok := sourceLine(src, int(s.srcLine))
		if !ok {
			continue
		}
		d := &res.Diagnostics[i]
		d.Line = int(s.srcLine) + 1
		d.Column = byteColumn(lineText, int(srcCol16)) + 1
		d.Frame = codeFrame(lineText, d.Line, d.Column)
	}
}

// segment is one decoded source-map mapping; columns count UTF-16 units,
// as source maps do.
type segment struct {
	genLine, genCol, srcLine, srcCol int32
}

// decodeMappings decodes the "mappings" field of a source map (base64 VLQ).
// Malformed input ends the decoding early.
func decodeMappings(m string) []segment {
	var out []segment
	var genLine, genCol, srcIdx, srcLine, srcCol int32
	for i := 0; i < len(m); {
		switch m[i] {
		case ';':
			genLine++
			genCol = 0
			i++
			continue
		case ',':
			i++
			continue
		}
		var fields [5]int32
		n := 0
		for i < len(m) && m[i] != ',' && m[i] != ';' {
			v, next, ok := vlq(m, i)
			if !ok {
				return out
			}
			if n < len(fields) {
				fields[n] = v
			}
			n++
			i = next
		}
		genCol += fields[0]
		if n >= 4 {
			srcIdx += fields[1]
			srcLine += fields[2]
			srcCol += fields[3]
			out = append(out, segment{genLine: genLine, genCol: genCol, srcLine: srcLine, srcCol: srcCol})
		}
	}
	_ = srcIdx // one source per transform
	return out
}

func vlq(m string, i int) (v int32, next int, ok bool) {
	var shift uint
	var acc int64
	for i < len(m) {
		d := base64Value(m[i])
		i++
		if d < 0 || shift > 30 {
			return 0, i, false
		}
		acc |= int64(d&31) << shift
		shift += 5
		if d&32 == 0 {
			if acc&1 != 0 {
				return int32(-(acc >> 1)), i, true
			}
			return int32(acc >> 1), i, true
		}
	}
	return 0, i, false
}

func base64Value(c byte) int {
	switch {
	case c >= 'A' && c <= 'Z':
		return int(c - 'A')
	case c >= 'a' && c <= 'z':
		return int(c-'a') + 26
	case c >= '0' && c <= '9':
		return int(c-'0') + 52
	case c == '+':
		return 62
	case c == '/':
		return 63
	}
	return -1
}

// lookup returns the last segment at or before generated (line, col).
func lookup(segs []segment, line, col int32) (segment, bool) {
	i := sort.Search(len(segs), func(i int) bool {
		s := segs[i]
		return s.genLine > line || s.genLine == line && s.genCol > col
	})
	if i == 0 {
		return segment{}, false
	}
	return segs[i-1], true
}

// utf16Position returns the 0-based line and UTF-16 column of off in code
// (esbuild output separates lines with "\n").
func utf16Position(code []byte, off int) (line, col int32) {
	start := bytes.LastIndexByte(code[:off], '\n') + 1
	line = int32(bytes.Count(code[:start], []byte{'\n'}))
	for _, r := range string(code[start:off]) {
		col++
		if r >= 0x10000 {
			col++
		}
	}
	return line, col
}

// sourceLine returns the text of 0-based line n of src.
func sourceLine(src []byte, n int) ([]byte, bool) {
	for ; n > 0; n-- {
		nl := bytes.IndexByte(src, '\n')
		if nl < 0 {
			return nil, false
		}
		src = src[nl+1:]
	}
	if nl := bytes.IndexByte(src, '\n'); nl >= 0 {
		src = src[:nl]
	}
	return src, true
}

// byteColumn converts a 0-based UTF-16 column in line to a byte offset.
func byteColumn(line []byte, col16 int) int {
	off := 0
	for col16 > 0 && off < len(line) {
		r, size := utf8.DecodeRune(line[off:])
		off += size
		col16--
		if r >= 0x10000 {
			col16--
		}
	}
	return off
}
