/**
 * Judging health: each indicator against its own history (a rolling
 * median/MAD baseline for the level, an EWMA chart for sustained shifts, a
 * CUSUM for slow drifts, one extreme run named as an outlier, a
 * beta-binomial tail for rates, a pause check for counts) and its objective
 * (a threshold, or an SLO's burn rate); each process from its judged
 * indicators. Sparse indicators widen their windows; too little data is
 * "not yet judged", never a guess. Pure functions of the observations and
 * `now`, so tests are deterministic.
 */
import { tQuantile } from '@steady/kernel'
import { isSlo, msPerUnit, objectiveValue } from './define.ts'
import { formatNumber, formatPercent, formatValue, formatWindow, plural } from './format.ts'
import { businessMs, weekday, weekdaysOf, weeklyRhythmMethod } from './judge/rhythm.ts'
import {
  betaBinomialUpperTail,
  wilsonLower,
  cusum,
  ewma,
  mean,
  normalUpperTail,
  quantile,
  robust,
  robustZ,
  stddev,
  tUpperTail,
  winsorize,
} from './stats.ts'
import { formatDurationMs, parseDurationMs } from './time.ts'
import type {
  CountIndicator,
  DurationIndicator,
  HealthState,
  IndicatorDefinition,
  JudgeOptions,
  Observation,
  ProcessDefinition,
  RateIndicator,
  SloObjective,
  ThresholdObjective,
  TierResult,
} from './types.ts'

/** One check of an indicator: its level against the baseline, its drift, its objective. */
export interface HealthCheck {
  /**
   * `baseline` (recent level vs history), `drift` (EWMA and CUSUM), `outlier` (one extreme event, named;
   * never degraded on its own), `pause` (time since the last event of a count where more is better),
   * `objective` (threshold), `slo` (burn rate).
   */
  name: 'baseline' | 'drift' | 'outlier' | 'pause' | 'objective' | 'slo'
  /** The check's own verdict. */
  state: HealthState
  /** A sentence with the numbers. */
  reason: string
  /** The numbers, for JSON output. */
  numbers: Record<string, number>
}

/** The health of one indicator. */
export interface IndicatorHealth {
  /** Process name. */
  process: string
  /** Indicator name. */
  indicator: string
  /** Its kind. */
  kind: IndicatorDefinition['kind']
  /** Its unit (`s`, `ratio`, `deployments`). */
  unit: string
  /** Which direction is better. */
  better: IndicatorDefinition['better']
  /** Healthy, degraded, or unknown. */
  state: HealthState
  /**
   * For `unknown`: never recorded in the window read (`no-data`), recorded too little (`too-little-data`), or
   * `idle`: quiet now as it has been quiet before (nothing happened; not a missing record).
   */
  unknownCause?: 'no-data' | 'too-little-data' | 'idle'
  /**
   * Recorded before, but the recent window (widened to the baseline's length) holds too few events: either
   * nothing happened (idle) or the records stopped. {@link IndicatorHealth.unknownCause} says which was decided.
   */
  quiet?: boolean
  /** A sentence with the numbers saying why. */
  reason: string
  /** The recent statistic in the indicator's unit (median duration, rate, mean count per period), if any data. */
  current?: number
  /** The same statistic over the baseline, when there was enough data. */
  baseline?: number
  /** The windows judged, epoch ms. */
  windows: { baselineFrom: number; recentFrom: number; to: number }
  /** How much data each window held (observations; trials for rates; periods for counts). */
  samples: { baseline: number; recent: number }
  /** Every check, in order. */
  checks: HealthCheck[]
  /** A tier (DORA's), when the indicator defines one and the history allows it. */
  tier?: TierResult
}

/** The health of one process. */
export interface ProcessHealth {
  /** Process name. */
  process: string
  /** Who answers for it. */
  owner: string
  /**
   * Degraded if any indicator is; healthy if every judged one is; unknown when none could be judged; healthy
   * and `idle` when nothing could be judged because nothing happened.
   */
  state: HealthState
  /** Set when the process is idle: quiet as before, or with every other process; exit 0, said on its own line. */
  idle?: boolean
  /** A sentence naming the indicators that decided the state. */
  reason: string
  /** Each indicator's health, in declaration order. */
  indicators: IndicatorHealth[]
}

/** Options of {@link judgeProcess} and {@link judgeIndicator}. */
export interface JudgeContext {
  /** The instant judged at (epoch ms); observations after it are ignored. */
  now: number
  /** Defaults under the process's and indicator's own `judge` options. */
  defaults?: JudgeOptions
  /**
   * When the process started being recorded (epoch ms). Count indicators only
   * count periods from then on, so days before the first record are not read
   * as days with zero events. Default: the earliest observation given.
   */
  since?: number
}

/** Judge options with every default filled in, for one indicator. */
export interface ResolvedJudgeOptions {
  baselineMs: number
  recentMs: number
  minBaseline: number
  minRecent: number
  threshold: number
  tolerance: number
  ewmaLambda: number
  ewmaLimit: number
  cusumSlack: number
  cusumLimit: number
  /** How far back a sparse indicator's baseline may reach to hold `minBaseline` events. */
  maxBaselineMs: number
}

const kindDefaults: Record<
  IndicatorDefinition['kind'],
  Omit<ResolvedJudgeOptions, 'baselineMs' | 'recentMs' | 'maxBaselineMs'>
> = {
  duration: {
    minBaseline: 10,
    minRecent: 3,
    threshold: 3.5,
    tolerance: 0.1,
    ewmaLambda: 0.2,
    ewmaLimit: 3,
    cusumSlack: 0.5,
    cusumLimit: 8,
  },
  rate: {
    minBaseline: 10,
    minRecent: 3,
    threshold: 3,
    tolerance: 0.02,
    ewmaLambda: 0.2,
    ewmaLimit: 3,
    cusumSlack: 0.5,
    cusumLimit: 8,
  },
  count: {
    minBaseline: 7,
    minRecent: 1,
    threshold: 3,
    tolerance: 0.1,
    ewmaLambda: 0.2,
    ewmaLimit: 3,
    cusumSlack: 0.5,
    cusumLimit: 8,
  },
}

/** Default baseline length. */
export const defaultBaseline = '28d'
/** Default recent window. */
export const defaultRecent = '3d'
/** Default reach of a sparse indicator's baseline (half a year: a handful of incidents or releases). */
export const defaultMaxBaseline = '182d'
/** Default SLO period. */
export const defaultSloWindow = '28d'
/** How far back DORA-style tiers look (FourKeys' three months). */
export const tierWindowMs = 91 * 86_400_000

