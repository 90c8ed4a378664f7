// A small typed-ish event emitter with once, wildcard listeners and async
// iteration over events.
const WILDCARD = '*'

export class EventEmitter {
  #listeners = new Map()
  #maxListeners = 10
  static defaultMaxListeners = 10

  constructor({ maxListeners = EventEmitter.defaultMaxListeners } = {}) {
    this.#maxListeners = maxListeners
  }

  get maxListeners() {
    return this.#maxListeners
  }

  set maxListeners(n) {
    if (typeof n !== 'number' || n < 0 || Number.isNaN(n)) {
      throw new RangeError(`maxListeners must be a non-negative number, got ${n}`)
    }
    this.#maxListeners = n
  }

  on(type, listener) {
    let list = this.#listeners.get(type)
    if (!list) {
      list = []
      this.#listeners.set(type, list)
    }
    list.push(listener)
    if (list.length > this.#maxListeners && this.#maxListeners !== 0) {
      console.warn(`possible leak: ${list.length} listeners for "${String(type)}"`)
    }
    return () => this.off(type, listener)
  }

  once(type, listener) {
    const wrapped = (...args) => {
      this.off(type, wrapped)
      return listener.apply(this, args)
    }
    wrapped.original = listener
    return this.on(type, wrapped)
  }

  off(type, listener) {
    const list = this.#listeners.get(type)
    if (!list) return false
    const i = list.findIndex((l) => l === listener || l.original === listener)
    if (i < 0) return false
    list.splice(i, 1)
    if (list.length === 0) this.#listeners.delete(type)
    return true
  }

  emit(type, ...args) {
    const list = this.#listeners.get(type) ?? []
    const any = type === WILDCARD ? [] : this.#listeners.get(WILDCARD) ?? []
    for (const l of [...list]) {
      try {
        l.apply(this, args)
      } catch (err) {
        if (type !== 'error') this.emit('error', err)
        else throw err
      }
    }
    for (const l of any) l.call(this, type, ...args)
    return list.length + any.length > 0
  }

  listenerCount(type) {
    return this.#listeners.get(type)?.length || 0
  }

  eventNames() {
    return [...this.#listeners.keys()]
  }

  static #isIterable(x) {
    return x != null && typeof x[Symbol.iterator] === 'function'
  }

  onAll(types, listener) {
    if (!EventEmitter.#isIterable(types)) types = [types]
    const offs = Array.from(types, (t) => this.on(t, listener))
    return () => offs.forEach((off) => off())
  }

  async *events(type, { signal } = {}) {
    const queue = []
    let wake = null
    const off = this.on(type, (...args) => {
      queue.push(args)
      if (wake) {
        wake()
        wake = null
      }
    })
    try {
      while (!signal?.aborted) {
        if (queue.length === 0) {
          await new Promise((resolve) => {
            wake = resolve
            signal?.addEventListener('abort', resolve, { once: true })
          })
          continue
        }
        yield queue.shift()
      }
    } finally {
      off()
    }
  }

  waitFor(type, timeoutMs = 0) {
    return new Promise((resolve, reject) => {
      let timer
      const off = this.once(type, (value) => {
        clearTimeout(timer)
        resolve(value)
      })
      if (timeoutMs > 0) {
        timer = setTimeout(() => {
          off()
          reject(new Error(`timed out after ${timeoutMs}ms waiting for ${type}`))
        }, timeoutMs)
      }
    })
  }
}

export function mixin(target) {
  const emitter = new EventEmitter()
  for (const key of ['on', 'once', 'off', 'emit']) {
    Object.defineProperty(target, key, {
      value: emitter[key].bind(emitter),
      enumerable: false,
      configurable: true,
    })
  }
  return target
}

export default EventEmitter
