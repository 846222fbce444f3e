/** Latency drifting up within constant-load phases. */
import type { Finding } from '@steady/record'
import { baselineValues, isStepSeries, namedPrimary, type Check, type JudgeContext } from '../context.ts'
import { at, pct, pval, r4, seriesLabel } from '../check.ts'
import { predict, pooledPrior } from '../predict.ts'
import { normalQuantile } from '../../stats/distributions.ts'
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

/** A step's p95 and every step at once, drifting up within a phase. */
export function driftChecks(ctx: JudgeContext): Check[] {
  const checks: Check[] = []
  const tphases = trendPhases(ctx.record)
  const saturated = saturatedWindows(ctx.record)
  const windowMs = ctx.current.windowMs
  const tol = ctx.gate.tolerance.drift
  const usable = !ctx.bootstrap && ctx.rolling.length >= ctx.gate.minBaselineRuns
  const steps = ctx.record.series.filter(isStepSeries)
  // The baseline drifts of every check, pooled by kind (all steps; one step), for moderated spreads.
  const kindOf = (extra: Partial<Finding>) => (extra.step === '*' ? 'all' : 'one')
  const pool = new Map<string, { key: string; variance: number; mad: number; df: number }[]>()
  const addPool = (kind: string, key: string, base: number[]) => {
    if (base.length < 2) return
    let list = pool.get(kind)
    if (!list) pool.set(kind, (list = []))
    list.push({ key, variance: sd(base) ** 2, mad: 0, df: base.length - 1 })
  }
  for (const phase of tphases) {
    for (const s of steps)
      addPool(
        'one',
        `drift:p95:${s.key}@${phase.name}`,
        baselineValues(ctx.rolling, (r) => r.summary?.series[s.key]?.phases[phase.name]?.drift),
      )
    for (const source of new Set(steps.map((s) => s.source)))
      addPool(
        'all',
        `drift:p50:${source}/http_req_duration{*}@${phase.name}`,
        baselineValues(ctx.rolling, (r) => r.summary?.drift?.[phase.name]?.[source]),
      )
  }
  for (const source of new Set(steps.map((s) => s.source))) {
    addPool(
      'all',
      `drift:p50:${source}/http_req_duration{*}@${driftPhases(ctx.record, source)
        .map((p) => p.name)
        .join('+')}`,
      baselineValues(ctx.rolling, (r) => r.summary?.drift?.['*']?.[source]),
    )
  }
  const make = (
    id: string,
    label: string,
    phase: TrendPhase,
    t: { p: number; logChange: number; se: number; span: number; n: number; r1: number },
    base: number[],
    primary: boolean,
    extra: Partial<Finding>,
    ownSpread = false,
  ): Check => {
    const seChange = t.se * t.span
    // Significance is the run's own: a seasonal Mann–Kendall test, pre-whitened, over every judged window
    // (many degrees of freedom). The baseline runs say what drift is normal (JIT warming, caches filling):
    // the drift must exceed their mean drift by more than the tolerance.
    let p = t.p
    let change = Math.exp(t.logChange) - 1
    let centre = 0
    let baseDf = 0
    let baseScale = 0
    if (usable && base.length >= ctx.gate.minBaselineRuns) {
      // The service-wide drift over several phases has no exchangeable siblings: the per-phase drifts are
      // fitted on fewer windows and vary more, and pooling with them made a +15% drift pass (p ≈ 1e-4 against
      // a spread of 0.04, where the runs' own drifts vary by 0.018). It uses its own K − 1 degrees of freedom.
      const prior = ownSpread ? undefined : pooledPrior(pool.get(kindOf(extra)) ?? [], id, base.length - 1)
      const pr = predict(base, t.logChange, seChange, 0.01, prior, t.n - 2)
      centre = pr.centre
      baseDf = pr.df
      baseScale = pr.scale
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
      method: `Theil–Sen slope of ln(window ${extra.step === '*' ? 'p50, median over the steps' : 'p95'}) within phases after warm-ups, seasonal Mann–Kendall with trend-free pre-whitening (lag-1 ${r4(t.r1)}, ${t.n} windows)${baseDf ? `; against the baseline runs' drifts (t on ${baseDf} df), both tests must reject, and the drift must exceed the baseline runs' mean drift by the tolerance` : ''}`,
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
      void baseScale
      finding.detectable = r4(Math.max(tol, Math.exp(normalQuantile(1 - alphaEach) * seChange) - 1))
      const runOnly = Math.exp(normalQuantile(1 - alphaTest) * seChange) - 1
      if (runOnly > tol)
        check.notJudged = `phase ${phase.name} is too short or its windows too noisy to see a drift of ${pct(tol)} (it could see ${pct(runOnly)})`
    }
    check.describe = (status) =>
      status === 'fail' || status === 'accepted' || status === 'muted'
        ? `${label} drifted up by ${pct(Math.exp(t.logChange) - 1)} over ${phase.name} (after its warm-up, ${at(phase.fromMs)}–${at(phase.endMs)})${baseDf ? `, where the baseline runs drifted ${pct(Math.exp(centre) - 1)}` : ''}; ${pval(finding.pAdjusted ?? p)}`
        : status === 'not-judged'
          ? `${label} drift in ${phase.name} not judged: ${check.notJudged}`
          : `${label} in ${phase.name}: drift ${pct(Math.exp(t.logChange) - 1)}${baseDf ? ` (baseline ${pct(Math.exp(centre) - 1)})` : ''}, no significant rise past ${pct(tol)}`
    return check
  }
  for (const phase of tphases) {
    for (const s of steps) {
      if (!ctx.primaryPhases.has(phase.name)) continue
      const t = latencyDrift(s, phase, windowMs, saturated)
      if (!t) continue
      const base = baselineValues(ctx.rolling, (r) => r.summary?.series[s.key]?.phases[phase.name]?.drift)
      // One step's drift is secondary (its windows are noisy, and dozens of weak tests would dilute the
      // family); every step of a source drifting together is primary.
      const primary = false
      const label = seriesLabel(s.tags, s.source, s.name) + ' p95'
      const extra: Partial<Finding> = { series: s.key }
      if (s.tags.scenario) extra.scenario = s.tags.scenario
      if (s.tags.name) extra.step = s.tags.name
      checks.push(
        make(
          `drift:p95:${s.key}@${phase.name}`,
          label,
          phase,
          t,
          base,
          primary || namedPrimary(ctx.gate, 'drift', 'p95', s.key),
          extra,
        ),
      )
    }
    // Per phase, every step of a source at once: secondary (a phase's windows are few); the primary
    // check pools the phases below.
    for (const source of new Set(steps.map((s) => s.source))) {
      const t = combinedDrift(
        steps.filter((s) => s.source === source),
        phase,
        windowMs,
        saturated,
      )
      if (!t) continue
      const base = baselineValues(ctx.rolling, (r) => r.summary?.drift?.[phase.name]?.[source])
      checks.push(
        make(
          `drift:p50:${source}/http_req_duration{*}@${phase.name}`,
          `all ${source} steps' p50`,
          phase,
          t,
          base,
          namedPrimary(ctx.gate, 'drift', 'p50', `${source}/http_req_duration{*}`),
          { series: `${source}/http_req_duration{*}`, step: '*' },
        ),
      )
    }
  }
  // Primary: every step of a source drifting within each of its phases (the load's loaded phases, the
  // probe's quiet ones), one slope within phases, never across them.
  for (const source of new Set(steps.map((s) => s.source))) {
    const phases = driftPhases(ctx.record, source)
    const t = combinedDriftSeasonal(
      steps.filter((s) => s.source === source),
      phases,
      windowMs,
      saturated,
    )
    if (!t) continue
    const base = baselineValues(ctx.rolling, (r) => r.summary?.drift?.['*']?.[source])
    const label = `all ${source} steps' p50`
    const span: TrendPhase = {
      name: phases.map((p) => p.name).join('+'),
      startMs: phases[0].startMs,
      endMs: phases[phases.length - 1].endMs,
      fromMs: phases[0].fromMs,
      loaded: phases[0].loaded,
    }
    const c = make(
      `drift:p50:${source}/http_req_duration{*}@${span.name}`,
      label,
      span,
      t,
      base,
      true,
      { series: `${source}/http_req_duration{*}`, step: '*' },
      true,
    )
    c.finding.evidence = { ...c.finding.evidence, phases: span.name }
    c.describe = (status) =>
      status === 'fail' || status === 'accepted' || status === 'muted'
        ? `${label} drifted up by ${pct(Math.exp(t.logChange) - 1)} per phase within ${phases.map((p) => p.name).join(', ')} (after their warm-ups)${c.finding.evidence?.baselineDrift !== undefined && base.length >= ctx.gate.minBaselineRuns ? `, where the baseline runs drifted ${pct(Number(c.finding.evidence.baselineDrift))}` : ''}; ${pval(c.finding.pAdjusted ?? c.finding.pValue)}`
        : status === 'not-judged'
          ? `${label} drift within ${phases.map((p) => p.name).join(', ')} not judged: ${c.notJudged}`
          : `${label} within ${phases.map((p) => p.name).join(', ')}: drift ${pct(Math.exp(t.logChange) - 1)} per phase, no significant rise past ${pct(tol)}`
    checks.push(c)
  }
  return checks
}
