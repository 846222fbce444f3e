/** Descriptive statistics used by the judge: plain, robust, and for autocorrelated series. */

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

/** The q-quantile (0..1) with linear interpolation between order statistics. */
export function quantile(xs: readonly number[], q: number): number {
  if (!xs.length) return Number.NaN
  const s = [...xs].sort((a, b) => a - b)
  const pos = (s.length - 1) * q
  const lo = Math.floor(pos)
  const hi = Math.ceil(pos)
  return s[lo] + (s[hi] - s[lo]) * (pos - lo)
}

export function median(xs: readonly number[]): number {
  return quantile(xs, 0.5)
}

/** Median absolute deviation scaled by 1.4826, so it estimates σ for normal data. */
export function scaledMad(xs: readonly number[]): number {
  if (xs.length < 2) return 0
  const m = median(xs)
  return 1.4826 * median(xs.map((x) => Math.abs(x - m)))
}

/** Lag-1 autocorrelation of a series (0 for fewer than three values). */
export function lag1(xs: readonly number[]): number {
  if (xs.length < 3) return 0
  const m = mean(xs)
  let num = 0
  let den = 0
  for (let i = 0; i < xs.length; i++) {
    den += (xs[i] - m) ** 2
    if (i > 0) num += (xs[i] - m) * (xs[i - 1] - m)
  }
  return den > 0 ? num / den : 0
}

/**
 * Standard error of the mean of an autocorrelated series: σ/√n inflated by
 * the AR(1) variance factor (1 + ρ)/(1 − ρ), with ρ clipped to [0, 0.9] so a
 * short series cannot make it vanish or explode.
 */
export function autocorrelatedSe(xs: readonly number[]): number {
  if (xs.length < 2) return Number.NaN
  const rho = Math.min(0.9, Math.max(0, lag1(xs)))
  return (sd(xs) / Math.sqrt(xs.length)) * Math.sqrt((1 + rho) / (1 - rho))
}
