import def from './default'
import { a } from './named'

console.log(`>>>>>> ${a} ${def}`)
