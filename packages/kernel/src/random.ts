/**
 * Seeded pseudo-random generators: the same seed gives the same stream on
 * every machine, so a benchmark, a synthetic run or a bootstrap interval is
 * the same every time it runs. {@link Random} (sfc32, seeded from any string)
 * has the draws simulations need; {@link mulberry32} is the small generator
 * the demo store, test fixtures and the health replay benchmark are built
 * on, kept because their numbers depend on its exact stream; {@link fnv1a}
 * turns a name into a seed.
 */

/** A small seeded generator (mulberry32): uniform in [0, 1), the same stream for the same 32-bit seed. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** FNV-1a of a string: a stable 32-bit number to seed a generator from a name. */
export function fnv1a(text: string): number {
  let h = 2166136261
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619)
  return h >>> 0
}

/** A seeded generator (sfc32, the seed hashed by cyrb128) with the draws a simulation or a bootstrap needs. */
export class Random {
  #a: number
  #b: number
  #c: number
  #d: number
  #spare: number | undefined

  constructor(seed: number | string) {
    // Hash the seed into four 32-bit words (cyrb128).
    const text = String(seed)
    let h1 = 1779033703
    let h2 = 3144134277
    let h3 = 1013904242
    let h4 = 2773480762
    for (let i = 0; i < text.length; i++) {
      const k = text.charCodeAt(i)
      h1 = h2 ^ Math.imul(h1 ^ k, 597399067)
      h2 = h3 ^ Math.imul(h2 ^ k, 2869860233)
      h3 = h4 ^ Math.imul(h3 ^ k, 951274213)
      h4 = h1 ^ Math.imul(h4 ^ k, 2716044179)
    }
    h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067)
    h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233)
    h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213)
    h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179)
    this.#a = (h1 ^ h2 ^ h3 ^ h4) >>> 0
    this.#b = (h2 ^ h1) >>> 0
    this.#c = (h3 ^ h1) >>> 0
    this.#d = (h4 ^ h1) >>> 0
    for (let i = 0; i < 12; i++) this.next()
  }

  /** Uniform in [0, 1). */
  next(): number {
    const t = (((this.#a + this.#b) | 0) + this.#d) | 0
    this.#d = (this.#d + 1) | 0
    this.#a = this.#b ^ (this.#b >>> 9)
    this.#b = (this.#c + (this.#c << 3)) | 0
    this.#c = (this.#c << 21) | (this.#c >>> 11)
    this.#c = (this.#c + t) | 0
    return (t >>> 0) / 4294967296
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n)
  }

  /** Standard normal (Marsaglia's polar method). */
  normal(): number {
    if (this.#spare !== undefined) {
      const s = this.#spare
      this.#spare = undefined
      return s
    }
    for (;;) {
      const u = 2 * this.next() - 1
      const v = 2 * this.next() - 1
      const s = u * u + v * v
      if (s > 0 && s < 1) {
        const f = Math.sqrt((-2 * Math.log(s)) / s)
        this.#spare = v * f
        return u * f
      }
    }
  }

  /** Gamma(shape, 1) (Marsaglia–Tsang). */
  gamma(shape: number): number {
    if (shape < 1) return this.gamma(shape + 1) * this.next() ** (1 / shape)
    const d = shape - 1 / 3
    const c = 1 / Math.sqrt(9 * d)
    for (;;) {
      let x: number
      let v: number
      do {
        x = this.normal()
        v = 1 + c * x
      } while (v <= 0)
      v = v * v * v
      const u = this.next()
      if (u < 1 - 0.0331 * x ** 4 || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v
    }
  }

  /** Poisson(mean): inversion for small means, a normal approximation above 50. */
  poisson(mean: number): number {
    if (mean <= 0) return 0
    if (mean > 50) return Math.max(0, Math.round(mean + Math.sqrt(mean) * this.normal()))
    const limit = Math.exp(-mean)
    let k = 0
    let p = this.next()
    while (p > limit) {
      k++
      p *= this.next()
    }
    return k
  }

  /** Binomial(n, p): Poisson-like inversion when n·p is small, normal approximation when large. */
  binomial(n: number, p: number): number {
    if (n <= 0 || p <= 0) return 0
    if (p >= 1) return n
    const m = n * p
    if (m < 30) {
      // Inversion by the recurrence P(k+1) = P(k) (n − k) p / ((k + 1)(1 − p)).
      const q = 1 - p
      let pk = Math.exp(n * Math.log(q))
      let cdf = pk
      const u = this.next()
      let k = 0
      while (u > cdf && k < n) {
        pk *= ((n - k) * p) / ((k + 1) * q)
        k++
        cdf += pk
        if (pk < 1e-18 && k > m) break
      }
      return k
    }
    const v = Math.round(m + Math.sqrt(m * (1 - p)) * this.normal())
    return Math.min(n, Math.max(0, v))
  }
}
