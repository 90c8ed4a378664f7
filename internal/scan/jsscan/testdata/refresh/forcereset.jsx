// A custom hook that is not a top-level binding cannot be compared: the
// signature forces a remount.
export function Panel({ hooks }) {
  const value = hooks.useValue()
  const { useLocal } = hooks
  const other = useLocal()
  return <p>{value}{other}</p>
}
