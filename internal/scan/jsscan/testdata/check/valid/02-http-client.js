import { EventEmitter } from './01-event-emitter.js'
import * as retry from './retry.js'

const DEFAULT_TIMEOUT = 30_000
const RETRY_STATUSES = new Set([408, 429, 500, 502, 503, 504])
const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json(?:;|$)/i

export class HttpError extends Error {
  constructor(response, body) {
    super(`HTTP ${response.status} ${response.statusText}`)
    this.name = 'HttpError'
    this.status = response.status
    this.body = body
  }

  get retryable() {
    return RETRY_STATUSES.has(this.status)
  }
}

function joinURL(base, path, query) {
  const url = new URL(path.replace(/^\/+/, ''), base.endsWith('/') ? base : base + '/')
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v === undefined || v === null) continue
    if (Array.isArray(v)) v.forEach((item) => url.searchParams.append(k, String(item)))
    else url.searchParams.set(k, String(v))
  }
  return url
}

async function readBody(res) {
  const type = res.headers.get('content-type') || ''
  if (res.status === 204) return null
  if (JSON_TYPE.test(type)) return res.json()
  if (type.startsWith('text/')) return res.text()
  return res.arrayBuffer()
}

export function createClient({ baseURL, headers = {}, timeout = DEFAULT_TIMEOUT, fetch: doFetch = globalThis.fetch } = {}) {
  const events = new EventEmitter()
  let inflight = 0

  async function request(method, path, { query, body, signal, retries = 2, ...rest } = {}) {
    const url = joinURL(baseURL, path, query)
    const init = {
      method,
      headers: { accept: 'application/json', ...headers, ...rest.headers },
      signal,
    }
    if (body !== undefined) {
      if (body instanceof FormData || body instanceof Blob || typeof body === 'string') {
        init.body = body
      } else {
        init.body = JSON.stringify(body)
        init.headers['content-type'] = 'application/json'
      }
    }
    let attempt = 0
    for (;;) {
      const ctrl = new AbortController()
      const timer = setTimeout(() => ctrl.abort(new Error('timeout')), timeout)
      signal?.addEventListener('abort', () => ctrl.abort(signal.reason), { once: true })
      inflight++
      events.emit('request', { method, url: url.href, attempt })
      try {
        const res = await doFetch(url, { ...init, signal: ctrl.signal })
        const data = await readBody(res)
        if (!res.ok) throw new HttpError(res, data)
        events.emit('response', { method, url: url.href, status: res.status })
        return data
      } catch (err) {
        const canRetry = attempt < retries && (err?.retryable ?? err?.name === 'TypeError')
        if (!canRetry) {
          events.emit('failure', err)
          throw err
        }
        attempt += 1
        await retry.sleep(retry.backoff(attempt))
      } finally {
        clearTimeout(timer)
        inflight--
      }
    }
  }

  const api = {
    get: (path, opts) => request('GET', path, opts),
    post: (path, body, opts) => request('POST', path, { ...opts, body }),
    put: (path, body, opts) => request('PUT', path, { ...opts, body }),
    patch: (path, body, opts) => request('PATCH', path, { ...opts, body }),
    delete: (path, opts) => request('DELETE', path, opts),
    get inflight() {
      return inflight
    },
    on: events.on.bind(events),
  }
  return Object.freeze(api)
}

export async function paginate(client, path, { pageSize = 50, limit = Infinity } = {}) {
  const out = []
  let cursor
  do {
    const page = await client.get(path, { query: { cursor, limit: Math.min(pageSize, limit - out.length) } })
    out.push(...page.items)
    cursor = page.next
  } while (cursor && out.length < limit)
  return out
}

export async function* pages(client, path, pageSize = 50) {
  let cursor = null
  while (true) {
    const { items, next } = await client.get(path, { query: { cursor, limit: pageSize } })
    yield* items
    if (!next) return
    cursor = next
  }
}
