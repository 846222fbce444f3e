/**
 * The statistics health is judged with: robust location and scale (median,
 * MAD, with the mean-absolute-deviation fallback when MAD is 0), quantiles,
 * and an EWMA with its exact variance for unequal weights. The plain
 * statistics and the distributions are `@steady/kernel`'s.
 */
import { betaBinomialSf, median, mean, normalSf, tSf, wilsonBounds } from '@steady/kernel'

export { quantile, median, mean, sd as stddev } from '@steady/kernel'

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

/**
 * The modified z-score of `x` against a robust summary: (x − median)/scale;
 * ±∞ when the scale is 0 and x differs.
 */
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
export function ewma(
  values: readonly number[],
  mu0: number,
  sigma: number,
  lambda: number,
  weights?: readonly number[],
): EwmaResult {
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
  /**
   * Index of the first value after which it stayed above 0 to the end (the drift's start), or -1 when it ended
   * at 0.
   */
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

/**
 * P(T ≥ t) for Student's t with `df` degrees of freedom; 0 for t = +∞, 1 for
 * t = −∞ (and for NaN, which no data supports as a change).
 */
export function tUpperTail(t: number, df: number): number {
  if (!Number.isFinite(t)) return t > 0 ? 0 : 1
  return tSf(t, df)
}

/** The one-sided normal tail P(Z ≥ z), for turning a z threshold into a probability. */
export function normalUpperTail(z: number): number {
  return normalSf(z)
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
  return betaBinomialSf(Math.round(k), Math.round(n), a, b)
}

/**
 * The lower end of the Wilson score interval for `bad` of `total` (one-sided,
 * z standard deviations): the smallest bad fraction the sample supports.
 * 1 bad in 19 gives 0.9 % at z 1.645, far below the 5.3 % point estimate.
 */
export function wilsonLower(bad: number, total: number, z: number): number {
  if (total <= 0) return Number.NaN
  return wilsonBounds(bad, total, z)[0]
}
