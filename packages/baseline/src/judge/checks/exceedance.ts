/**
 * A growing tail in a short soak: the share of a step's requests slower than
 * the baseline's p99, against the shares the baseline runs had at that same
 * threshold.
 *
 * A p99 needs 1,000 values to be judged as a quantile; a tail of 3% of
 * requests six times slower shows long before that as a count: about 4% of
 * the requests land above the baseline's p99 where about 1% did. The count is
 * tested like a failure rate (beta-binomial, with the baseline runs'
 * over-dispersion of their own shares at the threshold, so run-to-run effects
 * count, not only binomial noise).
 */
import { LatencyHistogram, type Finding, type SeriesRecord } from '@steady/record'
import { median } from '../../stats/robust.ts'
import { DIST_PROBABILITIES, type SeriesPhaseSummary } from '../../summary.ts'
import { failureRateTest } from '../rate-test.ts'
import { primaryStepSeries, runShifts } from './levels.ts'
import { isStepSeries, namedPrimary, type Check, type JudgeContext } from '../context.ts'
import { failedOrExempt, ms, pp, pval, r4, rate, seriesLabel } from '../check.ts'
import { busierSentence, inconclusiveWhenBusier } from '../machine.ts'

/** The tail share the threshold stands for: the baseline's p99. */
const TAIL = 0.01
/** Fewer values than this above a p99 leave the quantile itself unjudged; the count stands in. */
const P99_VALUES = 1000

/**
 * The share of a run's requests above `t`, from its summary: its compact distribution when it has one,
 * else its p50, p95 and p99. Between two known quantiles the tail probability is interpolated on log–log
 * scales (a tail's probability falls roughly as a power of the latency).
 */
function shareAbove(ps: SeriesPhaseSummary, t: number): number | undefined {
  const points: [number, number][] = []
  if (ps.dist && ps.dist.length === DIST_PROBABILITIES.length) {
    DIST_PROBABILITIES.forEach((q, i) => points.push([ps.dist![i], 1 - q]))
  } else {
    if (ps.p50 === undefined || ps.p95 === undefined || ps.p99 === undefined) return undefined
    points.push([ps.p50, 0.5], [ps.p95, 0.05], [ps.p99, 0.01])
    if (ps.n > 0) points.push([ps.p99 * (ps.p99 / ps.p95), Math.min(0.01, 1 / ps.n)])
  }
  const pts = points.filter(([v, q]) => v > 0 && q > 0).sort((a, b) => a[0] - b[0])
  if (pts.length < 2) return undefined
  if (t <= pts[0][0]) return pts[0][1]
  const last = pts[pts.length - 1]
  if (t >= last[0]) return last[1] === 0 ? 0 : last[1] * (last[0] / t) ** 4
  for (let i = 1; i < pts.length; i++) {
    const [v1, q1] = pts[i]
    const [v0, q0] = pts[i - 1]
    if (t > v1) continue
    if (v1 === v0) return q1
    const f = (Math.log(t) - Math.log(v0)) / (Math.log(v1) - Math.log(v0))
    return Math.exp(Math.log(q0) + f * (Math.log(q1) - Math.log(q0)))
  }
  return last[1]
}

/** Requests above `t` in a recorded HDR histogram: by bisection on its quantile function. */
export function countAbove(hist: string, t: number): { n: number; above: number } {
  const h = LatencyHistogram.decode(hist)
  const n = h.count
  if (!n || h.max <= t) return { n, above: 0 }
  let lo = 0
  let hi = 1
  for (let i = 0; i < 40; i++) {
    const mid = (lo + hi) / 2
    if (h.quantile(mid) <= t) lo = mid
    else hi = mid
  }
  return { n, above: Math.round((1 - lo) * n) }
}

