/**
 * The failure-rate test shared by every check of a rate (failures, dropped
 * iterations, tail exceedances): a count against K baseline runs as a
 * beta-binomial, with the spread between runs, never pooled counts.
 */
import { betaShape } from '../stats/distributions.ts'
import { betaBinomialSf } from '@steady/kernel'

export interface Counts {
  n: number
  f: number
}

/** The between-run variance of a rate beyond the binomial's, relative to the rate squared (≥ 0). */
export function excessCv2(runs: readonly Counts[], p0: number): number {
  const k = runs.length
  if (k < 2) return 0
  let s2 = 0
  let binom = 0
  for (const r of runs) {
    if (r.n <= 0) continue
    s2 += (r.f / r.n - p0) ** 2
    binom += (p0 * (1 - p0)) / r.n
  }
  s2 /= k - 1
  binom /= k
  return Math.max(0, (s2 - binom) / (p0 * p0))
}

export interface RateTest {
  /** Expected rate (baseline, smoothed) and over-dispersion between runs. */
  p0: number
  rho: number
  expected: number
  change: number
  p: number
  /** Smallest count that would be significant at `alphaEach`. */
  critical: (alphaEach: number) => number
}

/**
 * Beta-binomial test of the current count against K baseline runs: the
 * baseline rate (Jeffreys-smoothed so zero failures is not certainty), the
 * between-run over-dispersion by the method of moments, and the predictive
 * distribution of the current count including the uncertainty of the rate.
 */
export function failureRateTest(runs: readonly Counts[], cur: Counts, prior?: { cv2: number; df: number }): RateTest {
  const totalN = runs.reduce((a, r) => a + r.n, 0)
  const totalF = runs.reduce((a, r) => a + r.f, 0)
  const p0 = (totalF + 0.5) / (totalN + 1)
  const k = runs.length
  const nbar = totalN / Math.max(1, k)
  let rho = 0
  if (k >= 2 && nbar > 1) {
    // The between-run spread of the rate beyond binomial, as a squared coefficient of variation; a few
    // runs estimate it poorly (a moment estimate truncated at zero makes the test too eager), so it is
    // moderated toward the pooled value of the run's other failure-rate checks, as latency spreads are.
    const own = excessCv2(runs, p0)
    const cv2 = prior && prior.df > 0 ? (prior.df * prior.cv2 + (k - 1) * own) / (prior.df + k - 1) : own
    rho = Math.min(0.5, Math.max(0, (cv2 * p0) / (1 - p0)))
  }
  const base = p0 * (1 - p0)
  const varP0 = (base * (1 + (nbar - 1) * rho)) / Math.max(1, totalN)
  const varRate = (base * (1 + (cur.n - 1) * rho)) / cur.n + varP0
  const rhoPred = cur.n > 1 ? Math.min(0.5, Math.max(1e-7, ((varRate * cur.n) / base - 1) / (cur.n - 1))) : 1e-7
  const { a, b } = betaShape(p0, rhoPred)
  const expected = p0 * cur.n
  const sf = (x: number) => betaBinomialSf(x, cur.n, a, b)
  return {
    p0,
    rho,
    expected,
    change: cur.f / cur.n - p0,
    p: sf(cur.f),
    critical: (alphaEach) => {
      let lo = Math.max(0, Math.floor(expected))
      let hi = Math.max(lo + 1, 4)
      while (hi < cur.n && sf(hi) > alphaEach) hi = Math.min(cur.n, hi * 2)
      if (sf(hi) > alphaEach) return cur.n + 1
      while (hi - lo > 1) {
        const mid = (lo + hi) >> 1
        if (sf(mid) > alphaEach) lo = mid
        else hi = mid
      }
      return hi
    },
  }
}