/** Fills in an indicator's judge options: kind defaults < `defaults` < process < indicator. */
export function resolveJudgeOptions(
  process: ProcessDefinition,
  indicator: IndicatorDefinition,
  defaults: JudgeOptions = {},
): ResolvedJudgeOptions {
  const merged: JudgeOptions = { ...defaults, ...process.judge, ...indicator.judge }
  const k = kindDefaults[indicator.kind]
  return {
    baselineMs: parseDurationMs(merged.baseline ?? defaultBaseline, `${process.name}.${indicator.name}.judge.baseline`),
    recentMs: parseDurationMs(merged.recent ?? defaultRecent, `${process.name}.${indicator.name}.judge.recent`),
    minBaseline: merged.minBaseline ?? k.minBaseline,
    minRecent: merged.minRecent ?? k.minRecent,
    threshold: merged.threshold ?? k.threshold,
    tolerance: merged.tolerance ?? k.tolerance,
    ewmaLambda: merged.ewmaLambda ?? k.ewmaLambda,
    ewmaLimit: merged.ewmaLimit ?? k.ewmaLimit,
    cusumSlack: merged.cusumSlack ?? k.cusumSlack,
    cusumLimit: merged.cusumLimit ?? k.cusumLimit,
    maxBaselineMs: Math.max(
      parseDurationMs(merged.maxBaseline ?? defaultMaxBaseline, `${process.name}.${indicator.name}.judge.maxBaseline`),
      parseDurationMs(merged.baseline ?? defaultBaseline, 'baseline'),
    ),
  }
}

/** How far back a process's history must be read to judge it at `now` (epoch ms of the earliest observation needed). */
export function historyStart(process: ProcessDefinition, now: number, defaults: JudgeOptions = {}): number {
  let span = 0
  for (const indicator of process.indicators) {
    const o = resolveJudgeOptions(process, indicator, defaults)
    // Durations and rates widen their windows when sparse: the recent one up to the baseline's
    // length, the baseline up to maxBaseline.
    let need =
      indicator.kind === 'count' ? o.recentMs + o.baselineMs : Math.max(o.recentMs, o.baselineMs) + o.maxBaselineMs
    if (indicator.kind === 'count') need += countPeriodMs(indicator) // whole periods
    if (indicator.kind === 'count' && indicator.better === 'higher') need = Math.max(need, o.maxBaselineMs) // pauses
    if (indicator.objective && isSlo(indicator.objective))
      need = Math.max(need, parseDurationMs(indicator.objective.window ?? defaultSloWindow, 'window'))
    if (indicator.tier) need = Math.max(need, tierWindowMs)
    span = Math.max(span, need)
  }
  return now - span
}

/**
 * Judges every indicator of a process and the process as a whole.
 * `observations` may hold other processes' and indicators' observations;
 * only this process's count.
 */
export function judgeProcess(
  process: ProcessDefinition,
  observations: readonly Observation[],
  context: JudgeContext,
): ProcessHealth {
  const own = observations.filter((o) => o.process === process.name && o.at <= context.now).sort((a, b) => a.at - b.at)
  const since = context.since ?? (own.length ? own[0].at : undefined)
  const indicators = process.indicators.map((indicator) =>
    judgeIndicator(
      process,
      indicator,
      own.filter((o) => o.indicator === indicator.name),
      { ...context, since },
    ),
  )
  const { state, reason, idle } = processVerdict(indicators)
  return { process: process.name, owner: process.owner, state, reason, ...(idle ? { idle } : {}), indicators }
}

/**
 * A process's state is what its judged indicators say: degraded if one is,
 * healthy if every judged one is; an indicator with too little history is
 * listed as not yet judged and never turns the process unknown while others
 * are judged. Unknown only when nothing could be judged.
 */
function processVerdict(indicators: readonly IndicatorHealth[]): { state: HealthState; reason: string; idle?: true } {
  const degraded = indicators.filter((i) => i.state === 'degraded')
  const judged = indicators.filter((i) => i.state !== 'unknown')
  const notYet = indicators.filter((i) => i.unknownCause === 'too-little-data')
  const silent = indicators.filter((i) => i.unknownCause === 'no-data')
  const idle = indicators.filter((i) => i.unknownCause === 'idle')
  const notes = [
    idle.length ? `idle: ${idle.map((i) => `${i.indicator} (${i.reason})`).join('; ')}` : '',
    notYet.length ? `not yet judged: ${notYet.map((i) => `${i.indicator} (${i.reason})`).join('; ')}` : '',
    silent.length
      ? `not judged, nothing recorded recently: ${silent.map((i) => `${i.indicator} (${i.reason})`).join('; ')}`
      : '',
  ].filter(Boolean)
  const tail = notes.length ? `; ${notes.join('; ')}` : ''
  if (degraded.length) {
    return {
      state: 'degraded',
      reason: `degraded on ${degraded.map((i) => i.indicator).join(', ')}: ${degraded.map((i) => i.reason).join('; ')}`,
    }
  }
  if (judged.length === 0 && idle.length > 0 && idle.length === indicators.length) {
    return { state: 'healthy', idle: true, reason: `idle, nothing happened: ${idle[0].reason}` }
  }
  if (judged.length === 0 && notYet.length === 0 && idle.length === 0) {
    const names = indicators.map((i) => i.indicator).join(', ')
    return {
      state: 'unknown',
      reason:
        `no observations of any indicator (${names}) in the window judged; record some with \`steady health ` +
        `record\``,
    }
  }
  if (judged.length === 0) return { state: 'unknown', reason: `no indicator could be judged yet${tail}` }
  const names = judged.map((i) => i.indicator).join(', ')
  return { state: 'healthy', reason: `${judged.length} of ${indicators.length} indicators healthy (${names})${tail}` }
}

/**
 * Judges one indicator from its own observations (any order; those after
 * `now` are ignored).
 */