function exceedanceCheck(ctx: JudgeContext, s: SeriesRecord, phase: string): Check | undefined {
  const cur = ctx.current.series[s.key]?.phases[phase]
  if (!cur?.p99) return undefined
  const logs = ctx.rolling
    .map((r) => r.summary?.series[s.key]?.phases[phase]?.p99)
    .map((v) => (v !== undefined && v > 0 ? Math.log(v) : undefined))
  if (logs.filter((v) => v !== undefined).length < ctx.gate.minBaselineRuns) return undefined
  // Run-to-run effects (a slower machine) move every step's tail, so each run's threshold is the baseline's
  // p99 of this step moved by that run's common shift over the other steps, as the level checks' relative
  // view does (with fewer than five steps, the baseline's p99 for every run): as far as the other steps'
  // medians moved (a faster or slower machine), or further up where their p99s rose more (a machine with
  // more hiccups), never further down than the medians went. A p99 of a hundred values is its one or two
  // slowest, which hiccups in the baseline runs inflate: a run with fewer of them is not a run whose other
  // steps got faster, and a step whose own tail stayed put has not grown one.
  const step = `${s.tags.scenario ?? ''}/${s.tags.name}`
  const tails = runShifts(ctx, phase, 'p99', s.source, step)
  const medians = runShifts(ctx, phase, 'p50', s.source, step)
  const moved = (tail: number | undefined, median: number | undefined) =>
    tail === undefined || median === undefined ? undefined : Math.max(tail, median)
  const shifts = tails &&
    medians && {
      baseline: tails.baseline.map((v, i) => moved(v, medians.baseline[i])),
      current: moved(tails.current, medians.current),
    }
  const relative = shifts?.current !== undefined
  const aligned = logs.map((v, i) =>
    v === undefined || (relative && shifts!.baseline[i] === undefined)
      ? undefined
      : v - (relative ? shifts!.baseline[i]! : 0),
  )
  const present = aligned.filter((v): v is number => v !== undefined)
  if (present.length < ctx.gate.minBaselineRuns) return undefined
  const centre = median(present)
  const threshold = (shift: number | undefined) => Math.exp(centre + (relative ? (shift ?? 0) : 0))
  const runs: { n: number; f: number }[] = []
  ctx.rolling.forEach((r, i) => {
    const ps = r.summary?.series[s.key]?.phases[phase]
    if (!ps || (relative && shifts!.baseline[i] === undefined)) return
    const n = ps.n - (ps.failed ?? 0)
    const share = shareAbove(ps, threshold(shifts?.baseline[i]))
    if (share !== undefined && n > 0) runs.push({ n, f: Math.round(share * n) })
  })
  if (runs.length < ctx.gate.minBaselineRuns) return undefined
  const t = threshold(shifts?.current)
  const hist = s.phases[phase]?.hist
  const values = cur.n - (cur.failed ?? 0)
  let counted: { n: number; above: number }
  if (hist) counted = countAbove(hist, t)
  else {
    const share = shareAbove(cur, t)
    if (share === undefined) return undefined
    counted = { n: values, above: Math.round(share * values) }
  }
  if (counted.n <= 0) return undefined
  const test = failureRateTest(runs, { n: counted.n, f: counted.above })
  const excess = counted.above / counted.n - test.p0
  // Past the tolerance: at least twice as many requests above the baseline's p99 as it has there (one more
  // percentage point), and enough of them to be more than a few stragglers.
  const beyond = excess >= TAIL && counted.above - test.expected >= ctx.gate.tolerance.failureCount
  const label = seriesLabel(s.tags, s.source, s.name)
  const finding: Finding = {
    id: `tail:share-above-p99:${s.key}@${phase}`,
    kind: 'tail',
    question: 'stable',
    status: 'pass',
    // Primary where the p99 itself cannot be judged (a short soak) and the threshold could be moved by the
    // run's common shift: a step's tail judged only against the baseline's absolute p99 cannot be told from
    // a slower machine (the service-wide tail asks that question for every step at once); otherwise the p99
    // check gates the tail.
    primary:
      (values < P99_VALUES && relative && ctx.primaryPhases.has(phase) && primaryStepSeries(ctx, s, phase)) ||
      namedPrimary(ctx.gate, 'tail', 'share above p99', s.key),
    series: s.key,
    phase,
    stat: 'share above the baseline p99',
    unit: 'rate',
    baseline: r4(test.p0),
    current: r4(counted.above / counted.n),
    change: r4(excess),
    changeKind: 'absolute',
    pValue: r4(test.p),
    tolerance: TAIL,
    method: exceedanceMethod(t, relative, Boolean(hist), runs.length, test.rho),
    evidence: {
      thresholdMs: r4(t),
      relativeToOtherSteps: relative,
      above: counted.above,
      values: counted.n,
      expected: r4(test.expected),
    },
    message: '',
  }
  if (s.tags.scenario) finding.scenario = s.tags.scenario
  if (s.tags.name) finding.step = s.tags.name
  const check: Check = { finding, p: test.p, beyondTolerance: beyond, severity: { change: excess, tolerance: TAIL } }
  check.power = (alphaEach) => {
    finding.detectable = r4(Math.max(TAIL, test.critical(alphaEach) / counted.n - test.p0))
  }
  const share = rate(counted.above / counted.n)
  check.describe = (status) =>
    failedOrExempt(status)
      ? `${label} has a slow tail in ${phase}: ${counted.above} of ${counted.n} requests (${share}) were slower ` +
        `than the baseline's p99 of ${ms(t)}, where the baseline runs had ${rate(test.p0)} (${pp(excess)}); ` +
        pval(finding.pAdjusted ?? test.p)
      : `${label} in ${phase}: ${share} of requests above the baseline's p99 of ${ms(t)} ` +
        `(baseline ${rate(test.p0)}), no tail past ${pp(TAIL)}`
  return check
}

