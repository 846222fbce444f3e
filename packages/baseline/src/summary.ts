/**
 * A run summary: what judging needs of one run, without the run record. The
 * judge reads the current run through it, and a baseline keeps one per run
 * (`baselines/<service>.json`), so a verdict never needs the baseline's
 * original records.
 *
 * Latency numbers are the whole-phase quantiles (from merged histograms,
 * precomputed by the recorder). The spread of the run's own windows gives its
 * standard error, and blocks of windows give the block bootstrap; histograms
 * are decoded only to keep a compact distribution in the baseline.
 */
import { roundSignificant as sig } from '@steady/kernel'
import {
  LatencyHistogram,
  type ComparabilityKey,
  type RunRecord,
  type SeriesRecord,
  type SeriesWindow,
} from '@steady/record'
import { autocorrelatedSe, mean } from './stats/robust.ts'
import {
  combinedDrift,
  combinedDriftSeasonal,
  driftPhases,
  gaugeTrend,
  isIndicatorSeries,
  isMemorySeries,
  latencyDrift,
  loadSlope,
  recoveryTime,
  saturatedWindows,
  trendPhases,
  type TrendPhase,
} from './trends.ts'

/** The quantiles the judge reads, in this order. */
const LEVEL_STATS = ['p50', 'p95', 'p99'] as const
export type LevelStat = (typeof LEVEL_STATS)[number]

/** Probabilities of the compact distribution kept in baselines (the last entry is the maximum). */
export const DIST_PROBABILITIES = [0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1] as const

interface PhaseSummary {
  name: string
  startMs: number
  endMs: number
  /** True when the phase applied load. */
  loaded: boolean
  /** Windows in which the load generator was saturated. */
  saturatedWindows?: number
  executor?: string
  targetRate?: number
  achievedRate?: number
  iterations?: number
  droppedIterations?: number
}

interface ScenarioPhaseCounts {
  /** Probe iterations started in the phase. */
  n: number
  failed: number
}

export interface ScenarioSummary {
  /** Probe iterations over the run. */
  n: number
  failed: number
  byPhase: Record<string, ScenarioPhaseCounts>
  /** Failure kinds over the run (`assertion`, `status_500`, `ECONNREFUSED`). */
  errors?: Record<string, number>
}

/** One series in one phase. */
export interface SeriesPhaseSummary {
  /** Values recorded: requests, iterations or samples. */
  n: number
  /** Failed values, and by kind. */
  failed?: number
  errors?: Record<string, number>
  /** Histogram series: whole-phase quantiles in ms. */
  p50?: number
  p95?: number
  p99?: number
  /** Standard error of ln(p50), ln(p95), ln(p99) from the phase's windows (AR(1)-corrected). */
  se?: [number, number, number]
  /** Windows with latency data in the phase. */
  windows?: number
  /** Block means of ln(window p50/p95/p99), for the block bootstrap (non-overlapping blocks of windows). */
  blocks?: [number[], number[], number[]]
  /** Compact distribution: values at {@link DIST_PROBABILITIES}, in ms. */
  dist?: number[]
  /** Counter series: the increase over the phase. */
  delta?: number
  /** Gauge series: first and last sample, lowest and highest window value. */
  first?: number
  last?: number
  min?: number
  max?: number
  /** Step latency: the Theil–Sen change of ln(window p95) over the phase after its warm-up (0.1 ≈ +10%). */
  drift?: number
}

interface SeriesSummary {
  kind: SeriesRecord['kind']
  unit: string
  phases: Record<string, PhaseSummaryBySeries>
  /** Gauges (heap, memory, fds, handles, lag): Theil–Sen slope per hour within phases, and the typical level. */
  trend?: { perHour: number; level: number }
  /** Load steps: Theil–Sen slope of ln(window p95) per iteration/s achieved, across the loaded phases' windows. */
  loadSlope?: number
}
type PhaseSummaryBySeries = SeriesPhaseSummary

export interface RunSummary {
  id: string
  startedAt: string
  subject: { service?: string; version?: string; commit?: string; branch?: string; environment?: string }
  comparability: ComparabilityKey
  complete: boolean
  durationMs: number
  windowMs: number
  phases: PhaseSummary[]
  scenarios: Record<string, ScenarioSummary>
  series: Record<string, SeriesSummary>
  /** Service restarts and crashes recorded during the run. */
  restarts?: number
  crashes?: number
  /**
   * All steps of a source at once: the change of their common ln p50 over each
   * phase (after warm-up), and under `*` over the phases the source's drift
   * is judged on (within each, never across).
   */
  drift?: Record<string, Record<string, number>>
  /** Recovery phases: ms until the probes passed again. */
  recovery?: Record<string, number>
  /** A paired run's control: its version and commit, as far as the record names them. */
  control?: { version?: string; commit?: string }
}

