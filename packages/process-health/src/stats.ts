/**
 * The statistics health is judged with: robust location and scale (median,
 * MAD, with the mean-absolute-deviation fallback when MAD is 0), quantiles,
 * and an EWMA with its exact variance for unequal weights.
 */

/** Ascending copy. */
export function sorted(values: readonly number[]): number[] {
  return [...values].sort((a, b) => a - b)
}

/** Quantile with linear interpolation (type 7, as R and numpy default). `NaN` for no values. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN
  const s = sorted(values)
  const pos = (s.length - 1) * q
  const lo = Math.floor(pos)
  const hi = Math.ceil(pos)
  return s[lo] + (s[hi] - s[lo]) * (pos - lo)
}

/** The median. */
export function median(values: readonly number[]): number {
  return quantile(values, 0.5)
}

/** Arithmetic mean. */
export function mean(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN
  let sum = 0
  for (const v of values) sum += v
  return sum / values.length
}

/** Sample standard deviation (n − 1). */
export function stddev(values: readonly number[]): number {
  if (values.length < 2) return 0
  const m = mean(values)
  let ss = 0
  for (const v of values) ss += (v - m) ** 2
  return Math.sqrt(ss / (values.length - 1))
}

/** Robust location and scale of a sample. */
export interface RobustSummary {
  /** The median. */
  median: number
  /** Median absolute deviation from the median. */
  mad: number
  /**
   * A standard-deviation-like scale: 1.4826·MAD (so 0.6745·(x − m)/MAD is the
   * modified z-score), or 1.253314·MeanAD when MAD is 0, or 0 when every value is equal.
   */
  scale: number
  /** How many values. */
  n: number
}

/** Median, MAD and a robust scale (Iglewicz & Hoaglin), with the MeanAD fallback when MAD is 0. */
export function robust(values: readonly number[]): RobustSummary {
  const m = median(values)
  const deviations = values.map((v) => Math.abs(v - m))
  const mad = median(deviations)
  let scale = mad / 0.6745
  if (!(scale > 0)) scale = 1.253314 * mean(deviations)
  return { median: m, mad, scale: Number.isFinite(scale) ? scale : 0, n: values.length }
}

/** The modified z-score of `x` against a robust summary: (x − median)/scale; ±∞ when the scale is 0 and x differs. */
export function robustZ(x: number, summary: RobustSummary): number {
  const d = x - summary.median
  if (d === 0) return 0
  if (summary.scale > 0) return d / summary.scale
  return d > 0 ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY
}

/** Clips values to [lo, hi]. */
export function winsorize(values: readonly number[], lo: number, hi: number): number[] {
  return values.map((v) => Math.min(hi, Math.max(lo, v)))
}

/** The state of an EWMA chart after its last point. */
export interface EwmaResult {
  /** The EWMA after the last value. */
  value: number
  /** Its standard deviation (exact for the number and weights of points seen). */
  sd: number
  /** How many points were folded in. */
  n: number
}

/**
 * Runs an EWMA chart from `mu0` over `values` (optionally weighted: a value
 * with weight w has variance σ²/w): z_t = λ·x_t + (1 − λ)·z_{t−1}. The
 * standard deviation is exact, Σ (λ(1 − λ)^{t−i})² σ²/w_i, which is
 * σ²·λ/(2 − λ)·(1 − (1 − λ)^{2t}) for unit weights (NIST e-Handbook 6.3.2.4).
 */
export function ewma(values: readonly number[], mu0: number, sigma: number, lambda: number, weights?: readonly number[]): EwmaResult {
  let z = mu0
  let variance = 0
  const keep = (1 - lambda) ** 2
  for (let i = 0; i < values.length; i++) {
    z = lambda * values[i] + (1 - lambda) * z
    variance = keep * variance + (lambda * lambda * sigma * sigma) / (weights?.[i] ?? 1)
  }
  return { value: z, sd: Math.sqrt(variance), n: values.length }
}

/** The state of a one-sided (upper) CUSUM after its last point. */
export interface CusumResult {
  /** The statistic after the last value, in standard deviations. */
  value: number
  /** The highest it reached. */
  max: number
  /** Index of the first value after which it stayed above 0 to the end (the drift's start), or -1 when it ended at 0. */
  since: number
}

/**
 * A one-sided tabular CUSUM (Page; NIST e-Handbook 6.3.2.3) of `values`
 * against the in-control mean `mu0` and spread `sigma`:
 * S_t = max(0, S_{t−1} + (x_t − mu0)/σ − k). It adds up small, persistent
 * excesses that no single value and no short window shows.
 */
