/**
 * Trends within a run: Theil–Sen slopes and the Mann–Kendall test, corrected
 * for autocorrelation by trend-free pre-whitening (Yue & Pilon 2002): windows
 * of a soak are not independent, and an uncorrected Mann–Kendall test calls
 * AR(1) noise a trend far too often.
 *
 * Series come in segments (one per constant-load phase, after its warm-up).
 * Slopes are taken only between points of the same segment and the test sums
 * the segments' statistics (the seasonal Kendall test of Hirsch et al.), so a
 * level change between phases is never read as a trend.
 */
import { mannKendallS, normalCdf, theilSen, type Point } from '@steady/kernel'

export { theilSen } from '@steady/kernel'
export type { Point } from '@steady/kernel'

function lag1Of(values: readonly number[][]): number {
  let num = 0
  let den = 0
  for (const v of values) {
    if (v.length < 3) continue
    const m = v.reduce((a, b) => a + b, 0) / v.length
    for (let i = 0; i < v.length; i++) {
      den += (v[i] - m) ** 2
      if (i > 0) num += (v[i] - m) * (v[i - 1] - m)
    }
  }
  return den > 0 ? num / den : 0
}

export interface TrendTest {
  /** Theil–Sen slope (y units per x unit). */
  slope: number
  /** Lag-1 autocorrelation of the detrended series (removed before testing). */
  r1: number
  /** Mann–Kendall Z on the pre-whitened series, and the one-sided p-value of "no upward trend". */
  z: number
  p: number
  /** Standard error of the slope (least squares on the residuals, AR(1)-inflated): for detectable slopes. */
  se: number
  /** Points used. */
  n: number
}

/**
 * Seasonal Mann–Kendall test of an upward trend with trend-free
 * pre-whitening, plus the Theil–Sen slope and its standard error.
 */
export function trendTest(segments: readonly (readonly Point[])[]): TrendTest {
  const segs = segments.filter((s) => s.length >= 3)
  const n = segs.reduce((a, s) => a + s.length, 0)
  if (!segs.length) return { slope: Number.NaN, r1: 0, z: 0, p: 1, se: Number.NaN, n }
  const slope = theilSen(segs)
  // Detrend within segments, estimate AR(1), whiten, add the trend back (TFPW).
  const detrended = segs.map((s) => s.map((p) => p.y - slope * p.x))
  const r1 = Math.max(-0.9, Math.min(0.9, lag1Of(detrended)))
  let S = 0
  let varS = 0
  let ssr = 0
  let sxx = 0
  let dof = 0
  segs.forEach((s, si) => {
    const d = detrended[si]
    const w: number[] = []
    for (let i = 1; i < d.length; i++) w.push(d[i] - r1 * d[i - 1] + slope * s[i].x)
    const m = w.length
    S += mannKendallS(w)
    varS += (m * (m - 1) * (2 * m + 5)) / 18
    const xm = s.reduce((a, p) => a + p.x, 0) / s.length
    const dm = d.reduce((a, b) => a + b, 0) / d.length
    for (let i = 0; i < s.length; i++) {
      sxx += (s[i].x - xm) ** 2
      ssr += (d[i] - dm) ** 2
    }
    dof += s.length - 2
  })
  const z = varS > 0 ? (S - Math.sign(S)) / Math.sqrt(varS) : 0
  const rho = Math.max(0, r1)
  const se = sxx > 0 && dof > 0 ? Math.sqrt(ssr / dof / sxx) * Math.sqrt((1 + rho) / (1 - rho)) : Number.NaN
  return { slope, r1, z, p: 1 - normalCdf(z), se, n }
}

/** Spearman's rank correlation. */
export function spearman(xs: readonly number[], ys: readonly number[]): number {
  const rank = (v: readonly number[]) => {
    const idx = v.map((x, i) => [x, i] as const).sort((a, b) => a[0] - b[0])
    const r = new Array<number>(v.length)
    for (let i = 0; i < idx.length;) {
      let j = i
      while (j + 1 < idx.length && idx[j + 1][0] === idx[i][0]) j++
      for (let k = i; k <= j; k++) r[idx[k][1]] = (i + j) / 2
      i = j + 1
    }
    return r
  }
  const rx = rank(xs)
  const ry = rank(ys)
  const n = xs.length
  if (n < 3) return Number.NaN
  const mx = rx.reduce((a, b) => a + b, 0) / n
  const my = ry.reduce((a, b) => a + b, 0) / n
  let num = 0
  let dx = 0
  let dy = 0
  for (let i = 0; i < n; i++) {
    num += (rx[i] - mx) * (ry[i] - my)
    dx += (rx[i] - mx) ** 2
    dy += (ry[i] - my) ** 2
  }
  return dx > 0 && dy > 0 ? num / Math.sqrt(dx * dy) : 0
}

/**
 * Seasonal Mann–Kendall test with the Hamed–Rao (1998) variance correction:
 * the detrended series' rank autocorrelations at every significant lag
 * inflate the variance of S. It handles autocorrelation that is not AR(1)
 * (a heap growing between major GCs and dropping at them), which lag-1
 * pre-whitening leaves in.
 */
