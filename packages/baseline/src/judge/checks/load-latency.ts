/** Latency under load against the same steps in the quiet phase. */
import type { Finding, SeriesRecord } from '@steady/record'
import { baselineValues, isStepSeries, namedPrimary, type Check, type JudgeContext } from '../context.ts'
import { pct, pval, r4, seriesLabel } from '../check.ts'
import { predict, detectableRise, pooledPrior, type Prediction } from '../predict.ts'
import { mean, sd } from '../../stats/robust.ts'

/** The unloaded phase a step's latency under load is compared with: `quiet` if there is one, else the longest unloaded phase. */
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