function exceedanceMethod(t: number, relative: boolean, histogram: boolean, runs: number, rho: number): string {
  const moved = relative
    ? ", moved by the run's common shift over the other steps: of their medians, or of their p99s where larger"
    : ''
  const counted = histogram ? 'counted in the HDR histogram' : 'interpolated from the quantiles'
  return (
    `requests above the baseline runs' median p99 (${ms(t)}${moved}), ${counted}, ` +
    `beta-binomial against the ${runs} baseline runs' own shares above it (over-dispersion ${r4(rho)})`
  )
}

/** One step's requests above its baseline p99 over the phases that count, and each baseline run's. */
interface StepTail {
  label: string
  n: number
  above: number
  /** Per baseline run (in `ctx.rolling`'s order): its values and those above the same thresholds. */
  runs: ({ n: number; f: number } | undefined)[]
}

function stepTail(ctx: JudgeContext, s: SeriesRecord, phases: readonly string[]): StepTail | undefined {
  const runs = ctx.rolling.map(() => ({ n: 0, f: 0 }))
  const out: StepTail = { label: seriesLabel(s.tags, s.source, s.name), n: 0, above: 0, runs }
  for (const phase of phases) {
    const cur = ctx.current.series[s.key]?.phases[phase]
    const logs = ctx.rolling
      .map((r) => r.summary?.series[s.key]?.phases[phase]?.p99)
      .filter((v): v is number => v !== undefined && v > 0)
      .map(Math.log)
    if (!cur || logs.length < ctx.gate.minBaselineRuns) continue
    const threshold = Math.exp(median(logs))
    const hist = s.phases[phase]?.hist
    let counted: { n: number; above: number } | undefined
    if (hist) counted = countAbove(hist, threshold)
    else {
      const share = shareAbove(cur, threshold)
      const values = cur.n - (cur.failed ?? 0)
      if (share !== undefined) counted = { n: values, above: Math.round(share * values) }
    }
    if (!counted || counted.n <= 0) continue
    out.n += counted.n
    out.above += counted.above
    // A baseline run without this step and phase cannot stand beside the run for it.
    ctx.rolling.forEach((r, i) => {
      const ps = r.summary?.series[s.key]?.phases[phase]
      const n = ps ? ps.n - (ps.failed ?? 0) : 0
      const share = ps ? shareAbove(ps, threshold) : undefined
      const run = out.runs[i]
      if (!run) return
      if (share === undefined || n <= 0) out.runs[i] = undefined
      else out.runs[i] = { n: run.n + n, f: run.f + Math.round(share * n) }
    })
  }
  return out.n > 0 ? out : undefined
}

/**
 * The service-wide tail (primary, one per source): the share of all the
 * source's requests in the phases that count above their step's baseline p99,
 * against the baseline runs' shares at the same thresholds. The per-step
 * check moves each threshold by the run's common shift (the medians', or the
 * p99s' where larger), which cancels a slower machine and, with it, a tail
 * that every step grew at once (a slow
 * dependency, a pause that hits every route); this one keeps the thresholds
 * where the baseline had them, pools the steps (thousands of requests where
 * one step has dozens), and leaves the machine to the baseline runs' own
 * over-dispersion. It judges what the steps did together, so the step with
 * the largest excess is left out of the pool: one step's own tail is its own
 * check's (and a muted step's stays muted). Tested against the tolerance: the
 * count beyond one percentage point more than the baseline's share, as the
 * whole-run shift is.
 */
