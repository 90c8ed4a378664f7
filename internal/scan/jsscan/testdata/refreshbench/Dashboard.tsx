// A 300-line dashboard component: the size of a real app's larger
// components, with hooks, handlers, helpers and JSX.
import { memo, useCallback, useEffect, useMemo, useReducer, useRef, useState } from 'react'
import { useTheme } from './theme'
import { formatDate, formatMoney } from './format'

type Row = { id: number; name: string; amount: number; date: string; tags: string[] }
type Filter = { query: string; minAmount: number; tag: string | null }
type Action =
  | { type: 'select'; id: number }
  | { type: 'clear' }
  | { type: 'toggle'; id: number }

function selection(state: Set<number>, action: Action): Set<number> {
  switch (action.type) {
    case 'select':
      return new Set([...state, action.id])
    case 'toggle': {
      const next = new Set(state)
      if (next.has(action.id)) next.delete(action.id)
      else next.add(action.id)
      return next
    }
    case 'clear':
      return new Set()
  }
}

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value)
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms)
    return () => clearTimeout(t)
  }, [value, ms])
  return v
}

export const Cell0 = memo(function Cell0({ row, selected, onToggle }: { row: Row; selected: boolean; onToggle: (id: number) => void }) {
  const theme = useTheme()
  const style = useMemo(() => ({ color: selected ? theme.accent : theme.text, padding: 0 }), [selected, theme])
  return (
    <td style={style} onClick={() => onToggle(row.id)}>
      <span className="name">{row.name}</span>
      <span className="amount">{formatMoney(row.amount)}</span>
      <span className="date">{formatDate(row.date)}</span>
    </td>
  )
})

export const Cell1 = memo(function Cell1({ row, selected, onToggle }: { row: Row; selected: boolean; onToggle: (id: number) => void }) {
  const theme = useTheme()
  const style = useMemo(() => ({ color: selected ? theme.accent : theme.text, padding: 1 }), [selected, theme])
  return (
    <td style={style} onClick={() => onToggle(row.id)}>
      <span className="name">{row.name}</span>
      <span className="amount">{formatMoney(row.amount)}</span>
      <span className="date">{formatDate(row.date)}</span>
    </td>
  )
})

export const Cell2 = memo(function Cell2({ row, selected, onToggle }: { row: Row; selected: boolean; onToggle: (id: number) => void }) {
  const theme = useTheme()
  const style = useMemo(() => ({ color: selected ? theme.accent : theme.text, padding: 2 }), [selected, theme])
  return (
    <td style={style} onClick={() => onToggle(row.id)}>
      <span className="name">{row.name}</span>
      <span className="amount">{formatMoney(row.amount)}</span>
      <span className="date">{formatDate(row.date)}</span>
    </td>
  )
})

export const Cell3 = memo(function Cell3({ row, selected, onToggle }: { row: Row; selected: boolean; onToggle: (id: number) => void }) {
  const theme = useTheme()
  const style = useMemo(() => ({ color: selected ? theme.accent : theme.text, padding: 3 }), [selected, theme])
  return (
    <td style={style} onClick={() => onToggle(row.id)}>
      <span className="name">{row.name}</span>
      <span className="amount">{formatMoney(row.amount)}</span>
      <span className="date">{formatDate(row.date)}</span>
    </td>
  )
})

export const Cell4 = memo(function Cell4({ row, selected, onToggle }: { row: Row; selected: boolean; onToggle: (id: number) => void }) {
  const theme = useTheme()
  const style = useMemo(() => ({ color: selected ? theme.accent : theme.text, padding: 4 }), [selected, theme])
  return (
    <td style={style} onClick={() => onToggle(row.id)}>
      <span className="name">{row.name}</span>
      <span className="amount">{formatMoney(row.amount)}</span>
      <span className="date">{formatDate(row.date)}</span>
    </td>
  )
})

export const Cell5 = memo(function Cell5({ row, selected, onToggle }: { row: Row; selected: boolean; onToggle: (id: number) => void }) {
  const theme = useTheme()
  const style = useMemo(() => ({ color: selected ? theme.accent : theme.text, padding: 5 }), [selected, theme])
  return (
    <td style={style} onClick={() => onToggle(row.id)}>
      <span className="name">{row.name}</span>
      <span className="amount">{formatMoney(row.amount)}</span>
      <span className="date">{formatDate(row.date)}</span>
    </td>
  )
})

