/**
 * Latency drifting up within constant-load phases: one step's p95 and every
 * step of a source at once, per phase (secondary), and every step of a source
 * over all its phases (primary). Trends are fitted within each phase after its
 * warm-up, never across phases (a load step is not a drift): Theil–Sen slopes
 * and a seasonal Mann–Kendall test with trend-free pre-whitening. Against the
 * baseline, both the run's own test and the comparison with the slopes its
 * runs had must reject (intersection–union: the larger p-value counts).
 */
import type { Finding, FindingStatus, SeriesRecord } from '@steady/record'
import { baselineValues, isStepSeries, namedPrimary, type Check, type JudgeContext } from '../context.ts'
import { at, failedOrExempt, pct, pval, r4, seriesLabel } from '../check.ts'
import { predict, pooledPrior } from '../predict.ts'
import { normalQuantile } from '@steady/kernel'
import { sd } from '../../stats/robust.ts'
import {
  combinedDrift,
  combinedDriftSeasonal,
  driftPhases,
  latencyDrift,
  saturatedWindows,
  trendPhases,
  type TrendPhase,
} from '../../trends.ts'

type PoolEntry = { key: string; variance: number; mad: number; df: number }

/** What every drift check of one run shares. */
interface DriftScope {
  ctx: JudgeContext
  steps: SeriesRecord[]
  sources: string[]
  phases: TrendPhase[]
  saturated: Set<number>
  /** The baseline drifts of every check, pooled by kind (all steps; one step), for moderated spreads. */
  pool: Map<string, PoolEntry[]>
}

/** A fitted drift: the run's own test over its windows. */
interface DriftFit {
  p: number
  logChange: number
  se: number
  span: number
  n: number
  r1: number
}

/** One drift check to make. */
interface DriftSpec {
  id: string
  label: string
  phase: TrendPhase
  t: DriftFit
  base: number[]
  primary: boolean
  extra: Partial<Finding>
  ownSpread?: boolean
}

/** A step's p95 and every step at once, drifting up within a phase. */
export function driftChecks(ctx: JudgeContext): Check[] {
  const steps = ctx.record.series.filter(isStepSeries)
  const sources = [...new Set(steps.map((s) => s.source))]
  const phases = trendPhases(ctx.record)
  const scope: DriftScope = { ctx, steps, sources, phases, saturated: saturatedWindows(ctx.record), pool: new Map() }
  fillPool(scope)
  const checks: Check[] = []
  for (const phase of phases) checks.push(...phaseDriftChecks(scope, phase))
  for (const source of sources) {
    const c = seasonalDriftCheck(scope, source)
    if (c) checks.push(c)
  }
  return checks
}

function fillPool({ ctx, steps, sources, phases, pool }: DriftScope): void {
  const add = (kind: string, key: string, base: number[]) => {
    if (base.length < 2) return
    let list = pool.get(kind)
    if (!list) pool.set(kind, (list = []))
    list.push({ key, variance: sd(base) ** 2, mad: 0, df: base.length - 1 })
  }
  for (const phase of phases) {
    for (const s of steps) {
      const base = baselineValues(ctx.rolling, (r) => r.summary?.series[s.key]?.phases[phase.name]?.drift)
      add('one', `drift:p95:${s.key}@${phase.name}`, base)
    }
    for (const source of sources) {
      const base = baselineValues(ctx.rolling, (r) => r.summary?.drift?.[phase.name]?.[source])
      add('all', `drift:p50:${source}/http_req_duration{*}@${phase.name}`, base)
    }
  }
  for (const source of sources) {
    const names = driftPhases(ctx.record, source).map((p) => p.name)
    const base = baselineValues(ctx.rolling, (r) => r.summary?.drift?.['*']?.[source])
    add('all', `drift:p50:${source}/http_req_duration{*}@${names.join('+')}`, base)
  }
}

