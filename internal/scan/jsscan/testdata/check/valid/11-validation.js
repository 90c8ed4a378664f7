// Schema validation with composable validators and detailed paths.
const fail = (path, message) => [{ path: path.join('.') || '(root)', message }]
const ok = []

export const string = ({ min = 0, max = Infinity, pattern } = {}) => (v, path = []) => {
  if (typeof v !== 'string') return fail(path, `expected string, got ${typeof v}`)
  if (v.length < min) return fail(path, `shorter than ${min}`)
  if (v.length > max) return fail(path, `longer than ${max}`)
  if (pattern && !pattern.test(v)) return fail(path, `does not match ${pattern}`)
  return ok
}

export const number = ({ min = -Infinity, max = Infinity, integer = false } = {}) => (v, path = []) =>
  typeof v !== 'number' || Number.isNaN(v)
    ? fail(path, 'expected number')
    : integer && !Number.isInteger(v)
      ? fail(path, 'expected integer')
      : v < min || v > max
        ? fail(path, `out of range [${min}, ${max}]`)
        : ok

export const boolean = () => (v, path = []) => (typeof v === 'boolean' ? ok : fail(path, 'expected boolean'))

export const literal = (...values) => (v, path = []) =>
  values.includes(v) ? ok : fail(path, `expected one of ${values.map((x) => JSON.stringify(x)).join(', ')}`)

export const optional = (inner) => (v, path = []) => (v === undefined ? ok : inner(v, path))
export const nullable = (inner) => (v, path = []) => (v === null ? ok : inner(v, path))

export const array = (item, { min = 0, max = Infinity } = {}) => (v, path = []) => {
  if (!Array.isArray(v)) return fail(path, 'expected array')
  if (v.length < min || v.length > max) return fail(path, `length must be within [${min}, ${max}]`)
  return v.flatMap((x, i) => item(x, [...path, i]))
}

export const object = (shape, { strict = false } = {}) => (v, path = []) => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return fail(path, 'expected object')
  const errors = []
  for (const [key, validate] of Object.entries(shape)) errors.push(...validate(v[key], [...path, key]))
  if (strict) {
    for (const key of Object.keys(v)) if (!(key in shape)) errors.push(...fail([...path, key], 'unexpected key'))
  }
  return errors
}

export const union = (...options) => (v, path = []) => {
  let best
  for (const option of options) {
    const errors = option(v, path)
    if (errors.length === 0) return ok
    if (!best || errors.length < best.length) best = errors
  }
  return best ?? fail(path, 'no options')
}

export const refine = (inner, check, message = 'invalid') => (v, path = []) => {
  const errors = inner(v, path)
  return errors.length ? errors : check(v) ? ok : fail(path, message)
}

export const email = () => string({ pattern: /^[^\s@]+@[^\s@]+\.[^\s@]{2,}$/ })
export const uuid = () => string({ pattern: /^[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i })
export const url = () => refine(string(), (s) => { try { new URL(s); return true } catch { return false } }, 'invalid URL')

export class ValidationError extends Error {
  constructor(errors) {
    super(errors.map(({ path, message }) => `${path}: ${message}`).join('\n'))
    this.errors = errors
  }
}

export function parse(schema, value) {
  const errors = schema(value)
  if (errors.length) throw new ValidationError(errors)
  return value
}

export const User = object({
  id: uuid(),
  name: string({ min: 1, max: 100 }),
  email: email(),
  age: optional(number({ min: 0, max: 150, integer: true })),
  role: literal('admin', 'editor', 'viewer'),
  tags: array(string({ max: 20 }), { max: 10 }),
  homepage: nullable(url()),
  settings: object({ theme: literal('light', 'dark'), notifications: boolean() }, { strict: true }),
})
