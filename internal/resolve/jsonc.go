package resolve

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// jkind is the JSON type of a jvalue.
type jkind uint8

const (
	jNull jkind = iota
	jBool
	jNumber
	jString
	jArray
	jObject
)

// jvalue is a parsed JSON value that keeps object keys in source order.
// encoding/json's map decoding loses that order, but package.json
// "exports"/"imports" condition objects are matched in key order (Node picks
// the first active condition as written), and tsconfig "paths" ties are broken
// by order too.
type jvalue struct {
	kind jkind
	str  string    // jString value, or the literal text of a jNumber/jBool
	arr  []*jvalue // jArray elements
	keys []string  // jObject keys in first-appearance order
	vals []*jvalue // jObject values, parallel to keys
}

// get returns the value of key in an object, or nil.
func (v *jvalue) get(key string) *jvalue {
	if v == nil || v.kind != jObject {
		return nil
	}
	for i, k := range v.keys {
		if k == key {
			return v.vals[i]
		}
	}
	return nil
}

// getString returns the string value of key, or "" when absent or not a string.
func (v *jvalue) getString(key string) string {
	if s := v.get(key); s != nil && s.kind == jString {
		return s.str
	}
	return ""
}

// maxJSONDepth bounds nesting so hostile input cannot exhaust the stack; real
// package.json and tsconfig files nest a handful of levels.
const maxJSONDepth = 200

var errTooDeep = errors.New("nesting too deep")

// parseJSON parses strict JSON (package.json) into an ordered value.
func parseJSON(data []byte) (*jvalue, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := decodeValue(dec, 0)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		if err == nil {
			err = errors.New("unexpected data after the top-level value")
		}
		return nil, err
	}
	return v, nil
}

func decodeValue(dec *json.Decoder, depth int) (*jvalue, error) {
	if depth > maxJSONDepth {
		return nil, errTooDeep
	}
	tok, err := dec.Token()
	if err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	switch t := tok.(type) {
	case nil:
		return &jvalue{kind: jNull}, nil
	case bool:
		s := "false"
		if t {
			s = "true"
		}
		return &jvalue{kind: jBool, str: s}, nil
	case json.Number:
		return &jvalue{kind: jNumber, str: string(t)}, nil
	case string:
		return &jvalue{kind: jString, str: t}, nil
	case json.Delim:
		switch t {
		case '[':
			v := &jvalue{kind: jArray}
			for dec.More() {
				e, err := decodeValue(dec, depth+1)
				if err != nil {
					return nil, err
				}
				v.arr = append(v.arr, e)
			}
			if _, err := dec.Token(); err != nil { // ']'
				return nil, err
			}
			return v, nil
		case '{':
			v := &jvalue{kind: jObject}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k, ok := kt.(string)
				if !ok {
					return nil, fmt.Errorf("object key is %v, not a string", kt)
				}
				e, err := decodeValue(dec, depth+1)
				if err != nil {
					return nil, err
				}
				// A repeated key keeps its first position and takes the last
				// value, as JSON.parse does.
				dup := false
				for i, old := range v.keys {
					if old == k {
						v.vals[i] = e
						dup = true
						break
					}
				}
				if !dup {
					v.keys = append(v.keys, k)
					v.vals = append(v.vals, e)
				}
			}
			if _, err := dec.Token(); err != nil { // '}'
				return nil, err
			}
			return v, nil
		}
	}
	return nil, fmt.Errorf("unexpected token %v", tok)
}

// parseJSONC parses tsconfig-style JSON: // and /* */ comments and trailing
// commas are allowed, as TypeScript's own reader allows them.
func parseJSONC(data []byte) (*jvalue, error) {
	return parseJSON(stripJSONC(data))
}

// stripJSONC removes comments and trailing commas outside strings, so the
// rest can go through the strict decoder. Comments become spaces (not
// nothing) so tokens on either side never merge. It never fails: anything it
// leaves malformed is reported by the decoder.
func stripJSONC(src []byte) []byte {
	src = bytes.TrimPrefix(src, []byte("\xef\xbb\xbf"))
	noComments := make([]byte, 0, len(src))
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch {
		case c == '"':
			j := skipString(src, i)
			noComments = append(noComments, src[i:j]...)
			i = j - 1
		case c == '/' && i+1 < len(src) && src[i+1] == '/':
			for i < len(src) && src[i] != '\n' {
				i++
			}
			noComments = append(noComments, ' ')
			if i < len(src) {
				noComments = append(noComments, '\n')
			}
		case c == '/' && i+1 < len(src) && src[i+1] == '*':
			end := bytes.Index(src[i+2:], []byte("*/"))
			if end < 0 {
				i = len(src) // an unterminated comment runs to the end, as in TS
			} else {
				i += 2 + end + 1
			}
			noComments = append(noComments, ' ')
		default:
			noComments = append(noComments, c)
		}
	}

	out := noComments[:0] // in-place: the write index never passes the read index
	for i := 0; i < len(noComments); i++ {
		c := noComments[i]
		if c == '"' {
			j := skipString(noComments, i)
			out = append(out, noComments[i:j]...)
			i = j - 1
			continue
		}
		if c == ',' {
			j := i + 1
			for j < len(noComments) && isJSONSpace(noComments[j]) {
				j++
			}
			if j < len(noComments) && (noComments[j] == '}' || noComments[j] == ']') {
				continue // trailing comma
			}
		}
		out = append(out, c)
	}
	return out
}

// skipString returns the index just past the string literal starting at
// src[i] == '"' (or len(src) if it is unterminated).
func skipString(src []byte, i int) int {
	for j := i + 1; j < len(src); j++ {
		switch src[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return len(src)
}

func isJSONSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