export const Cell6 = memo(function Cell6({ row, selected, onToggle }: { row: Row; selected: boolean; onToggle: (id: number) => void }) {
  const theme = useTheme()
  const style = useMemo(() => ({ color: selected ? theme.accent : theme.text, padding: 6 }), [selected, theme])
  return (
    <td style={style} onClick={() => onToggle(row.id)}>
      <span className="name">{row.name}</span>
      <span className="amount">{formatMoney(row.amount)}</span>
      <span className="date">{formatDate(row.date)}</span>
    </td>
  )
})

export const Cell7 = memo(function Cell7({ row, selected, onToggle }: { row: Row; selected: boolean; onToggle: (id: number) => void }) {
  const theme = useTheme()
  const style = useMemo(() => ({ color: selected ? theme.accent : theme.text, padding: 7 }), [selected, theme])
  return (
    <td style={style} onClick={() => onToggle(row.id)}>
      <span className="name">{row.name}</span>
      <span className="amount">{formatMoney(row.amount)}</span>
      <span className="date">{formatDate(row.date)}</span>
    </td>
  )
})

export const Cell8 = memo(function Cell8({ row, selected, onToggle }: { row: Row; selected: boolean; onToggle: (id: number) => void }) {
  const theme = useTheme()
  const style = useMemo(() => ({ color: selected ? theme.accent : theme.text, padding: 8 }), [selected, theme])
  return (
    <td style={style} onClick={() => onToggle(row.id)}>
      <span className="name">{row.name}</span>
      <span className="amount">{formatMoney(row.amount)}</span>
      <span className="date">{formatDate(row.date)}</span>
    </td>
  )
})

export const Cell9 = memo(function Cell9({ row, selected, onToggle }: { row: Row; selected: boolean; onToggle: (id: number) => void }) {
  const theme = useTheme()
  const style = useMemo(() => ({ color: selected ? theme.accent : theme.text, padding: 9 }), [selected, theme])
  return (
    <td style={style} onClick={() => onToggle(row.id)}>
      <span className="name">{row.name}</span>
      <span className="amount">{formatMoney(row.amount)}</span>
      <span className="date">{formatDate(row.date)}</span>
    </td>
  )
})

export const Cell10 = memo(function Cell10({ row, selected, onToggle }: { row: Row; selected: boolean; onToggle: (id: number) => void }) {
  const theme = useTheme()
  const style = useMemo(() => ({ color: selected ? theme.accent : theme.text, padding: 10 }), [selected, theme])
  return (
    <td style={style} onClick={() => onToggle(row.id)}>
      <span className="name">{row.name}</span>
      <span className="amount">{formatMoney(row.amount)}</span>
      <span className="date">{formatDate(row.date)}</span>
    </td>
  )
})

