import { EventEmitter } from './01-event-emitter.js'

const PARAM = /:(\w+)(\?)?/g
const SPLAT = /\*$/

function compile(pattern) {
  const keys = []
  let source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(PARAM, (_, key, optional) => {
      keys.push({ key, optional: !!optional })
      return optional ? '([^/]*)?' : '([^/]+)'
    })
  if (SPLAT.test(pattern)) {
    keys.push({ key: 'splat', optional: true })
    source = source.replace(/\\\*$/, '(.*)')
  }
  return { regexp: new RegExp(`^${source}/?$`, 'i'), keys }
}

export class Router extends EventEmitter {
  #routes = []
  #current = null
  #base

  constructor({ base = '', routes = {} } = {}) {
    super()
    this.#base = base.replace(/\/$/, '')
    for (const [pattern, handler] of Object.entries(routes)) this.add(pattern, handler)
  }

  add(pattern, handler, { name } = {}) {
    const { regexp, keys } = compile(pattern)
    this.#routes.push({ pattern, regexp, keys, handler, name })
    return this
  }

  match(path) {
    const clean = path.startsWith(this.#base) ? path.slice(this.#base.length) || '/' : path
    const [pathname, search = ''] = clean.split('?')
    for (const route of this.#routes) {
      const m = route.regexp.exec(pathname)
      if (!m) continue
      const params = {}
      route.keys.forEach(({ key }, i) => {
        const value = m[i + 1]
        if (value !== undefined) params[key] = decodeURIComponent(value)
      })
      return { route, params, query: Object.fromEntries(new URLSearchParams(search)) }
    }
    return null
  }

  async navigate(path, { replace = false, state = null } = {}) {
    const found = this.match(path)
    if (!found) {
      this.emit('notfound', path)
      return false
    }
    const from = this.#current
    const event = { from, to: found, cancelled: false, cancel() { this.cancelled = true } }
    this.emit('before', event)
    if (event.cancelled) return false
    if (typeof history !== 'undefined') {
      history[replace ? 'replaceState' : 'pushState'](state, '', this.#base + path)
    }
    this.#current = found
    try {
      const result = await found.route.handler({ ...found, state })
      this.emit('after', { from, to: found, result })
      return true
    } catch (error) {
      this.emit('error', error)
      return false
    }
  }

  href(name, params = {}) {
    const route = this.#routes.find((r) => r.name === name)
    if (!route) throw new Error(`unknown route ${name}`)
    return (
      this.#base +
      route.pattern
        .replace(PARAM, (_, key, opt) => (params[key] != null ? encodeURIComponent(params[key]) : opt ? '' : `:${key}`))
        .replace(SPLAT, params.splat ?? '')
    )
  }

  get current() {
    return this.#current
  }

  listen(target = globalThis) {
    const onPop = () => this.navigate(target.location.pathname + target.location.search, { replace: true })
    const onClick = (e) => {
      if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return
      const a = e.target?.closest?.('a[href]')
      if (!a || a.target || a.origin !== target.location.origin) return
      e.preventDefault()
      this.navigate(a.pathname + a.search)
    }
    target.addEventListener('popstate', onPop)
    target.document?.addEventListener('click', onClick)
    return () => {
      target.removeEventListener('popstate', onPop)
      target.document?.removeEventListener('click', onClick)
    }
  }
}

export const lazy = (load) => {
  let mod
  return async (ctx) => {
    mod ??= await load()
    return mod.default(ctx)
  }
}

export const routes = {
  '/': lazy(() => import('./pages/home.js')),
  '/users/:id': lazy(() => import('./pages/user.js')),
  '/files/*': lazy(() => import(`./pages/files.js`)),
  '/search/:query?': async ({ params: { query = '' }, query: q }) => ({ query, page: Number(q.page ?? 1) }),
}
