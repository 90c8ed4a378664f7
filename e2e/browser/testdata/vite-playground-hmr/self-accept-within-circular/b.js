import { c } from './c'

const b = {
  c,
}

export { b }
