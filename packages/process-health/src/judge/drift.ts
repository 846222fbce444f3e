/**
 * The drift checks shared by durations and counts: an EWMA chart for a sustained shift in the recent window, a
 * CUSUM from the oldest part of the baseline for a gradual drift, merged into one `drift` check.
 */
import { formatNumber, plural } from '../format.ts'
import { cusum, ewma } from '../stats.ts'
import type { IndicatorDefinition } from '../types.ts'
import { finite, relChange, worseSign } from './check.ts'
import type { ResolvedJudgeOptions } from './options.ts'
import { direction, pct, sinceText } from './sentences.ts'
import type { HealthCheck } from './types.ts'

/** What {@link shiftCheck} is given: the recent values and the baseline's level and spread, on one scale. */
export interface ShiftInput {
  /** The recent values, oldest first, on the scale of mu0 and sigma. */
  values: readonly number[]
  mu0: number
  sigma: number
  o: ResolvedJudgeOptions
  fmt: (v: number) => string
  /** What one value is (`observation`, `1d period`). */
  unit: string
  /** Back from the chart's scale to the indicator's unit. Default: the same scale. */
  back?: (v: number) => number
  /** The time of the oldest recent value, for the sentence. */
  since?: number
}

/**
 * An EWMA of the recent values against the baseline's level: degraded when it ends beyond its control limit
 * in the worse direction and at least `tolerance` away from the baseline (a sustained shift).
 */
export function shiftCheck(indicator: IndicatorDefinition, s: ShiftInput): HealthCheck {
  const { values, mu0, o, fmt, unit, since } = s
  const what = indicator.name
  const back = s.back ?? ((v: number) => v)
  const r = ewma(values, mu0, s.sigma, o.ewmaLambda)
  const sign = worseSign(indicator)
  const limit = mu0 + sign * o.ewmaLimit * r.sd
  const beyond = (r.value - limit) * sign > 0
  const [value, limitValue, center] = [back(r.value), back(limit), back(mu0)]
  const drifted = beyond && relChange(value, center) >= o.tolerance
  const side = sign > 0 ? 'above' : 'below'
  const from = since === undefined ? '' : ` (since ${sinceText(since)})`
  const method =
    `method: EWMA, λ ${o.ewmaLambda} (each new value weighs ${pct(o.ewmaLambda)}), control limit ${o.ewmaLimit}σ ` +
    `of the EWMA`
  return {
    name: 'drift',
    state: drifted ? 'degraded' : 'healthy',
    reason: drifted
      ? `${what} has stayed ${side} its usual level: the last ${plural(values.length, unit)}${from} average ` +
        `${fmt(value)}, ${pct(relChange(value, center))} ${side} the baseline's ${fmt(center)} and beyond the ` +
        `${fmt(limitValue)} that chance alone reaches: a sustained shift; ${method}`
      : `the recent average of ${what}, ${fmt(value)}, is within the ${fmt(limitValue)} chance alone reaches ` +
        `(${method})`,
    numbers: { ewma: value, limit: limitValue, center, lambda: o.ewmaLambda },
  }
}

/**
 * The oldest third of a baseline (in observations or periods), at least `min` of them: the in-control
 * anchor a drift is measured from.
 */
export function anchorSize(n: number, min: number): number {
  return Math.min(n, Math.max(min, Math.ceil(n / 3)))
}

/** What {@link trendCheck} is given: the values after the anchor and the anchor's level and spread. */
export interface TrendInput {
  /** Every value after the anchor, oldest first (baseline, then recent), on the scale of mu0 and sigma. */
  values: readonly number[]
  mu0: number
  sigma: number
  anchorCount: number
  /** The anchor's and the recent window's level in the indicator's unit (median or mean). */
  anchorCenter: number
  recentCenter: number
  statistic: 'median' | 'mean'
  unit: string
  o: ResolvedJudgeOptions
  fmt: (v: number) => string
  recentLabel: string
}

/**
 * A one-sided CUSUM in the worse direction, from the anchor over everything
 * after it: a gradual drift (a few percent a week) never makes the recent
 * window an outlier against a baseline that drifted along, but it piles up
 * here. Degraded when the CUSUM ends above its limit and the recent level is
 * at least `tolerance` worse than the anchor's.
 */
export function trendCheck(indicator: IndicatorDefinition, t: TrendInput): HealthCheck {
  const { o, fmt } = t
  const sign = worseSign(indicator)
  const sigma = t.sigma > 0 ? t.sigma : 1e-9
  const r = cusum(
    t.values.map((v) => sign * v),
    sign * t.mu0,
    sigma,
    o.cusumSlack,
  )
  const diff = t.recentCenter - t.anchorCenter
  const rel = relChange(t.recentCenter, t.anchorCenter)
  const worse = diff * sign > 0 && rel >= o.tolerance
  const drifted = r.value > o.cusumLimit && worse
  const anchor = `its oldest ${plural(t.anchorCount, `baseline ${t.unit}`)} (${t.statistic} ${fmt(t.anchorCenter)})`
  const rising = r.since >= 0 ? t.values.length - r.since : 0
  const method =
    `method: CUSUM (Page), the sum of each value's excess over the anchor beyond a slack of ` +
    `${formatNumber(o.cusumSlack)}σ, ${formatNumber(r.value)}σ against a limit of ${formatNumber(o.cusumLimit)}σ`
  const tol = pct(o.tolerance)
  const within = `: the ${t.statistic} over ${t.recentLabel} (${fmt(t.recentCenter)}) is within ${tol} of it`
  return {
    name: 'drift',
    state: drifted ? 'degraded' : 'healthy',
    reason: drifted
      ? `${indicator.name} has crept ${sign > 0 ? 'up' : 'down'} over the last ${plural(rising, t.unit)}: the ` +
        `${t.statistic} over ${t.recentLabel} is ${fmt(t.recentCenter)}, ${pct(rel)} ${direction(indicator, diff)} ` +
        `${anchor}: a gradual drift; ${method}`
      : `no gradual drift of ${indicator.name} against ` +
        `${anchor}${r.value > o.cusumLimit ? within : ''} (${method})`,
    numbers: {
      cusum: r.value,
      cusumLimit: o.cusumLimit,
      cusumSlack: o.cusumSlack,
      anchorCount: t.anchorCount,
      anchorCenter: t.anchorCenter,
      anchorRelativeChange: finite(rel),
    },
  }
}

/**
 * One `drift` check from the EWMA (a sustained shift in the recent window) and the CUSUM (a gradual drift):
 * degraded when either is.
 */
export function mergeDrift(shift: HealthCheck, trend: HealthCheck): HealthCheck {
  const fired = [shift, trend].filter((c) => c.state === 'degraded')
  return {
    name: 'drift',
    state: fired.length ? 'degraded' : 'healthy',
    reason: (fired.length ? fired : [shift, trend]).map((c) => c.reason).join('; '),
    numbers: { ...shift.numbers, ...trend.numbers },
  }
}
