/**
 * The drift checks of a duration, on a log scale: an EWMA for a sustained shift, a CUSUM for a gradual drift,
 * and one extreme run named as an outlier rather than taken for a shift.
 */
import { formatNumber, plural } from '../format.ts'
import { mean, quantile, robust, robustZ, stddev, winsorize } from '../stats.ts'
import type { DurationIndicator } from '../types.ts'
import { worseSign } from './check.ts'
import { anchorSize, mergeDrift, shiftCheck, trendCheck } from './drift.ts'
import { clipLimits, logOffset } from './log-scale.ts'
import type { ResolvedJudgeOptions } from './options.ts'
import { sinceText } from './sentences.ts'
import type { HealthCheck } from './types.ts'
import { minDriftBaseline, type EventLabels } from './windows.ts'

/**
 * The drift checks of a duration (EWMA for a sustained shift, CUSUM for a
 * gradual drift), robust to one extreme run: values are clipped at ±4 robust
 * deviations on a log scale, and a drift that disappears when the single
 * worst recent event is left out is an outlier finding, not a shift.
 */
export function durationDrift(
  indicator: DurationIndicator,
  baseEvents: readonly { at: number; value: number }[],
  recentEvents: readonly { at: number; value: number }[],
  baseMedian: number,
  o: ResolvedJudgeOptions,
  fmt: (v: number) => string,
  l: EventLabels,
): HealthCheck[] {
  const base = baseEvents.map((x) => x.value)
  if (base.length < minDriftBaseline) {
    const why =
      `drift not checked: ${plural(base.length, `baseline ${l.unitWord}`)}, ${minDriftBaseline} needed to estimate ` +
      `the spread a drift is measured in`
    return [{ name: 'drift', state: 'healthy', reason: why, numbers: { baselineSamples: base.length } }]
  }
  const drift = (recent: readonly { at: number; value: number }[]) =>
    durationDriftOn(indicator, base, recent, baseMedian, o, fmt, l)
  const all = drift(recentEvents)
  // One extreme event (beyond the 4 robust deviations the charts clip at, on the log scale) is an
  // outlier finding; a drift that rests on it alone is not a shift. A drift resting on ordinary
  // events is a drift, however few there are; two or more extreme events are a run of evidence.
  const sign = worseSign(indicator)
  const c = logOffset(baseMedian)
  const logBase = robust(base.map((v) => Math.log(v + c)))
  const extreme = recentEvents
    .map((x, i) => (sign * robustZ(Math.log(x.value + c), logBase) > 4 ? i : -1))
    .filter((i) => i >= 0)
  if (extreme.length !== 1) return [all]
  const worst = extreme[0]
  const without = all.state === 'degraded' ? drift(recentEvents.filter((_, i) => i !== worst)) : all
  if (without.state === 'degraded') return [all]
  const out = recentEvents[worst]
  const times = baseMedian > 0 ? ` (${formatNumber(out.value / baseMedian)}× the usual ${fmt(baseMedian)})` : ''
  const outlier: HealthCheck = {
    name: 'outlier',
    state: 'healthy',
    reason:
      `one outlier: ${indicator.name} was ${fmt(out.value)} at ${sinceText(out.at)}${times}; without it nothing ` +
      `has shifted, so it is one extreme ${l.unitWord}, not a sustained shift (a shift needs more than one)`,
    numbers: { value: out.value, at: out.at, baselineMedian: baseMedian },
  }
  return [without, outlier]
}

/** The EWMA and CUSUM of a duration on log(x + c), clipped at ±4 robust deviations. */
function durationDriftOn(
  indicator: DurationIndicator,
  base: readonly number[],
  recentEvents: readonly { at: number; value: number }[],
  baseMedian: number,
  o: ResolvedJudgeOptions,
  fmt: (v: number) => string,
  l: EventLabels,
): HealthCheck {
  const recent = recentEvents.map((x) => x.value)
  const c = logOffset(baseMedian)
  const toLog = (v: number) => Math.log(v + c)
  const logBase = base.map(toLog)
  const logSummary = robust(logBase)
  const { lo, hi } = clipLimits(logSummary)
  const baseW = winsorize(logBase, lo, hi)
  const shift = shiftCheck(indicator, {
    values: winsorize(recent.map(toLog), lo, hi),
    mu0: mean(baseW),
    sigma: stddev(baseW) || logSummary.scale,
    o,
    fmt,
    unit: l.unitWord,
    back: (v) => Math.exp(v) - c,
    since: recentEvents.length ? recentEvents[0].at : undefined,
  })
  // A drift spread over the whole history raises the baseline with it, so the chart above
  // (recent against the whole baseline) misses it: a CUSUM measures every run since the
  // oldest third of the baseline against that third, on the same log scale.
  const anchorN = anchorSize(base.length, Math.max(o.minBaseline, minDriftBaseline))
  const logAnchor = base.slice(0, anchorN).map(toLog)
  const anchorSummary = robust(logAnchor)
  const anchorClip = clipLimits(anchorSummary)
  const anchorW = winsorize(logAnchor, anchorClip.lo, anchorClip.hi)
  const trend = trendCheck(indicator, {
    values: winsorize([...base.slice(anchorN), ...recent].map(toLog), anchorClip.lo, anchorClip.hi),
    mu0: mean(anchorW),
    sigma: stddev(anchorW) || anchorSummary.scale,
    anchorCount: anchorN,
    anchorCenter: quantile(base.slice(0, anchorN), 0.5),
    recentCenter: quantile(recent, 0.5),
    statistic: 'median',
    unit: l.unitWord,
    o,
    fmt,
    recentLabel: l.recentLabel,
  })
  return mergeDrift(shift, trend)
}
