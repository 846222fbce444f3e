/**
 * Absolute objectives (`p95 < 400ms`, `failure rate < 0.1%`): SLO-like
 * bounds judged on the run alone, so they hold even without a baseline. An
 * objective that matches no series is inconclusive, never a silent pass.
 *
 * A quantile objective is a bound on a share: `p95 < 400ms` says fewer than
 * 5% of requests take 400 ms or more. With a few values the quantile is
 * almost the largest one, and one stall of a busy machine crosses it; so a
 * quantile over its bound fails only when the requests over the bound are
 * more than the allowed share could give by chance (an exact binomial test
 * at the gate's α). Otherwise the objective is not judged, and says why.
 */
import { binomialSf } from '@steady/kernel'
import { LatencyHistogram, type Finding } from '@steady/record'
import type { ResolvedObjective } from '../../gate.ts'
import { isStepSeries, type Check, type JudgeContext } from '../context.ts'
import { failedOrExempt, ms, pval, r4, rate, seriesLabel } from '../check.ts'
import { countAbove } from './exceedance.ts'

const tailShare: Record<string, number> = { p50: 0.5, p90: 0.1, p95: 0.05, p99: 0.01, max: 0 }

function violates(value: number, o: ResolvedObjective): boolean {
  return o.op === '<' ? !(value < o.value) : !(value <= o.value)
}

function severity(excess: number): 'minor' | 'major' | 'critical' {
  return excess <= 0.2 ? 'minor' : excess <= 0.5 ? 'major' : 'critical'
}

export function objectiveChecks(ctx: JudgeContext): Check[] {
  const checks: Check[] = []
  for (const o of ctx.gate.objectives) {
    const before = checks.length
    if (o.stat === 'failure rate') rateObjectives(ctx, o, checks)
    else latencyObjectives(ctx, o, checks)
    if (checks.length === before) {
      const filters = [
        o.scenario && `scenario ${o.scenario}`,
        o.step && `step ${o.step}`,
        o.phase && `phase ${o.phase}`,
        o.series && `series ~ ${o.series}`,
      ]
        .filter(Boolean)
        .join(', ')
      checks.push({
        finding: {
          id: `objective:${o.expr}`,
          kind: 'objective',
          question: 'stable',
          status: 'inconclusive',
          primary: true,
          message:
            `objective "${o.expr}"${filters ? ` (${filters})` : ''} matched nothing in this run; ` +
            'check its filters',
        },
        decided: 'inconclusive',
      })
    }
  }
  return checks
}

function latencyObjectives(ctx: JudgeContext, o: ResolvedObjective, checks: Check[]): void {
  const phases = o.phase ? [o.phase] : [...ctx.primaryPhases]
  for (const s of ctx.record.series) {
    if (!isStepSeries(s)) continue
    if (o.step && s.tags.name !== o.step) continue
    if (o.scenario && s.tags.scenario !== o.scenario) continue
    if (o.series && !s.key.includes(o.series)) continue
    for (const phase of phases) {
      const agg = s.phases[phase]
      if (!agg || agg.p50 === undefined) continue
      let value: number | undefined
      if (o.stat === 'p90') value = agg.hist ? r4(LatencyHistogram.decode(agg.hist).quantile(0.9)) : undefined
      else value = agg[o.stat as 'p50' | 'p95' | 'p99' | 'max']
      if (value === undefined) continue
      const n = agg.count - Object.values(agg.errors ?? {}).reduce((a, b) => a + b, 0)
      const label = seriesLabel(s.tags, s.source, s.name)
      const bad = violates(value, o)
      const need = tailShare[o.stat] > 0 ? Math.ceil(5 / tailShare[o.stat]) : 1
      const finding: Finding = {
        id: `objective:${o.expr}:${s.key}@${phase}`,
        kind: 'objective',
        question: 'stable',
        status: 'pass',
        primary: true,
        series: s.key,
        phase,
        stat: o.stat,
        unit: 'ms',
        current: value,
        baseline: o.value,
        change: r4(value / o.value - 1),
        changeKind: 'relative',
        method: 'absolute objective (no baseline needed)',
        evidence: { objective: o.expr, values: n },
        message: '',
      }
      if (s.tags.scenario) finding.scenario = s.tags.scenario
      if (s.tags.name) finding.step = s.tags.name
      const chance = bad ? overByChance(ctx, o, agg.hist) : undefined
      if (chance) Object.assign(finding.evidence!, { over: chance.over, of: chance.of, chanceP: r4(chance.p) })
      const check: Check = {
        finding,
        decided: bad ? (chance?.couldBeChance ? 'not-judged' : 'fail') : n < need ? 'not-judged' : 'pass',
        severity: severity(value / o.value - 1),
      }
      if (!bad && n < need) check.notJudged = `only ${n} values; a ${o.stat} needs ${need}`
      if (chance?.couldBeChance)
        check.notJudged =
          `${chance.over} of ${chance.of} requests over ${ms(o.value)}, which a ${o.stat} within it gives by chance ` +
          `(${pval(chance.p)}); more values would tell`
      check.describe = (status) =>
        failedOrExempt(status)
          ? `${label} ${o.stat} in ${phase} is ${ms(value)}, over the objective ${o.expr}` +
            (chance ? ` (${chance.over} of ${chance.of} requests over it, ${pval(chance.p)})` : '')
          : status === 'not-judged'
            ? `${label} ${o.stat} in ${phase} (${ms(value)}) not judged against ${o.expr}: ${check.notJudged}`
            : `${label} ${o.stat} in ${phase} is ${ms(value)}, meets ${o.expr}`
      checks.push(check)
    }
  }
}

