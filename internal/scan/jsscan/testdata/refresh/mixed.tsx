// A module that exports something that is not a component is no
// boundary: an edit propagates to its importers.
export const theme = { color: 'red' }

export function Badge() {
  return <span style={theme}>badge</span>
}
