package engine

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hmrd/hmrd/internal/vfs"
)

// largeSource returns a module of about size bytes made of code as real
// large files have it (a vendored library, a generated table): functions,
// classes, template literals, regular expressions, object literals and
// comments, with TypeScript annotations when ts is set.
func largeSource(size int, ts bool) []byte {
	var b strings.Builder
	b.WriteString("import { fmt } from './small.js'\n")
	ann := func(t string) string {
		if ts {
			return ": " + t
		}
		return ""
	}
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(&b, "/** Formats row %d of the table. */\n", i)
		fmt.Fprintf(&b, "export function row%d(value%s, opts%s = {})%s {\n", i, ann("number"), ann("{ pad?: number }"), ann("string"))
		fmt.Fprintf(&b, "  const re = /^(\\d+)(?:\\.(\\d{1,%d}))?$/u\n", i%7+1)
		b.WriteString("  const m = re.exec(String(value))\n")
		b.WriteString("  if (!m) return fmt(`bad ${value} in row`)\n")
		b.WriteString("  return `${m[1].padStart(opts.pad ?? 4, '0')}.${m[2] ?? '0'}` + (value / 2 > 1 ? 'x' : 'y')\n}\n")
		fmt.Fprintf(&b, "export class Cell%d {\n  #v%s = %d\n  get v() { return this.#v }\n  set v(n) { this.#v = n * 2 }\n  static of(x) { return Object.assign(new Cell%d(), { x, tag: 'c%d' }) }\n}\n", i, ann("number"), i, i, i)
		fmt.Fprintf(&b, "export const table%d = { id: %d, name: \"t%d\", tags: ['a', 'b', `c${%d}`], nested: { ok: true, re: /[a-z]+\\//g } }\n", i, i, i, i)
	}
	b.WriteString("if (import.meta.hot) import.meta.hot.accept()\n")
	return []byte(b.String())
}

// BenchmarkEditLarge measures one saved edit of a single large module:
// 1 MB of plain JavaScript and 900 KB of TypeScript, each importing one
// small module and self-accepting.
func BenchmarkEditLarge(b *testing.B) {
	for _, c := range []struct {
		name string
		size int
		ext  string
	}{{"js-1MB", 1 << 20, ".js"}, {"ts-900KB", 900 << 10, ".ts"}} {
		b.Run(c.name, func(b *testing.B) {
			dir := realDir(b)
			big := filepath.Join(dir, "src", "big"+c.ext)
			writeFile(b, filepath.Join(dir, "src", "small.js"), "export const fmt = (s) => s\n")
			writeFile(b, filepath.Join(dir, "src", "main.js"), "import './big"+c.ext+"'\n")
			writeFile(b, filepath.Join(dir, "index.html"), "<script type=\"module\" src=\"/src/main.js\"></script>\n")
			src := largeSource(c.size, c.ext == ".ts")
			writeFile(b, big, string(src))
			p, plan, err := Open(vfs.OS{}, Options{Root: dir})
			if err != nil || len(plan.Errors) > 0 {
				b.Fatalf("open: %v %v", err, plan.Errors)
			}
			b.SetBytes(int64(len(src)))
			i := 0
			for b.Loop() {
				b.StopTimer()
				i++
				// An edit in the middle of the file, as a person makes one.
				mid := len(src)/2 + bytes.Index(src[len(src)/2:], []byte("\n/**")) + 1
				edited := append([]byte(nil), src[:mid]...)
				edited = fmt.Appendf(edited, "export const edit%d = %d\n", i, i)
				edited = append(edited, src[mid:]...)
				if err := os.WriteFile(big, edited, 0o644); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				if plan := p.Apply([]string{big}); plan.Empty() || len(plan.Errors) > 0 {
					b.Fatalf("edit: empty=%v errors=%v", plan.Empty(), plan.Errors)
				}
			}
		})
	}
}

func writeFile(tb testing.TB, name, body string) {
	tb.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(body), 0o644); err != nil {
		tb.Fatal(err)
	}
}
