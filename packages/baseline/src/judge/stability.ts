/**
 * Stability over time and under load: drift within constant-load
 * phases, leaks, other growing indicators, latency under load against the
 * quiet phase, dropped iterations and start lateness, a saturated load
 * generator, closed-model executors, restarts, crashes and recovery.
 *
 * Trends are fitted within each phase after its warm-up, never across phases
 * (a load step is not a drift): Theil–Sen slopes and a seasonal Mann–Kendall
 * test with trend-free pre-whitening. Against the baseline, the run's slope is
 * compared with the slopes its runs had, and both tests must reject
 * (intersection–union: the larger p-value counts).
 */
import type { Finding, RunEvent, SeriesRecord } from '@steady/record'
import { normalQuantile, tQuantile } from '../stats/distributions.ts'
import { mean, sd } from '../stats/robust.ts'
import {
  combinedDrift,
  combinedDriftSeasonal,
  driftPhases,
  gaugeTrend,
  isIndicatorSeries,
  latencyDrift,
  loadSlope,
  saturatedWindows,
  trendPhases,
  type TrendPhase,
} from '../trends.ts'
import type { BaselineEntry } from '../store.ts'
import { failureRateTest } from './failures.ts'
import { memoryChecks } from './memory.ts'
import { predict, detectableRise, growthAgainstBaseline, pooledPrior, type Prediction } from './predict.ts'
import { isStepSeries, namedPrimary, type Check, type JudgeContext } from './context.ts'
import { at, bytes, ms, pct, pp, pval, r4, seriesLabel } from './check.ts'

const LOAD_KINDS = new Set(['load-latency', 'load-slope', 'dropped-iterations', 'start-lateness'])

function phaseAt(ctx: JudgeContext, atMs: number): string | undefined {
  return ctx.current.phases.find((p) => atMs >= p.startMs && atMs < p.endMs)?.name
}

/** Restarts and crashes: each a failing finding with its time and phase. */
export function restartChecks(ctx: JudgeContext): Check[] {
  const checks: Check[] = []
  const events = ctx.record.events.filter(
    (e): e is RunEvent & { kind: 'service-restart' | 'service-crash' } =>
      e.kind === 'service-restart' || e.kind === 'service-crash',
  )
  events.forEach((e, i) => {
    const kind = e.kind === 'service-crash' ? 'crash' : 'restart'
    const phase = phaseAt(ctx, e.atMs)
    const finding: Finding = {
      id: `${kind}:${i + 1}`,
      kind,
      question: 'stable',
      status: 'fail',
      primary: true,
      atMs: e.atMs,
      evidence: { event: e.message },
      message: '',
    }
    if (phase) finding.phase = phase
    checks.push({
      finding,
      decided: 'fail',
      severity: kind === 'crash' ? 'critical' : 'major',
      describe: () =>
        `the service ${kind === 'crash' ? 'crashed' : 'restarted'} ${at(e.atMs)} into the run${phase ? ` (phase ${phase})` : ''}: ${e.message}`,
    })
  })
  return checks
}

/** Loaded phases driven by VU-based executors: a slower version receives less load. */
function openModelChecks(ctx: JudgeContext): Check[] {
  const closed = ctx.record.phases.filter((p) => p.load && !/arrival-rate/.test(p.load.executor))
  return closed.map((p) => ({
    finding: {
      id: `open-model:${p.name}`,
      kind: 'open-model' as const,
      question: 'stable' as const,
      status: 'info' as const,
      primary: false,
      phase: p.name,
      evidence: { executor: p.load!.executor },
      message: '',
    },
    decided: 'info' as const,
    describe: () =>
      `phase ${p.name} loads with ${p.load!.executor}, a VU-based (closed-model) executor: a slower version simply receives less load, so load findings understate it; use constant-arrival-rate or ramping-arrival-rate`,
  }))
}

/** Phases whose load generator was saturated in too many windows: their load findings are inconclusive. */
export function saturatedPhases(ctx: JudgeContext): Map<string, { saturated: number; windows: number }> {
  const sat = saturatedWindows(ctx.record)
  const out = new Map<string, { saturated: number; windows: number }>()
  for (const p of ctx.current.phases) {
    if (!p.loaded) continue
    const windows = Math.max(1, Math.round((p.endMs - p.startMs) / ctx.current.windowMs))
    let n = 0
    for (const i of sat) if (i * ctx.current.windowMs >= p.startMs && i * ctx.current.windowMs < p.endMs) n++
    if (n / windows > ctx.gate.tolerance.saturatedWindows) out.set(p.name, { saturated: n, windows })
  }
  return out
}