/**
 * Whether a summary is of an A/A paired run: paired, and the same version on
 * both sides. Versions decide when both sides name one (a commit then differs
 * only when both name one); a version on one side only differs; with no
 * version on either side the commits decide, and a commit on one side only
 * differs (a control started from the candidate's own environment is recorded
 * with the candidate's commit). A paired summary from before the control was
 * kept counts as A/A, as it did then.
 */
export function isAAPair(s: Pick<RunSummary, 'comparability' | 'subject' | 'control'>): boolean {
  if (s.comparability.paired !== true) return false
  if (!s.control) return true
  const [a, b] = [s.subject, s.control]
  if (a.version === undefined && b.version === undefined) return a.commit === b.commit
  const commits = a.commit !== undefined && b.commit !== undefined && a.commit !== b.commit
  return a.version === b.version && !commits
}

/** Windows of a series that fall in a phase (by the window's midpoint). */
export function windowsIn(
  series: SeriesRecord,
  phase: { startMs: number; endMs: number },
  windowMs: number,
): SeriesWindow[] {
  return series.windows.filter((w) => {
    const mid = (w.i + 0.5) * windowMs
    return mid >= phase.startMs && mid < phase.endMs
  })
}

/** ln of window quantiles, one array per stat, skipping windows without latency data. */
export function windowLogs(windows: readonly SeriesWindow[]): [number[], number[], number[]] {
  const out: [number[], number[], number[]] = [[], [], []]
  for (const w of windows) {
    if (w.p50 === undefined || w.p95 === undefined || w.p99 === undefined) continue
    out[0].push(Math.log(Math.max(w.p50, 1e-3)))
    out[1].push(Math.log(Math.max(w.p95, 1e-3)))
    out[2].push(Math.log(Math.max(w.p99, 1e-3)))
  }
  return out
}

/** Block length for a block bootstrap over n windows: about n^(1/3), at least 1. */
export function blockLength(n: number): number {
  return Math.max(1, Math.round(Math.cbrt(n)))
}

/** Means of consecutive non-overlapping blocks (a short last block is merged into the one before). */
export function blockMeans(xs: readonly number[], length: number): number[] {
  const out: number[] = []
  for (let i = 0; i + length <= xs.length; i += length) {
    const end = xs.length - (i + length) < length ? xs.length : i + length
    out.push(mean(xs.slice(i, end)))
    if (end === xs.length) break
  }
  return out
}

function addCounts(into: Record<string, number>, add: Record<string, number> | undefined): void {
  if (!add) return
  for (const [k, v] of Object.entries(add)) into[k] = (into[k] ?? 0) + v
}

function phaseSummaries(record: RunRecord): PhaseSummary[] {
  return record.phases.map((p) => {
    const out: PhaseSummary = { name: p.name, startMs: p.startMs, endMs: p.endMs, loaded: Boolean(p.load) }
    if (p.load) {
      out.executor = p.load.executor
      if (p.load.targetRate !== undefined) out.targetRate = sig(p.load.targetRate)
      if (p.load.achievedRate !== undefined) out.achievedRate = sig(p.load.achievedRate)
      out.iterations = p.load.iterations
      out.droppedIterations = p.load.droppedIterations
    }
    return out
  })
}

