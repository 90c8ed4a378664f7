// export * leaves the export set open: no boundary, though every local
// export is a component.
export * from './others'
export function Only() {
  return <p>only</p>
}