export function cusum(values: readonly number[], mu0: number, sigma: number, slack: number): CusumResult {
  let s = 0
  let max = 0
  let since = -1
  for (let i = 0; i < values.length; i++) {
    s = Math.max(0, s + (values[i] - mu0) / sigma - slack)
    if (s === 0) since = -1
    else if (since < 0) since = i
    max = Math.max(max, s)
  }
  return { value: s, max, since }
}

function logGamma(x: number): number {
  // Lanczos approximation (g = 7, n = 9), accurate to ~15 digits for x > 0.
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
    -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ]
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x)
  const z = x - 1
  let a = c[0]
  const t = z + 7.5
  for (let i = 1; i < 9; i++) a += c[i] / (z + i)
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a)
}

function betaContinuedFraction(a: number, b: number, x: number): number {
  // Lentz's method, as in Numerical Recipes' betacf.
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
    const delta = d * c
    h *= delta
    if (Math.abs(delta - 1) < 1e-14) break
  }
  return h
}

/** The regularized incomplete beta function I_x(a, b). */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0
  if (x >= 1) return 1
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x))
  if (x < (a + 1) / (a + b + 2)) return (front * betaContinuedFraction(a, b, x)) / a
  return 1 - (front * betaContinuedFraction(b, a, 1 - x)) / b
}

/**
 * P(X ≥ k) for X ~ Binomial(n, p), continuous in k and n (so weighted,
 * fractional tallies work): I_p(k, n − k + 1). 1 for k ≤ 0.
 */
export function binomialUpperTail(k: number, n: number, p: number): number {
  if (k <= 0) return 1
  if (k > n) return 0
  return incompleteBeta(p, k, n - k + 1)
}

/**
 * P(T ≥ t) for Student's t with `df` degrees of freedom: ½·I_{df/(df+t²)}(df/2, ½) for t ≥ 0. (The baseline
 * package has the same; process health stands alone, so it keeps its own few lines on its own beta.)
 */
export function tUpperTail(t: number, df: number): number {
  if (!Number.isFinite(t)) return t > 0 ? 0 : 1
  const tail = 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5)
  return t >= 0 ? tail : 1 - tail
}

/** The one-sided normal tail P(Z ≥ z), for turning a z threshold into a probability. */
export function normalUpperTail(z: number): number {
  // Abramowitz & Stegun 7.1.26 via erfc, accurate to ~1e-7.
  const x = z / Math.SQRT2
  const t = 1 / (1 + 0.3275911 * Math.abs(x))
  const y = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) * Math.exp(-x * x)
  return x >= 0 ? y / 2 : 1 - y / 2
}

/**
 * P(X ≥ k) for X ~ Beta-binomial(n, a, b): the chance of at least k bad
 * outcomes in n new trials when the bad fraction is only known as
 * Beta(a, b) (a baseline's bad and good tallies plus a prior). Wider than the
 * binomial tail at the baseline's point estimate, so a short or sparse
 * baseline (a few dozen deployments, one failure) is not read as certainty.
 * `k` and `n` are rounded to whole trials.
 */
export function betaBinomialUpperTail(k: number, n: number, a: number, b: number): number {
  const kk = Math.round(k)
  const nn = Math.round(n)
  if (kk <= 0) return 1
  if (kk > nn) return 0
  const logBetaAB = logGamma(a) + logGamma(b) - logGamma(a + b)
  const logChoose = (i: number) => logGamma(nn + 1) - logGamma(i + 1) - logGamma(nn - i + 1)
  let sum = 0
  for (let i = kk; i <= nn; i++) {
    const logBeta = logGamma(i + a) + logGamma(nn - i + b) - logGamma(nn + a + b)
    sum += Math.exp(logChoose(i) + logBeta - logBetaAB)
  }
  return Math.min(1, sum)
}

/**
 * The lower end of the Wilson score interval for `bad` of `total` (one-sided,
 * z standard deviations): the smallest bad fraction the sample supports.
 * 1 bad in 19 gives 0.9 % at z 1.645, far below the 5.3 % point estimate.
 */
export function wilsonLower(bad: number, total: number, z: number): number {
  if (total <= 0) return Number.NaN
  const p = bad / total
  const z2 = z * z
  const centre = p + z2 / (2 * total)
  const spread = z * Math.sqrt((p * (1 - p)) / total + z2 / (4 * total * total))
  return Math.max(0, (centre - spread) / (1 + z2 / total))
}