/** One phase: each step's p95 (secondary unless the gate names it), then every step of each source. */
function phaseDriftChecks(scope: DriftScope, phase: TrendPhase): Check[] {
  const { ctx, steps, sources, saturated } = scope
  const windowMs = ctx.current.windowMs
  const checks: Check[] = []
  for (const s of steps) {
    if (!ctx.primaryPhases.has(phase.name)) continue
    const t = latencyDrift(s, phase, windowMs, saturated)
    if (!t) continue
    const base = baselineValues(ctx.rolling, (r) => r.summary?.series[s.key]?.phases[phase.name]?.drift)
    // One step's drift is secondary (its windows are noisy, and dozens of weak tests would dilute the
    // family); every step of a source drifting together is primary.
    const primary = namedPrimary(ctx.gate, 'drift', 'p95', s.key)
    const label = seriesLabel(s.tags, s.source, s.name) + ' p95'
    const extra: Partial<Finding> = { series: s.key }
    if (s.tags.scenario) extra.scenario = s.tags.scenario
    if (s.tags.name) extra.step = s.tags.name
    checks.push(driftCheck(scope, { id: `drift:p95:${s.key}@${phase.name}`, label, phase, t, base, primary, extra }))
  }
  // Per phase, every step of a source at once: secondary (a phase's windows are few); the primary
  // check pools the phases.
  for (const source of sources) {
    const members = steps.filter((s) => s.source === source)
    const t = combinedDrift(members, phase, windowMs, saturated)
    if (!t) continue
    const series = `${source}/http_req_duration{*}`
    checks.push(
      driftCheck(scope, {
        id: `drift:p50:${series}@${phase.name}`,
        label: `all ${source} steps' p50`,
        phase,
        t,
        base: baselineValues(ctx.rolling, (r) => r.summary?.drift?.[phase.name]?.[source]),
        primary: namedPrimary(ctx.gate, 'drift', 'p50', series),
        extra: { series, step: '*' },
      }),
    )
  }
  return checks
}

/**
 * Primary: every step of a source drifting within each of its phases (the load's loaded phases, the
 * probe's quiet ones), one slope within phases, never across them.
 */
function seasonalDriftCheck(scope: DriftScope, source: string): Check | undefined {
  const { ctx, steps, saturated } = scope
  const phases = driftPhases(ctx.record, source)
  const members = steps.filter((s) => s.source === source)
  const t = combinedDriftSeasonal(members, phases, ctx.current.windowMs, saturated)
  if (!t) return undefined
  const base = baselineValues(ctx.rolling, (r) => r.summary?.drift?.['*']?.[source])
  const label = `all ${source} steps' p50`
  const span: TrendPhase = {
    name: phases.map((p) => p.name).join('+'),
    startMs: phases[0].startMs,
    endMs: phases[phases.length - 1].endMs,
    fromMs: phases[0].fromMs,
    loaded: phases[0].loaded,
  }
  const series = `${source}/http_req_duration{*}`
  const extra: Partial<Finding> = { series, step: '*' }
  const c = driftCheck(scope, {
    id: `drift:p50:${series}@${span.name}`,
    label,
    phase: span,
    t,
    base,
    primary: true,
    extra,
    ownSpread: true,
  })
  c.finding.evidence = { ...c.finding.evidence, phases: span.name }
  const names = phases.map((p) => p.name).join(', ')
  const drift = Math.exp(t.logChange) - 1
  const tol = ctx.gate.tolerance.drift
  c.describe = (status) => {
    const f = c.finding
    if (failedOrExempt(status)) {
      const judged = f.evidence?.baselineDrift !== undefined && base.length >= ctx.gate.minBaselineRuns
      const baselineDrift = judged ? Number(f.evidence!.baselineDrift) : undefined
      return seasonalDriftedSentence(label, drift, names, baselineDrift, f.pAdjusted ?? f.pValue)
    }
    if (status === 'not-judged') return `${label} drift within ${names} not judged: ${c.notJudged}`
    return `${label} within ${names}: drift ${pct(drift)} per phase, no significant rise past ${pct(tol)}`
  }
  return c
}

/**
 * A drift check: significance is the run's own (a seasonal Mann–Kendall test, pre-whitened, over every
 * judged window: many degrees of freedom); the baseline runs say what drift is normal (JIT warming,
 * caches filling), and the drift must exceed their mean drift by more than the tolerance.
 */
