// A job queue with workers, priorities, cancellation and progress events.
import { PriorityQueue } from './05-collections.js'
import { deferred, sleep } from './06-async-utils.js'

let nextJobId = 1

export const Status = Object.freeze({ queued: 'queued', running: 'running', done: 'done', failed: 'failed', cancelled: 'cancelled' })

class Job {
  id = nextJobId++
  status = Status.queued
  progress = 0
  attempts = 0
  #deferred = deferred()
  #controller = new AbortController()

  constructor(task, { priority = 0, retries = 0, name = `job-${this.id}` } = {}) {
    this.task = task
    this.priority = priority
    this.retries = retries
    this.name = name
    this.createdAt = Date.now()
  }

  get promise() { return this.#deferred.promise }
  get signal() { return this.#controller.signal }

  cancel(reason = new Error('cancelled')) {
    if (this.status === Status.done || this.status === Status.failed) return false
    this.status = Status.cancelled
    this.#controller.abort(reason)
    this.#deferred.reject(reason)
    return true
  }

  settle(error, value) {
    if (this.status === Status.cancelled) return
    if (error) {
      this.status = Status.failed
      this.#deferred.reject(error)
    } else {
      this.status = Status.done
      this.progress = 1
      this.#deferred.resolve(value)
    }
  }
}

export class Queue {
  #pending = new PriorityQueue((a, b) => a.priority > b.priority || (a.priority === b.priority && a.id < b.id))
  #running = new Set()
  #listeners = { progress: new Set(), settled: new Set(), idle: new Set() }
  #paused = false

  constructor({ concurrency = 4, retryDelay = (n) => 100 * 2 ** n } = {}) {
    this.concurrency = concurrency
    this.retryDelay = retryDelay
  }

  on(event, fn) {
    this.#listeners[event].add(fn)
    return () => this.#listeners[event].delete(fn)
  }

  #emit(event, ...args) {
    for (const fn of this.#listeners[event]) {
      try { fn(...args) } catch (e) { console.error(e) }
    }
  }

  add(task, options) {
    const job = new Job(task, options)
    this.#pending.push(job)
    queueMicrotask(() => this.#drain())
    return job
  }

  addAll(tasks, options) {
    return tasks.map((t) => this.add(t, options))
  }

  pause() { this.#paused = true }
  resume() {
    this.#paused = false
    this.#drain()
  }

  get size() { return this.#pending.length }
  get active() { return this.#running.size }

  #drain() {
    while (!this.#paused && this.#running.size < this.concurrency && this.#pending.length > 0) {
      const job = this.#pending.pop()
      if (job.status === Status.cancelled) continue
      this.#start(job)
    }
    if (this.#running.size === 0 && this.#pending.length === 0) this.#emit('idle')
  }

  async #start(job) {
    this.#running.add(job)
    job.status = Status.running
    const report = (p) => {
      job.progress = Math.max(0, Math.min(1, p))
      this.#emit('progress', job)
    }
    try {
      for (;;) {
        job.attempts++
        try {
          const value = await job.task({ signal: job.signal, report, attempt: job.attempts })
          job.settle(null, value)
          break
        } catch (err) {
          if (job.signal.aborted || job.attempts > job.retries) {
            job.settle(err)
            break
          }
          await sleep(this.retryDelay(job.attempts - 1), { signal: job.signal }).catch(() => {})
        }
      }
    } finally {
      this.#running.delete(job)
      this.#emit('settled', job)
      this.#drain()
    }
  }

  onIdle() {
    if (this.#running.size === 0 && this.#pending.length === 0) return Promise.resolve()
    return new Promise((resolve) => {
      const off = this.on('idle', () => {
        off()
        resolve()
      })
    })
  }

  cancelAll() {
    let n = 0
    for (const job of this.#running) n += +job.cancel()
    while (this.#pending.length) n += +this.#pending.pop().cancel()
    return n
  }
}

export default new Queue()
