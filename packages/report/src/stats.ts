/**
 * The little arithmetic the report does itself: quantiles of scraped
 * Prometheus histograms, and thinning long series for the charts. Lines and
 * medians come from `@steady/kernel`, as the judge's do.
 */

/** A straight line over a time range: `value(t) = intercept + slope * (t - t0)`. */
export interface FittedLine {
  /** Start and end of the fit, ms since the run started. */
  fromMs: number
  toMs: number
  /** Per ms, in the series' unit. */
  slopePerMs: number
  /** Value at `fromMs`. */
  atFrom: number
}

/**
 * A quantile from cumulative Prometheus buckets, interpolated linearly within
 * the bucket (what PromQL's `histogram_quantile` does). Values in the
 * buckets' unit; undefined when there are no observations.
 */
export function bucketQuantile(buckets: readonly [number | '+Inf', number][], q: number): number | undefined {
  if (!buckets.length) return undefined
  const total = buckets[buckets.length - 1][1]
  if (!(total > 0)) return undefined
  const rank = q * total
  let prevLe = 0
  let prevCount = 0
  for (const [le, count] of buckets) {
    if (count >= rank) {
      // The +Inf bucket has no upper bound: answer the highest finite bound, as PromQL does.
      if (le === '+Inf') return prevLe
      if (count === prevCount) return le
      return prevLe + ((le - prevLe) * (rank - prevCount)) / (count - prevCount)
    }
    if (le !== '+Inf') prevLe = le
    prevCount = count
  }
  return prevLe
}

/** How a bucket of windows becomes one chart point when a series is thinned. */
export type Reduce = 'max' | 'mean' | 'min' | 'last' | 'sum'

/**
 * Thins `values` (one per window) to at most `maxPoints` by folding runs of
 * `factor` windows into one. Latency lines keep the max (a spike stays
 * visible), rates the mean, heap-after-GC the min. Nulls are ignored; an
 * all-null run stays null (a gap the chart shows).
 */
export function fold(values: readonly (number | null)[], factor: number, how: Reduce): (number | null)[] {
  if (factor <= 1) return [...values]
  const out: (number | null)[] = []
  for (let i = 0; i < values.length; i += factor) {
    let acc: number | null = null
    let n = 0
    for (let j = i; j < Math.min(values.length, i + factor); j++) {
      const v = values[j]
      if (v === null || !Number.isFinite(v)) continue
      n++
      if (acc === null) acc = v
      else if (how === 'max') acc = Math.max(acc, v)
      else if (how === 'min') acc = Math.min(acc, v)
      else if (how === 'last') acc = v
      else acc += v
    }
    out.push(acc === null ? null : how === 'mean' ? acc / n : acc)
  }
  return out
}

/** Rounds to `digits` significant digits (keeps the embedded data small). */
export function sig(value: number | null | undefined, digits = 4): number | null {
  if (value === null || value === undefined || !Number.isFinite(value)) return null
  if (value === 0) return 0
  const p = 10 ** (digits - 1 - Math.floor(Math.log10(Math.abs(value))))
  return Math.round(value * p) / p
}
