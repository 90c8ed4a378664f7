// memo and forwardRef wrappers: the wrapper and the function inside are
// both registered; a wrapper around a name registers only the result.
import { forwardRef, memo, useState } from 'react'
import React from 'react'

export const Button = memo(() => {
  const [on, setOn] = useState(false)
  return <button onClick={() => setOn(!on)}>{String(on)}</button>
})

export const Input = React.forwardRef<HTMLInputElement, {}>(function Input(props, ref) {
  return <input ref={ref} {...props} />
})

export const Both = memo(forwardRef((props: {}, ref: any) => <i ref={ref} {...props} />))

function Plain() {
  return <p />
}

export const Wrapped = memo(Plain)

export default memo(function Inner() {
  return <Plain />
})
