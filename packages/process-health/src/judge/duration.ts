/**
 * Judging a duration (a cycle time, a lead time, a time to restore): the recent median against the baseline's
 * on a log scale, the drift checks, and a small-sample prediction for rare events.
 */
import { msPerUnit } from '../define.ts'
import { formatNumber, formatValue, plural } from '../format.ts'
import { quantile, robust, robustZ, type RobustSummary } from '../stats.ts'
import type { DurationIndicator, Observation } from '../types.ts'
import { finite, relChange, unknownCheck, worseSign } from './check.ts'
import { durationDrift } from './duration-drift.ts'
import { logOffset } from './log-scale.ts'
import type { ResolvedJudgeOptions } from './options.ts'
import { businessMs, weeklyRhythmMethod } from './rhythm.ts'
import { direction, pct, tooLittle, zText } from './sentences.ts'
import { smallSampleCheck, smallSampleMin } from './small-sample.ts'
import type { HealthCheck, KindResult } from './types.ts'
import { minDriftBaseline, sparseWindows, weekPart, windowLabels, type EventLabels } from './windows.ts'

/**
 * Observations recorded at the same instant are one event's measurements
 * (the lead times of one deployment's commits): they rise and fall together,
 * so counting each as independent evidence overstates it. One value per
 * event, the median of its observations; events keep their time order.
 */
function groupEvents(history: readonly Observation[]): { at: number; value: number; size: number }[] {
  const out: { at: number; value: number; size: number }[] = []
  let i = 0
  while (i < history.length) {
    let j = i
    while (j < history.length && history[j].at === history[i].at) j++
    const values = history.slice(i, j).map((x) => x.value)
    out.push({ at: history[i].at, value: values.length === 1 ? values[0] : quantile(values, 0.5), size: values.length })
    i = j
  }
  return out
}

/** What a weekly-rhythm duration is judged on: in business time, each value counts weekday time only. */
function rhythmDurations(indicator: DurationIndicator, history: readonly Observation[]): readonly Observation[] {
  if (indicator.rhythm !== 'weekly' || weeklyRhythmMethod() !== 'business-time') return history
  const unit = msPerUnit[indicator.unit]
  return history.map((x) => ({ ...x, value: businessMs(x.at - x.value * unit, x.at) / unit }))
}

/** Judges a duration on its events in the recent window against those of the baseline. */
export function judgeDuration(
  indicator: DurationIndicator,
  history: readonly Observation[],
  o: ResolvedJudgeOptions,
  now: number,
  since: number,
): KindResult {
  const all = groupEvents(rhythmDurations(indicator, history))
  const grouped = all.length < history.length
  // A sparse duration reaches back for the events the drift checks need too.
  const w = sparseWindows(
    all.map((x) => x.at),
    now,
    { ...o, minBaseline: Math.max(o.minBaseline, minDriftBaseline) },
    weekPart(indicator, now),
  )
  const { recentFrom, baselineFrom } = w
  const keep = weekPart(indicator, now)(recentFrom)
  const baseEvents = all.filter((x) => x.at >= baselineFrom && x.at < recentFrom && keep(x.at))
  const recentEvents = all.filter((x) => x.at >= recentFrom)
  const base = baseEvents.map((x) => x.value)
  const recent = recentEvents.map((x) => x.value)
  const windows = { baselineFrom, recentFrom, to: now }
  const samples = { baseline: base.length, recent: recent.length }
  const labels: EventLabels = { ...windowLabels(indicator, now, w, o), unitWord: grouped ? 'event' : 'observation' }
  const fmt = (v: number) => formatValue(indicator, v)
  const current = recent.length ? quantile(recent, 0.5) : undefined
  // Rare by declaration (incidents) and recorded for the whole of maxBaseline, so few events are its nature,
  // not a new adopter's: judged on the events there are, with a small-sample method, from 3 baseline events
  // and 1 recent one. Only declared-rare indicators: judged every day on the same few events, a frequent
  // indicator in a quiet stretch would be tested again and again (on the replay, 20 more degraded CI days).
  const rare = indicator.events === 'rare' && since <= now - o.maxBaselineMs
  const few = base.length < o.minBaseline || recent.length < o.minRecent
  if (few && rare && base.length >= smallSampleMin && recent.length >= 1) {
    const check = smallSampleCheck(indicator, baseEvents, recentEvents, o, fmt, labels)
    return { checks: [check], current, baseline: quantile(base, 0.5), windows, samples }
  }
  if (few) {
    const why =
      base.length < o.minBaseline
        ? tooLittle('for a baseline', base.length, o.minBaseline, labels.baseLabel, labels.unitWord)
        : tooLittle(
            `in ${labels.recentLabel}`,
            recent.length,
            o.minRecent,
            `median so far ${current === undefined ? 'n/a' : fmt(current)}`,
            labels.unitWord,
          )
    return {
      checks: [unknownCheck('baseline', why, { baselineSamples: base.length, recentSamples: recent.length })],
      current,
      windows,
      samples,
    }
  }
  const summary = robust(base)
  const x = current as number
  const checks = [
    durationLevel(indicator, base, recent.length, x, summary, o, fmt, labels),
    ...durationDrift(indicator, baseEvents, recentEvents, summary.median, o, fmt, labels),
  ]
  return { checks, current: x, baseline: summary.median, windows, samples }
}

/** The recent median against the baseline's, in robust standard deviations on a log scale. */
function durationLevel(
  indicator: DurationIndicator,
  base: readonly number[],
  recentCount: number,
  x: number,
  summary: RobustSummary,
  o: ResolvedJudgeOptions,
  fmt: (v: number) => string,
  l: EventLabels,
): HealthCheck {
  // Durations are skewed, some over orders of magnitude (lead times from minutes to weeks): the
  // modified z is taken on log(x + c), c a tenth of the baseline median (zero queue times are fine),
  // where a spread measured on the bulk of the values also describes the tail.
  const c = logOffset(summary.median)
  const logSummary = robust(base.map((v) => Math.log(v + c)))
  const z = robustZ(Math.log(x + c), logSummary)
  const rel = relChange(x, summary.median)
  const shifted = z * worseSign(indicator) > o.threshold && rel >= o.tolerance
  const diff = x - summary.median
  const change = diff === 0 ? 'equal to' : `${pct(rel)} ${direction(indicator, diff)}`
  const events = (n: number) => plural(n, l.unitWord)
  const method =
    `method: modified z ${zText(z)}${shifted ? ' >' : ', limit'} ${formatNumber(o.threshold)}, robust standard ` +
    `deviations (from the MAD, on a log scale) between the recent median and the baseline's`
  return {
    name: 'baseline',
    state: shifted ? 'degraded' : 'healthy',
    reason:
      `median ${indicator.name} over ${l.recentLabel} is ${fmt(x)} (${events(recentCount)}), ${change} its usual ` +
      `${fmt(summary.median)} (the median of ${l.baseLabel}, ${events(base.length)}); ${method}`,
    numbers: {
      current: x,
      baselineMedian: summary.median,
      mad: summary.mad,
      z: finite(z),
      relativeChange: finite(rel),
      threshold: o.threshold,
    },
  }
}
