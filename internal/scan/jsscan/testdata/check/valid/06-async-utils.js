// Async helpers: sleep, timeout, debounce, throttle, pool, mutex, retry.
export const sleep = (ms, { signal } = {}) =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason)
    const t = setTimeout(resolve, ms)
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t)
        reject(signal.reason)
      },
      { once: true },
    )
  })

export async function withTimeout(promise, ms, message = 'operation timed out') {
  let timer
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(message), { code: 'ETIMEDOUT' })), ms)
  })
  try {
    return await Promise.race([promise, timeout])
  } finally {
    clearTimeout(timer)
  }
}

export function debounce(fn, wait = 100, { leading = false, trailing = true } = {}) {
  let timer = null
  let lastArgs, lastThis
  function invoke() {
    const args = lastArgs, that = lastThis
    lastArgs = lastThis = undefined
    return fn.apply(that, args)
  }
  function debounced(...args) {
    lastArgs = args
    lastThis = this
    const callNow = leading && timer === null
    clearTimeout(timer)
    timer = setTimeout(() => {
      timer = null
      if (trailing && lastArgs) invoke()
    }, wait)
    if (callNow) return invoke()
  }
  debounced.cancel = () => {
    clearTimeout(timer)
    timer = null
    lastArgs = lastThis = undefined
  }
  debounced.flush = () => (timer !== null && lastArgs ? (debounced.cancel(), invoke()) : undefined)
  return debounced
}

export function throttle(fn, interval = 100) {
  let last = 0
  let pending = null
  return function throttled(...args) {
    const now = Date.now()
    const remaining = interval - (now - last)
    if (remaining <= 0) {
      last = now
      return fn.apply(this, args)
    }
    if (!pending) {
      pending = setTimeout(() => {
        pending = null
        last = Date.now()
        fn.apply(this, args)
      }, remaining)
    }
  }
}

export class Mutex {
  #queue = []
  #locked = false

  async lock() {
    if (!this.#locked) {
      this.#locked = true
      return () => this.#release()
    }
    await new Promise((resolve) => this.#queue.push(resolve))
    return () => this.#release()
  }

  #release() {
    const next = this.#queue.shift()
    if (next) next()
    else this.#locked = false
  }

  async run(fn) {
    const unlock = await this.lock()
    try {
      return await fn()
    } finally {
      unlock()
    }
  }
}

export async function pool(items, concurrency, worker) {
  const results = new Array(items.length)
  let next = 0
  async function lane() {
    while (next < items.length) {
      const i = next++
      results[i] = await worker(items[i], i)
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane))
  return results
}

export async function retry(fn, { attempts = 3, delay = 100, factor = 2, onRetry } = {}) {
  let lastError
  for (let i = 0; i < attempts; i++) {
    try {
      return await fn(i)
    } catch (err) {
      lastError = err
      if (i === attempts - 1) break
      onRetry?.(err, i)
      await sleep(delay * factor ** i)
    }
  }
  throw lastError
}

export function deferred() {
  let resolve, reject
  const promise = new Promise((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

export async function* merge(...sources) {
  const iterators = sources.map((s) => s[Symbol.asyncIterator]())
  const pending = new Map(iterators.map((it, i) => [i, it.next().then((r) => ({ r, i }))]))
  while (pending.size) {
    const { r, i } = await Promise.race(pending.values())
    if (r.done) {
      pending.delete(i)
      continue
    }
    pending.set(i, iterators[i].next().then((r2) => ({ r: r2, i })))
    yield r.value
  }
}

export async function collect(asyncIterable, limit = Infinity) {
  const out = []
  for await (const item of asyncIterable) {
    out.push(item)
    if (out.length >= limit) break
  }
  return out
}

export const once = (fn) => {
  let done = false, value
  return (...args) => (done ? value : ((done = true), (value = fn(...args))))
}

const config = await Promise.resolve({ ready: true })
export const ready = config.ready