export function Dashboard({ rows, title }: { rows: Row[]; title: string }) {
  const [filter, setFilter] = useState<Filter>({ query: '', minAmount: 0, tag: null })
  const [page, setPage] = useState(0)
  const [selected, dispatch] = useReducer(selection, new Set<number>())
  const table = useRef<HTMLTableElement>(null)
  const query = useDebounced(filter.query, 200)
  const theme = useTheme()

  const visible = useMemo(
    () =>
      rows.filter(
        (r) =>
          r.name.toLowerCase().includes(query.toLowerCase()) &&
          r.amount >= filter.minAmount &&
          (filter.tag === null || r.tags.includes(filter.tag)),
      ),
    [rows, query, filter.minAmount, filter.tag],
  )
  const pageRows = visible.slice(page * 20, page * 20 + 20)
  const total = useMemo(() => visible.reduce((s, r) => s + r.amount, 0), [visible])
  const tags = useMemo(() => [...new Set(rows.flatMap((r) => r.tags))].sort(), [rows])

  const onToggle = useCallback((id: number) => dispatch({ type: 'toggle', id }), [])
  const onClear = useCallback(() => dispatch({ type: 'clear' }), [])

  useEffect(() => {
    table.current?.scrollTo({ top: 0 })
  }, [page])

  useEffect(() => {
    if (page * 20 >= visible.length && page > 0) setPage(0)
  }, [visible.length, page])

  return (
    <section className="dashboard" style={{ background: theme.background }}>
      <header>
        <h1>{title}</h1>
        <input
          value={filter.query}
          placeholder="Search"
          onChange={(e) => setFilter({ ...filter, query: e.currentTarget.value })}
        />
        <input
          type="number"
          value={filter.minAmount}
          onChange={(e) => setFilter({ ...filter, minAmount: Number(e.currentTarget.value) })}
        />
        <select
          value={filter.tag ?? ''}
          onChange={(e) => setFilter({ ...filter, tag: e.currentTarget.value || null })}
        >
          <option value="">all</option>
          {tags.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
        <button onClick={onClear} disabled={selected.size === 0}>
          Clear {selected.size}
        </button>
      </header>
      <table ref={table}>
        <tbody>
            <tr key={"r0"}>
              <Cell0 row={pageRows[0] ?? rows[0]} selected={selected.has(0)} onToggle={onToggle} />
              <td>{pageRows[0]?.tags.join(', ')}</td>
            </tr>
            <tr key={"r1"}>
              <Cell1 row={pageRows[1] ?? rows[0]} selected={selected.has(1)} onToggle={onToggle} />
              <td>{pageRows[1]?.tags.join(', ')}</td>
            </tr>
            <tr key={"r2"}>
              <Cell2 row={pageRows[2] ?? rows[0]} selected={selected.has(2)} onToggle={onToggle} />
              <td>{pageRows[2]?.tags.join(', ')}</td>
            </tr>
            <tr key={"r3"}>
              <Cell3 row={pageRows[3] ?? rows[0]} selected={selected.has(3)} onToggle={onToggle} />
              <td>{pageRows[3]?.tags.join(', ')}</td>
            </tr>
            <tr key={"r4"}>
              <Cell4 row={pageRows[4] ?? rows[0]} selected={selected.has(4)} onToggle={onToggle} />
              <td>{pageRows[4]?.tags.join(', ')}</td>
            </tr>
            <tr key={"r5"}>
              <Cell5 row={pageRows[5] ?? rows[0]} selected={selected.has(5)} onToggle={onToggle} />
              <td>{pageRows[5]?.tags.join(', ')}</td>
            </tr>
            <tr key={"r6"}>
              <Cell6 row={pageRows[6] ?? rows[0]} selected={selected.has(6)} onToggle={onToggle} />
              <td>{pageRows[6]?.tags.join(', ')}</td>
            </tr>
            <tr key={"r7"}>
              <Cell7 row={pageRows[7] ?? rows[0]} selected={selected.has(7)} onToggle={onToggle} />
              <td>{pageRows[7]?.tags.join(', ')}</td>
            </tr>
            <tr key={"r8"}>
              <Cell8 row={pageRows[8] ?? rows[0]} selected={selected.has(8)} onToggle={onToggle} />
              <td>{pageRows[8]?.tags.join(', ')}</td>
            </tr>
            <tr key={"r9"}>
              <Cell9 row={pageRows[9] ?? rows[0]} selected={selected.has(9)} onToggle={onToggle} />
              <td>{pageRows[9]?.tags.join(', ')}</td>
            </tr>
            <tr key={"r10"}>
              <Cell10 row={pageRows[10] ?? rows[0]} selected={selected.has(10)} onToggle={onToggle} />
              <td>{pageRows[10]?.tags.join(', ')}</td>
            </tr>
        </tbody>
      </table>
      <footer>
        <button onClick={() => setPage(Math.max(0, page - 1))} disabled={page === 0}>
          Previous
        </button>
        <span>
          {page + 1} / {Math.max(1, Math.ceil(visible.length / 20))}
        </span>
        <button onClick={() => setPage(page + 1)} disabled={(page + 1) * 20 >= visible.length}>
          Next
        </button>
        <strong>{formatMoney(total)}</strong>
      </footer>
    </section>
  )
}

export default Dashboard
