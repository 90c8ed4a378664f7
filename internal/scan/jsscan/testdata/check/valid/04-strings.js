// String utilities: case conversion, templating, escaping, truncation.
const HTML_ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }
const RE_HTML = /[&<>"']/g
const RE_WORDS = /[A-Z]{2,}(?=[A-Z][a-z]+[0-9]*|\b)|[A-Z]?[a-z]+[0-9]*|[A-Z]|[0-9]+/g
const RE_TEMPLATE = /\{\{\s*([\w.]+)\s*\}\}/g

export const escapeHTML = (s) => String(s).replace(RE_HTML, (c) => HTML_ESCAPES[c])

export function words(s) {
  return String(s).match(RE_WORDS) ?? []
}

export const camelCase = (s) =>
  words(s)
    .map((w, i) => (i === 0 ? w.toLowerCase() : w[0].toUpperCase() + w.slice(1).toLowerCase()))
    .join('')

export const kebabCase = (s) => words(s).map((w) => w.toLowerCase()).join('-')
export const snakeCase = (s) => words(s).map((w) => w.toLowerCase()).join('_')
export const pascalCase = (s) => words(s).map((w) => w[0].toUpperCase() + w.slice(1).toLowerCase()).join('')

export function template(str, data) {
  return str.replace(RE_TEMPLATE, (_, path) => {
    let v = data
    for (const key of path.split('.')) {
      if (v == null) break
      v = v[key]
    }
    return v == null ? '' : escapeHTML(v)
  })
}

export function truncate(s, max = 80, ellipsis = '\u2026') {
  if (s.length <= max) return s
  const cut = s.slice(0, max - ellipsis.length)
  const space = cut.lastIndexOf(' ')
  return (space > max * 0.6 ? cut.slice(0, space) : cut) + ellipsis
}

export function pad(n, width = 2, fill = '0') {
  const s = String(n)
  return s.length >= width ? s : fill.repeat(width - s.length) + s
}

export function formatBytes(bytes, decimals = 1) {
  if (bytes === 0) return '0 B'
  const k = 1024
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  const i = Math.min(Math.floor(Math.log(Math.abs(bytes)) / Math.log(k)), units.length - 1)
  return `${(bytes / k ** i).toFixed(i === 0 ? 0 : decimals)} ${units[i]}`
}

export function dedent(strings, ...values) {
  const raw = typeof strings === 'string' ? [strings] : strings.raw
  let out = ''
  for (let i = 0; i < raw.length; i++) {
    out += raw[i].replace(/\\\n[ \t]*/g, '').replace(/\\`/g, '`')
    if (i < values.length) out += values[i]
  }
  const lines = out.split('\n')
  const indent = lines
    .filter((l) => l.trim())
    .reduce((min, l) => Math.min(min, l.match(/^[ \t]*/)[0].length), Infinity)
  return lines
    .map((l) => l.slice(indent === Infinity ? 0 : indent))
    .join('\n')
    .replace(/^\n|\n$/g, '')
}

export const html = (strings, ...values) =>
  strings.reduce((acc, s, i) => acc + s + (i < values.length ? escapeHTML(values[i]) : ''), '')

export function levenshtein(a, b) {
  if (a === b) return 0
  if (!a.length) return b.length
  if (!b.length) return a.length
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i)
  let cur = new Array(b.length + 1)
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
    }
    ;[prev, cur] = [cur, prev]
  }
  return prev[b.length]
}

export function slugify(s) {
  return s
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
}

export const quote = (s, q = '"') => q + s.replaceAll('\\', '\\\\').replaceAll(q, '\\' + q).replace(/\n/g, '\\n') + q

export function* lines(text) {
  let start = 0
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (c === '\n' || c === '\r') {
      yield text.slice(start, i)
      if (c === '\r' && text[i + 1] === '\n') i++
      start = i + 1
    }
  }
  if (start < text.length) yield text.slice(start)
}

export const greeting = `Hello, ${'wörld'} — “quoted” ${'日本語'} ✓`
