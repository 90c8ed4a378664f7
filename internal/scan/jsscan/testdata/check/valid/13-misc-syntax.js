import def, * as everything from './everything.js'
import { a as alpha, b, default as other, 'string name' as stringName } from './names.js'
import data from './data.json' with { type: 'json' }
import './side-effect.js'
export * from './re-export.js'
export * as ns from './namespace.js'
export { x as 'quoted export', y as z } from './pairs.js'

let counter = 0
var legacy = 1, another
const { nested: { deep = 1, ...others } = {}, list: [first, , third = 3, ...more] = [] } = everything

outer: for (let i = 0; i < 10; i++) {
  inner: for (let j = 0; j < 10; j++) {
    if (j === i) continue outer
    if (i * j > 50) break outer
    if (j > 8) break inner
    counter += i ^ j
  }
}

block: {
  if (counter > 100) break block
  counter = 0
}

switch (typeof def) {
  case 'function':
    def()
  // fallthrough
  case 'object': {
    const local = def ?? null
    counter += local ? 1 : 0
    break
  }
  default:
    counter--
}

do {
  counter >>= 1
} while (counter > 1)

while (false) ;
if (counter) ; else counter = 1

try {
  JSON.parse('{')
} catch ({ name, message }) {
  console.log(name, message)
} finally {
  counter++
}

try {
  throw new Error('x')
} catch {
  counter |= 0
}

label2: while (counter < 0) {
  counter++
  continue label2
}

for (const key in data) if (Object.hasOwn(data, key)) counter++
for (legacy of [1, 2, 3]) counter += legacy
for ([first, third] of [[1, 2]]) counter += first + third
for ({ deep } of [{ deep: 2 }]) counter += deep
for (var v = 0, w = 10; v < w; v++, w--) ;
for (;;) break

export const conditional = counter > 10 ? 'big' : counter > 5 ? 'medium' : 'small'
export const logical = (alpha && b) || (other ?? stringName)
export const coalesce = (alpha || b) ?? other
export const assignOps = () => {
  let n = 1
  n += 1; n -= 1; n *= 2; n /= 2; n %= 3; n **= 2; n <<= 1; n >>= 1; n >>>= 0; n &= 7; n |= 8; n ^= 1
  n &&= 2; n ||= 3; n ??= 4
  return n
}
export const unary = [typeof x, void 0, !0, ~1, -1, +'1', delete globalThis.nothing]
export const updates = () => { let i = 0; i++; ++i; i--; --i; return i }
export const comma = (counter++, counter--, counter)
export const spread = [...'abc', ...new Set([1, 2])]
export const objectSpread = { ...data, ...{ a: 1 }, ['computed' + 1]: 2, 0x10: 'hex key', 1.5: 'float key', 'str key': 3 }
export const tagged = String.raw`C:\path\${'to'}\file`
export const nestedTemplate = `outer ${`inner ${`innermost ${counter}`}`} done`
export const regexes = [/[/]/, /\/\//g, /(?<year>\d{4})-(?<month>\d{2})/u, /a+?b*?c??/s, /[\]\\]/, /x/dgimsy, /\p{L}+/v]
export const division = counter / 2 / 3
export const regexAfterParen = (counter) / 2
export const instance = def instanceof Object && 'key' in data
export const exponent = 2 ** 3 ** 2
export const negExp = (-2) ** 2
export const optional = everything?.deep?.[0]?.(1)?.x
export const newTarget = function () { return new.target }
export const ctorCalls = [new Date(), new Date, new Map([[1, 2]]), new (class {})()]
export const iife = (function () { return this })()
export const arrowIife = (() => 42)()
export const asyncIife = (async () => await Promise.resolve(1))()
export const getterObj = { get value() { return counter }, set value(v) { counter = v } }
export const methods = { a() {}, async b() {}, *c() {}, async *d() {}, [Symbol.iterator]() {}, 'quoted'() {} }
export const keywordsAsKeys = { if: 1, else: 2, class: 3, return: 4, new: 5, typeof: 6, default: 7, in: 8, of: 9, let: 10, static: 11, await: 12, yield: 13 }
export const keywordMembers = keywordsAsKeys.if + keywordsAsKeys.class + keywordsAsKeys.default + keywordsAsKeys.await
export const arrows = [() => {}, (a) => a, a => a, (a, b) => a + b, ({ a }) => a, ([a]) => a, (...a) => a, (a = 1) => a, async (a) => a, async a => a, async () => {}]
export const holes = [, , 1, , ]
export const numbers = [0, 1, 0.5, .5, 5., 1e3, 1E-3, 0xFF, 0o17, 0b11, 10n, 0xFFn, 1_000_000, 0.1_2]
export const strings = ['single', "double", 'esc \' \" \\ \n \t \r \b \f \v \0', '\x41\u0041\u{41}\u{10FFFF}', 'line\
continuation']
export let mutable = 1
mutable = 2
export function hoisted() { return hoisted.name }
export async function asyncFn() { await null; for await (const x of []) x }
export function* gen() { const x = yield 1; yield* [x]; return }
export async function* asyncGen() { yield await 1 }
export class Exported {}
export default class extends Exported {
  static field = 1
  instanceField
  ['computed'] = 2;
  'string key' = 3
  42 = 4
  static #privateStatic = 5
  #private = 6
  static { this.initialized = Exported.name }
  constructor(...args) { super(...args); this.#private += this.constructor.#privateStatic }
  get accessorProp() { return this.#private }
  set accessorProp(v) { this.#private = v }
  static async *[Symbol.asyncIterator]() {}
  has(o) { return #private in o }
}