/** One series: each phase's numbers, and its slope against the load or its trend. */
function seriesSummary(scope: SummaryScope, s: SeriesRecord): SeriesSummary {
  const { record, windowMs, tphases, saturated } = scope
  const out: SeriesSummary = { kind: s.kind, unit: s.unit, phases: {} }
  for (const phase of scope.phases) {
    const agg = s.phases[phase.name]
    if (!agg) continue
    const ps: SeriesPhaseSummary = { n: agg.count }
    const failed = agg.errors ? Object.values(agg.errors).reduce((a, b) => a + b, 0) : 0
    if (s.kind === 'histogram') {
      if (agg.errors) ps.errors = { ...agg.errors }
      if (failed) ps.failed = failed
      if (agg.p50 !== undefined && agg.p95 !== undefined && agg.p99 !== undefined) addLatency(scope, s, phase, agg, ps)
    } else if (s.kind === 'counter') {
      if (agg.passed !== undefined || agg.failed !== undefined) ps.failed = agg.failed ?? 0
      if (agg.errors) ps.errors = { ...agg.errors }
      if (agg.delta !== undefined) ps.delta = sig(agg.delta, 6)
    } else {
      const ws = windowsIn(s, phase, windowMs)
      if (agg.first !== undefined) ps.first = sig(agg.first, 6)
      if (agg.last !== undefined) ps.last = sig(agg.last, 6)
      if (agg.min !== undefined) ps.min = sig(agg.min, 6)
      const values = ws.map((w) => w.value).filter((v): v is number => v !== undefined)
      if (values.length) ps.max = sig(Math.max(...values), 6)
    }
    out.phases[phase.name] = ps
  }
  if (isStep(s) && s.source === 'load') {
    const ls = loadSlope(record, s, saturated)
    if (ls && Number.isFinite(ls.slope)) out.loadSlope = sig(ls.slope, 3)
  }
  if (isMemorySeries(s) || isIndicatorSeries(s)) {
    const t = gaugeTrend(s, tphases, windowMs)
    if (t) out.trend = { perHour: sig(t.perHour, 4), level: sig(t.level, 4) }
  }
  return out
}

/**
 * The standard error of ln(p50), ln(p95), ln(p99) from the order statistics alone: the quantile's 95%
 * distribution-free interval runs between the values at ranks nq ± 1.96·√(nq(1 − q)), and a quarter of its
 * log width is one standard error. It needs no model of the latency's shape, so it is wide exactly where
 * the values are sparse around the quantile (two modes, a small sample).
 */
export function rankSes(h: LatencyHistogram): [number, number, number] {
  const n = h.count
  const se = (q: number) => {
    if (n < 2) return 0
    const half = 1.96 * Math.sqrt(n * q * (1 - q))
    const lo = Math.max(1, Math.floor(n * q - half))
    const hi = Math.min(n, Math.ceil(n * q + half))
    const a = h.quantile(lo / n)
    const b = h.quantile(hi / n)
    return a > 0 && b > 0 ? Math.log(b / a) / (2 * 1.96) : 0
  }
  return [se(0.5), se(0.95), se(0.99)]
}

/** A latency series in one phase: its quantiles, their standard errors and block means, drift, distribution. */
function addLatency(
  scope: SummaryScope,
  s: SeriesRecord,
  phase: PhaseSummary,
  agg: SeriesRecord['phases'][string],
  ps: SeriesPhaseSummary,
): void {
  const { windowMs, tphases, saturated } = scope
  ps.p50 = agg.p50
  ps.p95 = agg.p95
  ps.p99 = agg.p99
  const logs = windowLogs(windowsIn(s, phase, windowMs))
  ps.windows = logs[0].length
  // The phase's histogram, decoded once (when needed) for the rank errors and the compact distribution.
  let decoded: LatencyHistogram | undefined
  const hist = () => (decoded ??= agg.hist ? LatencyHistogram.decode(agg.hist) : undefined)
  if (logs[0].length >= 2) {
    // The larger of the windows' spread and the quantile's own sampling error from its ranks: a step of a
    // few dozen requests whose latency has two modes can move its median from one to the other with no
    // change at all, which its windows (a value or two each) do not show.
    const h = hist()
    const ranks = h ? rankSes(h) : [0, 0, 0]
    const se = (i: number) => {
      const w = autocorrelatedSe(logs[i])
      return sig(Number.isFinite(w) ? Math.max(w, ranks[i]) : w, 3)
    }
    ps.se = [se(0), se(1), se(2)]
  }
  if (logs[0].length >= 4) {
    const L = blockLength(logs[0].length)
    ps.blocks = [
      blockMeans(logs[0], L).map((v) => sig(v, 5)),
      blockMeans(logs[1], L).map((v) => sig(v, 5)),
      blockMeans(logs[2], L).map((v) => sig(v, 5)),
    ]
  }
  if (isStep(s)) {
    const d = latencyDrift(
      s,
      tphases.find((t) => t.name === phase.name)!,
      windowMs,
      saturated,
    )
    if (d) ps.drift = sig(d.logChange, 3)
  }
  const h = scope.options.distributions ? hist() : undefined
  if (h) ps.dist = DIST_PROBABILITIES.map((q) => sig(q === 1 ? h.max : h.quantile(q)))
}

