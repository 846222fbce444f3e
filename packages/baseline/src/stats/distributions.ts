/**
 * The distributions the judge needs, written out so that every number in a
 * verdict can be traced to a formula. Log-gamma, the regularised incomplete
 * beta function, Student's t, the normal, the beta-binomial and the Wilson
 * interval are `@steady/kernel`'s, imported from there; here are the ones
 * only the judge uses: beta shapes from an over-dispersion, the χ² quantile,
 * and the digamma family behind the F-distribution prior of many variances.
 */

/**
 * Shape parameters of a beta distribution with mean `p` and intra-class
 * correlation `rho` (a beta-binomial with over-dispersion rho: the variance of
 * a count out of n is n p (1 − p) (1 + (n − 1) rho)). rho is kept ≥ 1e-7 so the
 * log-gamma differences stay precise.
 */
export function betaShape(p: number, rho: number): { a: number; b: number } {
  const r = Math.min(0.999, Math.max(1e-7, rho))
  const s = 1 / r - 1
  return { a: p * s, b: (1 - p) * s }
}

/** The digamma function ψ(x), x > 0: recurrence up to 6, then the asymptotic series. */
export function digamma(x: number): number {
  let r = 0
  while (x < 6) {
    r -= 1 / x
    x += 1
  }
  const f = 1 / (x * x)
  return r + Math.log(x) - 0.5 / x - f * (1 / 12 - f * (1 / 120 - f * (1 / 252 - f * (1 / 240 - f / 132))))
}

/** The trigamma function ψ′(x), x > 0. */
export function trigamma(x: number): number {
  let r = 0
  while (x < 6) {
    r += 1 / (x * x)
    x += 1
  }
  const f = 1 / (x * x)
  return r + 1 / x + f / 2 + (f / x) * (1 / 6 - f * (1 / 30 - f * (1 / 42 - f / 30)))
}

/** The tetragamma function ψ″(x), x > 0. */
function tetragamma(x: number): number {
  let r = 0
  while (x < 6) {
    r -= 2 / (x * x * x)
    x += 1
  }
  const f = 1 / (x * x)
  return r - f - f / x - f * f * (1 / 2 - f * (1 / 6 - f * (1 / 6 - (3 * f) / 10)))
}

/** The x with trigamma(x) = y (Newton's method, as limma's trigammaInverse). */
export function trigammaInverse(y: number): number {
  if (!(y > 0)) return Number.POSITIVE_INFINITY
  if (y > 1e7) return 1 / Math.sqrt(y)
  if (y < 1e-6) return 1 / y
  let x = 0.5 + 1 / y
  for (let i = 0; i < 50; i++) {
    const tri = trigamma(x)
    const dif = (tri * (1 - tri / y)) / tetragamma(x)
    x += dif
    if (-dif / x < 1e-8) break
  }
  return x
}

/**
 * The scaled F (inverse chi-square) prior of many sample variances, by the
 * method of moments on their logs (Smyth 2004, limma's fitFDist): the prior
 * variance s0² and its degrees of freedom d0, which say how much the variances
 * agree beyond their own sampling noise. d0 is infinite when they agree no
 * less than sampling noise alone would have them.
 */
export function fitFDist(
  variances: readonly number[],
  dfs: readonly number[],
): { variance: number; df: number } | undefined {
  const e: number[] = []
  const tri: number[] = []
  variances.forEach((v, i) => {
    const d = dfs[i]
    if (!(v > 0) || !(d > 0)) return
    e.push(Math.log(v) - digamma(d / 2) + Math.log(d / 2))
    tri.push(trigamma(d / 2))
  })
  const n = e.length
  if (n < 2) return undefined
  const emean = e.reduce((a, b) => a + b, 0) / n
  const evar = e.reduce((a, b) => a + (b - emean) ** 2, 0) / (n - 1) - tri.reduce((a, b) => a + b, 0) / n
  if (!(evar > 0)) return { variance: Math.exp(emean), df: Number.POSITIVE_INFINITY }
  const d0 = 2 * trigammaInverse(evar)
  return { variance: Math.exp(emean + digamma(d0 / 2) - Math.log(d0 / 2)), df: d0 }
}