function driftCheck(scope: DriftScope, spec: DriftSpec): Check {
  const { ctx } = scope
  const { id, label, phase, t, base, primary, extra } = spec
  const tol = ctx.gate.tolerance.drift
  const usable = !ctx.bootstrap && ctx.rolling.length >= ctx.gate.minBaselineRuns
  const seChange = t.se * t.span
  let p = t.p
  let change = Math.exp(t.logChange) - 1
  let centre = 0
  let baseDf = 0
  if (usable && base.length >= ctx.gate.minBaselineRuns) {
    // The service-wide drift over several phases has no exchangeable siblings: the per-phase drifts are
    // fitted on fewer windows and vary more, and pooling with them made a +15% drift pass (p ≈ 1e-4
    // against a spread of 0.04, where the runs' own drifts vary by 0.018). It uses its own K − 1 degrees
    // of freedom.
    const kind = extra.step === '*' ? 'all' : 'one'
    const prior = spec.ownSpread ? undefined : pooledPrior(scope.pool.get(kind) ?? [], id, base.length - 1)
    const pr = predict(base, t.logChange, seChange, 0.01, prior, t.n - 2)
    centre = pr.centre
    baseDf = pr.df
    change = pr.change
    // Significant against the baseline runs' drifts too, not only against zero (intersection–union: the
    // larger p-value counts): a phase in which every run drifts (JIT warming, a cache filling) is not a
    // finding because this run's drift is significant on its own windows.
    p = Math.max(t.p, pr.p)
  }
  const finding: Finding = {
    id,
    kind: 'drift',
    question: 'stable',
    status: 'pass',
    primary,
    phase: phase.name,
    stat: extra.step === '*' ? 'p50 drift' : 'p95 drift',
    unit: 'ratio',
    baseline: r4(Math.exp(centre)),
    current: r4(Math.exp(t.logChange)),
    change: r4(change),
    changeKind: 'relative',
    pValue: r4(p),
    tolerance: tol,
    method: driftMethod(extra.step === '*', t, baseDf),
    evidence: {
      relativeSlopePerMinute: r4(Math.exp((t.logChange / t.span) * 60_000) - 1),
      fromMs: phase.fromMs,
      toMs: phase.endMs,
      windows: t.n,
      mannKendallP: r4(t.p),
      baselineDrift: r4(Math.exp(centre) - 1),
    },
    message: '',
    ...extra,
  }
  const check: Check = { finding, p, beyondTolerance: change > tol, severity: { change, tolerance: tol } }
  check.power = (alphaEach, alphaTest) => {
    finding.detectable = r4(Math.max(tol, Math.exp(normalQuantile(1 - alphaEach) * seChange) - 1))
    const runOnly = Math.exp(normalQuantile(1 - alphaTest) * seChange) - 1
    if (runOnly > tol) check.notJudged = tooShortSentence(phase.name, tol, runOnly)
  }
  const drift = Math.exp(t.logChange) - 1
  const baselineDrift = baseDf ? Math.exp(centre) - 1 : undefined
  check.describe = (status: FindingStatus) =>
    failedOrExempt(status)
      ? driftedSentence(label, drift, phase, baselineDrift, finding.pAdjusted ?? p)
      : status === 'not-judged'
        ? `${label} drift in ${phase.name} not judged: ${check.notJudged}`
        : steadySentence(label, drift, phase.name, baselineDrift, tol)
  return check
}

function driftMethod(allSteps: boolean, t: DriftFit, baseDf: number): string {
  const fit =
    `Theil–Sen slope of ln(window ${allSteps ? 'p50, median over the steps' : 'p95'}) within phases after ` +
    `warm-ups, seasonal Mann–Kendall with trend-free pre-whitening (lag-1 ${r4(t.r1)}, ${t.n} windows)`
  if (!baseDf) return fit
  return (
    `${fit}; against the baseline runs' drifts (t on ${baseDf} df), both tests must reject, ` +
    `and the drift must exceed the baseline runs' mean drift by the tolerance`
  )
}

function tooShortSentence(phase: string, tol: number, runOnly: number): string {
  return (
    `phase ${phase} is too short or its windows too noisy to see a drift of ${pct(tol)} ` +
    `(it could see ${pct(runOnly)})`
  )
}

function driftedSentence(
  label: string,
  drift: number,
  phase: TrendPhase,
  baselineDrift: number | undefined,
  p: number | undefined,
): string {
  const span = `after its warm-up, ${at(phase.fromMs)}–${at(phase.endMs)}`
  const base = baselineDrift === undefined ? '' : `, where the baseline runs drifted ${pct(baselineDrift)}`
  return `${label} drifted up by ${pct(drift)} over ${phase.name} (${span})${base}; ${pval(p)}`
}

function steadySentence(label: string, drift: number, phase: string, baselineDrift: number | undefined, tol: number) {
  const base = baselineDrift === undefined ? '' : ` (baseline ${pct(baselineDrift)})`
  return `${label} in ${phase}: drift ${pct(drift)}${base}, no significant rise past ${pct(tol)}`
}

function seasonalDriftedSentence(
  label: string,
  drift: number,
  phases: string,
  baselineDrift: number | undefined,
  p: number | undefined,
): string {
  const base = baselineDrift === undefined ? '' : `, where the baseline runs drifted ${pct(baselineDrift)}`
  return `${label} drifted up by ${pct(drift)} per phase within ${phases} (after their warm-ups)${base}; ${pval(p)}`
}