/** A probe scenario's iterations, failures and error kinds, over the run and by phase. */
function addScenario(scenarios: Record<string, ScenarioSummary>, s: SeriesRecord): void {
  const name = s.tags.scenario
  const sc: ScenarioSummary = (scenarios[name] ??= { n: 0, failed: 0, byPhase: {} })
  const errors: Record<string, number> = {}
  for (const [phase, agg] of Object.entries(s.phases)) {
    const n = (agg.passed ?? 0) + (agg.failed ?? 0) || agg.count
    sc.n += n
    sc.failed += agg.failed ?? 0
    sc.byPhase[phase] = { n, failed: agg.failed ?? 0 }
    addCounts(errors, agg.errors)
  }
  if (Object.keys(errors).length) sc.errors = errors
}

/** Every step of a source drifting, per phase and over its phases; time to recover in recovery phases. */
function addDrifts(scope: SummaryScope, summary: RunSummary): void {
  const { record, windowMs, tphases, saturated } = scope
  const steps = record.series.filter(isStep)
  for (const tp of tphases) {
    for (const source of new Set(steps.map((s) => s.source))) {
      const d = combinedDrift(
        steps.filter((s) => s.source === source),
        tp,
        windowMs,
        saturated,
      )
      if (d) ((summary.drift ??= {})[tp.name] ??= {})[source] = sig(d.logChange, 3)
    }
    if (/recovery/i.test(tp.name)) (summary.recovery ??= {})[tp.name] = recoveryTime(record, tp)
  }
  for (const source of new Set(steps.map((s) => s.source))) {
    const d = combinedDriftSeasonal(
      steps.filter((s) => s.source === source),
      driftPhases(record, source),
      windowMs,
      saturated,
    )
    if (d) ((summary.drift ??= {})['*'] ??= {})[source] = sig(d.logChange, 3)
  }
}

/** The scenario tag of a probe iterations series. */
function isProbeIterations(s: SeriesRecord): boolean {
  return s.source === 'probe' && s.name === 'iterations' && typeof s.tags.scenario === 'string'
}

export interface SummariseOptions {
  /** Decode phase histograms into compact distributions (for baselines; the judge does not need them). */
  distributions?: boolean
}

/** A step's latency series (k6's `name` tag on http_req_duration), failed responses included. */
function isStep(s: SeriesRecord): boolean {
  return s.kind === 'histogram' && s.name === 'http_req_duration' && typeof s.tags.name === 'string'
}

/** What summarising one record shares between its series. */
interface SummaryScope {
  record: RunRecord
  options: SummariseOptions
  windowMs: number
  phases: PhaseSummary[]
  tphases: TrendPhase[]
  saturated: Set<number>
}

/** Summarises a run record for judging and for a baseline. */
export function summariseRun(record: RunRecord, options: SummariseOptions = {}): RunSummary {
  const windowMs = record.window.sizeMs
  const phases = phaseSummaries(record)
  const series: Record<string, SeriesSummary> = {}
  const scenarios: Record<string, ScenarioSummary> = {}
  const tphases = trendPhases(record)
  const saturated = saturatedWindows(record)
  for (const p of phases) {
    let n = 0
    for (const i of saturated) if (i * windowMs >= p.startMs && i * windowMs < p.endMs) n++
    if (n) p.saturatedWindows = n
  }
  const scope: SummaryScope = { record, options, windowMs, phases, tphases, saturated }
  for (const s of record.series) {
    series[s.key] = seriesSummary(scope, s)
    if (isProbeIterations(s)) addScenario(scenarios, s)
  }
  // Records without a per-scenario iterations series (a plain `steady run`) still have scenario totals.
  for (const sc of record.scenarios) {
    if (scenarios[sc.name]) continue
    scenarios[sc.name] = { n: sc.iterations, failed: sc.failed, byPhase: {} }
  }
  const summary: RunSummary = {
    id: record.id,
    startedAt: record.startedAt,
    subject: {},
    comparability: record.comparability,
    complete: record.complete,
    durationMs: record.durationMs,
    windowMs,
    phases,
    scenarios,
    series,
  }
  const subj = record.subject
  if (subj.service) summary.subject.service = subj.service
  if (subj.version) summary.subject.version = subj.version
  if (subj.commit) summary.subject.commit = subj.commit
  if (subj.branch) summary.subject.branch = subj.branch
  if (subj.environment) summary.subject.environment = subj.environment.name
  const control = record.paired?.control
  if (control) {
    summary.control = {}
    if (control.version) summary.control.version = control.version
    if (control.commit) summary.control.commit = control.commit
  }
  addDrifts(scope, summary)
  const restarts = record.events.filter((e) => e.kind === 'service-restart').length
  const crashes = record.events.filter((e) => e.kind === 'service-crash').length
  if (restarts) summary.restarts = restarts
  if (crashes) summary.crashes = crashes
  return summary
}
