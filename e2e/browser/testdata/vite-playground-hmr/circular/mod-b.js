import { value as _value } from './mod-c'

export const value = `mod-b -> ${_value}`
