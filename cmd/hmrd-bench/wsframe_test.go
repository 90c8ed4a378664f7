package main

import (
	"strings"
	"testing"
)

func TestAcceptKey(t *testing.T) {
	// The example of RFC 6455 section 1.3.
	if got := acceptKey("dGhlIHNhbXBsZSBub25jZQ=="); got != "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" {
		t.Fatalf("acceptKey = %q", got)
	}
}

func TestFrameParser(t *testing.T) {
	text := func(fin bool, op byte, p string) string {
		b0 := op
		if fin {
			b0 |= 0x80
		}
		switch n := len(p); {
		case n <= 125:
			return string([]byte{b0, byte(n)}) + p
		case n <= 0xffff:
			return string([]byte{b0, 126, byte(n >> 8), byte(n)}) + p
		}
		panic("test frame too long")
	}
	long := strings.Repeat("x", 300)
	for _, tc := range []struct {
		name    string
		in      string
		msgs    []string
		pings   []string
		wantErr string
	}{
		{name: "one text", in: text(true, 1, `{"a":1}`), msgs: []string{`{"a":1}`}},
		{name: "two in one read", in: text(true, 1, "a") + text(true, 1, "b"), msgs: []string{"a", "b"}},
		{name: "16-bit length", in: text(true, 1, long), msgs: []string{long}},
		{name: "fragmented with a ping between", in: text(false, 1, "he") + text(true, 9, "p") + text(true, 0, "llo"), msgs: []string{"hello"}, pings: []string{"p"}},
		{name: "pong ignored", in: text(true, 0xA, "x") + text(true, 1, "a"), msgs: []string{"a"}},
		{name: "close", in: text(true, 8, "\x03\xe8"), wantErr: errPeerClosed.Error()},
		{name: "masked", in: "\x81\x81abcd\x00", wantErr: "masked"},
		{name: "reserved bits", in: "\xc1\x01a", wantErr: "reserved"},
		{name: "binary", in: text(true, 2, "a"), wantErr: "binary"},
		{name: "stray continuation", in: text(true, 0, "a"), wantErr: "continuation"},
		{name: "text inside a message", in: text(false, 1, "a") + text(true, 1, "b"), wantErr: "inside"},
		{name: "fragmented control", in: text(false, 9, "a"), wantErr: "control"},
		{name: "unknown opcode", in: text(true, 3, "a"), wantErr: "opcode"},
		{name: "huge length", in: "\x81\x7f\x00\x00\x00\x01\x00\x00\x00\x00", wantErr: "limit"},
	} {
		// Whole, then one byte per read: the result must not depend on
		// how reads split the stream.
		for _, chunk := range []int{len(tc.in), 1} {
			var p frameParser
			var msgs, pings []string
			var err error
			for i := 0; i < len(tc.in) && err == nil; i += chunk {
				err = p.feed([]byte(tc.in[i:min(i+chunk, len(tc.in))]),
					func(m []byte) { msgs = append(msgs, string(m)) },
					func(b []byte) error { pings = append(pings, string(b)); return nil })
			}
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("%s (chunk %d): err = %v, want %q", tc.name, chunk, err, tc.wantErr)
				}
				continue
			}
			if err != nil {
				t.Errorf("%s (chunk %d): %v", tc.name, chunk, err)
				continue
			}
			if strings.Join(msgs, "|") != strings.Join(tc.msgs, "|") || strings.Join(pings, "|") != strings.Join(tc.pings, "|") {
				t.Errorf("%s (chunk %d): msgs %q pings %q, want %q %q", tc.name, chunk, msgs, pings, tc.msgs, tc.pings)
			}
			if len(p.buf) != 0 {
				t.Errorf("%s (chunk %d): %d bytes left unparsed", tc.name, chunk, len(p.buf))
			}
		}
	}
}

func TestClientFrameIsMasked(t *testing.T) {
	f := clientFrame(0xA, []byte("hi"))
	if f[0] != 0x8A || f[1] != 0x82 || len(f) != 8 {
		t.Fatalf("frame % x", f)
	}
	if got := string([]byte{f[6] ^ f[2], f[7] ^ f[3]}); got != "hi" {
		t.Fatalf("unmasked payload %q", got)
	}
}
