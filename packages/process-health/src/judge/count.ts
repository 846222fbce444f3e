/**
 * Judging a count (deployments a day, incidents a week): the recent mean per period against the baseline's,
 * the drift checks on the periods, and, where more is better, a pause since the last event.
 */
import { formatNumber, formatValue, formatWindow, plural } from '../format.ts'
import { mean, robust } from '../stats.ts'
import type { CountIndicator, Observation } from '../types.ts'
import { relChange, unknownCheck, worseSign } from './check.ts'
import { anchorSize, mergeDrift, shiftCheck, trendCheck } from './drift.ts'
import { countPeriodMs, recentPeriods, type ResolvedJudgeOptions } from './options.ts'
import { pauseCheck } from './pause.ts'
import { weekday, weeklyRhythmMethod } from './rhythm.ts'
import { direction, pct, tooLittle, zText } from './sentences.ts'
import type { HealthCheck, KindResult } from './types.ts'
import type { WindowLabels } from './windows.ts'

/**
 * Which periods of a count with a weekly rhythm are compared (daily periods
 * only): in business time, weekend days are left out of both windows; by
 * week part, the baseline keeps the days of the week the recent window has.
 * Bin k covers (now − (k+1)·per, now − k·per]; its day is its middle's.
 */
function countRhythm(indicator: CountIndicator, now: number, per: number, recentBins: number) {
  const all = { recent: (_k: number) => true, base: (_k: number) => true, note: '', recentSpan: recentBins }
  if (indicator.rhythm !== 'weekly' || per !== 86_400_000) return all
  const dayOf = (k: number) => weekday(now - (k + 0.5) * per)
  const mode = weeklyRhythmMethod()
  if (mode === 'business-time') {
    const weekdayBin = (k: number) => dayOf(k) !== 0 && dayOf(k) !== 6
    let span = 0
    for (let n = 0; n < recentBins; span++) if (weekdayBin(span)) n++
    return { recent: weekdayBin, base: weekdayBin, note: ', weekends left out', recentSpan: span }
  }
  if (mode === 'week-part' && recentBins < 7) {
    const days = new Set(Array.from({ length: recentBins }, (_, k) => dayOf(k)))
    return { ...all, base: (k: number) => days.has(dayOf(k)), note: ', the same days of the week' }
  }
  return all
}

/** A count's periods in the two windows, oldest first; only periods after recording began are counted. */
interface CountPeriods {
  per: number
  recentBins: number
  baselineBins: number
  recentFrom: number
  baselineFrom: number
  recent: number[]
  base: number[]
  /** What the weekly rhythm left out, for the baseline's label. */
  note: string
}

function countPeriods(
  indicator: CountIndicator,
  history: readonly Observation[],
  o: ResolvedJudgeOptions,
  now: number,
  since: number,
): CountPeriods {
  const per = countPeriodMs(indicator)
  const binKeeps = countRhythm(indicator, now, per, recentPeriods(o, per))
  // In business time the recent window is the last N weekdays (a Monday looks back to Thursday).
  const recentBins = binKeeps.recentSpan
  const baselineBins = Math.max(0, Math.floor(o.baselineMs / per))
  const recentFrom = now - recentBins * per
  const baselineFrom = recentFrom - baselineBins * per
  // Bin k covers (now − (k+1)·per, now − k·per]; only bins after recording started count.
  const sums = new Array<number>(recentBins + baselineBins).fill(0)
  for (const x of history) {
    if (x.at <= baselineFrom || x.at > now) continue
    const k = Math.min(sums.length - 1, Math.floor((now - x.at) / per))
    sums[k] += x.value
  }
  const covered = (k: number) => now - k * per > since
  const recent: number[] = []
  const base: number[] = []
  for (let k = recentBins - 1; k >= 0; k--) if (covered(k) && binKeeps.recent(k)) recent.push(sums[k])
  for (let k = recentBins + baselineBins - 1; k >= recentBins; k--)
    if (covered(k) && binKeeps.base(k)) base.push(sums[k])
  return { per, recentBins, baselineBins, recentFrom, baselineFrom, recent, base, note: binKeeps.note }
}

/**
 * Counts are Poisson-like: the noise per period is at least √mean, or the robust spread of the periods when
 * larger.
 */
function countSigma(periods: readonly number[], periodMean: number): number {
  return Math.max(robust(periods).scale, Math.sqrt(periodMean), 1e-9)
}

