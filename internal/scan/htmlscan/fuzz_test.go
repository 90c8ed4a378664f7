package htmlscan

import (
	"reflect"
	"testing"
)

// FuzzHTML checks that any input scans without panicking, with every range
// in bounds, positions pointing at the tags they name, and the same result
// twice (Scan must not depend on anything but its input).
func FuzzHTML(f *testing.F) {
	for _, seed := range []string{
		``,
		`<!doctype html><html><head><script type="module" src="/src/main.js"></script></head></html>`,
		`<script type=module src=/src/main.js></script>`,
		`<SCRIPT TYPE="MODULE">import './a.js'</SCRIPT>`,
		`<script type="module">const s = '</div>' + "<!--"; x = "<!--<script>"</script>`,
		`<link rel=stylesheet href="/src/style.css?x=1"><link rel="alternate stylesheet" href=b.css>`,
		`<!-- <script type="module" src="a.js"></script> -->`,
		`<!--><!---><!-- --!>`,
		`<![CDATA[ <script> ]]>`,
		`<style>a{}</style><textarea><p></textarea><title>t</title><noscript><link></noscript>`,
		`<template><script type="module" src="t.js"></script></template>`,
		`<script type="module" src="a.js?x=&amp;&#47;&#x2F;&lt&quot;"></script>`,
		`<script type="module" src="https://cdn/a.js"></script><script type=module src=//h/a.js>`,
		`<div a="x>`,
		`<!-- unterminated`,
		`<script type="module">unterminated`,
		"\x00\xff<\x00<script\x00 type=module src=\"\x00\"></script></\xff",
		`<plaintext><script>`,
		`<a b=c d='e' f="g" h i=>`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		res := Scan(src)
		checkInvariants(t, src, res)
		if again := Scan(src); !reflect.DeepEqual(res, again) {
			t.Fatalf("Scan is not deterministic:\n%+v\n%+v", res, again)
		}
	})
}
