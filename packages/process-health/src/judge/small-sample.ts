/** A rare duration (time to restore: a handful of incidents a half-year), judged on the few events there are. */
import { tQuantile } from '@steady/kernel'
import { plural } from '../format.ts'
import { mean, quantile, stddev, tUpperTail } from '../stats.ts'
import type { DurationIndicator } from '../types.ts'
import { relChange, worseSign } from './check.ts'
import { logOffset } from './log-scale.ts'
import type { ResolvedJudgeOptions } from './options.ts'
import { direction, formatP, pct } from './sentences.ts'
import type { HealthCheck } from './types.ts'
import type { EventLabels } from './windows.ts'

/** Fewest baseline events a rare duration is judged on: with 2, one spread estimate has 1 degree of freedom. */
export const smallSampleMin = 3
/**
 * The one-sided chance below which a rare duration is degraded: its 99 % upper prediction bound. Rare events
 * are judged when they happen, so this is about 1 false alarm per 100 incidents when restore times are
 * log-normal and unchanged; a stricter limit would need a restore time dozens of times the usual at 3 incidents.
 */
const smallSamplePLimit = 0.01

/**
 * A duration with few events (time to restore: a handful of incidents a half-year): the mean of the recent
 * events' log(x + c) against a prediction from the baseline's, with Student's t over the n baseline events
 * (n − 1 degrees of freedom, standard error s·√(1/m + 1/n) for m recent events). A prediction interval,
 * not a z-score: with 3 incidents the spread is itself uncertain, and t widens the bound for it.
 */
export function smallSampleCheck(
  indicator: DurationIndicator,
  baseEvents: readonly { at: number; value: number }[],
  recentEvents: readonly { at: number; value: number }[],
  o: ResolvedJudgeOptions,
  fmt: (v: number) => string,
  l: EventLabels,
): HealthCheck {
  const base = baseEvents.map((x) => x.value)
  const recent = recentEvents.map((x) => x.value)
  const baseMedian = quantile(base, 0.5)
  const c = logOffset(baseMedian)
  const logBase = base.map((v) => Math.log(v + c))
  const [n, m] = [base.length, recent.length]
  const mu = mean(logBase)
  const s = stddev(logBase)
  const se = s * Math.sqrt(1 / m + 1 / n)
  const xbar = mean(recent.map((v) => Math.log(v + c)))
  const sign = worseSign(indicator)
  const t = se > 0 ? (sign * (xbar - mu)) / se : sign * (xbar - mu) > 0 ? Number.POSITIVE_INFINITY : 0
  const p = tUpperTail(t, n - 1)
  const [usual, now] = [Math.exp(mu) - c, Math.exp(xbar) - c]
  // The t with P(T ≥ t) = the limit: kernel's quantile of Student's t.
  const bound = Math.exp(mu + sign * tQuantile(1 - smallSamplePLimit, n - 1) * se) - c
  const rel = relChange(now, usual)
  const degraded = p < smallSamplePLimit && rel >= o.tolerance
  const diff = now - usual
  const what =
    m === 1
      ? `the last ${l.unitWord} (in ${l.recentLabel}) took ${fmt(now)}`
      : `the last ${plural(m, l.unitWord)} (in ${l.recentLabel}) took typically ${fmt(now)}`
  const method =
    `method: prediction on a log scale with Student's t over ${n - 1} degrees of freedom, p ${formatP(p)}` +
    `${degraded ? ' <' : ', limit'} ${formatP(smallSamplePLimit)}`
  return {
    name: 'baseline',
    state: degraded ? 'degraded' : 'healthy',
    reason:
      `${indicator.name}: ${what}, ${pct(rel)} ${direction(indicator, diff)} the ` +
      `typical ${fmt(usual)} of ${plural(n, l.unitWord)} over ${l.baseLabel}; it rests on ${n + m} ` +
      `${l.unitWord}s, few, so only beyond ${fmt(bound)} (99 % prediction bound) is it a change; ${method}`,
    numbers: { current: now, baselineTypical: usual, bound, pValue: p, pLimit: smallSamplePLimit, n, m },
  }
}
