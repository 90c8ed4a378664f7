package jsscan

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
)

// tsxComponent generates a realistic TSX module of about 300 lines: value
// and type imports, interfaces, generics, hooks, JSX with apostrophes in text
// and "//" in attributes, template literals, regexes, a lazy import and
// import.meta.hot calls. parts sets how many list components it holds (10
// gives ~300 lines).
func tsxComponent(parts int) []byte {
	var b strings.Builder
	b.WriteString(`import React, { useState, useEffect } from 'react'
import type { ReactNode } from 'react'
import { fetchItems, type Item } from './api'
import Row from './Row'
import styles from './styles.module.css'

const Chart = React.lazy(() => import('./Chart'))
`)
	for i := range parts {
		fmt.Fprintf(&b, `
interface List%[1]dProps<T extends Item> {
  items: T[]
  filter?: RegExp
  render?: (item: T, index: number) => ReactNode
}

export function List%[1]d<T extends Item>({ items, filter = /^[a-z]+\/\d+$/i, render }: List%[1]dProps<T>) {
  const [query, setQuery] = useState<string>('')
  const [page, setPage] = useState(0)
  useEffect(() => {
    fetchItems(`+"`/api/list/%[1]d?q=${encodeURIComponent(query)}&page=${page}`"+`).then((r) => setPage(r.length / 10 | 0))
  }, [query, page])
  const visible = items.filter((it) => filter.test(it.name) && it.name.indexOf(query) >= 0)
  const ratio = visible.length / Math.max(items.length, 1) / 2
  return (
    <div className={styles.list} data-url="http://example.com//x">
      <h2>Don't panic: {visible.length} of {items.length} ({(ratio * 100).toFixed(1)}%%)</h2>
      <input value={query} onChange={(e) => setQuery(e.target.value)} placeholder="Search… it's fast" />
      {visible.map((it, i) => render ? render(it, i) : <Row key={it.id} item={it} label={`+"`#${i}: ${it.name}`"+`} />)}
      <React.Suspense fallback={<p>Loading…</p>}>
        <Chart data={visible} />
      </React.Suspense>
    </div>
  )
}
`, i)
	}
	b.WriteString(`
if (import.meta.hot) {
  import.meta.hot.accept()
  import.meta.hot.accept('./api', (m) => { console.log('api updated', m) })
}
`)
	return []byte(b.String())
}

// tsModule generates a ~300-line TypeScript module: imports (some only used
// as types), interfaces, type aliases, generics, an enum, a class with
// private fields, regexes, template literals and import.meta.hot.
func tsModule(parts int) []byte {
	var b strings.Builder
	b.WriteString(`import { z } from './schema'
import type { Config } from './config'
import { formatDate, type Locale } from './format'
import * as log from './log'
export * from './constants'
export { parse as parseQuery } from './query'
`)
	for i := range parts {
		fmt.Fprintf(&b, `
export interface Record%[1]d<K extends string = string, V = unknown> {
  readonly id: K
  value: V
  tags?: ReadonlyArray<string>
  createdAt: Date
}

export type Mapper%[1]d<T> = { [P in keyof T]: T[P] extends Function ? never : T[P] }

export enum Status%[1]d { Idle = 'idle', Busy = 'busy', Done = 'done' }

const ID_RE_%[1]d = /^[a-z0-9_-]{3,32}$/i
const SLASHES_%[1]d = /\/+/g

export class Store%[1]d<T extends Record%[1]d> {
  #items = new Map<string, T>()
  private version = 0
  constructor(private readonly config: Config, public locale: Locale = 'en') {}

  add(item: T): this {
    if (!ID_RE_%[1]d.test(item.id)) throw new Error(`+"`invalid id ${item.id} in store %[1]d`"+`)
    this.#items.set(item.id, item)
    this.version++
    return this
  }

  ratio(): number {
    return this.#items.size / (this.version || 1) / 2
  }

  describe(item: T): string {
    const when = formatDate(item.createdAt, this.locale)
    return `+"`${item.id.replace(SLASHES_%[1]d, '/')} @ ${when} (${item.tags?.join(', ') ?? 'untagged'})`"+`
  }
}

export async function load%[1]d<T>(url: string, parse: (x: unknown) => T = z.parse): Promise<T[]> {
  const res = await fetch(url)
  log.debug(`+"`loaded ${url}`"+`)
  return ((await res.json()) as unknown[]).map(parse)
}
`, i)
	}
	b.WriteString(`
export const lazyChart = () => import('./chart')

if (import.meta.hot) {
  import.meta.hot.accept(['./schema', './format'], ([schema, format]) => {})
  import.meta.hot.dispose((data) => { data.saved = true })
}
`)
	return []byte(b.String())
}

func BenchmarkScan(b *testing.B) {
	for _, bc := range []struct {
		name   string
		loader Loader
		src    []byte
	}{
		{"tsx-component", LoaderTSX, tsxComponent(10)},
		{"ts-module", LoaderTS, tsModule(7)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportMetric(float64(strings.Count(string(bc.src), "\n")), "lines")
			b.SetBytes(int64(len(bc.src)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Scan(bc.src, Options{Loader: bc.loader}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkLex measures the hand-written part alone, on the JavaScript
// esbuild makes of the generated TS module.
func BenchmarkLex(b *testing.B) {
	r, err := Scan(tsModule(7), Options{Loader: LoaderTS})
	if err != nil {
		b.Fatal(err)
	}
	js := r.Code
	b.Run("lex", func(b *testing.B) {
		var toks []token
		var stack []frame
		b.SetBytes(int64(len(js)))
		b.ReportAllocs()
		for b.Loop() {
			toks, stack = lex(js, toks, stack)
		}
	})
	b.Run("lex+extract", func(b *testing.B) {
		b.SetBytes(int64(len(js)))
		b.ReportAllocs()
		for b.Loop() {
			scanCode(js)
		}
	})
	// corpus lexes the hand-written files of testdata/check/valid as they
	// are (comments, regexes, escapes), the input ScanUnchecked sees.
	corpus := readCorpus(b)
	names := slices.Sorted(maps.Keys(corpus))
	n := 0
	for _, name := range names {
		n += len(corpus[name])
	}
	b.Run("corpus", func(b *testing.B) {
		var toks []token
		var stack []frame
		b.SetBytes(int64(n))
		b.ReportAllocs()
		for b.Loop() {
			for _, name := range names {
				toks, stack = lex(corpus[name], toks, stack)
			}
		}
	})
}
