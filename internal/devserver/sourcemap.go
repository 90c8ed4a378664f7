package devserver

import (
	"encoding/json"
	"errors"
	"strings"
	"unicode/utf8"
)

// The dev server's edits never add or remove a line (literalEdit refuses
// literals with line breaks, the prelude has none), so adjusting esbuild's
// source map only means shifting generated columns on the edited lines.
// In the "mappings" string the generated column is the first field of each
// segment, relative to the previous segment of the same line; the other
// fields are relative across the whole string and are copied untouched.

// colEdit is an edit as source-map columns (UTF-16 code units, as the
// format counts them) on one generated line.
type colEdit struct {
	line, start, end, delta int
}

// shiftSourceMap returns the source map with its mappings shifted for edits
// (sorted, non-overlapping, within single lines) made to code.
func shiftSourceMap(sourceMap, code []byte, edits []edit) ([]byte, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(sourceMap, &m); err != nil {
		return nil, err
	}
	var mappings string
	if err := json.Unmarshal(m["mappings"], &mappings); err != nil {
		return nil, err
	}
	shifted, err := shiftMappings(mappings, columnEdits(code, edits))
	if err != nil {
		return nil, err
	}
	enc, err := json.Marshal(shifted)
	if err != nil {
		return nil, err
	}
	m["mappings"] = enc
	return json.Marshal(m)
}

// columnEdits converts byte-offset edits to line/column edits.
func columnEdits(code []byte, edits []edit) []colEdit {
	out := make([]colEdit, 0, len(edits))
	line, lineStart, pos := 0, 0, 0
	for _, e := range edits {
		for ; pos < e.start; pos++ {
			if code[pos] == '\n' {
				line++
				lineStart = pos + 1
			}
		}
		start := utf16Len(code[lineStart:e.start])
		end := start + utf16Len(code[e.start:e.end])
		out = append(out, colEdit{line: line, start: start, end: end, delta: utf16Len([]byte(e.text)) - (end - start)})
	}
	return out
}

func utf16Len(b []byte) int {
	n := 0
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		b = b[size:]
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// shiftCol maps a generated column of a line to its column after the
// line's edits: text after an edit moves by its delta, a mapping inside a
// replaced literal moves to the literal's start.
func shiftCol(col int, edits []colEdit) int {
	shift := 0
	for _, e := range edits {
		switch {
		case e.start == e.end:
			if col < e.start {
				return col + shift
			}
		case col >= e.end:
		case col > e.start:
			return e.start + shift
		default:
			return col + shift
		}
		shift += e.delta
	}
	return col + shift
}

// shiftMappings rewrites the generated columns of the edited lines.
func shiftMappings(mappings string, edits []colEdit) (string, error) {
	if len(edits) == 0 {
		return mappings, nil
	}
	lines := strings.Split(mappings, ";")
	for i := 0; i < len(edits); {
		j := i
		for j < len(edits) && edits[j].line == edits[i].line {
			j++
		}
		ln := edits[i].line
		if ln < len(lines) {
			var err error
			if lines[ln], err = shiftLine(lines[ln], edits[i:j]); err != nil {
				return "", err
			}
		}
		i = j
	}
	return strings.Join(lines, ";"), nil
}

func shiftLine(line string, edits []colEdit) (string, error) {
	if line == "" {
		return line, nil
	}
	var b []byte
	col, newPrev := 0, 0
	for i, seg := range strings.Split(line, ",") {
		delta, n, err := decodeVLQ(seg)
		if err != nil {
			return "", err
		}
		col += delta
		nc := shiftCol(col, edits)
		if i > 0 {
			b = append(b, ',')
		}
		b = appendVLQ(b, nc-newPrev)
		b = append(b, seg[n:]...)
		newPrev = nc
	}
	return string(b), nil
}

const vlqChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

var errVLQ = errors.New("source map: bad VLQ")

// decodeVLQ reads one base64 VLQ value from the start of s and returns it
// and the number of bytes read.
func decodeVLQ(s string) (int, int, error) {
	v, shift := 0, 0
	for i := 0; i < len(s); i++ {
		d := strings.IndexByte(vlqChars, s[i])
		if d < 0 || shift > 30 {
			return 0, 0, errVLQ
		}
		v |= (d & 31) << shift
		if d&32 == 0 {
			if v&1 != 0 {
				return -(v >> 1), i + 1, nil
			}
			return v >> 1, i + 1, nil
		}
		shift += 5
	}
	return 0, 0, errVLQ
}

func appendVLQ(b []byte, v int) []byte {
	u := v << 1
	if v < 0 {
		u = (-v << 1) | 1
	}
	for {
		d := u & 31
		u >>= 5
		if u != 0 {
			d |= 32
		}
		b = append(b, vlqChars[d])
		if u == 0 {
			return b
		}
	}
}
