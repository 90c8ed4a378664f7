// A minimal reactive store with selectors, middleware and undo history.
export const INIT = Symbol('init')

const shallowEqual = (a, b) => {
  if (Object.is(a, b)) return true
  if (typeof a !== 'object' || typeof b !== 'object' || !a || !b) return false
  const ka = Object.keys(a), kb = Object.keys(b)
  return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && Object.is(a[k], b[k]))
}

export function createStore(reducer, preloaded, ...middlewares) {
  let state = preloaded
  let listeners = new Set()
  let dispatching = false

  const getState = () => state

  const subscribe = (fn) => {
    listeners.add(fn)
    return function unsubscribe() {
      listeners.delete(fn)
    }
  }

  let dispatch = (action) => {
    if (dispatching) throw new Error('reducers may not dispatch')
    if (typeof action?.type === 'undefined') throw new TypeError('action needs a type')
    try {
      dispatching = true
      state = reducer(state, action)
    } finally {
      dispatching = false
    }
    for (const l of listeners) l()
    return action
  }

  const api = { getState, dispatch: (a) => dispatch(a) }
  const chain = middlewares.map((m) => m(api))
  dispatch = chain.reduceRight((next, mw) => mw(next), dispatch)
  dispatch({ type: INIT })

  function select(selector, onChange, equal = shallowEqual) {
    let last = selector(state)
    return subscribe(() => {
      const next = selector(state)
      if (!equal(last, next)) {
        const prev = last
        last = next
        onChange(next, prev)
      }
    })
  }

  return { getState, subscribe, dispatch: (a) => dispatch(a), select }
}

export const combine = (reducers) => (state = {}, action) => {
  let changed = false
  const next = {}
  for (const key in reducers) {
    if (!Object.hasOwn(reducers, key)) continue
    next[key] = reducers[key](state[key], action)
    changed ||= next[key] !== state[key]
  }
  return changed ? next : state
}

export const logger = ({ getState }) => (next) => (action) => {
  const before = getState()
  const result = next(action)
  if (typeof action.type !== 'symbol') {
    console.debug('%s %o -> %o', action.type, before, getState())
  }
  return result
}

export const thunk = ({ dispatch, getState }) => (next) => (action) =>
  typeof action === 'function' ? action(dispatch, getState) : next(action)

export function undoable(reducer, { limit = 100 } = {}) {
  const initial = { past: [], present: reducer(undefined, { type: INIT }), future: [] }
  return (state = initial, action) => {
    const { past, present, future } = state
    switch (action.type) {
      case 'UNDO': {
        if (past.length === 0) return state
        const previous = past[past.length - 1]
        return { past: past.slice(0, -1), present: previous, future: [present, ...future] }
      }
      case 'REDO': {
        if (!future.length) return state
        const [head, ...tail] = future
        return { past: [...past, present], present: head, future: tail }
      }
      default: {
        const next = reducer(present, action)
        if (next === present) return state
        const trimmed = past.length >= limit ? past.slice(past.length - limit + 1) : past
        return { past: [...trimmed, present], present: next, future: [] }
      }
    }
  }
}

const todosInitial = { items: [], filter: 'all', nextId: 1 }

export function todos(state = todosInitial, action) {
  switch (action.type) {
    case 'add':
      return { ...state, items: [...state.items, { id: state.nextId, text: action.text, done: false }], nextId: state.nextId + 1 }
    case 'toggle':
      return { ...state, items: state.items.map((t) => (t.id === action.id ? { ...t, done: !t.done } : t)) }
    case 'remove':
      return { ...state, items: state.items.filter(({ id }) => id !== action.id) }
    case 'filter':
      return { ...state, filter: action.filter }
    default:
      return state
  }
}

export const visibleTodos = ({ items, filter }) =>
  filter === 'all' ? items : items.filter((t) => (filter === 'done' ? t.done : !t.done))

if (import.meta.hot) {
  import.meta.hot.accept()
}
