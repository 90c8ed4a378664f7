// Message formatting with plurals, selects and number/date formats.
const cache = new Map()
const ARG = /\{(\w+)(?:,\s*(plural|select|number|date)(?:,\s*((?:[^{}]|\{[^{}]*\})*))?)?\}/g
const OPTION = /(=\d+|\w+)\s*\{([^{}]*)\}/g

export const messages = {
  en: {
    greeting: 'Hello, {name}!',
    items: 'You have {count, plural, =0 {no items} one {one item} other {# items}}.',
    pronoun: '{gender, select, female {She} male {He} other {They}} replied.',
    price: 'Total: {amount, number, currency}',
    updated: 'Updated {when, date, medium}',
  },
  de: {
    greeting: 'Hallo, {name}!',
    items: 'Sie haben {count, plural, =0 {keine Artikel} one {einen Artikel} other {# Artikel}}.',
    pronoun: '{gender, select, female {Sie} male {Er} other {Sie}} hat geantwortet.',
    price: 'Summe: {amount, number, currency}',
    updated: 'Aktualisiert {when, date, medium}',
  },
}

function parseOptions(body) {
  const options = {}
  for (const [, key, text] of body.matchAll(OPTION)) options[key] = text
  return options
}

function compile(locale, pattern) {
  const key = locale + '\u0000' + pattern
  if (cache.has(key)) return cache.get(key)
  const plural = new Intl.PluralRules(locale)
  const fn = (values, { currency = 'EUR' } = {}) =>
    pattern.replace(ARG, (whole, name, type, body = '') => {
      const value = values[name]
      switch (type) {
        case undefined:
          return value ?? whole
        case 'plural': {
          const options = parseOptions(body)
          const text = options[`=${value}`] ?? options[plural.select(value)] ?? options.other ?? ''
          return text.replace(/#/g, new Intl.NumberFormat(locale).format(value))
        }
        case 'select': {
          const options = parseOptions(body)
          return options[value] ?? options.other ?? ''
        }
        case 'number':
          return new Intl.NumberFormat(locale, body.trim() === 'currency' ? { style: 'currency', currency } : {}).format(value)
        case 'date':
          return new Intl.DateTimeFormat(locale, { dateStyle: body.trim() || 'medium' }).format(value)
      }
    })
  cache.set(key, fn)
  return fn
}

export class I18n {
  #locale
  #fallback
  #subscribers = new Set()

  constructor(locale = 'en', fallback = 'en') {
    this.#locale = locale
    this.#fallback = fallback
  }

  get locale() { return this.#locale }

  set locale(next) {
    if (next === this.#locale) return
    this.#locale = next
    this.#subscribers.forEach((fn) => fn(next))
  }

  subscribe(fn) {
    this.#subscribers.add(fn)
    return () => void this.#subscribers.delete(fn)
  }

  t(id, values = {}, options) {
    const table = messages[this.#locale] ?? messages[this.#fallback]
    const pattern = table?.[id] ?? messages[this.#fallback]?.[id]
    if (pattern === undefined) {
      if (import.meta.env?.DEV) console.warn(`missing message ${id} for ${this.#locale}`)
      return id
    }
    return compile(this.#locale, pattern)(values, options)
  }

  async load(locale, loader = (l) => import(`./locales/${l}.js`)) {
    if (!messages[locale]) {
      const mod = await loader(locale)
      messages[locale] = { ...messages[this.#fallback], ...(mod.default ?? mod) }
    }
    this.locale = locale
  }
}

export const i18n = new I18n(globalThis.navigator?.language?.split('-')[0] ?? 'en')
export const t = i18n.t.bind(i18n)
