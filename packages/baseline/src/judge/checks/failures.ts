/**
 * Failure rates against the baseline: each probe scenario over the run and
 * the load's requests in each loaded phase, compared as proportions with the
 * spread across baseline runs (beta-binomial, never pooled counts), a
 * finding needing an absolute floor as well.
 */
import type { Finding } from '@steady/record'
import type { BaselineEntry } from '../../store.ts'
import type { Check, JudgeContext } from '../context.ts'
import { failedOrExempt, pp, pval, r4, rate } from '../check.ts'
import { excessCv2, failureRateTest, type Counts } from '../rate-test.ts'

function rateCheck(
  ctx: JudgeContext,
  finding: Finding,
  label: string,
  runs: Counts[],
  cur: Counts,
  primary: boolean,
  unit: string,
  prior?: { cv2: number; df: number },
): Check {
  const t = ctx.gate.tolerance
  const test = failureRateTest(runs, cur, prior)
  const excess = cur.f - test.expected
  Object.assign(finding, {
    primary,
    baseline: r4(test.p0),
    current: r4(cur.f / cur.n),
    change: r4(test.change),
    changeKind: 'absolute',
    unit: 'rate',
    pValue: r4(test.p),
    tolerance: t.failureRate,
    method:
      `beta-binomial on ${runs.length} baseline run${runs.length === 1 ? '' : 's'} ` +
      `(over-dispersion ρ = ${r4(test.rho)}, moderated toward the run's other failure rates)`,
    evidence: {
      failed: cur.f,
      total: cur.n,
      expected: r4(test.expected),
      floor: t.failureRateFloor,
      minExcess: t.failureCount,
    },
  } satisfies Partial<Finding>)
  const check: Check = {
    finding,
    p: test.p,
    beyondTolerance: test.change >= t.failureRateFloor && excess >= t.failureCount,
    severity: { change: test.change, tolerance: t.failureRate },
  }
  const detectableAt = (alpha: number) => {
    const need = Math.max(test.critical(alpha), test.expected + t.failureCount, (test.p0 + t.failureRateFloor) * cur.n)
    return (need - test.expected) / cur.n
  }
  check.power = (alphaEach, alphaTest) => {
    finding.detectable = r4(detectableAt(alphaEach))
    const runOnly = detectableAt(alphaTest)
    if (runOnly > t.failureRate) check.notJudged = `${cur.n} ${unit} can only show a rise of ${pp(runOnly)} or more`
  }
  check.describe = (status) => {
    const nums = `${rate(test.p0)} → ${rate(cur.f / cur.n)} (${cur.f} of ${cur.n}, ${r4(test.expected)} expected)`
    if (failedOrExempt(status)) {
      const p = pval(finding.pAdjusted ?? finding.pValue)
      const how = `beta-binomial, runs vary with ρ = ${r4(test.rho)}`
      return `${label} fails more often than in the baseline: ${nums}, ${pp(test.change)}; ${p} (${how})`
    }
    if (status === 'not-judged')
      return `${label} not judged: ${check.notJudged} (the gate wants ${pp(t.failureRate)}); now ${nums}`
    return `${label}: ${nums}, no significant rise past ${pp(t.failureRateFloor)} and ${t.failureCount} failures`
  }
  return check
}

function countsOf(r: BaselineEntry, scenario: string): Counts | undefined {
  const s = r.summary?.scenarios[scenario]
  return s && s.n > 0 ? { n: s.n, f: s.failed } : undefined
}

/**
 * Load requests of a phase: total and failed. From k6's `http_req_failed`
 * rate (its non-zero samples are the failed requests) when the record has it,
 * else from the failures counted on the load's latency series.
 */
function loadCounts(
  series: Record<string, { kind: string; phases: Record<string, { n: number; failed?: number; delta?: number }> }>,
  phase: string,
): Counts | undefined {
  let n = 0
  let f = 0
  const failedRate = Object.entries(series).filter(([key]) => key.startsWith('load/http_req_failed'))
  if (failedRate.length) {
    for (const [, s] of failedRate) {
      const ps = s.phases[phase]
      if (!ps) continue
      n += ps.n
      f += ps.delta ?? 0
    }
    return n > 0 ? { n, f } : undefined
  }
  for (const [key, s] of Object.entries(series)) {
    if (!key.startsWith('load/http_req_duration')) continue
    const ps = s.phases[phase]
    if (!ps) continue
    n += ps.n
    f += ps.failed ?? 0
  }
  return n > 0 ? { n, f } : undefined
}

/** Failure-rate checks: each probe scenario over the run, and the load's requests in each loaded phase. */
export function failureChecks(ctx: JudgeContext): Check[] {
  const targets: { finding: Finding; label: string; runs: Counts[]; cur: Counts; unit: string }[] = []
  for (const [name, sc] of Object.entries(ctx.current.scenarios)) {
    if (sc.n === 0) continue
    const runs = ctx.rolling.map((r) => countsOf(r, name)).filter((c): c is Counts => c !== undefined)
    if (runs.length < (ctx.bootstrap ? 1 : ctx.gate.minBaselineRuns)) continue
    targets.push({
      finding: {
        id: `failure-rate:${name}`,
        kind: 'failure-rate',
        question: 'stable',
        status: 'pass',
        primary: true,
        scenario: name,
        stat: 'failure rate',
        message: '',
      },
      label: `scenario ${name}`,
      runs,
      cur: { n: sc.n, f: sc.failed },
      unit: 'iterations',
    })
  }
  for (const phase of ctx.loadedPhases) {
    const cur = loadCounts(ctx.current.series, phase)
    if (!cur) continue
    const runs = ctx.rolling
      .map((r) => (r.summary ? loadCounts(r.summary.series, phase) : undefined))
      .filter((c): c is Counts => c !== undefined)
    if (runs.length < (ctx.bootstrap ? 1 : ctx.gate.minBaselineRuns)) continue
    targets.push({
      finding: {
        id: `failure-rate:load@${phase}`,
        kind: 'failure-rate',
        question: 'stable',
        status: 'pass',
        primary: true,
        phase,
        series: 'load/http_req_duration',
        stat: 'failure rate',
        message: '',
      },
      label: `load requests in ${phase}`,
      runs,
      cur,
      unit: 'requests',
    })
  }
  // Each check's between-run spread, pooled (leaving itself out) for moderation.
  const spreads = targets.map((t) => {
    const p0 = (t.runs.reduce((a, r) => a + r.f, 0) + 0.5) / (t.runs.reduce((a, r) => a + r.n, 0) + 1)
    return { cv2: excessCv2(t.runs, p0), df: Math.max(0, t.runs.length - 1) }
  })
  return targets.map((t, i) => {
    let num = 0
    let df = 0
    spreads.forEach((sp, j) => {
      if (j === i) return
      num += sp.cv2 * sp.df
      df += sp.df
    })
    const prior = df > 0 ? { cv2: num / df, df: Math.min(df, 4 * Math.max(1, t.runs.length - 1)) } : undefined
    return rateCheck(ctx, t.finding, t.label, t.runs, t.cur, true, t.unit, prior)
  })
}
