/**
 * Judging health: each indicator against its own history (a rolling
 * median/MAD baseline for the level, an EWMA chart for slow drifts) and its
 * objective (a threshold, or an SLO's burn rate); each process from its
 * indicators. Too little data is `unknown`, never a guess. Pure functions of
 * the observations and `now`, so tests are deterministic.
 */
import { isSlo, msPerUnit, objectiveValue } from './define.ts'
import { formatNumber, formatPercent, formatValue, formatWindow, plural } from './format.ts'
import { binomialUpperTail, cusum, ewma, mean, normalUpperTail, quantile, robust, robustZ, stddev, winsorize } from './stats.ts'
import { parseDurationMs } from './time.ts'
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
  /** `baseline` (recent level vs history), `drift` (EWMA), `objective` (threshold), `slo` (burn rate). */
  name: 'baseline' | 'drift' | 'objective' | 'slo'
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
  /** For `unknown`: never recorded in the window read (`no-data`), or recorded too little (`too-little-data`). */
  unknownCause?: 'no-data' | 'too-little-data'
  /** A sentence with the numbers saying why. */
  reason: string
  /** The recent statistic in the indicator's unit (median duration, rate, mean count per period), when there was data. */
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
  /** Degraded if any indicator is; unknown if any recorded indicator is (or none is recorded); else healthy. */
  state: HealthState
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
}

const kindDefaults: Record<IndicatorDefinition['kind'], Omit<ResolvedJudgeOptions, 'baselineMs' | 'recentMs'>> = {
  duration: { minBaseline: 10, minRecent: 3, threshold: 3.5, tolerance: 0.1, ewmaLambda: 0.2, ewmaLimit: 3, cusumSlack: 0.5, cusumLimit: 8 },
  rate: { minBaseline: 10, minRecent: 3, threshold: 3, tolerance: 0.02, ewmaLambda: 0.2, ewmaLimit: 3, cusumSlack: 0.5, cusumLimit: 8 },
  count: { minBaseline: 7, minRecent: 1, threshold: 3, tolerance: 0.1, ewmaLambda: 0.2, ewmaLimit: 3, cusumSlack: 0.5, cusumLimit: 8 },
}

/** Default baseline length. */
export const defaultBaseline = '28d'
/** Default recent window. */
export const defaultRecent = '3d'
/** Default SLO period. */
export const defaultSloWindow = '28d'
/** How far back DORA-style tiers look (FourKeys' three months). */
export const tierWindowMs = 91 * 86_400_000

/** Fills in an indicator's judge options: kind defaults < `defaults` < process < indicator. */
export function resolveJudgeOptions(process: ProcessDefinition, indicator: IndicatorDefinition, defaults: JudgeOptions = {}): ResolvedJudgeOptions {
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
  }
}

