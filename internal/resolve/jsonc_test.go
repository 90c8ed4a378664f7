package resolve

import (
	"strings"
	"testing"
)

func TestParseJSONC(t *testing.T) {
	tests := []struct {
		name, in string
		want     string // rendering of the parsed value; "" means an error is expected
	}{
		{"plain", `{"a": 1, "b": [true, null, "x"]}`, `{a:1,b:[true,null,"x"]}`},
		{"line comment", "{\"a\": 1 // c\n}", `{a:1}`},
		{"block comment", `{/* c */"a": /* d */ 2}`, `{a:2}`},
		{"comment markers inside strings", `{"u": "http://x/*y*/"}`, `{u:"http://x/*y*/"}`},
		{"escaped quote in string", `{"q": "a\"//b"}`, `{q:"a\"//b"}`},
		{"trailing commas", `{"a": [1, 2, ], "b": {"c": 3,},}`, `{a:[1,2],b:{c:3}}`},
		{"trailing comma before comment", "{\"a\": 1, // c\n}", `{a:1}`},
		{"key order kept", `{"z": 1, "a": 2, "m": 3}`, `{z:1,a:2,m:3}`},
		{"duplicate key keeps first position, last value", `{"a": 1, "b": 2, "a": 3}`, `{a:3,b:2}`},
		{"bom", "\ufeff{\"a\": 1}", `{a:1}`},
		{"unterminated block comment", `{"a": 1} /* x`, `{a:1}`},
		{"not json", `{a: 1}`, ""},
		{"truncated", `{"a": `, ""},
		{"two values", `{} {}`, ""},
		{"lone comma tolerated", `{,}`, `{}`},
		{"missing colon", `{"a" 1}`, ""},
		{"too deep", strings.Repeat("[", maxJSONDepth+5) + strings.Repeat("]", maxJSONDepth+5), ""},
	}
	for _, tt := range tests {
		v, err := parseJSONC([]byte(tt.in))
		if tt.want == "" {
			if err == nil {
				t.Errorf("%s: parsed %s; want an error", tt.name, render(v))
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if got := render(v); got != tt.want {
			t.Errorf("%s: got %s; want %s", tt.name, got, tt.want)
		}
	}
	// Strict JSON (package.json) keeps rejecting what JSONC tolerates.
	if _, err := parseJSON([]byte(`{"a": 1,}`)); err == nil {
		t.Error("parseJSON accepted a trailing comma")
	}
}

func render(v *jvalue) string {
	switch v.kind {
	case jNull:
		return "null"
	case jString:
		return `"` + strings.ReplaceAll(v.str, `"`, `\"`) + `"`
	case jArray:
		var parts []string
		for _, e := range v.arr {
			parts = append(parts, render(e))
		}
		return "[" + strings.Join(parts, ",") + "]"
	case jObject:
		var parts []string
		for i, k := range v.keys {
			parts = append(parts, k+":"+render(v.vals[i]))
		}
		return "{" + strings.Join(parts, ",") + "}"
	}
	return v.str
}
