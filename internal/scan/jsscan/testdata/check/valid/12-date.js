const MS = { second: 1e3, minute: 6e4, hour: 36e5, day: 864e5, week: 6048e5 }
const UNITS = [['year', 365 * MS.day], ['month', 30 * MS.day], ['week', MS.week], ['day', MS.day], ['hour', MS.hour], ['minute', MS.minute], ['second', MS.second]]
const FORMAT = /YYYY|YY|MM|M|DD|D|HH|H|mm|ss|SSS|Z/g

export function parseDuration(s) {
  const re = /(-?\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)\b/g
  let total = 0, matched = false
  for (const [, n, unit] of s.matchAll(re)) {
    matched = true
    total += Number(n) * { ms: 1, s: MS.second, m: MS.minute, h: MS.hour, d: MS.day, w: MS.week }[unit]
  }
  if (!matched) throw new Error(`invalid duration: ${s}`)
  return total
}

export function formatDate(date, fmt = 'YYYY-MM-DD') {
  const d = date instanceof Date ? date : new Date(date)
  const pad = (n, w = 2) => String(n).padStart(w, '0')
  const offset = -d.getTimezoneOffset()
  const tokens = {
    YYYY: d.getFullYear(),
    YY: pad(d.getFullYear() % 100),
    MM: pad(d.getMonth() + 1),
    M: d.getMonth() + 1,
    DD: pad(d.getDate()),
    D: d.getDate(),
    HH: pad(d.getHours()),
    H: d.getHours(),
    mm: pad(d.getMinutes()),
    ss: pad(d.getSeconds()),
    SSS: pad(d.getMilliseconds(), 3),
    Z: `${offset >= 0 ? '+' : '-'}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`,
  }
  return fmt.replace(FORMAT, (t) => tokens[t])
}

export function relative(from, to = Date.now(), locale = 'en') {
  const rtf = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' })
  const diff = +from - +to
  for (const [unit, ms] of UNITS) {
    if (Math.abs(diff) >= ms || unit === 'second') return rtf.format(Math.round(diff / ms), unit)
  }
}

export const addDays = (d, n) => new Date(+d + n * MS.day)
export const startOfDay = (d) => new Date(d.getFullYear(), d.getMonth(), d.getDate())
export const isWeekend = (d) => [0, 6].includes(d.getDay())
export const daysBetween = (a, b) => Math.round((startOfDay(b) - startOfDay(a)) / MS.day)

export function* eachDay(start, end) {
  for (let d = startOfDay(start); d <= end; d = addDays(d, 1)) yield d
}

export function calendar(year, month) {
  const first = new Date(year, month, 1)
  const days = new Date(year, month + 1, 0).getDate()
  const weeks = []
  let week = new Array(first.getDay()).fill(null)
  for (let day = 1; day <= days; day++) {
    week.push(day)
    if (week.length === 7) {
      weeks.push(week)
      week = []
    }
  }
  if (week.length) weeks.push([...week, ...new Array(7 - week.length).fill(null)])
  return weeks
}

export class Clock {
  static #instance = null
  #timers = new Set()

  static get shared() {
    return (Clock.#instance ??= new Clock())
  }

  every(ms, fn) {
    const id = setInterval(fn, ms)
    this.#timers.add(id)
    return () => {
      clearInterval(id)
      this.#timers.delete(id)
    }
  }

  stopAll() {
    this.#timers.forEach(clearInterval)
    this.#timers.clear()
  }

  static {
    if (typeof globalThis.addEventListener === 'function') {
      globalThis.addEventListener('pagehide', () => Clock.#instance?.stopAll())
    }
  }
}