/** How far back a process's history must be read to judge it at `now` (epoch ms of the earliest observation needed). */
export function historyStart(process: ProcessDefinition, now: number, defaults: JudgeOptions = {}): number {
  let span = 0
  for (const indicator of process.indicators) {
    const o = resolveJudgeOptions(process, indicator, defaults)
    let need = o.recentMs + o.baselineMs
    if (indicator.kind === 'count') need += countPeriodMs(indicator) // whole periods
    if (indicator.objective && isSlo(indicator.objective)) need = Math.max(need, parseDurationMs(indicator.objective.window ?? defaultSloWindow, 'window'))
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
export function judgeProcess(process: ProcessDefinition, observations: readonly Observation[], context: JudgeContext): ProcessHealth {
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
  const degraded = indicators.filter((i) => i.state === 'degraded')
  const recorded = indicators.filter((i) => i.unknownCause !== 'no-data')
  const unknown = recorded.filter((i) => i.state === 'unknown')
  const notRecorded = indicators.filter((i) => i.unknownCause === 'no-data').map((i) => i.indicator)
  const notRecordedNote = notRecorded.length ? `; not recorded: ${notRecorded.join(', ')}` : ''
  let state: HealthState
  let reason: string
  if (degraded.length) {
    state = 'degraded'
    reason = `degraded on ${degraded.map((i) => i.indicator).join(', ')}: ${degraded.map((i) => i.reason).join('; ')}`
  } else if (recorded.length === 0) {
    state = 'unknown'
    reason = `no observations of any indicator (${indicators.map((i) => i.indicator).join(', ')}) in the window judged; record some with \`steady health record\``
  } else if (unknown.length) {
    state = 'unknown'
    reason = `too little data for ${unknown.map((i) => i.indicator).join(', ')}: ${unknown.map((i) => i.reason).join('; ')}${notRecordedNote}`
  } else {
    state = 'healthy'
    reason = `${recorded.length} of ${indicators.length} indicators healthy (${recorded.map((i) => i.indicator).join(', ')})${notRecordedNote}`
  }
  return { process: process.name, owner: process.owner, state, reason, indicators }
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
      ? judgeDuration(indicator, history, options, context.now)
      : indicator.kind === 'rate'
        ? judgeRate(indicator, history, options, context.now)
        : judgeCount(indicator, history, options, context.now, context.since ?? (history[0]?.at ?? context.now))
  const checks = [...result.checks]
  if (indicator.objective) checks.push(judgeObjective(indicator, history, options, context.now))
  const tier = indicator.tier?.(history, context.now)
  const anyData = history.some((o) => o.at >= result.windows.baselineFrom)
  const degraded = checks.filter((c) => c.state === 'degraded')
  const unknown = checks.filter((c) => c.state === 'unknown')
  let state: HealthState
  let reason: string
  let unknownCause: IndicatorHealth['unknownCause']
  if (!anyData && degraded.length === 0) {
    state = 'unknown'
    unknownCause = 'no-data'
    reason = `no observations of ${indicator.name} in the last ${formatWindow(result.windows.to - result.windows.baselineFrom)}`
  } else if (degraded.length) {
    state = 'degraded'
    reason = degraded.map((c) => c.reason).join('; ')
  } else if (unknown.length) {
    state = 'unknown'
    unknownCause = 'too-little-data'
    reason = [...unknown, ...checks.filter((c) => c.state === 'healthy' && c.name !== 'drift')].map((c) => c.reason).join('; ')
  } else {
    state = 'healthy'
    reason = checks
      .filter((c) => c.name !== 'drift')
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
  if (unknownCause) health.unknownCause = unknownCause
  if (result.current !== undefined) health.current = result.current
  if (result.baseline !== undefined) health.baseline = result.baseline
  if (tier) health.tier = tier
  return health
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
  return `${have === 0 ? `no ${unit}s` : `only ${plural(have, unit)}`} ${what} (${window}); need ${formatNumber(need)} to judge`
}

function judgeDuration(indicator: DurationIndicator, history: readonly Observation[], o: ResolvedJudgeOptions, now: number): KindResult {
  const recentFrom = now - o.recentMs
  const baselineFrom = recentFrom - o.baselineMs
  const base = history.filter((x) => x.at >= baselineFrom && x.at < recentFrom).map((x) => x.value)
  const recentObs = history.filter((x) => x.at >= recentFrom)
  const recent = recentObs.map((x) => x.value)
  const windows = { baselineFrom, recentFrom, to: now }
  const samples = { baseline: base.length, recent: recent.length }
  const recentLabel = `the last ${formatWindow(o.recentMs)}`
  const baseLabel = `the ${formatWindow(o.baselineMs)} before ${recentLabel}`
  const fmt = (v: number) => formatValue(indicator, v)
  const current = recent.length ? quantile(recent, 0.5) : undefined
  if (base.length < o.minBaseline || recent.length < o.minRecent) {
    const why =
      base.length < o.minBaseline
        ? tooLittle('for a baseline', base.length, o.minBaseline, baseLabel, 'observation')
        : tooLittle(`in ${recentLabel}`, recent.length, o.minRecent, `median so far ${current === undefined ? 'n/a' : fmt(current)}`, 'observation')
    return {
      checks: [unknownCheck('baseline', why, { baselineSamples: base.length, recentSamples: recent.length })],
      current,
      windows,
      samples,
    }
  }
  const summary = robust(base)
  const x = current as number
  const z = robustZ(x, summary)
  const rel = relChange(x, summary.median)
  const worse = z * worseSign(indicator)
  const shifted = worse > o.threshold && rel >= o.tolerance
  const diff = x - summary.median
  const level: HealthCheck = {
    name: 'baseline',
    state: shifted ? 'degraded' : 'healthy',
    reason: shifted
      ? `median ${indicator.name} over ${recentLabel} is ${fmt(x)} (${plural(recent.length, 'observation')}), ${pct(rel)} ${direction(indicator, diff)} its ${formatWindow(o.baselineMs)} baseline median ${fmt(summary.median)} (modified z ${zText(z)} > ${formatNumber(o.threshold)})`
      : `median ${indicator.name} over ${recentLabel} is ${fmt(x)} (${plural(recent.length, 'observation')}), ${diff === 0 ? 'equal to' : `${pct(rel)} ${direction(indicator, diff)}`} its ${formatWindow(o.baselineMs)} baseline median ${fmt(summary.median)} (modified z ${zText(z)}, limit ${formatNumber(o.threshold)})`,
    numbers: { current: x, baselineMedian: summary.median, mad: summary.mad, z: finite(z), relativeChange: finite(rel), threshold: o.threshold },
  }
  // Durations are skewed: the EWMA runs on log(x + c), c a tenth of the baseline median (so zero
  // queue times are fine), clipped to ±4 robust deviations so one hung run cannot pass for a drift.
  const c = summary.median > 0 ? summary.median / 10 : 1
  const toLog = (v: number) => Math.log(v + c)
  const fromLog = (v: number) => Math.exp(v) - c
  const logBase = base.map(toLog)
  const logSummary = robust(logBase)
  const lo = logSummary.scale > 0 ? logSummary.median - 4 * logSummary.scale : Number.NEGATIVE_INFINITY
  const hi = logSummary.scale > 0 ? logSummary.median + 4 * logSummary.scale : Number.POSITIVE_INFINITY
  const baseW = winsorize(logBase, lo, hi)
  const shift = driftCheck(indicator, winsorize(recent.map(toLog), lo, hi), undefined, mean(baseW), stddev(baseW) || logSummary.scale, o, fmt, indicator.name, 'observation', fromLog)
  // A drift spread over the whole history raises the baseline with it, so the chart above
  // (recent against the whole baseline) misses it: a CUSUM measures every run since the
  // oldest third of the baseline against that third, on the same log scale.
  const anchorN = anchorSize(base.length, o.minBaseline)
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
    recentCenter: x,
    statistic: 'median',
    unit: 'observation',
    o,
    fmt,
    recentLabel,
  })
  return { checks: [level, mergeDrift(shift, trend)], current: x, baseline: summary.median, windows, samples }
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
): HealthCheck {
  const r = ewma(values, mu0, sigma, o.ewmaLambda, weights)
  const sign = worseSign(indicator)
  const limit = mu0 + sign * o.ewmaLimit * r.sd
  const beyond = (r.value - limit) * sign > 0
  const [value, limitValue, center] = [back(r.value), back(limit), back(mu0)]
  const drifted = beyond && relChange(value, center) >= o.tolerance
  const side = sign > 0 ? 'above' : 'below'
  return {
    name: 'drift',
    state: drifted ? 'degraded' : 'healthy',
    reason: drifted
      ? `EWMA of ${what} over the last ${plural(values.length, unit)} is ${fmt(value)}, ${side} its control limit ${fmt(limitValue)} (baseline ${fmt(center)}, λ ${o.ewmaLambda}, ${o.ewmaLimit}σ): a sustained shift`
      : `EWMA of ${what} is ${fmt(value)}, within its control limit ${fmt(limitValue)}`,
    numbers: { ewma: value, limit: limitValue, center, lambda: o.ewmaLambda },
  }
}

/** The oldest third of a baseline (in observations or periods), at least `min` of them: the in-control anchor a drift is measured from. */
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
  return {
    name: 'drift',
    state: drifted ? 'degraded' : 'healthy',
    reason: drifted
      ? `CUSUM of ${indicator.name} against ${anchor} is ${formatNumber(r.value)}σ, above its limit ${formatNumber(o.cusumLimit)}σ (slack ${formatNumber(o.cusumSlack)}σ), accumulating over the last ${plural(rising, t.unit)}: a gradual drift; the ${t.statistic} over ${t.recentLabel} is ${fmt(t.recentCenter)}, ${pct(rel)} ${direction(indicator, diff)} the anchor's`
      : `CUSUM of ${indicator.name} against ${anchor} is ${formatNumber(r.value)}σ, ${r.value > o.cusumLimit ? `above its limit ${formatNumber(o.cusumLimit)}σ but the ${t.statistic} over ${t.recentLabel} (${fmt(t.recentCenter)}) is within ${pct(o.tolerance)} of the anchor's` : `within its limit ${formatNumber(o.cusumLimit)}σ`}`,
    numbers: { cusum: r.value, cusumLimit: o.cusumLimit, cusumSlack: o.cusumSlack, anchorCount: t.anchorCount, anchorCenter: t.anchorCenter, anchorRelativeChange: finite(rel) },
  }
}

