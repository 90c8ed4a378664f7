// Signatures: built-in hooks in order, initial state of useState and
// useReducer, custom hooks named where the signature is made, nested
// callbacks left out.
import { useEffect, useReducer, useRef, useState } from 'react'
import * as lib from './lib'
import { useTheme } from './theme'

function useCounter(start) {
  const [n, setN] = useState(start)
  return [n, () => setN(n + 1)]
}

export function Counter() {
  const [count, inc] = useCounter(0)
  const [state, dispatch] = useReducer(reducer, { open: false })
  const ref = useRef(null)
  const theme = useTheme()
  const other = lib.useOther()
  useEffect(() => {
    const inner = useNotCounted()
    return () => inner
  }, [count])
  return <button ref={ref} className={theme + other} onClick={inc}>{count}{String(state.open)}{dispatch.name}</button>
}

export const Short = () => useState(1)[0]

function reducer(s) {
  return s
}
