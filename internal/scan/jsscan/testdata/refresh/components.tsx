// Top-level components of each form, and a lowercase helper left alone.
import { useState } from 'react'

function Title({ text }: { text: string }) {
  return <h1>{text}</h1>
}

export const Arrow = () => <p>arrow</p>

export const Expr = function () {
  return <p>expression</p>
}

function helper() {
  return 1
}

export default function App() {
  const [count, setCount] = useState(0)
  return <Title text={`count ${count} ${helper()}`} />
}
