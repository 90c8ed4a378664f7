// Higher-order components applied to things that are not functions or
// component names are left alone, as are imports and classes.
import { connect } from './store'
import styled from './styled'

const mapState = (s) => s
export const Connected = connect(mapState)(Base)
export const Styled = styled.div`color: red`
const Lazy = require('./lazy')
export class Legacy {
  render() {
    return null
  }
}
function Base() {
  return <div />
}
export { Base, Lazy }