export function judgeIndicator(
  process: ProcessDefinition,
  indicator: IndicatorDefinition,
  observations: readonly Observation[],
  context: JudgeContext,
): IndicatorHealth {
  const options = resolveJudgeOptions(process, indicator, context.defaults)
  const history = observations.filter((o) => o.at <= context.now).sort((a, b) => a.at - b.at)
  const result =
    indicator.kind === 'duration'
      ? judgeDuration(indicator, history, options, context.now, context.since ?? history[0]?.at ?? context.now)
      : indicator.kind === 'rate'
        ? judgeRate(indicator, history, options, context.now)
        : judgeCount(indicator, history, options, context.now, context.since ?? history[0]?.at ?? context.now)
  const checks = [...result.checks]
  if (indicator.objective) checks.push(judgeObjective(indicator, history, options, context.now))
  const tier = indicator.tier?.(history, context.now)
  // A count's periods after recording began are real zeros (no deployment is news), so a count
  // with history before its window has data; other kinds need an observation in the window.
  const anyData =
    history.some((o) => o.at >= result.windows.baselineFrom) ||
    (indicator.kind === 'count' &&
      result.samples.baseline + result.samples.recent > 0 &&
      (context.since ?? Infinity) < result.windows.baselineFrom)
  const degraded = checks.filter((c) => c.state === 'degraded')
  const unknown = checks.filter((c) => c.state === 'unknown')
  let state: HealthState
  let reason: string
  let unknownCause: IndicatorHealth['unknownCause']
  if (!anyData && degraded.length === 0) {
    state = 'unknown'
    unknownCause = 'no-data'
    reason = `none in the last ${formatWindow(result.windows.to - result.windows.baselineFrom)}`
  } else if (degraded.length) {
    state = 'degraded'
    reason = degraded.map((c) => c.reason).join('; ')
  } else if (unknown.length) {
    state = 'unknown'
    unknownCause = 'too-little-data'
    reason = [...unknown, ...checks.filter((c) => c.state === 'healthy' && c.name !== 'drift')]
      .map((c) => c.reason)
      .join('; ')
  } else {
    state = 'healthy'
    // The outlier finding first: it is what a reader should see.
    reason = [
      ...checks.filter((c) => c.name === 'outlier'),
      ...checks.filter((c) => c.name !== 'drift' && c.name !== 'outlier'),
    ]
      .map((c) => c.reason)
      .join('; ')
  }
  const health: IndicatorHealth = {
    process: process.name,
    indicator: indicator.name,
    kind: indicator.kind,
    unit: indicator.kind === 'rate' ? 'ratio' : indicator.unit,
    better: indicator.better,
    state,
    reason,
    windows: result.windows,
    samples: result.samples,
    checks,
  }
  if (state === 'unknown') Object.assign(health, quietness(indicator, history, options, context, reason))
  if (unknownCause && !health.unknownCause) health.unknownCause = unknownCause
  if (result.current !== undefined) health.current = result.current
  if (result.baseline !== undefined) health.baseline = result.baseline
  if (tier) health.tier = tier
  return health
}

/**
 * Idle or unknown, for an indicator that could not be judged. Quiet: recorded before `now − L` (L the widest
 * the recent window goes, the baseline's length), and fewer than `minRecent` events (at least one) in the last
 * L. Idle: quiet, and its own history has been as quiet before, for as long, and came back (a stretch of L or
 * more with fewer events, ended before this one began): for such a process a quiet month is its normal life
 * (a dormant project makes no commits, so no CI runs), not a record gone missing. A first quiet stretch stays
 * unknown here; {@link markIdle} makes it idle when every other process is quiet too.
 */
function quietness(
  indicator: IndicatorDefinition,
  history: readonly Observation[],
  o: ResolvedJudgeOptions,
  context: JudgeContext,
  reason: string,
): Partial<IndicatorHealth> {
  const span = Math.max(o.baselineMs, o.recentMs)
  const from = context.now - span
  const ats = history.filter((x) => indicator.kind !== 'count' || x.value > 0).map((x) => x.at)
  const recorded = ats.some((a) => a <= from) || (context.since ?? Infinity) <= from
  const k = Math.max(1, o.minRecent)
  const recent = ats.filter((a) => a > from).length
  if (!recorded || recent >= k) return {}
  for (let i = 0; i + k < ats.length && ats[i + k] <= from; i++) {
    if (ats[i + k] - ats[i] > span) {
      const before = `as quiet before: ${plural(k, 'event')} took ${formatWindow(ats[i + k] - ats[i])} from ` +
        `${sinceText(ats[i])}, then it came back`
      const now = `${recent === 0 ? 'none' : `only ${recent}`} in the last ${formatWindow(span)}`
      return { quiet: true, unknownCause: 'idle', reason: `idle: ${now}, ${before} (${reason})` }
    }
  }
  return { quiet: true }
}

/** What {@link markIdle} knows of each process's raw history at `now`. */
export interface ProcessActivity {
  /** Observations (events, for counts) in the last baseline length (default 28 days) before now. */
  recent: number
  /** Recorded at all: in the window read or before it. */
  recorded: boolean
}

/**
 * Idle across processes: the related activity is absent too. When every other process was recorded before
 * but recorded nothing in the last baseline length (no commits, so no CI runs; no releases), nothing happened
 * in the project, so this process's quiet indicators are idle, and so is a pause of a count where more is
 * better (no deployments for months because nothing was committed is not a stall). One other process still
 * recording keeps the silence unknown and the pause degraded: work was happening there. At least one other
 * process is needed: one process alone cannot tell a quiet project from a recorder that stopped. The cost: a
 * recorder that stops, or a delivery stall, while every other process is quiet too, reads as idle.
 */
export function markIdle(processes: ProcessHealth[], activity: ReadonlyMap<string, ProcessActivity>): void {
  const quietNow = (name: string) => {
    const a = activity.get(name)
    return a !== undefined && a.recorded && a.recent === 0
  }
  const verdicts: Array<[ProcessHealth, ReturnType<typeof processVerdict>]> = []
  for (const p of processes) {
    const others = processes.filter((q) => q !== p)
    if (others.length === 0 || !others.every((q) => quietNow(q.process))) continue
    const also = `and nothing recorded by ${others.map((q) => q.process).join(', ')} either lately: nothing happened`
    let changed = false
    for (const i of p.indicators) {
      const silent = i.state === 'unknown' && i.unknownCause !== 'idle' && (i.quiet || i.unknownCause === 'no-data')
      const fired = i.checks.filter((c) => c.state === 'degraded')
      const paused = i.state === 'degraded' && fired.length > 0 && fired.every((c) => c.name === 'pause')
      if (!(silent && activity.get(p.process)?.recorded) && !paused) continue
      i.state = 'unknown'
      i.quiet = true
      i.unknownCause = 'idle'
      i.reason = `idle: ${i.reason}, ${also}`
      changed = true
    }
    if (changed) verdicts.push([p, processVerdict(p.indicators)])
  }
  // Applied after every process is looked at, so one process's new idleness does not decide another's.
  for (const [p, v] of verdicts) {
    p.state = v.state
    p.reason = v.reason
    if (v.idle) p.idle = true
  }
}

interface KindResult {
  checks: HealthCheck[]
  current?: number
  baseline?: number
  windows: IndicatorHealth['windows']
  samples: IndicatorHealth['samples']
}

function worseSign(indicator: IndicatorDefinition): 1 | -1 {
  return indicator.better === 'lower' ? 1 : -1
}

/** "above"/"below" for a signed difference, with "(better)" when it goes the good way. */
function direction(indicator: IndicatorDefinition, diff: number): string {
  const word = diff > 0 ? 'above' : 'below'
  return diff * worseSign(indicator) < 0 ? `${word} (better than)` : word
}

