/**
 * Latency under load against the same steps in the quiet phase: each step's
 * loaded p95 over its quiet p95 (secondary: it explains how a step degrades),
 * and the median of that ratio over every step of a source (primary in the
 * phases that count), each against the baseline runs' ratios.
 */
import type { Finding, SeriesRecord } from '@steady/record'
import { baselineValues, isStepSeries, namedPrimary, type Check, type JudgeContext } from '../context.ts'
import { failedOrExempt, pct, pval, r4, seriesLabel } from '../check.ts'
import { busierSentence, inconclusiveWhenBusier } from '../machine.ts'
import { predict, detectableRise, pooledPrior, type Prediction } from '../predict.ts'
import { mean, sd } from '../../stats/robust.ts'

/** One step in one loaded phase: ln(loaded p95 / quiet p95) now, in the baseline runs, and its standard error. */
interface StepRatio {
  s: SeriesRecord
  phase: string
  cur: number
  base: number[]
  se: number
}

/** Every step of a source in one loaded phase: the median of the steps' ratios. */
interface SourceRatio {
  phase: string
  source: string
  steps: number
  cur: number
  base: number[]
}

/**
 * The unloaded phase a step's latency under load is compared with: `quiet` if there is one, else the
 * longest unloaded phase.
 */
function quietPhase(ctx: JudgeContext): string | undefined {
  const unloaded = ctx.current.phases.filter((p) => !p.loaded && !/warm/i.test(p.name))
  return (
    unloaded.find((p) => /quiet/i.test(p.name)) ??
    [...unloaded].sort((a, b) => b.endMs - b.startMs - (a.endMs - a.startMs))[0]
  )?.name
}

/** A step's p95 in each loaded phase relative to the quiet phase, against the baseline runs' ratios. */
export function loadLatencyChecks(ctx: JudgeContext): Check[] {
  if (ctx.bootstrap || ctx.rolling.length < ctx.gate.minBaselineRuns) return []
  const quiet = quietPhase(ctx)
  if (!quiet) return []
  const raws = stepRatios(ctx, quiet)
  const pool = raws.map((r) => ({
    key: `${r.s.key}@${r.phase}`,
    variance: sd(r.base) ** 2,
    mad: 0,
    df: r.base.length - 1,
  }))
  const steps = raws.map((r) => stepLoadLatency(ctx, quiet, r, pool))
  return [
    ...steps,
    ...allStepsLoadLatency(
      ctx,
      quiet,
      raws.map((r) => r.s),
    ),
  ]
}

function stepRatios(ctx: JudgeContext, quiet: string): StepRatio[] {
  const raws: StepRatio[] = []
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
  return raws
}

function stepLoadLatency(
  ctx: JudgeContext,
  quiet: string,
  r: StepRatio,
  pool: { key: string; variance: number; mad: number; df: number }[],
): Check {
  const tol = ctx.gate.tolerance.loadLatency
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
  const baseRates = baselineValues(ctx.rolling, (b) => b.summary?.phases.find((p) => p.name === r.phase)?.achievedRate)
  let unmatched = ''
  if (achieved !== undefined && baseRates.length) {
    const br = mean(baseRates)
    finding.evidence!.achievedRate = r4(achieved)
    finding.evidence!.baselineAchievedRate = r4(br)
    if (Math.abs(achieved / br - 1) > 0.05) unmatched = unmatchedLoad(achieved, br)
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
  const ratios = `${Math.exp(r.cur).toFixed(2)}×`
  const baseRatio = `${Math.exp(pr.centre).toFixed(2)}×`
  check.describe = (status) =>
    failedOrExempt(status)
      ? `${label} degrades more under load: in ${r.phase} it is ${ratios} its ${quiet} p95, ` +
        `the baseline runs ${baseRatio} (${pct(pr.change)})${unmatched}; ${pval(finding.pAdjusted ?? pr.p)}`
      : `${label} under load: ${r.phase}/${quiet} p95 ${ratios} (baseline ${baseRatio})${unmatched}`
  return check
}

function unmatchedLoad(achieved: number, baseline: number): string {
  return ` (achieved ${r4(achieved)}/s against the baseline's ${r4(baseline)}/s: the loads do not match)`
}

/** A loaded phase's p95 over the quiet phase's, against the baseline runs' ratios (`pr`), before its status. */
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

/** The median of at least five values (undefined ones left out), else undefined. */
function medianOfFive(xs: (number | undefined)[]): number | undefined {
  const v = xs.filter((x): x is number => x !== undefined).sort((a, b) => a - b)
  if (v.length < 5) return undefined
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2
}

function sourceRatios(ctx: JudgeContext, quiet: string, series: SeriesRecord[]): SourceRatio[] {
  const ratio = (sp: Record<string, { p95?: number }> | undefined, phase: string) =>
    sp?.[phase]?.p95 && sp?.[quiet]?.p95 ? Math.log(sp[phase].p95! / sp[quiet].p95!) : undefined
  const groups: SourceRatio[] = []
  for (const phase of ctx.loadedPhases) {
    for (const source of new Set(series.map((s) => s.source))) {
      const members = [...new Set(series.filter((s) => s.source === source).map((s) => s.key))]
      const cur = medianOfFive(members.map((k) => ratio(ctx.current.series[k]?.phases, phase)))
      const base = baselineValues(ctx.rolling, (r) =>
        medianOfFive(members.map((k) => ratio(r.summary?.series[k]?.phases, phase))),
      )
      if (cur !== undefined && base.length >= ctx.gate.minBaselineRuns)
        groups.push({ phase, source, steps: members.length, cur, base })
    }
  }
  return groups
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
  const groups = sourceRatios(ctx, quiet, series)
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
    // The quiet phase cancels a run-wide shift, not a machine that got busier once the load started: every
    // step then degrades under load at once, as a slower version would; the generator's lateness tells them apart.
    const busy = inconclusiveWhenBusier(ctx, check, pr.change > tol)
    check.power = (alphaEach) => {
      finding.detectable = r4(Math.max(tol, detectableRise(pr, alphaEach)))
    }
    check.describe = (status) =>
      status === 'inconclusive' && busy
        ? `${allStepsDegradeSentence(g, quiet, pr, tol)}, ${busierSentence(busy)}`
        : failedOrExempt(status)
          ? `${allStepsDegradeSentence(g, quiet, pr, tol)}; ${pval(finding.pAdjusted ?? pr.p)}`
          : allStepsSteadySentence(g, quiet, pr, finding.detectable)
    return check
  })
}

function allStepsDegradeSentence(g: SourceRatio, quiet: string, pr: Prediction, tol: number) {
  return (
    `all ${g.source} steps degrade more under load: in ${g.phase} their p95 is ${Math.exp(g.cur).toFixed(2)}× ` +
    `their ${quiet} p95 (median over ${g.steps} steps), the baseline runs ${Math.exp(pr.centre).toFixed(2)}× ` +
    `(${pct(pr.change)}; tolerance ${pct(tol)})`
  )
}

function allStepsSteadySentence(g: SourceRatio, quiet: string, pr: Prediction, detectable: number | undefined) {
  return (
    `all ${g.source} steps under load: ${g.phase}/${quiet} p95 ${Math.exp(g.cur).toFixed(2)}× ` +
    `(baseline ${Math.exp(pr.centre).toFixed(2)}×; changes from ${pct(detectable)} would have been seen)`
  )
}
