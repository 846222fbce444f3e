/**
 * Failure findings against the baseline: failure rates compared as
 * proportions with the spread across baseline runs (beta-binomial, never
 * pooled counts), a finding needing an absolute floor as well; and error
 * kinds never seen in the baseline, by name.
 */
import type { Finding } from '@steady/record'
import { betaBinomialSf, betaShape } from '../stats/distributions.ts'
import type { BaselineEntry } from '../store.ts'
import { namedPrimary, type Check, type JudgeContext } from './context.ts'
import { pp, pval, r4, rate } from './check.ts'

export interface Counts {
  n: number
  f: number
}

/** The between-run variance of a rate beyond the binomial's, relative to the rate squared (≥ 0). */
export function excessCv2(runs: readonly Counts[], p0: number): number {
  const k = runs.length
  if (k < 2) return 0
  let s2 = 0
  let binom = 0
  for (const r of runs) {
    if (r.n <= 0) continue
    s2 += (r.f / r.n - p0) ** 2
    binom += (p0 * (1 - p0)) / r.n
  }
  s2 /= k - 1
  binom /= k
  return Math.max(0, (s2 - binom) / (p0 * p0))
}

export interface RateTest {
  /** Expected rate (baseline, smoothed) and over-dispersion between runs. */
  p0: number
  rho: number
  expected: number
  change: number
  p: number
  /** Smallest count that would be significant at `alphaEach`. */
  critical: (alphaEach: number) => number
}

/**
 * Beta-binomial test of the current count against K baseline runs: the
 * baseline rate (Jeffreys-smoothed so zero failures is not certainty), the
 * between-run over-dispersion by the method of moments, and the predictive
 * distribution of the current count including the uncertainty of the rate.
 */