/** Judges a count on its periods in the recent window against those of the baseline. */
export function judgeCount(
  indicator: CountIndicator,
  history: readonly Observation[],
  o: ResolvedJudgeOptions,
  now: number,
  since: number,
): KindResult {
  const { per, recent, base, ...p } = countPeriods(indicator, history, o, now, since)
  const windows = { baselineFrom: p.baselineFrom, recentFrom: p.recentFrom, to: now }
  const samples = { baseline: base.length, recent: recent.length }
  const period = formatWindow(per)
  const recentLabel = `the last ${formatWindow(p.recentBins * per)}`
  const baseLabel = `the ${formatWindow(p.baselineBins * per)} before ${recentLabel}${p.note}`
  const fmt = (v: number) => formatValue(indicator, v)
  const current = recent.length ? mean(recent) : undefined
  if (base.length < o.minBaseline || recent.length < o.minRecent) {
    const why =
      base.length < o.minBaseline
        ? tooLittle(
            'for a baseline',
            base.length,
            o.minBaseline,
            `${baseLabel}, counted since recording began`,
            `${period} period`,
          )
        : tooLittle(
            `in ${recentLabel}`,
            recent.length,
            o.minRecent,
            'counted since recording began',
            `${period} period`,
          )
    return {
      checks: [unknownCheck('baseline', why, { baselinePeriods: base.length, recentPeriods: recent.length })],
      current,
      windows,
      samples,
    }
  }
  const x = current as number
  const checks = [
    countLevel(indicator, base, recent, x, o, fmt, { recentLabel, baseLabel }, period),
    countDrift(indicator, base, recent, x, o, fmt, recentLabel, `${period} period`),
  ]
  if (indicator.better === 'higher') checks.push(pauseCheck(indicator, history, o, now))
  return { checks, current: x, baseline: mean(base), windows, samples }
}

/** The recent mean per period against the baseline's, in standard errors. */
function countLevel(
  indicator: CountIndicator,
  base: readonly number[],
  recent: readonly number[],
  x: number,
  o: ResolvedJudgeOptions,
  fmt: (v: number) => string,
  { recentLabel, baseLabel }: WindowLabels,
  period: string,
): HealthCheck {
  const summary = robust(base)
  const lambda0 = mean(base)
  const sigma = countSigma(base, lambda0)
  const z = (x - lambda0) / (sigma / Math.sqrt(recent.length))
  const rel = relChange(x, lambda0)
  const worse = z * worseSign(indicator)
  const shifted = worse > o.threshold && rel >= o.tolerance
  const diff = x - lambda0
  const total = recent.reduce((a, v) => a + v, 0)
  return {
    name: 'baseline',
    state: shifted ? 'degraded' : 'healthy',
    reason:
      `${indicator.name} over ${recentLabel} averages ${fmt(x)} (${formatNumber(total)} in ` +
      `${plural(recent.length, `${period} period`)}), ` +
      `${diff === 0 ? 'equal to' : `${pct(rel)} ${direction(indicator, diff)}`} its usual ${fmt(lambda0)} (the ` +
      `mean of ${baseLabel}, median ${formatNumber(summary.median)}); method: z ` +
      `${zText(z)}${shifted ? ' >' : ', limit'} ${formatNumber(o.threshold)}, the recent mean's distance from the ` +
      `baseline's in standard errors (the Poisson √mean or the robust spread, whichever is larger)`,
    numbers: {
      current: x,
      baselineMean: lambda0,
      baselineMedian: summary.median,
      mad: summary.mad,
      z,
      threshold: o.threshold,
    },
  }
}

/** The EWMA of the recent periods against the baseline's mean, and the CUSUM from its oldest periods. */
function countDrift(
  indicator: CountIndicator,
  base: readonly number[],
  recent: readonly number[],
  x: number,
  o: ResolvedJudgeOptions,
  fmt: (v: number) => string,
  recentLabel: string,
  unit: string,
): HealthCheck {
  const lambda0 = mean(base)
  const shift = shiftCheck(indicator, { values: recent, mu0: lambda0, sigma: countSigma(base, lambda0), o, fmt, unit })
  const anchorN = anchorSize(base.length, o.minBaseline)
  const anchor = base.slice(0, anchorN)
  const anchorMean = mean(anchor)
  const trend = trendCheck(indicator, {
    values: [...base.slice(anchorN), ...recent],
    mu0: anchorMean,
    sigma: countSigma(anchor, anchorMean),
    anchorCount: anchorN,
    anchorCenter: anchorMean,
    recentCenter: x,
    statistic: 'mean',
    unit,
    o,
    fmt,
    recentLabel,
  })
  return mergeDrift(shift, trend)
}