function serviceTailCheck(ctx: JudgeContext, source: string): Check | undefined {
  const phases = [...ctx.primaryPhases]
  const all = ctx.record.series
    .filter((s) => isStepSeries(s) && s.source === source)
    .map((s) => stepTail(ctx, s, phases))
    .filter((t): t is StepTail => t !== undefined)
  if (all.length < 3) return undefined
  const baseShare = (t: StepTail) => {
    const known = t.runs.filter((r): r is { n: number; f: number } => r !== undefined)
    const n = known.reduce((a, r) => a + r.n, 0)
    return n ? known.reduce((a, r) => a + r.f, 0) / n : 0
  }
  const excessOf = (t: StepTail) => t.above / t.n - baseShare(t)
  const most = all.reduce((a, t) => (excessOf(t) > excessOf(a) ? t : a))
  const pooled = all.filter((t) => t !== most)
  const steps = pooled.length
  const current = { n: pooled.reduce((a, t) => a + t.n, 0), above: pooled.reduce((a, t) => a + t.above, 0) }
  // A baseline run counts when it has every step and phase the run is judged on.
  const runs = ctx.rolling
    .map((_, i) => pooled.map((t) => t.runs[i]))
    .filter((parts) => parts.every((r) => r !== undefined))
    .map((parts) => ({ n: parts.reduce((a, r) => a + r!.n, 0), f: parts.reduce((a, r) => a + r!.f, 0) }))
    .filter((r) => r.n > 0)
  if (runs.length < ctx.gate.minBaselineRuns || current.n <= 0) return undefined
  const allowance = Math.round(TAIL * current.n)
  const test = failureRateTest(runs, { n: current.n, f: Math.max(0, current.above - allowance) })
  const share = current.above / current.n
  const excess = share - test.p0
  const beyond = excess >= TAIL && current.above - allowance - test.expected >= ctx.gate.tolerance.failureCount
  const series = `${source}/http_req_duration{*}`
  const where = phases.join('+')
  const finding: Finding = {
    id: `tail:share-above-p99:${series}@${where}`,
    kind: 'tail',
    question: 'stable',
    status: 'pass',
    primary: true,
    series,
    step: '*',
    phase: where,
    stat: 'share above the baseline p99',
    unit: 'rate',
    baseline: r4(test.p0),
    current: r4(share),
    change: r4(excess),
    changeKind: 'absolute',
    pValue: r4(test.p),
    tolerance: TAIL,
    method:
      `requests of ${steps} ${source} steps in ${phases.join(', ')} above their step's baseline median p99 ` +
      `(${most.label}, the step with the largest excess, left out: it has its own check) ` +
      `(not moved by the run's shift), beta-binomial against the ${runs.length} baseline runs' shares above the same ` +
      `thresholds (over-dispersion ${r4(test.rho)}), one-sided against +${pp(TAIL)}; its own share of the gate's α`,
    evidence: { steps, leftOut: most.label, above: current.above, values: current.n, expected: r4(test.expected) },
    message: '',
  }
  const severity = { change: excess, tolerance: TAIL }
  const check: Check = { finding, p: test.p, reserved: true, beyondTolerance: beyond, severity }
  const busy = inconclusiveWhenBusier(ctx, check, beyond)
  check.power = (alphaEach) => {
    finding.detectable = r4(Math.max(TAIL, (test.critical(alphaEach) + allowance) / current.n - test.p0))
  }
  const label = `all ${source} steps`
  check.describe = (status) =>
    status === 'inconclusive' && busy
      ? `${label} in ${phases.join(', ')}: ${current.above} of ${current.n} requests (${rate(share)}) slower than ` +
        `their step's baseline p99, where the baseline runs had ${rate(test.p0)}, ${busierSentence(busy)}`
      : failedOrExempt(status)
        ? `${label} grew a slow tail together in ${phases.join(', ')}: ${current.above} of ${current.n} requests ` +
          `(${rate(share)}) were slower than their step's baseline p99, where the baseline runs had ${rate(test.p0)} ` +
          `(${pp(excess)}); ${pval(finding.pAdjusted ?? test.p)}`
        : `${label} in ${phases.join(', ')}: ${rate(share)} of requests above their step's baseline p99 ` +
          `(baseline ${rate(test.p0)}), no tail past ${pp(TAIL)} beyond the run-to-run spread`
  return check
}

/** The share of each step's requests above the baseline's p99, in each phase, and of every step's at once. */
export function exceedanceChecks(ctx: JudgeContext): Check[] {
  if (ctx.bootstrap || ctx.compare || !ctx.baselineUsable) return []
  const checks: Check[] = []
  const sources = new Set<string>()
  for (const s of ctx.record.series) {
    if (!isStepSeries(s)) continue
    sources.add(s.source)
    for (const phase of ctx.current.phases.map((p) => p.name)) {
      const c = exceedanceCheck(ctx, s, phase)
      if (c) checks.push(c)
    }
  }
  for (const source of sources) {
    const c = serviceTailCheck(ctx, source)
    if (c) checks.push(c)
  }
  return checks
}