function relChange(x: number, base: number): number {
  if (base === 0) return x === 0 ? 0 : Number.POSITIVE_INFINITY
  return Math.abs(x - base) / Math.abs(base)
}

function pct(r: number): string {
  return Number.isFinite(r) ? `${Math.round(r * 100)}%` : 'far'
}

function zText(z: number): string {
  return Number.isFinite(z) ? formatNumber(Math.abs(z)) : '∞'
}

function unknownCheck(name: HealthCheck['name'], reason: string, numbers: Record<string, number> = {}): HealthCheck {
  return { name, state: 'unknown', reason, numbers }
}

function tooLittle(what: string, have: number, need: number, window: string, unit: string): string {
  const have_ = have === 0 ? `no ${unit}s` : `only ${plural(have, unit)}`
  return `${have_} ${what} (${window}); need ${formatNumber(need)} to judge`
}

/**
 * The windows an indicator is judged on. Normally the last `recentMs` and the
 * `baselineMs` before it; a sparse indicator (a few incidents or releases a
 * month) widens them to hold its `minRecent` and `minBaseline` latest events:
 * the recent window up to the baseline's length, the baseline up to
 * `maxBaselineMs`. `eligible` picks the baseline events that count (the same
 * days of the week). Widened edges fall on whole hours so the windows read well.
 */
export function sparseWindows(
  ats: readonly number[],
  now: number,
  o: ResolvedJudgeOptions,
  eligible: (recentFrom: number) => (at: number) => boolean = () => () => true,
): { recentFrom: number; baselineFrom: number; widened: boolean } {
  const hour = 3_600_000
  const back = (t: number) => now - Math.ceil((now - t) / hour) * hour
  let recentFrom = now - o.recentMs
  let widened = false
  const upToNow = ats.filter((a) => a <= now)
  if (upToNow.filter((a) => a >= recentFrom).length < o.minRecent && upToNow.length >= o.minRecent) {
    const edge = Math.max(now - Math.max(o.baselineMs, o.recentMs), back(upToNow[upToNow.length - o.minRecent]))
    if (edge < recentFrom) [recentFrom, widened] = [edge, true]
  }
  const keep = eligible(recentFrom)
  const before = upToNow.filter((a) => a < recentFrom && keep(a))
  let baselineFrom = recentFrom - o.baselineMs
  if (before.filter((a) => a >= baselineFrom).length < o.minBaseline) {
    const target =
      before.length >= o.minBaseline ? back(before[before.length - o.minBaseline]) : Number.NEGATIVE_INFINITY
    const edge = Math.max(recentFrom - o.maxBaselineMs, target)
    if (edge < baselineFrom) [baselineFrom, widened] = [edge, true]
  }
  return { recentFrom, baselineFrom, widened }
}

/**
 * Observations recorded at the same instant are one event's measurements
 * (the lead times of one deployment's commits): they rise and fall together,
 * so counting each as independent evidence overstates it. One value per
 * event, the median of its observations; events keep their time order.
 */