/**
 * For a quantile over its bound: how many of the recorded requests were over it, and the chance that a
 * service whose quantile meets the bound (at most the allowed share over it) gives that many or more.
 * Undefined for `max` (one request over is a breach by definition) and without a recorded histogram.
 */
function overByChance(
  ctx: JudgeContext,
  o: ResolvedObjective,
  hist: string | undefined,
): { over: number; of: number; p: number; couldBeChance: boolean } | undefined {
  const share = tailShare[o.stat]
  if (!(share > 0) || !hist) return undefined
  const { n, above } = countAbove(hist, o.value)
  if (!n) return undefined
  const p = binomialSf(above, n, share)
  return { over: above, of: n, p, couldBeChance: p > ctx.gate.alpha }
}

function rateObjectives(ctx: JudgeContext, o: ResolvedObjective, checks: Check[]): void {
  const targets: { id: string; label: string; n: number; f: number; scenario?: string; phase?: string }[] = []
  if (!o.step && !o.series) {
    for (const [name, sc] of Object.entries(ctx.current.scenarios)) {
      if (o.scenario && o.scenario !== name) continue
      if (o.phase) {
        const c = sc.byPhase[o.phase]
        if (c && c.n)
          targets.push({
            id: `${name}@${o.phase}`,
            label: `scenario ${name} in ${o.phase}`,
            n: c.n,
            f: c.failed,
            scenario: name,
            phase: o.phase,
          })
      } else if (sc.n) targets.push({ id: name, label: `scenario ${name}`, n: sc.n, f: sc.failed, scenario: name })
    }
  }
  if (!o.scenario) {
    const phases = o.phase ? [o.phase] : [...ctx.loadedPhases]
    for (const phase of phases) {
      let n = 0
      let f = 0
      for (const s of ctx.record.series) {
        if (s.source !== 'load' || s.name !== 'http_req_duration') continue
        if (o.step && s.tags.name !== o.step) continue
        if (o.series && !s.key.includes(o.series)) continue
        const agg = s.phases[phase]
        if (!agg) continue
        n += agg.count
        f += Object.values(agg.errors ?? {}).reduce((a, b) => a + b, 0)
      }
      if (n) targets.push({ id: `load@${phase}`, label: `load requests in ${phase}`, n, f, phase })
    }
  }
  for (const t of targets) {
    const value = t.f / t.n
    const bad = violates(value, o)
    const judged = t.n * o.value >= 1
    const finding: Finding = {
      id: `objective:${o.expr}:${t.id}`,
      kind: 'objective',
      question: 'stable',
      status: 'pass',
      primary: true,
      stat: 'failure rate',
      unit: 'rate',
      current: r4(value),
      baseline: o.value,
      change: r4(value - o.value),
      changeKind: 'absolute',
      method: 'absolute objective (no baseline needed)',
      evidence: { objective: o.expr, failed: t.f, total: t.n },
      message: '',
    }
    if (t.scenario) finding.scenario = t.scenario
    if (t.phase) finding.phase = t.phase
    const check: Check = {
      finding,
      decided: bad ? 'fail' : judged ? 'pass' : 'not-judged',
      severity: severity(o.value > 0 ? value / o.value - 1 : 1),
    }
    if (!bad && !judged)
      check.notJudged = `${t.n} attempts cannot show a rate below ${rate(o.value)} (needs ${Math.ceil(1 / o.value)})`
    check.describe = (status) =>
      failedOrExempt(status)
        ? `${t.label}: failure rate ${rate(value)} (${t.f} of ${t.n}) breaks the objective ${o.expr}`
        : status === 'not-judged'
          ? `${t.label} not judged against ${o.expr}: ${check.notJudged}`
          : `${t.label}: failure rate ${rate(value)} (${t.f} of ${t.n}) meets ${o.expr}`
    checks.push(check)
  }
}
