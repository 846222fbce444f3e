/**
 * Descriptive statistics: mean and standard deviation, quantiles and the
 * median (linear interpolation between order statistics, type 7 as R and
 * numpy default). Trends (Theil–Sen, Mann–Kendall) are in trend.ts.
 */

/** Arithmetic mean; `NaN` for no values. */
export function mean(xs: readonly number[]): number {
  let s = 0
  for (const x of xs) s += x
  return xs.length ? s / xs.length : Number.NaN
}

/** Sample standard deviation (n − 1 in the denominator); 0 for fewer than two values. */
export function sd(xs: readonly number[]): number {
  if (xs.length < 2) return 0
  const m = mean(xs)
  let s = 0
  for (const x of xs) s += (x - m) ** 2
  return Math.sqrt(s / (xs.length - 1))
}

/** The q-quantile (0..1) with linear interpolation between order statistics; `NaN` for no values. */
export function quantile(xs: readonly number[], q: number): number {
  if (!xs.length) return Number.NaN
  const s = [...xs].sort((a, b) => a - b)
  const pos = (s.length - 1) * q
  const lo = Math.floor(pos)
  const hi = Math.ceil(pos)
  return s[lo] + (s[hi] - s[lo]) * (pos - lo)
}

/** The median (the 0.5-quantile); `NaN` for no values. */
export function median(xs: readonly number[]): number {
  return quantile(xs, 0.5)
}
