// A tiny expression language: tokenizer, Pratt parser and evaluator.
const TOKEN = /\s*(?:(\d+(?:\.\d*)?(?:e[+-]?\d+)?)|([A-Za-z_]\w*)|("(?:[^"\\]|\\.)*")|(\*\*|[<>!=]=|&&|\|\||[-+*\/%^(),<>!?:]))/y

export function tokenize(src) {
  const tokens = []
  TOKEN.lastIndex = 0
  let m
  while (TOKEN.lastIndex < src.length && (m = TOKEN.exec(src))) {
    const [, num, ident, str, op] = m
    if (num !== undefined) tokens.push({ type: 'num', value: parseFloat(num) })
    else if (ident !== undefined) tokens.push({ type: 'ident', value: ident })
    else if (str !== undefined) tokens.push({ type: 'str', value: JSON.parse(str) })
    else tokens.push({ type: 'op', value: op })
  }
  if (TOKEN.lastIndex < src.trimEnd().length) {
    throw new SyntaxError(`unexpected character at ${TOKEN.lastIndex}: ${src[TOKEN.lastIndex]}`)
  }
  tokens.push({ type: 'eof' })
  return tokens
}

const BINARY = {
  '||': [1, 'left'], '&&': [2, 'left'],
  '==': [3, 'left'], '!=': [3, 'left'],
  '<': [4, 'left'], '>': [4, 'left'], '<=': [4, 'left'], '>=': [4, 'left'],
  '+': [5, 'left'], '-': [5, 'left'],
  '*': [6, 'left'], '/': [6, 'left'], '%': [6, 'left'],
  '**': [7, 'right'],
}

export class Parser {
  constructor(tokens) {
    this.tokens = tokens
    this.i = 0
  }

  peek() { return this.tokens[this.i] }
  next() { return this.tokens[this.i++] }

  expect(value) {
    const t = this.next()
    if (t.value !== value) throw new SyntaxError(`expected ${value}, got ${t.value ?? t.type}`)
    return t
  }

  parse() {
    const e = this.expression(0)
    if (this.peek().type !== 'eof') throw new SyntaxError('trailing input')
    return e
  }

  expression(minPrec) {
    let left = this.unary()
    for (;;) {
      const t = this.peek()
      if (t.type === 'op' && t.value === '?' && minPrec === 0) {
        this.next()
        const then = this.expression(0)
        this.expect(':')
        const otherwise = this.expression(0)
        left = { type: 'cond', test: left, then, otherwise }
        continue
      }
      const info = t.type === 'op' && BINARY[t.value]
      if (!info || info[0] < minPrec) return left
      this.next()
      const [prec, assoc] = info
      const right = this.expression(assoc === 'left' ? prec + 1 : prec)
      left = { type: 'binary', op: t.value, left, right }
    }
  }

  unary() {
    const t = this.peek()
    if (t.type === 'op' && (t.value === '-' || t.value === '!')) {
      this.next()
      return { type: 'unary', op: t.value, arg: this.unary() }
    }
    return this.call(this.primary())
  }

  call(callee) {
    while (this.peek().value === '(') {
      this.next()
      const args = []
      if (this.peek().value !== ')') {
        do args.push(this.expression(0))
        while (this.peek().value === ',' && this.next())
      }
      this.expect(')')
      callee = { type: 'call', callee, args }
    }
    return callee
  }

  primary() {
    const t = this.next()
    switch (t.type) {
      case 'num':
      case 'str':
        return { type: 'lit', value: t.value }
      case 'ident':
        return t.value === 'true' || t.value === 'false' ? { type: 'lit', value: t.value === 'true' } : { type: 'var', name: t.value }
      case 'op':
        if (t.value === '(') {
          const e = this.expression(0)
          this.expect(')')
          return e
        }
    }
    throw new SyntaxError(`unexpected ${t.value ?? t.type}`)
  }
}

const OPS = {
  '+': (a, b) => a + b, '-': (a, b) => a - b, '*': (a, b) => a * b, '/': (a, b) => a / b,
  '%': (a, b) => a % b, '**': (a, b) => a ** b, '<': (a, b) => a < b, '>': (a, b) => a > b,
  '<=': (a, b) => a <= b, '>=': (a, b) => a >= b, '==': (a, b) => a === b, '!=': (a, b) => a !== b,
}

export function evaluate(node, env = {}) {
  switch (node.type) {
    case 'lit': return node.value
    case 'var':
      if (!(node.name in env)) throw new ReferenceError(`${node.name} is not defined`)
      return env[node.name]
    case 'unary': {
      const v = evaluate(node.arg, env)
      return node.op === '-' ? -v : !v
    }
    case 'binary':
      if (node.op === '&&') return evaluate(node.left, env) && evaluate(node.right, env)
      if (node.op === '||') return evaluate(node.left, env) || evaluate(node.right, env)
      return OPS[node.op](evaluate(node.left, env), evaluate(node.right, env))
    case 'cond':
      return evaluate(node.test, env) ? evaluate(node.then, env) : evaluate(node.otherwise, env)
    case 'call': {
      const fn = evaluate(node.callee, env)
      if (typeof fn !== 'function') throw new TypeError('not a function')
      return fn(...node.args.map((a) => evaluate(a, env)))
    }
    default:
      throw new Error(`unknown node ${node.type}`)
  }
}

export const run = (src, env) => evaluate(new Parser(tokenize(src)).parse(), { min: Math.min, max: Math.max, abs: Math.abs, ...env })
