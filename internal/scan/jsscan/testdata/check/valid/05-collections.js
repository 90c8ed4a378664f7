// Collections: LRU cache, priority queue, interval tree-ish helpers, sets.
export class LRUCache {
  #map = new Map()
  #capacity

  constructor(capacity = 100) {
    if (!(capacity > 0)) throw new RangeError('capacity must be positive')
    this.#capacity = capacity
  }

  get size() {
    return this.#map.size
  }

  has(key) {
    return this.#map.has(key)
  }

  get(key) {
    if (!this.#map.has(key)) return undefined
    const value = this.#map.get(key)
    this.#map.delete(key)
    this.#map.set(key, value)
    return value
  }

  set(key, value) {
    if (this.#map.has(key)) this.#map.delete(key)
    else if (this.#map.size >= this.#capacity) this.#map.delete(this.#map.keys().next().value)
    this.#map.set(key, value)
    return this
  }

  *[Symbol.iterator]() {
    yield* this.#map
  }

  static from(entries, capacity) {
    const c = new LRUCache(capacity)
    for (const [k, v] of entries) c.set(k, v)
    return c
  }
}

export class PriorityQueue {
  #heap = []
  #less

  constructor(less = (a, b) => a < b) {
    this.#less = less
  }

  get length() {
    return this.#heap.length
  }

  push(...items) {
    for (const item of items) {
      this.#heap.push(item)
      this.#up(this.#heap.length - 1)
    }
    return this.#heap.length
  }

  peek() {
    return this.#heap[0]
  }

  pop() {
    const heap = this.#heap
    if (heap.length === 0) return undefined
    const top = heap[0]
    const last = heap.pop()
    if (heap.length > 0) {
      heap[0] = last
      this.#down(0)
    }
    return top
  }

  #up(i) {
    const heap = this.#heap
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!this.#less(heap[i], heap[parent])) break
      ;[heap[i], heap[parent]] = [heap[parent], heap[i]]
      i = parent
    }
  }

  #down(i) {
    const heap = this.#heap
    const n = heap.length
    for (;;) {
      const l = 2 * i + 1, r = l + 1
      let m = i
      if (l < n && this.#less(heap[l], heap[m])) m = l
      if (r < n && this.#less(heap[r], heap[m])) m = r
      if (m === i) return
      ;[heap[i], heap[m]] = [heap[m], heap[i]]
      i = m
    }
  }
}

export const groupBy = (items, keyFn) =>
  items.reduce((acc, item) => {
    const key = keyFn(item)
    ;(acc[key] ||= []).push(item)
    return acc
  }, {})

export function partition(items, pred) {
  const yes = [], no = []
  for (const item of items) (pred(item) ? yes : no).push(item)
  return [yes, no]
}

export function chunk(items, size) {
  const out = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

export function* zip(...iterables) {
  const its = iterables.map((it) => it[Symbol.iterator]())
  while (true) {
    const results = its.map((it) => it.next())
    if (results.some((r) => r.done)) return
    yield results.map((r) => r.value)
  }
}

export function* range(start, end, step = 1) {
  if (end === undefined) [start, end] = [0, start]
  if (step === 0) throw new RangeError('step must not be zero')
  for (let i = start; step > 0 ? i < end : i > end; i += step) yield i
}

export const unique = (items, key = (x) => x) => {
  const seen = new Set()
  return items.filter((item) => {
    const k = key(item)
    if (seen.has(k)) return false
    seen.add(k)
    return true
  })
}

export function union(a, b) {
  return new Set([...a, ...b])
}

export function intersection(a, b) {
  return new Set([...a].filter((x) => b.has(x)))
}

export function difference(a, b) {
  const out = new Set(a)
  for (const x of b) out.delete(x)
  return out
}

export class DefaultMap extends Map {
  constructor(factory, entries) {
    super(entries)
    this.factory = factory
  }

  get(key) {
    if (!super.has(key)) super.set(key, this.factory(key))
    return super.get(key)
  }
}

export class BitSet {
  constructor(size = 64) {
    this.words = new Uint32Array(Math.ceil(size / 32))
  }

  add(i) {
    this.words[i >>> 5] |= 1 << (i & 31)
    return this
  }

  has(i) {
    return (this.words[i >>> 5] & (1 << (i & 31))) !== 0
  }

  delete(i) {
    this.words[i >>> 5] &= ~(1 << (i & 31))
  }

  get count() {
    let n = 0
    for (let w of this.words) {
      w = w - ((w >>> 1) & 0x55555555)
      w = (w & 0x33333333) + ((w >>> 2) & 0x33333333)
      n += (((w + (w >>> 4)) & 0xf0f0f0f) * 0x1010101) >>> 24
    }
    return n
  }
}

export function binarySearch(sorted, target, cmp = (a, b) => (a < b ? -1 : a > b ? 1 : 0)) {
  let lo = 0, hi = sorted.length - 1
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1
    const c = cmp(sorted[mid], target)
    if (c === 0) return mid
    if (c < 0) lo = mid + 1
    else hi = mid - 1
  }
  return ~lo
}
