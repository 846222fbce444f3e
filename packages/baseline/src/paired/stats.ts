/**
 * Statistics the paired judge needs that the history judge does not have: the
 * standard error of a mean of autocorrelated per-window differences.
 */

/**
 * Standard error of the mean of an autocorrelated series, Newey–West
 * (Bartlett kernel) with a data-driven bandwidth: the larger of the usual
 * rule 4·(n/100)^(2/9) and twice the last lag whose autocorrelation is still
 * significant (above 2/√n), at most a third of the series. Minute-long
 * contention on a shared machine keeps paired differences correlated far
 * past lag 1; a fixed small bandwidth would understate the error and call
 * that contention a regression.
 */
export function neweyWestMeanSe(xs: readonly number[]): { se: number; bandwidth: number } {
  const n = xs.length
  if (n < 2) return { se: Number.NaN, bandwidth: 0 }
  const m = xs.reduce((a, b) => a + b, 0) / n
  const e = xs.map((x) => x - m)
  const gamma = (k: number) => {
    let s = 0
    for (let i = k; i < n; i++) s += e[i] * e[i - k]
    return s / n
  }
  const g0 = gamma(0)
  if (!(g0 > 0)) return { se: 0, bandwidth: 0 }
  const cap = Math.max(1, Math.floor(n / 3))
  let lastSignificant = 0
  const bound = 2 / Math.sqrt(n)
  for (let k = 1; k <= cap; k++) if (Math.abs(gamma(k) / g0) > bound) lastSignificant = k
  const rule = Math.floor(4 * (n / 100) ** (2 / 9))
  const L = Math.min(cap, Math.max(rule, 2 * lastSignificant))
  let v = g0
  for (let k = 1; k <= L; k++) v += 2 * (1 - k / (L + 1)) * gamma(k)
  // The kernel estimate can only shrink the variance below the independent one through negative
  // autocorrelation; a paired difference is not expected to alternate, so it is not allowed to.
  v = Math.max(v, g0)
  // n − 1 in the denominator of the spread, as for an ordinary standard error.
  return { se: Math.sqrt((v * n) / (n - 1) / n), bandwidth: L }
}
