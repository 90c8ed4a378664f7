package cssscan

import (
	"fmt"
	"strings"
	"testing"
)

// stylesheet generates a realistic sheet of about n bytes: imports at the
// top, a @font-face, then rules mixing plain declarations, comments,
// url() backgrounds and image-set().
func stylesheet(n int) []byte {
	var b strings.Builder
	b.WriteString("@charset \"utf-8\";\n@import \"./reset.css\";\n@import url(\"./theme.css\") layer(theme);\n")
	b.WriteString("@font-face {\n  font-family: Inter;\n  src: url(/fonts/inter.woff2) format(\"woff2\"), url(\"/fonts/inter.woff\") format(\"woff\");\n}\n")
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, "/* card %d */\n.card-%d > .title:hover, .card-%d::before {\n", i, i, i)
		b.WriteString("  display: grid;\n  grid-template-columns: repeat(auto-fill, minmax(12rem, 1fr));\n")
		b.WriteString("  color: rgb(20 20 20 / 0.8);\n  font: 600 1rem/1.4 Inter, system-ui, sans-serif;\n")
		if i%3 == 0 {
			fmt.Fprintf(&b, "  background: url(../img/card-%d.png) no-repeat center / cover;\n", i)
		}
		if i%7 == 0 {
			fmt.Fprintf(&b, "  background-image: image-set(\"../img/hero-%d.avif\" type(\"image/avif\"), \"../img/hero-%d.jpg\" 1x);\n", i, i)
		}
		b.WriteString("  transition: transform 120ms cubic-bezier(0.2, 0, 0, 1);\n}\n")
	}
	return []byte(b.String())
}

func BenchmarkScan(b *testing.B) {
	src := stylesheet(256 << 10)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		Scan(src)
	}
}