/** One `drift` check from the EWMA (a sustained shift in the recent window) and the CUSUM (a gradual drift): degraded when either is. */
function mergeDrift(shift: HealthCheck, trend: HealthCheck): HealthCheck {
  const fired = [shift, trend].filter((c) => c.state === 'degraded')
  return {
    name: 'drift',
    state: fired.length ? 'degraded' : 'healthy',
    reason: (fired.length ? fired : [shift, trend]).map((c) => c.reason).join('; '),
    numbers: { ...shift.numbers, ...trend.numbers },
  }
}

function judgeRate(indicator: RateIndicator, history: readonly Observation[], o: ResolvedJudgeOptions, now: number): KindResult {
  const recentFrom = now - o.recentMs
  const baselineFrom = recentFrom - o.baselineMs
  const base = history.filter((x) => x.at >= baselineFrom && x.at < recentFrom)
  const recent = history.filter((x) => x.at >= recentFrom)
  const tally = (list: readonly Observation[]) => {
    let hits = 0
    let trials = 0
    for (const x of list) {
      const w = x.weight ?? 1
      hits += x.value * w
      trials += w
    }
    return { hits, trials }
  }
  const b = tally(base)
  const r = tally(recent)
  const windows = { baselineFrom, recentFrom, to: now }
  const samples = { baseline: b.trials, recent: r.trials }
  const recentLabel = `the last ${formatWindow(o.recentMs)}`
  const baseLabel = `the ${formatWindow(o.baselineMs)} before ${recentLabel}`
  const fmt = (v: number) => formatPercent(v)
  const current = r.trials > 0 ? r.hits / r.trials : undefined
  if (b.trials < o.minBaseline || r.trials < o.minRecent) {
    const why =
      b.trials < o.minBaseline
        ? tooLittle('for a baseline', b.trials, o.minBaseline, baseLabel, 'trial')
        : tooLittle(`in ${recentLabel}`, r.trials, o.minRecent, `rate so far ${current === undefined ? 'n/a' : fmt(current)}`, 'trial')
    return { checks: [unknownCheck('baseline', why, { baselineSamples: b.trials, recentSamples: r.trials })], current, windows, samples }
  }
  const p0 = b.hits / b.trials
  const p1 = current as number
  // Rates are binomial: the exact tail of the recent bad events under the baseline's bad fraction
  // (smoothed by half an event, so a perfect history is not certainty). A normal z-score or an
  // EWMA fails for rare events such as flaky runs, where one event is a big jump.
  const badOf = (t: { hits: number; trials: number }) => (indicator.better === 'higher' ? t.trials - t.hits : t.hits)
  const bad0 = (badOf(b) + 0.5) / (b.trials + 1)
  const pValue = binomialUpperTail(badOf(r), r.trials, bad0)
  const pLimit = normalUpperTail(o.threshold)
  const diff = p1 - p0
  const worse = diff * worseSign(indicator) > 0
  const shifted = worse && pValue < pLimit && Math.abs(diff) >= o.tolerance
  const count = (t: { hits: number; trials: number }) => `${formatNumber(t.hits)} of ${formatNumber(t.trials)}`
  const level: HealthCheck = {
    name: 'baseline',
    state: shifted ? 'degraded' : 'healthy',
    reason: `${indicator.name} over ${recentLabel} is ${fmt(p1)} (${count(r)}), ${diff === 0 ? 'equal to' : direction(indicator, diff)} its ${formatWindow(o.baselineMs)} baseline ${fmt(p0)} (${count(b)}; binomial p ${formatP(pValue)}${shifted ? ' <' : ', limit'} ${formatP(pLimit)})`,
    numbers: { current: p1, baseline: p0, pValue, pLimit, recentTrials: r.trials, baselineTrials: b.trials },
  }
  return { checks: [level], current: p1, baseline: p0, windows, samples }
}

