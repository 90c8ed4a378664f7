// DOM widgets written without a framework: tabs, modal, toast, virtual list.
const $ = (sel, root = document) => root.querySelector(sel)
const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel))

function h(tag, props = {}, ...children) {
  const el = document.createElement(tag)
  for (const [k, v] of Object.entries(props)) {
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2).toLowerCase(), v)
    else if (k === 'style' && typeof v === 'object') Object.assign(el.style, v)
    else if (k === 'class') el.className = Array.isArray(v) ? v.filter(Boolean).join(' ') : v
    else if (v === true) el.setAttribute(k, '')
    else if (v !== false && v != null) el.setAttribute(k, v)
  }
  for (const child of children.flat(Infinity)) {
    if (child == null || child === false) continue
    el.append(child instanceof Node ? child : document.createTextNode(String(child)))
  }
  return el
}

export class Tabs {
  #root
  #active = 0

  constructor(root) {
    this.#root = root
    this.tabs = $$('[role="tab"]', root)
    this.panels = $$('[role="tabpanel"]', root)
    this.tabs.forEach((tab, i) => {
      tab.addEventListener('click', () => this.select(i))
      tab.addEventListener('keydown', (e) => this.#onKey(e, i))
    })
    this.select(0)
  }

  #onKey(e, i) {
    const n = this.tabs.length
    switch (e.key) {
      case 'ArrowRight':
        this.select((i + 1) % n)
        break
      case 'ArrowLeft':
        this.select((i - 1 + n) % n)
        break
      case 'Home':
        this.select(0)
        break
      case 'End':
        this.select(n - 1)
        break
      default:
        return
    }
    e.preventDefault()
  }

  select(i) {
    this.#active = i
    this.tabs.forEach((t, j) => {
      t.setAttribute('aria-selected', String(i === j))
      t.tabIndex = i === j ? 0 : -1
    })
    this.panels.forEach((p, j) => (p.hidden = i !== j))
    this.tabs[i]?.focus()
    this.#root.dispatchEvent(new CustomEvent('tabchange', { detail: { index: i } }))
  }

  get active() {
    return this.#active
  }
}

export function modal({ title, body, actions = [] }) {
  return new Promise((resolve) => {
    const close = (value) => {
      overlay.remove()
      document.removeEventListener('keydown', onKey)
      resolve(value)
    }
    const onKey = (e) => e.key === 'Escape' && close(null)
    const overlay = h(
      'div',
      { class: 'overlay', onclick: (e) => e.target === overlay && close(null) },
      h(
        'div',
        { class: 'modal', role: 'dialog', 'aria-modal': 'true' },
        h('h2', {}, title),
        h('div', { class: 'modal-body' }, body),
        h('footer', {}, actions.map(({ label, value, primary }) => h('button', { class: ['btn', primary && 'btn-primary'], onclick: () => close(value) }, label))),
      ),
    )
    document.addEventListener('keydown', onKey)
    document.body.append(overlay)
    $('button', overlay)?.focus()
  })
}

let toastContainer
export function toast(message, { type = 'info', duration = 3000 } = {}) {
  toastContainer ??= document.body.appendChild(h('div', { class: 'toasts', 'aria-live': 'polite' }))
  const el = h('div', { class: `toast toast-${type}` }, message)
  toastContainer.append(el)
  requestAnimationFrame(() => el.classList.add('visible'))
  setTimeout(() => {
    el.classList.remove('visible')
    el.addEventListener('transitionend', () => el.remove(), { once: true })
  }, duration)
}

export class VirtualList {
  constructor(container, { itemHeight = 24, render, overscan = 4 }) {
    Object.assign(this, { container, itemHeight, render, overscan })
    this.items = []
    this.spacer = h('div', { style: { position: 'relative' } })
    container.append(this.spacer)
    container.addEventListener('scroll', () => this.update(), { passive: true })
    this.observer = new ResizeObserver(() => this.update())
    this.observer.observe(container)
  }

  setItems(items) {
    this.items = items
    this.spacer.style.height = `${items.length * this.itemHeight}px`
    this.update()
  }

  update() {
    const { scrollTop, clientHeight } = this.container
    const first = Math.max(0, Math.floor(scrollTop / this.itemHeight) - this.overscan)
    const last = Math.min(this.items.length, Math.ceil((scrollTop + clientHeight) / this.itemHeight) + this.overscan)
    const frag = document.createDocumentFragment()
    for (let i = first; i < last; i++) {
      const row = this.render(this.items[i], i)
      row.style.cssText += `;position:absolute;top:${i * this.itemHeight}px;left:0;right:0`
      frag.append(row)
    }
    this.spacer.replaceChildren(frag)
  }

  destroy() {
    this.observer.disconnect()
    this.spacer.remove()
  }
}

export const ready = new Promise((resolve) =>
  document.readyState === 'loading' ? document.addEventListener('DOMContentLoaded', resolve, { once: true }) : resolve(),
)

ready.then(() => {
  for (const el of $$('[data-tabs]')) new Tabs(el)
})
