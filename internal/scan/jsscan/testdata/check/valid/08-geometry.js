// Vectors, matrices and shapes with operator-heavy numeric code.
export const EPSILON = 1e-9
export const TAU = Math.PI * 2

export class Vec2 {
  constructor(x = 0, y = 0) {
    this.x = x
    this.y = y
  }

  static fromAngle(theta, length = 1) {
    return new Vec2(Math.cos(theta) * length, Math.sin(theta) * length)
  }

  add(v) { return new Vec2(this.x + v.x, this.y + v.y) }
  sub(v) { return new Vec2(this.x - v.x, this.y - v.y) }
  scale(k) { return new Vec2(this.x * k, this.y * k) }
  dot(v) { return this.x * v.x + this.y * v.y }
  cross(v) { return this.x * v.y - this.y * v.x }
  get length() { return Math.hypot(this.x, this.y) }
  get angle() { return Math.atan2(this.y, this.x) }

  normalize() {
    const len = this.length
    return len < EPSILON ? new Vec2() : this.scale(1 / len)
  }

  rotate(theta) {
    const c = Math.cos(theta), s = Math.sin(theta)
    return new Vec2(this.x * c - this.y * s, this.x * s + this.y * c)
  }

  equals(v, eps = EPSILON) {
    return Math.abs(this.x - v.x) < eps && Math.abs(this.y - v.y) < eps
  }

  toString() {
    return `Vec2(${this.x.toFixed(3)}, ${this.y.toFixed(3)})`
  }

  *[Symbol.iterator]() {
    yield this.x
    yield this.y
  }
}

export class Mat3 {
  constructor(m = [1, 0, 0, 0, 1, 0, 0, 0, 1]) {
    this.m = Float64Array.from(m)
  }

  static translation(tx, ty) {
    return new Mat3([1, 0, tx, 0, 1, ty, 0, 0, 1])
  }

  static rotation(theta) {
    const c = Math.cos(theta), s = Math.sin(theta)
    return new Mat3([c, -s, 0, s, c, 0, 0, 0, 1])
  }

  static scaling(sx, sy = sx) {
    return new Mat3([sx, 0, 0, 0, sy, 0, 0, 0, 1])
  }

  multiply(o) {
    const a = this.m, b = o.m, r = new Float64Array(9)
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++) {
        let sum = 0
        for (let k = 0; k < 3; k++) sum += a[i * 3 + k] * b[k * 3 + j]
        r[i * 3 + j] = sum
      }
    return new Mat3(r)
  }

  apply({ x, y }) {
    const m = this.m
    const w = m[6] * x + m[7] * y + m[8] || 1
    return new Vec2((m[0] * x + m[1] * y + m[2]) / w, (m[3] * x + m[4] * y + m[5]) / w)
  }

  get determinant() {
    const [a, b, c, d, e, f, g, h, i] = this.m
    return a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g)
  }
}

export function polygonArea(points) {
  let area = 0
  for (let i = 0, j = points.length - 1; i < points.length; j = i++) {
    area += (points[j].x + points[i].x) * (points[j].y - points[i].y)
  }
  return Math.abs(area / 2)
}

export function pointInPolygon({ x, y }, polygon) {
  let inside = false
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    const xi = polygon[i].x, yi = polygon[i].y
    const xj = polygon[j].x, yj = polygon[j].y
    const intersect = yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi
    if (intersect) inside = !inside
  }
  return inside
}

export function convexHull(points) {
  const pts = [...points].sort((a, b) => a.x - b.x || a.y - b.y)
  if (pts.length < 3) return pts
  const cross = (o, a, b) => (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x)
  const lower = []
  for (const p of pts) {
    while (lower.length >= 2 && cross(lower.at(-2), lower.at(-1), p) <= 0) lower.pop()
    lower.push(p)
  }
  const upper = []
  for (let i = pts.length - 1; i >= 0; i--) {
    const p = pts[i]
    while (upper.length >= 2 && cross(upper.at(-2), upper.at(-1), p) <= 0) upper.pop()
    upper.push(p)
  }
  upper.pop()
  lower.pop()
  return lower.concat(upper)
}

export const lerp = (a, b, t) => a + (b - a) * t
export const clamp = (v, lo = 0, hi = 1) => (v < lo ? lo : v > hi ? hi : v)
export const smoothstep = (e0, e1, x) => {
  const t = clamp((x - e0) / (e1 - e0))
  return t * t * (3 - 2 * t)
}
export const degrees = (rad) => (rad * 180) / Math.PI
export const radians = (deg) => (deg / 180) * Math.PI
export const distance = (a, b) => ((a.x - b.x) ** 2 + (a.y - b.y) ** 2) ** 0.5
export const bits = (n) => [n & 0xff, (n >>> 8) & 0xff, (n >> 16) & 0xff, n >>> 24, ~n, n << 2, -n, +n, !n]
export const big = 2n ** 64n - 1n
export const hex = [0xdead_beef, 0o755, 0b1010_1010, 1.5e-10, .25, 6.02e+23, 1_000.000_1]
