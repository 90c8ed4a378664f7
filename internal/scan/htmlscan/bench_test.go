package htmlscan

import (
	"fmt"
	"strings"
	"testing"
)

// page generates a realistic document of about n bytes: a head with meta
// tags, stylesheets and module scripts, then a body of nested markup with
// attributes, comments, an inline module script and a classic script.
func page(n int) []byte {
	var b strings.Builder
	b.WriteString(`<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Dashboard &amp; reports</title>
  <link rel="icon" href="/favicon.svg">
  <link rel="stylesheet" href="/src/styles/main.css">
  <link rel="stylesheet" href="/src/styles/theme.css?v=3">
  <style>:root { --accent: #3366ff } body { margin: 0 }</style>
  <script type="module" src="/src/main.ts"></script>
</head>
<body>
`)
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, `  <!-- row %d -->
  <section class="row row-%d" data-id="%d" aria-labelledby="h-%d">
    <h2 id="h-%d">Report %d</h2>
    <p>Revenue &gt; plan by <strong>%d%%</strong>, see <a href="/reports/%d?tab=summary&amp;year=2024">details</a>.</p>
    <img src="/img/chart-%d.png" alt="chart" width=640 height=320 loading=lazy>
  </section>
`, i, i, i, i, i, i, i%50, i, i)
		if i%25 == 0 {
			fmt.Fprintf(&b, `  <script type="module">
    import { mount } from '/src/widgets/%d.ts'
    if (document.querySelector('#h-%d') && 1 < 2) mount('</div>')
  </script>
  <script>window.dataLayer = window.dataLayer || []; dataLayer.push({row: %d})</script>
`, i, i, i)
		}
	}
	b.WriteString("</body>\n</html>\n")
	return []byte(b.String())
}

func BenchmarkScan(b *testing.B) {
	src := page(256 << 10)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		Scan(src)
	}
}