function saturationChecks(ctx: JudgeContext): Check[] {
  return [...saturatedPhases(ctx)].map(([phase, s]) => ({
    finding: {
      id: `generator-saturated:${phase}`,
      kind: 'generator-saturated' as const,
      question: 'stable' as const,
      status: 'inconclusive' as const,
      primary: true,
      phase,
      current: r4(s.saturated / s.windows),
      tolerance: ctx.gate.tolerance.saturatedWindows,
      evidence: { saturatedWindows: s.saturated, windows: s.windows },
      message: '',
    },
    decided: 'inconclusive' as const,
    describe: () =>
      `the load generator was saturated in ${s.saturated} of ${s.windows} windows of ${phase} (more than ${pct(ctx.gate.tolerance.saturatedWindows).replace('+', '')}): latency and load findings of ${phase} are inconclusive rather than blamed on the service; give the generator more room (--workers, a bigger machine, k6)`,
  }))
}

function baselineValues(rolling: BaselineEntry[], get: (r: BaselineEntry) => number | undefined): number[] {
  return rolling.map(get).filter((v): v is number => v !== undefined && Number.isFinite(v))
}

/** A step's p95 and every step at once, drifting up within a phase. */
function driftChecks(ctx: JudgeContext): Check[] {
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

/**
 * Other indicators growing within phases (open fds, handles, event-loop lag): the same slope test as
 * memory, secondary, as relative growth over the run. Memory is {@link memoryChecks}.
 */
function indicatorChecks(ctx: JudgeContext): Check[] {
  const checks: Check[] = []
  const tphases = trendPhases(ctx.record)
  const saturated = saturatedWindows(ctx.record)
  const windowMs = ctx.current.windowMs
  const usable = !ctx.bootstrap && ctx.rolling.length >= ctx.gate.minBaselineRuns
  for (const s of ctx.record.series) {
    if (!isIndicatorSeries(s)) continue
    const t = gaugeTrend(s, tphases, windowMs, saturated)
    if (!t || !Number.isFinite(t.perHour)) continue
    const base = baselineValues(ctx.rolling, (r) => r.summary?.series[s.key]?.trend?.perHour)
    let centre = 0
    let baseScale = 0
    let df = 0
    let upper = 0
    if (usable && base.length >= ctx.gate.minBaselineRuns) {
      const pr = growthAgainstBaseline(base, t)
      centre = pr.centre
      baseScale = pr.scale
      df = pr.df
      upper = pr.upper
    }
    const growth = t.perHour - centre
    const tol = ctx.gate.tolerance.drift
    const change = (growth * t.spanMs) / 3_600_000 / Math.max(1e-12, Math.abs(t.level))
    const finding: Finding = {
      id: `indicator-trend:${s.key}`,
      kind: 'indicator-trend',
      question: 'stable',
      status: 'pass',
      primary: namedPrimary(ctx.gate, 'indicator-trend', undefined, s.key),
      series: s.key,
      stat: 'relative growth over the run',
      unit: 'ratio',
      baseline: r4(centre),
      current: r4(t.perHour),
      change: r4(change),
      changeKind: 'relative',
      pValue: r4(t.p),
      tolerance: tol,
      method: `Theil–Sen slope within phases after their warm-ups, seasonal Mann–Kendall with trend-free pre-whitening (${t.n} windows)${df ? `; against the baseline runs' slopes (t on ${df} df); growth must also pass their upper 95% prediction bound` : ''}`,
      evidence: {
        slopePerHour: r4(t.perHour),
        standardError: r4(t.sePerHour),
        level: r4(t.level),
        last: r4(t.last),
        mannKendallP: r4(t.p),
        judgedMs: t.spanMs,
        baselineUpperBound: r4(upper),
      },
      message: '',
    }
    const check: Check = {
      finding,
      p: t.p,
      beyondTolerance: change > tol && (!df || t.perHour > upper),
      severity: { change, tolerance: tol },
    }
    check.power = (alphaEach) => {
      const spread = Math.max(t.sePerHour, baseScale)
      finding.detectable = r4((df ? tQuantile(1 - alphaEach, df) : normalQuantile(1 - alphaEach)) * spread)
    }
    check.describe = (status) =>
      status === 'fail' || status === 'accepted' || status === 'muted'
        ? `${s.name} grows ${pct(change)} over the run (${r4(t.level)} typical)${df ? ', more than the baseline runs' : ''}; ${pval(finding.pAdjusted ?? t.p)}`
        : `${s.name}: ${pct(change)} over the run${df ? ' (baseline similar)' : ''}, no growth past ${pct(tol)}`
    checks.push(check)
  }
  return checks
}

/** The unloaded phase a step's latency under load is compared with: `quiet` if there is one, else the longest unloaded phase. */
function quietPhase(ctx: JudgeContext): string | undefined {
  const unloaded = ctx.current.phases.filter((p) => !p.loaded && !/warm/i.test(p.name))
  return (
    unloaded.find((p) => /quiet/i.test(p.name)) ??
    [...unloaded].sort((a, b) => b.endMs - b.startMs - (a.endMs - a.startMs))[0]
  )?.name
}

/** A step's p95 in each loaded phase relative to the quiet phase, against the baseline runs' ratios. */
function loadLatencyChecks(ctx: JudgeContext): Check[] {
  if (ctx.bootstrap || ctx.rolling.length < ctx.gate.minBaselineRuns) return []
  const quiet = quietPhase(ctx)
  if (!quiet) return []
  const tol = ctx.gate.tolerance.loadLatency
  const raws: { s: SeriesRecord; phase: string; cur: number; base: number[]; se: number }[] = []
  for (const s of ctx.record.series) {
    if (!isStepSeries(s)) continue
    const q = ctx.current.series[s.key]?.phases[quiet]
    if (!q?.p95) continue
    for (const phase of ctx.loadedPhases) {
      const l = ctx.current.series[s.key]?.phases[phase]
      if (!l?.p95) continue
      const base = baselineValues(ctx.rolling, (r) => {
        const sp = r.summary?.series[s.key]?.phases
        return sp?.[phase]?.p95 && sp?.[quiet]?.p95 ? Math.log(sp[phase].p95! / sp[quiet].p95!) : undefined
      })
      if (base.length < ctx.gate.minBaselineRuns) continue
      raws.push({ s, phase, cur: Math.log(l.p95 / q.p95), base, se: Math.hypot(l.se?.[1] ?? 0, q.se?.[1] ?? 0) })
    }
  }
  const pool = raws.map((r) => ({
    key: `${r.s.key}@${r.phase}`,
    variance: sd(r.base) ** 2,
    mad: 0,
    df: r.base.length - 1,
  }))
  const steps = raws.map((r) => {
    const prior = pooledPrior(pool, `${r.s.key}@${r.phase}`, r.base.length - 1)
    const pr = predict(r.base, r.cur, r.se, ctx.gate.noiseFloor.p95, prior)
    const label = seriesLabel(r.s.tags, r.s.source, r.s.name)
    // Secondary by default: it explains how a step degrades under load; the loaded phase's own level and
    // tail checks are what gate a step that got slower there.
    const finding = loadLatencyFinding(
      ctx,
      r.s.key,
      r.phase,
      quiet,
      pr,
      r.cur,
      namedPrimary(ctx.gate, 'load-latency', 'p95', r.s.key),
      "ratio of the loaded phase's p95 to the quiet phase's",
    )
    // Matched load: the phase's achieved rate against the baseline runs' (a version that falls behind gets less load).
    const achieved = ctx.current.phases.find((p) => p.name === r.phase)?.achievedRate
    const baseRates = baselineValues(
      ctx.rolling,
      (b) => b.summary?.phases.find((p) => p.name === r.phase)?.achievedRate,
    )
    let unmatched = ''
    if (achieved !== undefined && baseRates.length) {
      const br = mean(baseRates)
      finding.evidence!.achievedRate = r4(achieved)
      finding.evidence!.baselineAchievedRate = r4(br)
      if (Math.abs(achieved / br - 1) > 0.05)
        unmatched = ` (achieved ${r4(achieved)}/s against the baseline's ${r4(br)}/s: the loads do not match)`
    }
    if (r.s.tags.scenario) finding.scenario = r.s.tags.scenario
    if (r.s.tags.name) finding.step = r.s.tags.name
    const check: Check = {
      finding,
      p: pr.p,
      beyondTolerance: pr.change > tol,
      severity: { change: pr.change, tolerance: tol },
    }
    check.power = (alphaEach) => {
      finding.detectable = r4(Math.max(tol, detectableRise(pr, alphaEach)))
    }
    check.describe = (status) =>
      status === 'fail' || status === 'accepted' || status === 'muted'
        ? `${label} degrades more under load: in ${r.phase} it is ${Math.exp(r.cur).toFixed(2)}× its ${quiet} p95, the baseline runs ${Math.exp(pr.centre).toFixed(2)}× (${pct(pr.change)})${unmatched}; ${pval(finding.pAdjusted ?? pr.p)}`
        : `${label} under load: ${r.phase}/${quiet} p95 ${Math.exp(r.cur).toFixed(2)}× (baseline ${Math.exp(pr.centre).toFixed(2)}×)${unmatched}`
    return check
  })
  return [
    ...steps,
    ...allStepsLoadLatency(
      ctx,
      quiet,
      raws.map((r) => r.s),
    ),
  ]
}

/** A loaded phase's p95 over the quiet phase's, against the baseline runs' ratios (`pr`): the finding before its status. */
function loadLatencyFinding(
  ctx: JudgeContext,
  series: string,
  phase: string,
  quiet: string,
  pr: Prediction,
  current: number,
  primary: boolean,
  what: string,
): Finding {
  return {
    id: `load-latency:p95:${series}@${phase}`,
    kind: 'load-latency',
    question: 'stable',
    status: 'pass',
    primary,
    series,
    phase,
    stat: `p95 ${phase}/${quiet}`,
    unit: 'ratio',
    baseline: r4(Math.exp(pr.centre)),
    current: r4(Math.exp(current)),
    change: r4(pr.change),
    changeKind: 'relative',
    interval: [r4(pr.interval[0]), r4(pr.interval[1])],
    pValue: r4(pr.p),
    tolerance: ctx.gate.tolerance.loadLatency,
    method: `${what}, log-scale prediction interval, t on ${pr.df} df (σ = ${r4(pr.sigma)}, from ${pr.sigmaFrom})`,
    evidence: { quietPhase: quiet },
    message: '',
  }
}

/**
 * Every step of a source at once: the median over the steps of ln(loaded p95 / quiet p95), against the
 * baseline runs' medians. Primary in the phases that count: a service whose latency grows with the load
 * (a lock, a pool too small) is what "stable under load" is about, and the quiet phase is its own
 * control, so a run-wide shift cancels. The spread is pooled over the loaded phases (a t on K − 1 degrees
 * of freedom alone cannot pass a family-corrected level with a few runs), never below the phase's own.
 */
function allStepsLoadLatency(ctx: JudgeContext, quiet: string, series: SeriesRecord[]): Check[] {
  const tol = ctx.gate.tolerance.loadLatency
  const ratio = (sp: Record<string, { p95?: number }> | undefined, phase: string) =>
    sp?.[phase]?.p95 && sp?.[quiet]?.p95 ? Math.log(sp[phase].p95! / sp[quiet].p95!) : undefined
  const medianOver = (xs: (number | undefined)[]) => {
    const v = xs.filter((x): x is number => x !== undefined).sort((a, b) => a - b)
    return v.length >= 5
      ? v.length % 2
        ? v[(v.length - 1) / 2]
        : (v[v.length / 2 - 1] + v[v.length / 2]) / 2
      : undefined
  }
  const groups: { phase: string; source: string; steps: number; cur: number; base: number[] }[] = []
  for (const phase of ctx.loadedPhases) {
    for (const source of new Set(series.map((s) => s.source))) {
      const members = [...new Set(series.filter((s) => s.source === source).map((s) => s.key))]
      const cur = medianOver(members.map((k) => ratio(ctx.current.series[k]?.phases, phase)))
      const base = baselineValues(ctx.rolling, (r) =>
        medianOver(members.map((k) => ratio(r.summary?.series[k]?.phases, phase))),
      )
      if (cur !== undefined && base.length >= ctx.gate.minBaselineRuns)
        groups.push({ phase, source, steps: members.length, cur, base })
    }
  }
  const pool = groups.map((g) => ({
    key: `${g.source}@${g.phase}`,
    variance: sd(g.base) ** 2,
    mad: 0,
    df: g.base.length - 1,
  }))
  return groups.map((g) => {
    const prior = pooledPrior(pool, `${g.source}@${g.phase}`, g.base.length - 1)
    const pr = predict(g.base, g.cur, Number.NaN, ctx.gate.noiseFloor.p95, prior && { ...prior, keepOwnSpread: true })
    const series = `${g.source}/http_req_duration{*}`
    const primary = ctx.primaryPhases.has(g.phase) || namedPrimary(ctx.gate, 'load-latency', 'p95', series)
    const finding = loadLatencyFinding(
      ctx,
      series,
      g.phase,
      quiet,
      pr,
      g.cur,
      primary,
      `median over the ${g.steps} ${g.source} steps of the loaded phase's p95 over the quiet phase's`,
    )
    finding.step = '*'
    finding.evidence = { ...finding.evidence, steps: g.steps, baselineRuns: g.base.length }
    const check: Check = {
      finding,
      p: pr.p,
      beyondTolerance: pr.change > tol,
      severity: { change: pr.change, tolerance: tol },
    }
    check.power = (alphaEach) => {
      finding.detectable = r4(Math.max(tol, detectableRise(pr, alphaEach)))
    }
    const label = `all ${g.source} steps`
    check.describe = (status) =>
      status === 'fail' || status === 'accepted' || status === 'muted'
        ? `${label} degrade more under load: in ${g.phase} their p95 is ${Math.exp(g.cur).toFixed(2)}× their ${quiet} p95 (median over ${g.steps} steps), the baseline runs ${Math.exp(pr.centre).toFixed(2)}× (${pct(pr.change)}; tolerance ${pct(tol)}); ${pval(finding.pAdjusted ?? pr.p)}`
        : `${label} under load: ${g.phase}/${quiet} p95 ${Math.exp(g.cur).toFixed(2)}× (baseline ${Math.exp(pr.centre).toFixed(2)}×; changes from ${pct(finding.detectable)} would have been seen)`
    return check
  })
}

/**
 * Latency against the achieved load across windows (load steps): the slope of
 * ln p95 per iteration/s and its rank correlation, against the baseline runs'
 * slopes; the change is read over the achieved range. Secondary: it explains
 * a load-latency or level finding (how steeply the step degrades), and it
 * matches rates window by window where whole phases may not.
 */
function loadSlopeChecks(ctx: JudgeContext): Check[] {
  if (ctx.bootstrap || ctx.rolling.length < ctx.gate.minBaselineRuns) return []
  const saturated = saturatedWindows(ctx.record)
  const tol = ctx.gate.tolerance.loadLatency
  const checks: Check[] = []
  for (const s of ctx.record.series) {
    if (!isStepSeries(s) || s.source !== 'load') continue
    const cur = loadSlope(ctx.record, s, saturated)
    if (!cur) continue
    const base = baselineValues(ctx.rolling, (r) => r.summary?.series[s.key]?.loadSlope)
    if (base.length < ctx.gate.minBaselineRuns) continue
    const range = cur.maxRate - cur.minRate
    // On the achieved range, as log changes: the baseline's spread of slopes becomes a spread of changes.
    const pr = predict(
      base.map((b) => b * range),
      cur.slope * range,
      Number.NaN,
      ctx.gate.noiseFloor.p95,
    )
    const label = seriesLabel(s.tags, s.source, s.name)
    const finding: Finding = {
      id: `load-slope:p95:${s.key}`,
      kind: 'load-slope',
      question: 'stable',
      status: 'pass',
      primary: namedPrimary(ctx.gate, 'load-slope', 'p95', s.key),
      series: s.key,
      stat: 'p95 per iteration/s',
      unit: 'ratio',
      baseline: r4(Math.exp(pr.centre)),
      current: r4(Math.exp(cur.slope * range)),
      change: r4(pr.change),
      changeKind: 'relative',
      pValue: r4(pr.p),
      tolerance: tol,
      method: `Theil–Sen slope of ln(window p95) against the achieved iterations/s of its scenario over ${cur.n} loaded windows (${r4(cur.minRate)}–${r4(cur.maxRate)}/s), against the baseline runs' slopes (t on ${pr.df} df)`,
      evidence: {
        slopePerRate: r4(cur.slope),
        spearman: r4(cur.rho),
        minRate: r4(cur.minRate),
        maxRate: r4(cur.maxRate),
        baselineSlope: r4(pr.centre / range),
      },
      message: '',
    }
    if (s.tags.scenario) finding.scenario = s.tags.scenario
    if (s.tags.name) finding.step = s.tags.name
    const check: Check = {
      finding,
      p: pr.p,
      beyondTolerance: pr.change > tol,
      severity: { change: pr.change, tolerance: tol },
    }
    check.describe = (status) =>
      status === 'fail' || status === 'accepted' || status === 'muted'
        ? `${label} gets slower with load more steeply than before: across ${r4(cur.minRate)}–${r4(cur.maxRate)} iterations/s its p95 rises ${pct(Math.exp(cur.slope * range) - 1)} (rank correlation ${cur.rho.toFixed(2)}), the baseline runs' ${pct(Math.exp(pr.centre) - 1)}`
        : `${label} against the achieved load: p95 ${pct(Math.exp(cur.slope * range) - 1)} across ${r4(cur.minRate)}–${r4(cur.maxRate)}/s (rank correlation ${cur.rho.toFixed(2)}; baseline ${pct(Math.exp(pr.centre) - 1)})`
    checks.push(check)
  }
  return checks
}

/** Dropped iterations against the plan, and the generator's start lateness, against the baseline. */
function loadRateChecks(ctx: JudgeContext): Check[] {
  if (ctx.bootstrap || ctx.rolling.length < ctx.gate.minBaselineRuns) return []
  const checks: Check[] = []
  for (const p of ctx.current.phases) {
    if (!p.loaded || p.iterations === undefined) continue
    const planned = p.iterations + (p.droppedIterations ?? 0)
    if (!planned) continue
    const runs = ctx.rolling
      .map((r) => r.summary?.phases.find((x) => x.name === p.name))
      .filter((x): x is NonNullable<typeof x> => x?.iterations !== undefined)
      .map((x) => ({ n: x.iterations! + (x.droppedIterations ?? 0), f: x.droppedIterations ?? 0 }))
      .filter((x) => x.n > 0)
    if (runs.length < ctx.gate.minBaselineRuns) continue
    const cur = { n: planned, f: p.droppedIterations ?? 0 }
    const test = failureRateTest(runs, cur)
    const tol = ctx.gate.tolerance.droppedIterations
    const finding: Finding = {
      id: `dropped-iterations:${p.name}`,
      kind: 'dropped-iterations',
      question: 'stable',
      status: 'pass',
      primary: true,
      phase: p.name,
      stat: 'dropped share',
      unit: 'rate',
      baseline: r4(test.p0),
      current: r4(cur.f / cur.n),
      change: r4(test.change),
      changeKind: 'absolute',
      pValue: r4(test.p),
      tolerance: tol,
      method: `beta-binomial on ${runs.length} baseline runs`,
      evidence: { dropped: cur.f, planned: cur.n },
      message: '',
    }
    const check: Check = {
      finding,
      p: test.p,
      beyondTolerance: test.change >= tol && cur.f - test.expected >= 3,
      severity: { change: test.change, tolerance: tol },
    }
    check.describe = (status) =>
      status === 'fail' || status === 'accepted' || status === 'muted'
        ? `the load dropped ${cur.f} of ${cur.n} planned iterations in ${p.name} (${pp(cur.f / cur.n).replace('+', '')}; the baseline ${pp(test.p0).replace('+', '')}): a version that cannot keep up drops work instead of showing latency; ${pval(finding.pAdjusted ?? test.p)}`
        : `dropped iterations in ${p.name}: ${cur.f} of ${cur.n} (baseline ${pp(test.p0).replace('+', '')})`
    checks.push(check)
  }
  const lateness = ctx.record.series.find((s) => s.key === 'generator/start_lateness')
  if (lateness) {
    for (const phase of ctx.loadedPhases) {
      const cur = ctx.current.series[lateness.key]?.phases[phase]?.p99
      if (!cur || !(cur > 0)) continue
      const base = baselineValues(ctx.rolling, (r) => {
        const v = r.summary?.series[lateness.key]?.phases[phase]?.p99
        return v && v > 0 ? Math.log(v) : undefined
      })
      if (base.length < ctx.gate.minBaselineRuns) continue
      const pr = predict(base, Math.log(cur), Number.NaN, 0.05)
      const tol = ctx.gate.tolerance.loadLatency
      const finding: Finding = {
        id: `start-lateness:${phase}`,
        kind: 'start-lateness',
        question: 'stable',
        status: 'pass',
        primary: namedPrimary(ctx.gate, 'start-lateness', 'p99', lateness.key),
        series: lateness.key,
        phase,
        stat: 'p99',
        unit: 'ms',
        baseline: r4(Math.exp(pr.centre)),
        current: cur,
        change: r4(pr.change),
        changeKind: 'relative',
        pValue: r4(pr.p),
        tolerance: tol,
        message: '',
      }
      const check: Check = {
        finding,
        p: pr.p,
        beyondTolerance: pr.change > tol && cur - Math.exp(pr.centre) > 1,
        severity: { change: pr.change, tolerance: tol },
      }
      check.describe = (status) =>
        status === 'fail'
          ? `iterations started later in ${phase}: start lateness p99 ${ms(Math.exp(pr.centre))} → ${ms(cur)} (${pct(pr.change)}); the generator or the service could not keep the schedule`
          : `start lateness p99 in ${phase}: ${ms(cur)} (baseline ${ms(Math.exp(pr.centre))})`
      checks.push(check)
    }
  }
  return checks
}

/** Recovery phases: how long until the probes pass again, against the baseline runs. */
function recoveryChecks(ctx: JudgeContext): Check[] {
  const checks: Check[] = []
  for (const [phase, cur] of Object.entries(ctx.current.recovery ?? {})) {
    const base = baselineValues(ctx.rolling, (r) => r.summary?.recovery?.[phase])
    const windowMs = ctx.current.windowMs
    const usable = base.length >= ctx.gate.minBaselineRuns
    const expected = usable ? mean(base) : 0
    const limit = expected * (1 + ctx.gate.tolerance.recovery) + windowMs
    const fails = usable && cur > limit
    checks.push({
      finding: {
        id: `recovery:${phase}`,
        kind: 'recovery',
        question: 'stable',
        status: 'pass',
        primary: true,
        phase,
        stat: 'time to recover',
        unit: 'ms',
        current: cur,
        ...(usable ? { baseline: r4(expected), change: r4(cur - expected), changeKind: 'absolute' as const } : {}),
        tolerance: ctx.gate.tolerance.recovery,
        message: '',
      },
      decided: fails ? 'fail' : usable ? 'pass' : 'info',
      severity: cur > 4 * limit ? 'critical' : cur > 2 * limit ? 'major' : 'minor',
      describe: () =>
        cur === 0
          ? `probes passed throughout ${phase}`
          : `probes passed again ${at(cur)} into ${phase}${usable ? ` (the baseline runs took ${at(expected)} on average${fails ? `; more than ${pct(ctx.gate.tolerance.recovery)} longer` : ''})` : ''}`,
    })
  }
  return checks
}

/** Findings about the run's stability that are not levels. */
export function stabilityChecks(ctx: JudgeContext): Check[] {
  return [
    ...restartChecks(ctx),
    ...openModelChecks(ctx),
    ...saturationChecks(ctx),
    ...driftChecks(ctx),
    ...memoryChecks(ctx),
    ...indicatorChecks(ctx),
    ...loadLatencyChecks(ctx),
    ...loadSlopeChecks(ctx),
    ...loadRateChecks(ctx),
    ...recoveryChecks(ctx),
  ]
}

/** Load-dependent findings of saturated phases are inconclusive, not the service's fault. */
export function markSaturated(
  findings: Finding[],
  saturated: Map<string, { saturated: number; windows: number }>,
): void {
  if (!saturated.size) return
  for (const f of findings) {
    // A finding over several phases (`nominal+peak`) rests on each of them: one saturated phase is enough.
    const hit = (f.phase ?? '').split('+').filter((ph) => saturated.has(ph))
    if (!hit.length) continue
    if (f.kind === 'generator-saturated') continue
    const loadSide =
      LOAD_KINDS.has(f.kind) ||
      f.series?.startsWith('load/') ||
      f.kind === 'level' ||
      f.kind === 'tail' ||
      f.kind === 'drift'
    if (!loadSide || f.status === 'info') continue
    f.status = 'inconclusive'
    f.message += ` — inconclusive: the load generator was saturated in ${hit.join(' and ')}`
  }
}