export function failureRateTest(runs: readonly Counts[], cur: Counts, prior?: { cv2: number; df: number }): RateTest {
  const totalN = runs.reduce((a, r) => a + r.n, 0)
  const totalF = runs.reduce((a, r) => a + r.f, 0)
  const p0 = (totalF + 0.5) / (totalN + 1)
  const k = runs.length
  const nbar = totalN / Math.max(1, k)
  let rho = 0
  if (k >= 2 && nbar > 1) {
    // The between-run spread of the rate beyond binomial, as a squared coefficient of variation; a few
    // runs estimate it poorly (a moment estimate truncated at zero makes the test too eager), so it is
    // moderated toward the pooled value of the run's other failure-rate checks, as latency spreads are.
    const own = excessCv2(runs, p0)
    const cv2 = prior && prior.df > 0 ? (prior.df * prior.cv2 + (k - 1) * own) / (prior.df + k - 1) : own
    rho = Math.min(0.5, Math.max(0, (cv2 * p0) / (1 - p0)))
  }
  const base = p0 * (1 - p0)
  const varP0 = (base * (1 + (nbar - 1) * rho)) / Math.max(1, totalN)
  const varRate = (base * (1 + (cur.n - 1) * rho)) / cur.n + varP0
  const rhoPred = cur.n > 1 ? Math.min(0.5, Math.max(1e-7, ((varRate * cur.n) / base - 1) / (cur.n - 1))) : 1e-7
  const { a, b } = betaShape(p0, rhoPred)
  const expected = p0 * cur.n
  const sf = (x: number) => betaBinomialSf(x, cur.n, a, b)
  return {
    p0,
    rho,
    expected,
    change: cur.f / cur.n - p0,
    p: sf(cur.f),
    critical: (alphaEach) => {
      let lo = Math.max(0, Math.floor(expected))
      let hi = Math.max(lo + 1, 4)
      while (hi < cur.n && sf(hi) > alphaEach) hi = Math.min(cur.n, hi * 2)
      if (sf(hi) > alphaEach) return cur.n + 1
      while (hi - lo > 1) {
        const mid = (lo + hi) >> 1
        if (sf(mid) > alphaEach) lo = mid
        else hi = mid
      }
      return hi
    },
  }
}

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
    method: `beta-binomial on ${runs.length} baseline run${runs.length === 1 ? '' : 's'} (over-dispersion ρ = ${r4(test.rho)}, moderated toward the run's other failure rates)`,
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
    if (status === 'fail' || status === 'accepted' || status === 'muted') {
      return `${label} fails more often than in the baseline: ${nums}, ${pp(test.change)}; ${pval(finding.pAdjusted ?? finding.pValue)} (beta-binomial, runs vary with ρ = ${r4(test.rho)})`
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

/** Error kinds of a summary, with where they were seen. */
function errorKinds(summary: {
  scenarios: Record<string, { errors?: Record<string, number> }>
  series: Record<string, { kind: string; phases: Record<string, { errors?: Record<string, number> }> }>
}): Map<string, Map<string, number>> {
  const out = new Map<string, Map<string, number>>()
  const add = (kind: string, where: string, n: number) => {
    let m = out.get(kind)
    if (!m) out.set(kind, (m = new Map()))
    m.set(where, (m.get(where) ?? 0) + n)
  }
  for (const [name, sc] of Object.entries(summary.scenarios))
    for (const [k, n] of Object.entries(sc.errors ?? {})) add(k, `scenario ${name}`, n)
  // Request-level series only: iteration counters repeat their requests' errors.
  for (const [key, s] of Object.entries(summary.series)) {
    if ((s as { kind?: string }).kind !== 'histogram') continue
    for (const ps of Object.values(s.phases)) for (const [k, n] of Object.entries(ps.errors ?? {})) add(k, key, n)
  }
  return out
}

/** Error kinds never seen in any baseline run, by name; failing only above the gate's count floor. */
export function newErrorChecks(ctx: JudgeContext): Check[] {
  if (!ctx.allRuns.length) return []
  const seen = new Set<string>()
  for (const r of ctx.allRuns) if (r.summary) for (const k of errorKinds(r.summary).keys()) seen.add(k)
  const checks: Check[] = []
  for (const [kind, where] of errorKinds(ctx.current)) {
    if (seen.has(kind)) continue
    // Count each failure once: the series counts include the scenario's iterations' causes.
    const bySeries = [...where].filter(([w]) => !w.startsWith('scenario '))
    const byScenario = [...where].filter(([w]) => w.startsWith('scenario '))
    const count = Math.max(
      bySeries.reduce((a, [, n]) => a + n, 0),
      byScenario.reduce((a, [, n]) => a + n, 0),
    )
    const floor = ctx.gate.tolerance.newErrorCount
    const places = [...where]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3)
      .map(([w, n]) => `${w} ${n}×`)
      .join(', ')
    // "Never seen" means something only over enough runs: with fewer, the kind is reported, not failed.
    const enough = ctx.allRuns.length >= ctx.gate.minBaselineRuns
    const fails = count > floor && enough
    const finding: Finding = {
      id: `new-error:${kind}`,
      kind: 'new-error',
      question: 'stable',
      status: fails ? 'fail' : 'info',
      primary: fails || namedPrimary(ctx.gate, 'new-error', undefined, undefined),
      stat: 'count',
      unit: 'count',
      baseline: 0,
      current: count,
      change: count,
      changeKind: 'absolute',
      tolerance: floor,
      evidence: { where: places },
      message: '',
    }
    checks.push({
      finding,
      decided: fails ? 'fail' : 'info',
      severity: count > 4 * floor ? 'critical' : count > 2 * floor ? 'major' : 'minor',
      describe: (status) =>
        status === 'info'
          ? `new error kind ${kind}: ${count}× (${places}), never seen in the baseline; ${enough ? `at most ${floor} do not fail the gate` : `only ${ctx.allRuns.length} baseline run${ctx.allRuns.length === 1 ? '' : 's'}, too few for "never seen" to fail the gate`}`
          : `new error kind ${kind}: ${count}× (${places}), never seen in the ${ctx.allRuns.length} baseline runs`,
    })
  }
  return checks
}