export function groupEvents(history: readonly Observation[]): { at: number; value: number; size: number }[] {
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

/** An instant to the minute, for sentences: `2025-03-07 13:15 UTC`. */
function sinceText(at: number): string {
  return `${new Date(at).toISOString().slice(0, 16).replace('T', ' ')} UTC`
}

/** One-sided 95 %: how sure the error rate behind an SLO's burn must be before it counts. */
const sloConfidenceZ = 1.645

/**
 * Fewest baseline events for the drift checks: a spread estimated from fewer is too uncertain (±13 % at 30) for
 * 3σ limits. Sparse durations and rates widen their baseline (up to maxBaseline) to hold this many.
 */
const minDriftBaseline = 30

/** What a weekly-rhythm duration is judged on: in business time, each value counts weekday time only. */
function rhythmDurations(indicator: DurationIndicator, history: readonly Observation[]): readonly Observation[] {
  if (indicator.rhythm !== 'weekly' || weeklyRhythmMethod() !== 'business-time') return history
  const unit = msPerUnit[indicator.unit]
  return history.map((x) => ({ ...x, value: businessMs(x.at - x.value * unit, x.at) / unit }))
}

/** For the week-part method: baseline events on the days of the week the recent window covers. */
function weekPart(indicator: IndicatorDefinition, now: number): (recentFrom: number) => (at: number) => boolean {
  if (indicator.rhythm !== 'weekly' || weeklyRhythmMethod() !== 'week-part') return () => () => true
  return (recentFrom) => {
    const days = weekdaysOf(recentFrom, now)
    return (at) => days.has(weekday(at))
  }
}

/** How the windows are named in sentences, with what the rhythm and the widening did. */
function windowLabels(
  indicator: IndicatorDefinition,
  now: number,
  w: { recentFrom: number; baselineFrom: number; widened: boolean },
  o: ResolvedJudgeOptions,
) {
  const recentMs = now - w.recentFrom
  const recentLabel = `the last ${formatWindow(recentMs)}`
  const rhythm = indicator.rhythm === 'weekly' ? weeklyRhythmMethod() : 'none'
  const note =
    rhythm === 'business-time'
      ? ', weekends left out'
      : rhythm === 'week-part' && recentMs < 7 * 86_400_000
        ? ', the same days of the week'
        : ''
  const wide = w.widened
    ? `, widened from ${formatWindow(o.recentMs)} and ${formatWindow(o.baselineMs)} for too few events`
    : ''
  return {
    recentLabel,
    baseLabel: `the ${formatWindow(w.recentFrom - w.baselineFrom)} before${note}${wide}`,
    baseShort: formatWindow(w.recentFrom - w.baselineFrom),
  }
}

function judgeDuration(
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
  const { recentLabel, baseLabel } = windowLabels(indicator, now, w, o)
  const unitWord = grouped ? 'event' : 'observation'
  const fmt = (v: number) => formatValue(indicator, v)
  const current = recent.length ? quantile(recent, 0.5) : undefined
  // Rare by declaration (incidents) and recorded for the whole of maxBaseline, so few events are its nature,
  // not a new adopter's: judged on the events there are, with a small-sample method, from 3 baseline events
  // and 1 recent one. Only declared-rare indicators: judged every day on the same few events, a frequent
  // indicator in a quiet stretch would be tested again and again (on the replay, 20 more degraded CI days).
  const rare = indicator.events === 'rare' && since <= now - o.maxBaselineMs
  const few = base.length < o.minBaseline || recent.length < o.minRecent
  if (few && rare && base.length >= smallSampleMin && recent.length >= 1) {
    const check = smallSampleCheck(indicator, baseEvents, recentEvents, o, fmt, { recentLabel, baseLabel, unitWord })
    return { checks: [check], current, baseline: quantile(base, 0.5), windows, samples }
  }
  if (few) {
    const why =
      base.length < o.minBaseline
        ? tooLittle('for a baseline', base.length, o.minBaseline, baseLabel, unitWord)
        : tooLittle(
            `in ${recentLabel}`,
            recent.length,
            o.minRecent,
            `median so far ${current === undefined ? 'n/a' : fmt(current)}`,
            unitWord,
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
  // Durations are skewed, some over orders of magnitude (lead times from minutes to weeks): the
  // modified z is taken on log(x + c), c a tenth of the baseline median (zero queue times are fine),
  // where a spread measured on the bulk of the values also describes the tail.
  const c = summary.median > 0 ? summary.median / 10 : 1
  const logSummary = robust(base.map((v) => Math.log(v + c)))
  const z = robustZ(Math.log(x + c), logSummary)
  const rel = relChange(x, summary.median)
  const shifted = z * worseSign(indicator) > o.threshold && rel >= o.tolerance
  const diff = x - summary.median
  const change = diff === 0 ? 'equal to' : `${pct(rel)} ${direction(indicator, diff)}`
  const events = (n: number) => plural(n, unitWord)
  const method =
    `method: modified z ${zText(z)}${shifted ? ' >' : ', limit'} ${formatNumber(o.threshold)}, robust standard ` +
    `deviations (from the MAD, on a log scale) between the recent median and the baseline's`
  const level: HealthCheck = {
    name: 'baseline',
    state: shifted ? 'degraded' : 'healthy',
    reason:
      `median ${indicator.name} over ${recentLabel} is ${fmt(x)} (${events(recent.length)}), ${change} its usual ` +
      `${fmt(summary.median)} (the median of ${baseLabel}, ${events(base.length)}); ${method}`,
    numbers: {
      current: x,
      baselineMedian: summary.median,
      mad: summary.mad,
      z: finite(z),
      relativeChange: finite(rel),
      threshold: o.threshold,
    },
  }
  const checks = [
    level,
    ...durationDrift(indicator, baseEvents, recentEvents, summary.median, o, fmt, recentLabel, unitWord),
  ]
  return { checks, current: x, baseline: summary.median, windows, samples }
}

/** Fewest baseline events a rare duration is judged on: with 2, one spread estimate has 1 degree of freedom. */
const smallSampleMin = 3
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
function smallSampleCheck(
  indicator: DurationIndicator,
  baseEvents: readonly { at: number; value: number }[],
  recentEvents: readonly { at: number; value: number }[],
  o: ResolvedJudgeOptions,
  fmt: (v: number) => string,
  l: { recentLabel: string; baseLabel: string; unitWord: string },
): HealthCheck {
  const base = baseEvents.map((x) => x.value)
  const recent = recentEvents.map((x) => x.value)
  const baseMedian = quantile(base, 0.5)
  const c = baseMedian > 0 ? baseMedian / 10 : 1
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

/**
 * The drift checks of a duration (EWMA for a sustained shift, CUSUM for a
 * gradual drift), robust to one extreme run: values are clipped at ±4 robust
 * deviations on a log scale, and a drift that disappears when the single
 * worst recent event is left out is an outlier finding, not a shift.
 */
function durationDrift(
  indicator: DurationIndicator,
  baseEvents: readonly { at: number; value: number }[],
  recentEvents: readonly { at: number; value: number }[],
  baseMedian: number,
  o: ResolvedJudgeOptions,
  fmt: (v: number) => string,
  recentLabel: string,
  unitWord: string,
): HealthCheck[] {
  const base = baseEvents.map((x) => x.value)
  if (base.length < minDriftBaseline) {
    const why =
      `drift not checked: ${plural(base.length, `baseline ${unitWord}`)}, ${minDriftBaseline} needed to estimate ` +
      `the spread a drift is measured in`
    return [{ name: 'drift', state: 'healthy', reason: why, numbers: { baselineSamples: base.length } }]
  }
  const drift = (recent: readonly { at: number; value: number }[]) =>
    durationDriftOn(indicator, base, recent, baseMedian, o, fmt, recentLabel, unitWord)
  const all = drift(recentEvents)
  // One extreme event (beyond the 4 robust deviations the charts clip at, on the log scale) is an
  // outlier finding; a drift that rests on it alone is not a shift. A drift resting on ordinary
  // events is a drift, however few there are; two or more extreme events are a run of evidence.
  const sign = worseSign(indicator)
  const c = baseMedian > 0 ? baseMedian / 10 : 1
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
      `has shifted, so it is one extreme ${unitWord}, not a sustained shift (a shift needs more than one)`,
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
  recentLabel: string,
  unitWord: string,
): HealthCheck {
  const recent = recentEvents.map((x) => x.value)
  // Durations are skewed: the EWMA runs on log(x + c), c a tenth of the baseline median (so zero
  // queue times are fine), clipped to ±4 robust deviations so one hung run cannot pass for a drift.
  const c = baseMedian > 0 ? baseMedian / 10 : 1
  const toLog = (v: number) => Math.log(v + c)
  const fromLog = (v: number) => Math.exp(v) - c
  const logBase = base.map(toLog)
  const logSummary = robust(logBase)
  const lo = logSummary.scale > 0 ? logSummary.median - 4 * logSummary.scale : Number.NEGATIVE_INFINITY
  const hi = logSummary.scale > 0 ? logSummary.median + 4 * logSummary.scale : Number.POSITIVE_INFINITY
  const baseW = winsorize(logBase, lo, hi)
  const since = recentEvents.length ? recentEvents[0].at : undefined
  const shift = driftCheck(
    indicator,
    winsorize(recent.map(toLog), lo, hi),
    undefined,
    mean(baseW),
    stddev(baseW) || logSummary.scale,
    o,
    fmt,
    indicator.name,
    unitWord,
    fromLog,
    since,
  )
  // A drift spread over the whole history raises the baseline with it, so the chart above
  // (recent against the whole baseline) misses it: a CUSUM measures every run since the
  // oldest third of the baseline against that third, on the same log scale.
  const anchorN = anchorSize(base.length, Math.max(o.minBaseline, minDriftBaseline))
  const logAnchor = base.slice(0, anchorN).map(toLog)
  const anchorSummary = robust(logAnchor)
  const alo = anchorSummary.scale > 0 ? anchorSummary.median - 4 * anchorSummary.scale : Number.NEGATIVE_INFINITY
  const ahi = anchorSummary.scale > 0 ? anchorSummary.median + 4 * anchorSummary.scale : Number.POSITIVE_INFINITY
  const anchorW = winsorize(logAnchor, alo, ahi)
  const trend = trendCheck(indicator, {
    values: winsorize([...base.slice(anchorN), ...recent].map(toLog), alo, ahi),
    mu0: mean(anchorW),
    sigma: stddev(anchorW) || anchorSummary.scale,
    anchorCount: anchorN,
    anchorCenter: quantile(base.slice(0, anchorN), 0.5),
    recentCenter: quantile(recent, 0.5),
    statistic: 'median',
    unit: unitWord,
    o,
    fmt,
    recentLabel,
  })
  return mergeDrift(shift, trend)
}

function formatP(p: number): string {
  if (p >= 0.01) return String(Number(p.toFixed(2)))
  return p < 1e-6 ? '< 0.000001' : String(Number(p.toPrecision(2)))
}

function finite(v: number): number {
  return Number.isFinite(v) ? v : v > 0 ? Number.MAX_VALUE : -Number.MAX_VALUE
}

function driftCheck(
  indicator: IndicatorDefinition,
  values: readonly number[],
  weights: readonly number[] | undefined,
  mu0: number,
  sigma: number,
  o: ResolvedJudgeOptions,
  fmt: (v: number) => string,
  what: string,
  unit: string,
  back: (v: number) => number = (v) => v,
  since?: number,
): HealthCheck {
  const r = ewma(values, mu0, sigma, o.ewmaLambda, weights)
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
function anchorSize(n: number, min: number): number {
  return Math.min(n, Math.max(min, Math.ceil(n / 3)))
}

interface TrendInput {
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
function trendCheck(indicator: IndicatorDefinition, t: TrendInput): HealthCheck {
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
function mergeDrift(shift: HealthCheck, trend: HealthCheck): HealthCheck {
  const fired = [shift, trend].filter((c) => c.state === 'degraded')
  return {
    name: 'drift',
    state: fired.length ? 'degraded' : 'healthy',
    reason: (fired.length ? fired : [shift, trend]).map((c) => c.reason).join('; '),
    numbers: { ...shift.numbers, ...trend.numbers },
  }
}

function judgeRate(
  indicator: RateIndicator,
  history: readonly Observation[],
  o: ResolvedJudgeOptions,
  now: number,
): KindResult {
  // A sparse rate (a release a week, a failure a quarter) widens its windows to hold its trials.
  // Its baseline reaches back for 30 trials: against 10 trials with one bad, even 3 bad of 3 could be chance.
  const w = sparseWindows(
    expandTrials(history),
    now,
    { ...o, minBaseline: Math.max(o.minBaseline, minDriftBaseline) },
    weekPart(indicator, now),
  )
  const { recentFrom, baselineFrom } = w
  const keep = weekPart(indicator, now)(recentFrom)
  const base = history.filter((x) => x.at >= baselineFrom && x.at < recentFrom && keep(x.at))
  const recent = history.filter((x) => x.at >= recentFrom)
  const b = tally(base)
  const r = tally(recent)
  const windows = { baselineFrom, recentFrom, to: now }
  const samples = { baseline: b.trials, recent: r.trials }
  const { recentLabel, baseLabel } = windowLabels(indicator, now, w, o)
  const fmt = (v: number) => formatPercent(v)
  const current = r.trials > 0 ? r.hits / r.trials : undefined
  if (b.trials < o.minBaseline || r.trials < o.minRecent) {
    const why =
      b.trials < o.minBaseline
        ? tooLittle('for a baseline', b.trials, o.minBaseline, baseLabel, 'trial')
        : tooLittle(
            `in ${recentLabel}`,
            r.trials,
            o.minRecent,
            `rate so far ${current === undefined ? 'n/a' : fmt(current)}`,
            'trial',
          )
    return {
      checks: [unknownCheck('baseline', why, { baselineSamples: b.trials, recentSamples: r.trials })],
      current,
      windows,
      samples,
    }
  }
  const p0 = b.hits / b.trials
  const p1 = current as number
  // Rates are binomial, and bad outcomes are often rare (a flaky run, a failed deployment): the
  // chance of at least the recent number of bad outcomes when the bad fraction is only known from
  // the baseline, as Beta(bad + ½, good + ½) (Jeffreys' prior): a beta-binomial tail. A short
  // baseline is not read as certainty, and a perfect one still allows an occasional bad outcome.
  const badOf = (t: { hits: number; trials: number }) => (indicator.better === 'higher' ? t.trials - t.hits : t.hits)
  const pValue = betaBinomialUpperTail(badOf(r), r.trials, badOf(b) + 0.5, b.trials - badOf(b) + 0.5)
  const pLimit = normalUpperTail(o.threshold)
  const diff = p1 - p0
  const worse = diff * worseSign(indicator) > 0
  const shifted = worse && pValue < pLimit && Math.abs(diff) >= o.tolerance
  const count = (t: { hits: number; trials: number }) => `${formatNumber(t.hits)} of ${formatNumber(t.trials)}`
  const badWord = indicator.better === 'higher' ? 'failures' : 'events'
  const events = formatNumber(badOf(b) + badOf(r))
  const restsOn = `it rests on ${events} ${badWord} in ${formatNumber(b.trials + r.trials)} trials`
  const method =
    `method: beta-binomial p ${formatP(pValue)}${shifted ? ' <' : ', limit'} ${formatP(pLimit)}, the chance of ` +
    `this many ${badWord} at the baseline's rate (prior Beta(½, ½))`
  const level: HealthCheck = {
    name: 'baseline',
    state: shifted ? 'degraded' : 'healthy',
    reason:
      `${indicator.name} over ${recentLabel} is ${fmt(p1)} (${count(r)}), ` +
      `${diff === 0 ? 'equal to' : direction(indicator, diff)} its usual ${fmt(p0)} (${count(b)} over ` +
      `${baseLabel}); ${restsOn}; ${method}`,
    numbers: { current: p1, baseline: p0, pValue, pLimit, recentTrials: r.trials, baselineTrials: b.trials },
  }
  return { checks: [level], current: p1, baseline: p0, windows, samples }
}

/** Hits and trials of rate observations (a weighted observation counts its weight). */
function tally(list: readonly Observation[]): { hits: number; trials: number } {
  let hits = 0
  let trials = 0
  for (const x of list) {
    const w = x.weight ?? 1
    hits += x.value * w
    trials += w
  }
  return { hits, trials }
}

/** One instant per trial (a weighted observation repeats its time), for widening windows by trials. */
function expandTrials(history: readonly Observation[]): number[] {
  const out: number[] = []
  for (const x of history)
    for (let k = 0; k < Math.min(1_000, Math.max(1, Math.round(x.weight ?? 1))); k++) out.push(x.at)
  return out
}

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

/**
 * A pause: how long since the last event, against the indicator's own rate
 * over the last `maxBaseline`. A sparse count (a release a week) cannot show
 * a stall in a 3-day window; the gap can. Degraded when a gap this long has a
 * chance below the threshold's tail at that rate (Poisson: e^(−rate·gap))
 * and is longer than any pause in that history (a yearly holiday is its own
 * precedent). With a weekly rhythm in business time, weekends do not count.
 */
function pauseCheck(
  indicator: CountIndicator,
  history: readonly Observation[],
  o: ResolvedJudgeOptions,
  now: number,
): HealthCheck {
  const from = now - o.maxBaselineMs
  const events = history.filter((x) => x.at > from && x.at <= now && x.value > 0).map((x) => x.at)
  const business = indicator.rhythm === 'weekly' && weeklyRhythmMethod() === 'business-time'
  const span = (a: number, b: number) => (business ? businessMs(a, b) : b - a)
  if (events.length < o.minBaseline) {
    return {
      name: 'pause',
      state: 'healthy',
      reason:
        `pause not checked: ${plural(events.length, 'event')} in the last ${formatWindow(o.maxBaselineMs)}, ` +
        `${o.minBaseline} needed`,
      numbers: { events: events.length },
    }
  }
  const last = events[events.length - 1]
  const gap = span(last, now)
  let longest = 0
  for (let i = 1; i < events.length; i++) longest = Math.max(longest, span(events[i - 1], events[i]))
  const rate = (events.length - 1) / Math.max(1, span(events[0], last))
  const p = Math.exp(-rate * gap)
  const pLimit = normalUpperTail(o.threshold)
  const paused = p < pLimit && gap > longest
  const time = business ? ' of weekday time' : ''
  const usual =
    `one every ${formatDurationMs(1 / rate)}${time} over the last ${formatWindow(o.maxBaselineMs)}, the longest ` +
    `pause ${formatDurationMs(longest)}`
  const method =
    `method: Poisson chance of a gap this long at that rate, p ${formatP(p)}${paused ? ' <' : ', limit'} ` +
    `${formatP(pLimit)}`
  return {
    name: 'pause',
    state: paused ? 'degraded' : 'healthy',
    reason: paused
      ? `no ${indicator.unit} since ${sinceText(last)}: ${formatDurationMs(gap)}${time}, longer than ever in that ` +
        `history (usually ${usual}); a stall; ${method}`
      : `last ${indicator.unit} ${formatDurationMs(gap)}${time} ago (usually ${usual}; ${method})`,
    numbers: { gapMs: gap, longestGapMs: longest, ratePerMs: rate, pValue: p, pLimit },
  }
}

function countPeriodMs(indicator: CountIndicator): number {
  return parseDurationMs(indicator.per ?? '1d', `${indicator.name}.per`)
}

function judgeCount(
  indicator: CountIndicator,
  history: readonly Observation[],
  o: ResolvedJudgeOptions,
  now: number,
  since: number,
): KindResult {
  const per = countPeriodMs(indicator)
  const binKeeps = countRhythm(indicator, now, per, Math.max(1, Math.round(o.recentMs / per)))
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
  const windows = { baselineFrom, recentFrom, to: now }
  const samples = { baseline: base.length, recent: recent.length }
  const period = formatWindow(per)
  const recentLabel = `the last ${formatWindow(recentBins * per)}`
  const baseLabel = `the ${formatWindow(baselineBins * per)} before ${recentLabel}${binKeeps.note}`
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
  const summary = robust(base)
  const lambda0 = mean(base)
  // Counts are Poisson-like: the noise per period is at least √mean, or the robust spread when larger.
  const sigma = Math.max(summary.scale, Math.sqrt(lambda0), 1e-9)
  const x = current as number
  const z = (x - lambda0) / (sigma / Math.sqrt(recent.length))
  const rel = relChange(x, lambda0)
  const worse = z * worseSign(indicator)
  const shifted = worse > o.threshold && rel >= o.tolerance
  const diff = x - lambda0
  const total = recent.reduce((a, v) => a + v, 0)
  const level: HealthCheck = {
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
  const shift = driftCheck(indicator, recent, undefined, lambda0, sigma, o, fmt, indicator.name, `${period} period`)
  const anchorN = anchorSize(base.length, o.minBaseline)
  const anchor = base.slice(0, anchorN)
  const anchorMean = mean(anchor)
  const trend = trendCheck(indicator, {
    values: [...base.slice(anchorN), ...recent],
    mu0: anchorMean,
    sigma: Math.max(robust(anchor).scale, Math.sqrt(anchorMean), 1e-9),
    anchorCount: anchorN,
    anchorCenter: anchorMean,
    recentCenter: x,
    statistic: 'mean',
    unit: `${period} period`,
    o,
    fmt,
    recentLabel,
  })
  const checks = [level, mergeDrift(shift, trend)]
  if (indicator.better === 'higher') checks.push(pauseCheck(indicator, history, o, now))
  return { checks, current: x, baseline: lambda0, windows, samples }
}

function judgeObjective(
  indicator: IndicatorDefinition,
  history: readonly Observation[],
  o: ResolvedJudgeOptions,
  now: number,
): HealthCheck {
  const objective = indicator.objective!
  if (isSlo(objective)) return judgeSlo(indicator, objective, history, o, now)
  const t = objective as ThresholdObjective
  const fmt = (v: number) => formatValue(indicator, v)
  const max = t.max === undefined ? undefined : objectiveValue(indicator, t.max, 'objective.max')
  const min = t.min === undefined ? undefined : objectiveValue(indicator, t.min, 'objective.min')
  const bound = [max !== undefined ? `at most ${fmt(max)}` : '', min !== undefined ? `at least ${fmt(min)}` : '']
    .filter(Boolean)
    .join(' and ')
  let value: number
  let label: string
  let have: number
  let unit: string
  if (indicator.kind === 'count') {
    const per = countPeriodMs(indicator)
    const bins = Math.max(1, Math.round(o.recentMs / per))
    const from = now - bins * per
    const total = history.filter((x) => x.at > from).reduce((a, x) => a + x.value, 0)
    value = total / bins
    have = bins
    unit = 'period'
    label = `${indicator.name} over the last ${formatWindow(bins * per)}`
  } else {
    const recent = history.filter((x) => x.at >= now - o.recentMs)
    unit = indicator.kind === 'rate' ? 'trial' : 'observation'
    if (indicator.kind === 'rate') {
      let hits = 0
      let trials = 0
      for (const x of recent) {
        hits += x.value * (x.weight ?? 1)
        trials += x.weight ?? 1
      }
      have = trials
      value = trials ? hits / trials : Number.NaN
      label = `${indicator.name} over the last ${formatWindow(o.recentMs)}`
    } else {
      const stat = t.stat ?? 'p50'
      const values = recent.map((x) => x.value)
      have = values.length
      value = stat === 'mean' ? mean(values) : quantile(values, Number(stat.slice(1)) / 100)
      label = `${stat} ${indicator.name} over the last ${formatWindow(o.recentMs)}`
    }
    if (have < o.minRecent) {
      return unknownCheck(
        'objective',
        `objective ${bound}: ` +
          `${tooLittle(`in the last ${formatWindow(o.recentMs)}`, have, o.minRecent, 'too few to compare', unit)}`,
        { recentSamples: have },
      )
    }
  }
  const over = max !== undefined && value > max
  const under = min !== undefined && value < min
  const missed = over || under
  return {
    name: 'objective',
    state: missed ? 'degraded' : 'healthy',
    reason: missed
      ? `${label} is ${fmt(value)}, ${over ? 'above' : 'below'} its objective of ${bound}`
      : `${label} is ${fmt(value)}, meeting its objective of ${bound}`,
    numbers: { value, ...(max !== undefined ? { max } : {}), ...(min !== undefined ? { min } : {}) },
  }
}

function judgeSlo(
  indicator: IndicatorDefinition,
  slo: SloObjective,
  history: readonly Observation[],
  o: ResolvedJudgeOptions,
  now: number,
): HealthCheck {
  const threshold =
    slo.threshold === undefined ? undefined : objectiveValue(indicator, slo.threshold, 'objective.threshold')
  const goodOf = (x: Observation): { good: number; total: number } => {
    const w = x.weight ?? 1
    if (indicator.kind === 'duration') {
      const ok = indicator.better === 'lower' ? x.value <= (threshold as number) : x.value >= (threshold as number)
      return { good: ok ? 1 : 0, total: 1 }
    }
    return { good: (indicator.better === 'higher' ? x.value : 1 - x.value) * w, total: w }
  }
  const over = (from: number) => {
    let good = 0
    let total = 0
    for (const x of history) {
      if (x.at < from) continue
      const g = goodOf(x)
      good += g.good
      total += g.total
    }
    const errorRate = total ? (total - good) / total : Number.NaN
    // The burn the sample supports: the Wilson lower bound of its error rate (one-sided 95 %),
    // so 1 failure in 19 runs (5.3 %, a point burn of 1.05× at 95 %) is not read as a spent budget.
    const sure = total ? wilsonLower(total - good, total, sloConfidenceZ) / (1 - slo.slo) : Number.NaN
    return { good, total, errorRate, burn: errorRate / (1 - slo.slo), sure }
  }
  const sloWindowMs = parseDurationMs(slo.window ?? defaultSloWindow, 'objective.window')
  const maxBurn = slo.maxBurnRate ?? 1
  const long = over(now - o.recentMs)
  const short = over(now - o.recentMs / 12)
  const period = over(now - sloWindowMs)
  const goodWord = indicator.kind === 'duration' ? `within ${formatValue(indicator, threshold as number)}` : 'good'
  const budget = formatPercent(1 - slo.slo)
  const numbers: Record<string, number> = {
    slo: slo.slo,
    burnRate: finite(long.burn),
    shortBurnRate: finite(short.burn),
    periodBurnRate: finite(period.burn),
    maxBurnRate: maxBurn,
    burnRateLowerBound: finite(long.sure),
  }
  const burnFew = 'too few to measure a burn rate'
  if (long.total < o.minRecent) {
    return unknownCheck(
      'slo',
      `SLO ${formatPercent(slo.slo)}: ` +
        `${tooLittle(`in the last ${formatWindow(o.recentMs)}`, long.total, o.minRecent, burnFew, 'event')}`,
      numbers,
    )
  }
  // The short window only tells that a burn has stopped; its few events are read as they are.
  const shortConfirms = short.total < o.minRecent || short.burn > maxBurn
  const burning = long.sure > maxBurn && shortConfirms
  const periodMissed = period.total >= o.minBaseline && period.sure > 1
  const head =
    `${formatPercent(long.good / long.total)} ${goodWord} over the last ${formatWindow(o.recentMs)} ` +
    `(${formatNumber(long.good)} of ${formatNumber(long.total)}); the SLO of ${formatPercent(slo.slo)} leaves a ` +
    `${budget} error budget`
  const periodText =
    `over ${formatWindow(sloWindowMs)}: ${formatPercent(period.good / period.total)} ${goodWord}, ` +
    `${pct(period.burn)} of the budget spent`
  const shortText = `, ${formatNumber(short.burn)}× over the last ${formatWindow(o.recentMs / 12)}`
  let reason: string
  if (burning) {
    reason =
      `${indicator.name}: ${head}, burning at ${formatNumber(long.burn)}×, at least ${formatNumber(long.sure)}× ` +
      `with 95 % confidence (limit ` +
      `${formatNumber(maxBurn)}×${short.total >= o.minRecent ? shortText : ''}); ${periodText}`
  } else if (periodMissed) {
    reason =
      `${indicator.name}: SLO of ${formatPercent(slo.slo)} missed ${periodText}; recent burn ` +
      `${formatNumber(long.burn)}×`
  } else {
    const unsure =
      long.burn > maxBurn && long.sure <= maxBurn
        ? ` (${formatNumber(long.total - long.good)} bad of ${formatNumber(long.total)} is too few to tell from ` +
          `the budget: with 95 % confidence the burn is only known to be at least ${formatNumber(long.sure)}×; ` +
          `method: Wilson lower bound)`
        : ''
    const recovering = unsure
      ? unsure
      : long.burn > maxBurn
        ? ` (${formatNumber(long.burn)}× over ${formatWindow(o.recentMs)} but ${formatNumber(short.burn)}× over ` +
          `the last ${formatWindow(o.recentMs / 12)}: recovering)`
        : ''
    reason =
      `${indicator.name}: ${head}, burning at ${formatNumber(long.burn)}× (limit ` +
      `${formatNumber(maxBurn)}×)${recovering}; ${periodText}`
  }
  return { name: 'slo', state: burning || periodMissed ? 'degraded' : 'healthy', reason, numbers }
}

/** The state of many processes together: degraded beats unknown beats healthy. */
export function worstState(states: readonly HealthState[]): HealthState {
  if (states.includes('degraded')) return 'degraded'
  if (states.includes('unknown') || states.length === 0) return 'unknown'
  return 'healthy'
}

/** The exit code for a health state: 0 healthy, 1 degraded, 3 unknown. */
export function exitCodeFor(state: HealthState): 0 | 1 | 3 {
  return state === 'healthy' ? 0 : state === 'degraded' ? 1 : 3
}

/** Milliseconds of one unit of a duration indicator (re-exported for exporters). */
export function unitMs(indicator: DurationIndicator): number {
  return msPerUnit[indicator.unit]
}
