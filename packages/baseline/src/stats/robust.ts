/**
 * Descriptive statistics used by the judge: plain, robust, and for
 * autocorrelated series. The plain ones (mean, sd, median) are
 * `@steady/kernel`'s, re-exported under the names the judge imports.
 */
import { mean, median, sd } from '@steady/kernel'

export { mean, sd, median } from '@steady/kernel'

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
