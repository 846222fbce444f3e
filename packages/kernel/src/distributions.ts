/**
 * The distributions steady's judges need, written out so that every number in
 * a verdict can be traced to a formula: log-gamma, the regularised incomplete
 * beta function, Student's t, the normal, the beta-binomial, and the Wilson
 * interval of a proportion.
 */

const lanczos = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
]

/** ln Γ(x) for x > 0 (Lanczos, g = 7; about 15 significant digits). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x)
  const z = x - 1
  let a = lanczos[0]
  const t = z + 7.5
  for (let i = 1; i < 9; i++) a += lanczos[i] / (z + i)
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a)
}

/** ln B(a, b). */
export function logBeta(a: number, b: number): number {
  return logGamma(a) + logGamma(b) - logGamma(a + b)
}

/** ln C(n, k). */
export function logChoose(n: number, k: number): number {
  return logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1)
}

function betaContinuedFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300
  let c = 1
  let d = 1 - ((a + b) * x) / (a + 1)
  if (Math.abs(d) < tiny) d = tiny
  d = 1 / d
  let h = d
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2))
    d = 1 + aa * d
    if (Math.abs(d) < tiny) d = tiny
    c = 1 + aa / c
    if (Math.abs(c) < tiny) c = tiny
    d = 1 / d
    h *= d * c
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1))
    d = 1 + aa * d
    if (Math.abs(d) < tiny) d = tiny
    c = 1 + aa / c
    if (Math.abs(c) < tiny) c = tiny
    d = 1 / d
    const del = d * c
    h *= del
    if (Math.abs(del - 1) < 3e-16) break
  }
  return h
}

/** The regularised incomplete beta function I_x(a, b). */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0
  if (x >= 1) return 1
  const front = Math.exp(a * Math.log(x) + b * Math.log(1 - x) - logBeta(a, b))
  if (x < (a + 1) / (a + b + 2)) return (front * betaContinuedFraction(a, b, x)) / a
  return 1 - (front * betaContinuedFraction(b, a, 1 - x)) / b
}

/** P(T ≤ t) for Student's t with `df` degrees of freedom. */
export function tCdf(t: number, df: number): number {
  if (!Number.isFinite(t)) return t > 0 ? 1 : 0
  const x = df / (df + t * t)
  const tail = 0.5 * incompleteBeta(x, df / 2, 0.5)
  return t > 0 ? 1 - tail : tail
}

/** P(T > t): the one-sided upper p-value of Student's t. */
export function tSf(t: number, df: number): number {
  return tCdf(-t, df)
}

/** The quantile of Student's t: the t with P(T ≤ t) = p. */
export function tQuantile(p: number, df: number): number {
  if (p <= 0) return -Infinity
  if (p >= 1) return Infinity
  if (p === 0.5) return 0
  // Start from the normal quantile and refine by bisection on a bracket that surely holds it.
  let lo = -1
  let hi = 1
  while (tCdf(lo, df) > p) lo *= 2
  while (tCdf(hi, df) < p) hi *= 2
  for (let i = 0; i < 200 && hi - lo > 1e-12 * Math.max(1, Math.abs(hi)); i++) {
    const mid = (lo + hi) / 2
    if (tCdf(mid, df) < p) lo = mid
    else hi = mid
  }
  return (lo + hi) / 2
}

/** P(Z ≤ z) for the standard normal (erfc by Chebyshev fit, relative error < 1.2e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2
  const t = 1 / (1 + 0.5 * x)
  const erfc =
    t *
    Math.exp(
      -x * x -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    )
  return z >= 0 ? 1 - erfc / 2 : erfc / 2
}

/** P(Z > z): the one-sided upper tail of the standard normal, without the cancellation of 1 − {@link normalCdf}. */
export function normalSf(z: number): number {
  return normalCdf(-z)
}

/** The standard normal quantile (Acklam's rational approximation, refined by one Halley step). */
export function normalQuantile(p: number): number {
  if (p <= 0) return -Infinity
  if (p >= 1) return Infinity
  const a = [
    -3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1,
    2.506628277459239,
  ]
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1]
  const c = [
    -7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ]
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416]
  const low = 0.02425
  let x: number
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p))
    x =
      (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
      ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
  } else if (p <= 1 - low) {
    const q = p - 0.5
    const r = q * q
    x =
      ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) /
      (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
  } else {
    const q = Math.sqrt(-2 * Math.log(1 - p))
    x =
      -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
      ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
  }
  const e = normalCdf(x) - p
  const u = e * Math.sqrt(2 * Math.PI) * Math.exp((x * x) / 2)
  return x - u / (1 + (x * u) / 2)
}

/** ln P(X = k) for the beta-binomial with n trials and shape parameters a, b. */
export function betaBinomialLogPmf(k: number, n: number, a: number, b: number): number {
  return logChoose(n, k) + logBeta(k + a, n - k + b) - logBeta(a, b)
}

/**
 * P(X ≥ k) for the beta-binomial (n, a, b): summed term by term from the
 * shorter side, stopping once terms no longer matter.
 */
export function betaBinomialSf(k: number, n: number, a: number, b: number): number {
  if (k <= 0) return 1
  if (k > n) return 0
  const mean = (n * a) / (a + b)
  if (k > mean) {
    let sum = 0
    for (let j = k; j <= n; j++) {
      const term = Math.exp(betaBinomialLogPmf(j, n, a, b))
      sum += term
      if (j > mean && term < sum * 1e-15) break
    }
    return Math.min(1, sum)
  }
  let below = 0
  for (let j = k - 1; j >= 0; j--) {
    const term = Math.exp(betaBinomialLogPmf(j, n, a, b))
    below += term
    if (j < mean && term < below * 1e-15) break
  }
  return Math.max(0, 1 - below)
}

/** Wilson score interval for k successes out of n (two-sided, level `conf`). */
export function wilsonInterval(k: number, n: number, conf = 0.95): [number, number] {
  if (n <= 0) return [0, 1]
  return wilsonBounds(k, n, normalQuantile(1 - (1 - conf) / 2))
}

/**
 * The Wilson score bounds for k successes out of n, `z` standard deviations
 * each side (each bound is one-sided at z): the smallest and the largest
 * share the sample supports. n must be above 0.
 */
export function wilsonBounds(k: number, n: number, z: number): [number, number] {
  const p = k / n
  const z2 = z * z
  const den = 1 + z2 / n
  const centre = (p + z2 / (2 * n)) / den
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / den
  return [Math.max(0, centre - half), Math.min(1, centre + half)]
}

/** The x with I_x(a, b) = p (bisection; for the Clopper–Pearson interval). */
function incompleteBetaInverse(p: number, a: number, b: number): number {
  let lo = 0
  let hi = 1
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2
    if (incompleteBeta(mid, a, b) < p) lo = mid
    else hi = mid
  }
  return (lo + hi) / 2
}

/** Clopper–Pearson ("exact") interval for k successes out of n (two-sided, level `conf`). */
export function clopperPearson(k: number, n: number, conf = 0.95): [number, number] {
  const alpha = 1 - conf
  const lower = k === 0 ? 0 : incompleteBetaInverse(alpha / 2, k, n - k + 1)
  const upper = k === n ? 1 : incompleteBetaInverse(1 - alpha / 2, k + 1, n - k)
  return [lower, upper]
}

/** P(X ≥ k) for X ~ Binomial(n, p). */
export function binomialSf(k: number, n: number, p: number): number {
  if (k <= 0) return 1
  if (k > n) return 0
  if (p <= 0) return 0
  if (p >= 1) return 1
  return incompleteBeta(p, k, n - k + 1)
}