function countPeriodMs(indicator: CountIndicator): number {
  return parseDurationMs(indicator.per ?? '1d', `${indicator.name}.per`)
}

function judgeCount(indicator: CountIndicator, history: readonly Observation[], o: ResolvedJudgeOptions, now: number, since: number): KindResult {
  const per = countPeriodMs(indicator)
  const recentBins = Math.max(1, Math.round(o.recentMs / per))
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
  for (let k = recentBins - 1; k >= 0; k--) if (covered(k)) recent.push(sums[k])
  for (let k = recentBins + baselineBins - 1; k >= recentBins; k--) if (covered(k)) base.push(sums[k])
  const windows = { baselineFrom, recentFrom, to: now }
  const samples = { baseline: base.length, recent: recent.length }
  const period = formatWindow(per)
  const recentLabel = `the last ${formatWindow(recentBins * per)}`
  const baseLabel = `the ${formatWindow(baselineBins * per)} before ${recentLabel}`
  const fmt = (v: number) => formatValue(indicator, v)
  const current = recent.length ? mean(recent) : undefined
  if (base.length < o.minBaseline || recent.length < o.minRecent) {
    const why =
      base.length < o.minBaseline
        ? tooLittle('for a baseline', base.length, o.minBaseline, `${baseLabel}, counted since recording began`, `${period} period`)
        : tooLittle(`in ${recentLabel}`, recent.length, o.minRecent, 'counted since recording began', `${period} period`)
    return { checks: [unknownCheck('baseline', why, { baselinePeriods: base.length, recentPeriods: recent.length })], current, windows, samples }
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
    reason: `${indicator.name} over ${recentLabel} averages ${fmt(x)} (${formatNumber(total)} in ${plural(recent.length, `${period} period`)}), ${diff === 0 ? 'equal to' : `${pct(rel)} ${direction(indicator, diff)}`} its ${formatWindow(baselineBins * per)} baseline ${fmt(lambda0)} (median ${formatNumber(summary.median)}; z ${zText(z)}${shifted ? ' >' : ', limit'} ${formatNumber(o.threshold)})`,
    numbers: { current: x, baselineMean: lambda0, baselineMedian: summary.median, mad: summary.mad, z, threshold: o.threshold },
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
  return { checks: [level, mergeDrift(shift, trend)], current: x, baseline: lambda0, windows, samples }
}

function judgeObjective(indicator: IndicatorDefinition, history: readonly Observation[], o: ResolvedJudgeOptions, now: number): HealthCheck {
  const objective = indicator.objective!
  if (isSlo(objective)) return judgeSlo(indicator, objective, history, o, now)
  const t = objective as ThresholdObjective
  const fmt = (v: number) => formatValue(indicator, v)
  const max = t.max === undefined ? undefined : objectiveValue(indicator, t.max, 'objective.max')
  const min = t.min === undefined ? undefined : objectiveValue(indicator, t.min, 'objective.min')
  const bound = [max !== undefined ? `at most ${fmt(max)}` : '', min !== undefined ? `at least ${fmt(min)}` : ''].filter(Boolean).join(' and ')
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
      return unknownCheck('objective', `objective ${bound}: ${tooLittle(`in the last ${formatWindow(o.recentMs)}`, have, o.minRecent, 'too few to compare', unit)}`, { recentSamples: have })
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

function judgeSlo(indicator: IndicatorDefinition, slo: SloObjective, history: readonly Observation[], o: ResolvedJudgeOptions, now: number): HealthCheck {
  const threshold = slo.threshold === undefined ? undefined : objectiveValue(indicator, slo.threshold, 'objective.threshold')
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
    return { good, total, errorRate, burn: errorRate / (1 - slo.slo) }
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
  }
  if (long.total < o.minRecent) {
    return unknownCheck(
      'slo',
      `SLO ${formatPercent(slo.slo)}: ${tooLittle(`in the last ${formatWindow(o.recentMs)}`, long.total, o.minRecent, 'too few to measure a burn rate', 'event')}`,
      numbers,
    )
  }
  const shortConfirms = short.total < o.minRecent || short.burn > maxBurn
  const burning = long.burn > maxBurn && shortConfirms
  const periodMissed = period.total >= o.minBaseline && period.burn > 1
  const head = `${formatPercent(long.good / long.total)} ${goodWord} over the last ${formatWindow(o.recentMs)} (${formatNumber(long.good)} of ${formatNumber(long.total)}); the SLO of ${formatPercent(slo.slo)} leaves a ${budget} error budget`
  const periodText = `over ${formatWindow(sloWindowMs)}: ${formatPercent(period.good / period.total)} ${goodWord}, ${pct(period.burn)} of the budget spent`
  let reason: string
  if (burning) {
    reason = `${indicator.name}: ${head}, burning at ${formatNumber(long.burn)}× (limit ${formatNumber(maxBurn)}×${short.total >= o.minRecent ? `, ${formatNumber(short.burn)}× over the last ${formatWindow(o.recentMs / 12)}` : ''}); ${periodText}`
  } else if (periodMissed) {
    reason = `${indicator.name}: SLO of ${formatPercent(slo.slo)} missed ${periodText}; recent burn ${formatNumber(long.burn)}×`
  } else {
    const recovering = long.burn > maxBurn ? ` (${formatNumber(long.burn)}× over ${formatWindow(o.recentMs)} but ${formatNumber(short.burn)}× over the last ${formatWindow(o.recentMs / 12)}: recovering)` : ''
    reason = `${indicator.name}: ${head}, burning at ${formatNumber(long.burn)}× (limit ${formatNumber(maxBurn)}×)${recovering}; ${periodText}`
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
