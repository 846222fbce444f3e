/**
 * Descriptive statistics: mean and standard deviation, quantiles and the
 * median (linear interpolation between order statistics, type 7 as R and
 * numpy default), and the Theil–Sen slope, robust to single spikes and to the
 * sawtooth of a garbage-collected heap.
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

/** A point of a series: `x` is time (any unit; slopes are per this unit). */
export interface Point {
  /** Time (any unit; slopes are per this unit). */
  x: number
  y: number
}

function medianSorted(a: Float64Array): number {
  const n = a.length
  if (!n) return Number.NaN
  return n % 2 ? a[(n - 1) >> 1] : (a[n / 2 - 1] + a[n / 2]) / 2
}

/**
 * Theil–Sen slope over segments: the median of every within-segment pairwise
 * slope. Slopes are never taken across segments (phases under different
 * load), so a level change between them is not read as a trend. `NaN` when no
 * two points of a segment differ in `x`.
 */
export function theilSen(segments: readonly (readonly Point[])[]): number {
  let count = 0
  for (const s of segments) count += (s.length * (s.length - 1)) / 2
  const slopes = new Float64Array(count)
  let k = 0
  for (const s of segments) {
    for (let i = 0; i < s.length; i++) {
      for (let j = i + 1; j < s.length; j++) {
        const dx = s[j].x - s[i].x
        if (dx !== 0) slopes[k++] = (s[j].y - s[i].y) / dx
      }
    }
  }
  return medianSorted(slopes.subarray(0, k).sort())
}

/**
 * The Theil–Sen line through points: its slope (as {@link theilSen}) and the
 * intercept that halves the residuals (the median of `y − slope·x`).
 * Undefined when no two points differ in `x`.
 */
export function theilSenLine(points: readonly Point[]): { slope: number; intercept: number } | undefined {
  const slope = theilSen([points])
  if (!Number.isFinite(slope)) return undefined
  return { slope, intercept: median(points.map((p) => p.y - slope * p.x)) }
}