export function trendTestHamedRao(segments: readonly (readonly Point[])[]): TrendTest {
  const segs = segments.filter((s) => s.length >= 4)
  const n = segs.reduce((a, s) => a + s.length, 0)
  if (!segs.length) return { slope: Number.NaN, r1: 0, z: 0, p: 1, se: Number.NaN, n }
  const slope = theilSen(segs)
  let S = 0
  let varS = 0
  let ssr = 0
  let sxx = 0
  let dof = 0
  let r1sum = 0
  for (const s of segs) {
    const m = s.length
    S += mannKendallS(s.map((p) => p.y))
    const v0 = (m * (m - 1) * (2 * m + 5)) / 18
    // Ranks of the detrended series, their autocorrelation at each lag; only significant lags count.
    const d = s.map((p) => p.y - slope * p.x)
    const order = d.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0])
    const rank = new Array<number>(m)
    order.forEach(([, i], r) => (rank[i] = r + 1))
    const mean = (m + 1) / 2
    let den = 0
    for (const r of rank) den += (r - mean) ** 2
    let factor = 0
    const bound = 1.96 / Math.sqrt(m)
    for (let k = 1; k < m - 2; k++) {
      let num = 0
      for (let i = 0; i + k < m; i++) num += (rank[i] - mean) * (rank[i + k] - mean)
      const rho = den > 0 ? num / den : 0
      if (k === 1) r1sum += rho
      if (Math.abs(rho) > bound) factor += (m - k) * (m - k - 1) * (m - k - 2) * rho
    }
    const correction = Math.max(1, 1 + (2 / (m * (m - 1) * (m - 2))) * factor)
    varS += v0 * correction
    const xm = s.reduce((a, p) => a + p.x, 0) / m
    const dm = d.reduce((a, b) => a + b, 0) / m
    for (let i = 0; i < m; i++) {
      sxx += (s[i].x - xm) ** 2
      ssr += (d[i] - dm) ** 2
    }
    dof += m - 2
  }
  const z = varS > 0 ? (S - Math.sign(S)) / Math.sqrt(varS) : 0
  // Effective inflation over all segments, for the slope's standard error.
  const v0all = segs.reduce((a, s) => a + (s.length * (s.length - 1) * (2 * s.length + 5)) / 18, 0)
  const inflate = v0all > 0 ? Math.sqrt(varS / v0all) : 1
  const se = sxx > 0 && dof > 0 ? Math.sqrt(ssr / dof / sxx) * inflate : Number.NaN
  return { slope, r1: r1sum / segs.length, z, p: 1 - normalCdf(z), se, n }
}

/**
 * Standard error of a slope fitted within segments, robust to autocorrelation
 * of any shape (Newey–West, Bartlett kernel): the residuals' cross-products
 * up to a bandwidth L count, weighted 1 − k/(L + 1). L is twice the last lag
 * at which the pooled residual autocorrelation is still significant (above
 * 2/√n), at most a third of the shortest segment. A heap ramps between major
 * GCs and drops at them: its residuals stay correlated for as long as a GC
 * cycle lasts, which the usual bandwidth (4·(n/100)^(2/9), 4 windows for 234)
 * cuts short; on the synthetic heap this estimate matches the spread of the
 * slopes between runs within 10% for 20- to 60-minute phases (the lag-1 and
 * Hamed–Rao corrections fell 15–25% short; on 10-minute phases this one
 * falls 20% short, as a kernel estimate does on few points). Each segment's
 * residuals are taken around its own slope (degrees of freedom: two per
 * segment), so segments that grow at different rates do not count as noise.
 */
export function slopeStandardError(segments: readonly (readonly Point[])[]): number {
  const segs = segments.filter((s) => s.length >= 4)
  if (!segs.length) return Number.NaN
  const resid: Float64Array[] = []
  const xc: Float64Array[] = []
  let n = 0
  for (const s of segs) {
    const xm = s.reduce((a, p) => a + p.x, 0) / s.length
    // Residuals around the segment's own slope: phases under different load grow at different rates (a leak
    // per request), and that difference is not noise. The pooled slope is then a weighted mean of the
    // segments' slopes, and its error is the within-segment one.
    const own = theilSen([s])
    const d = s.map((p) => p.y - own * p.x)
    const dm = d.reduce((a, b) => a + b, 0) / d.length
    resid.push(Float64Array.from(d, (v) => v - dm))
    xc.push(Float64Array.from(s, (p) => p.x - xm))
    n += s.length
  }
  let e0 = 0
  for (const e of resid) for (const v of e) e0 += v * v
  const acf = (k: number) => {
    let a = 0
    for (const e of resid) for (let i = 0; i + k < e.length; i++) a += e[i] * e[i + k]
    return e0 > 0 ? a / e0 : 0
  }
  const shortest = Math.min(...resid.map((e) => e.length))
  const cap = Math.max(0, Math.floor(shortest / 3))
  const bound = 2 / Math.sqrt(n)
  let last = 0
  while (last + 1 <= cap && acf(last + 1) > bound) last++
  const L = Math.min(cap, 2 * last)
  let sxx = 0
  let num = 0
  for (let si = 0; si < resid.length; si++) {
    const e = resid[si]
    const x = xc[si]
    for (let i = 0; i < e.length; i++) {
      sxx += x[i] * x[i]
      num += x[i] * x[i] * e[i] * e[i]
      for (let k = 1; k <= L && i + k < e.length; k++) num += 2 * (1 - k / (L + 1)) * x[i] * x[i + k] * e[i] * e[i + k]
    }
  }
  const dof = n - 2 * segs.length
  if (!(sxx > 0) || dof <= 0) return Number.NaN
  return Math.sqrt((Math.max(0, num) / (sxx * sxx)) * (n / dof))
}
