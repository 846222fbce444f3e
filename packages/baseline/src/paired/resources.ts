/**
 * Memory and failures, candidate against control.
 *
 * Memory: for each memory indicator both sides have (heap used after GC,
 * resident memory from /metrics and /proc, external and array-buffer memory),
 * the per-window difference candidate − control of its per-window minimum,
 * within phases after their warm-ups; its Theil–Sen slope is the difference
 * of the growth slopes, with a Newey–West standard error. One primary check
 * per service: Holm over its indicators, named by the one that grew.
 *
 * Failures: per phase and source, the candidate's failed requests given the
 * total failures of both sides are binomial with the candidate's share of
 * the requests when both sides fail equally often (the conditional test of
 * two Poisson rates); a failure fails the gate when that test rejects and the
 * difference passes the gate's failure-rate tolerance and count.
 */
import type { Finding, SeriesRecord, Side } from '@steady/record'
import { tSf } from '@steady/kernel'
import { holmAdjust } from '../stats/holm.ts'
import { slopeStandardError, theilSen, type Point } from '../stats/trend.ts'
import { isMemorySeries, memoryLabel, type TrendPhase } from '../trends.ts'
import { isFailedResponses, isStepSeries } from '../judge/context.ts'
import { bytes, pp, pval, r4, rate, type Check } from '../judge/check.ts'
import { serviceMemoryFinding } from '../judge/checks/memory.ts'
import { binomialSf } from '@steady/kernel'
import { MIN_PAIRED_WINDOWS, type PairedContext } from './latency.ts'
import { sideOf, windowPairs, type SeriesPair } from './pairs.ts'

const HOUR = 3_600_000

interface Growth {
  pair: SeriesPair
  label: string
  perHour: number
  p: number
  n: number
  /** The growth per hour a phase's own swing hides: the difference's range about its trend, per phase length. */
  swingPerHour: number
}

/**
 * How fast the difference swings without growing: in each phase, the range of the values about the fitted
 * slope (a collection on one side and not yet on the other moves it by megabytes in a second), summed over
 * the phases and divided by their summed length. Growth slower than that stays inside one phase's swing:
 * a short run cannot tell it from when each side happened to collect.
 */
function swingPerMs(segments: readonly Point[][], slopePerMs: number): number {
  let range = 0
  let span = 0
  for (const seg of segments) {
    const residuals = seg.map((p) => p.y - slopePerMs * p.x)
    range += Math.max(...residuals) - Math.min(...residuals)
    span += seg[seg.length - 1].x - seg[0].x
  }
  return span > 0 ? range / span : Number.NaN
}

function growthDifference(ctx: PairedContext, pair: SeriesPair, tolPerHour: number): Growth {
  const segments: Point[][] = []
  for (const phase of ctx.phases) {
    // A saturated generator does not make the service's own memory wrong: no saturated windows are left out.
    const pts = windowPairs(pair, phase, ctx.windowMs, new Set()).flatMap(([c, k]): Point[] => {
      const a = c.min ?? c.value
      const b = k.min ?? k.value
      return a === undefined || b === undefined ? [] : [{ x: c.i * ctx.windowMs + ctx.windowMs / 2, y: a - b }]
    })
    if (pts.length >= 4) segments.push(pts)
  }
  const n = segments.reduce((a, s) => a + s.length, 0)
  const slope = n ? theilSen(segments) * HOUR : Number.NaN
  const se = n ? slopeStandardError(segments) * HOUR : Number.NaN
  let p = 1
  if (Number.isFinite(slope) && se > 0) p = tSf((slope - tolPerHour) / se, Math.max(1, n - 2 * segments.length))
  else if (Number.isFinite(slope) && slope > tolPerHour) p = 0
  const swingPerHour = n ? swingPerMs(segments, slope / HOUR) * HOUR : Number.NaN
  return { pair, label: memoryLabel(pair.candidate), perHour: slope, p, n, swingPerHour }
}

function swingSentence(g: Growth): string {
  return (
    `but the difference swings by that much within a phase as each side collects (growth from ` +
    `${bytes(g.swingPerHour)}/h could be told apart in this run; a longer soak sees less)`
  )
}

/** One primary memory check per service over every memory indicator both sides have. */
export function pairedMemoryChecks(ctx: PairedContext): Check[] {
  const gate = ctx.candidate.gate
  const tol = gate.tolerance.leakBytesPerHour
  const byService = new Map<string, SeriesPair[]>()
  for (const pair of ctx.pairs) {
    if (!isMemorySeries(pair.candidate)) continue
    const service = pair.tags.service ?? pair.tags.job ?? ctx.candidate.record.subject.service ?? 'service'
    byService.set(service, [...(byService.get(service) ?? []), pair])
  }
  const checks: Check[] = []
  for (const [service, pairs] of byService) {
    const all = pairs.map((p) => growthDifference(ctx, p, tol))
    const judged = all.filter((g) => g.n >= MIN_PAIRED_WINDOWS)
    const adjusted = holmAdjust(judged.map((g) => g.p))
    let worst = -1
    judged.forEach((_, i) => {
      if (worst < 0 || adjusted[i] < adjusted[worst]) worst = i
    })
    const top = worst >= 0 ? judged[worst] : undefined
    const signed = (v: number) => `${v >= 0 ? '+' : ''}${bytes(v)}/h`
    const others = judged.filter((g) => g !== top).map((g) => `${g.label} ${signed(g.perHour)}`)
    const finding = serviceMemoryFinding(service, tol, {
      method: 'difference of growth slopes (candidate − control), Newey–West',
      evidence: Object.fromEntries(judged.map((g) => [g.label, Math.round(g.perHour)])),
    })
    if (top) {
      finding.change = Math.round(top.perHour)
      finding.evidence!.indicator = top.label
    }
    // A run whose phases swing by more than the tolerance cannot see it: growth inside that swing is not
    // judged (the sentence says what the run could have told apart), and only growth beyond it can fail.
    const blind = top !== undefined && !(top.swingPerHour <= tol)
    const hidden = blind && !(top.perHour > top.swingPerHour)
    if (top && Number.isFinite(top.swingPerHour)) finding.evidence!.swingPerHour = Math.round(top.swingPerHour)
    checks.push({
      finding,
      p: top ? adjusted[worst] : undefined,
      beyondTolerance: top !== undefined && top.perHour > tol && !hidden,
      severity: top ? { change: top.perHour / tol - 1, tolerance: 1 } : undefined,
      thin: !top,
      ...(hidden ? { notJudged: 'growth within the swing of a phase' } : {}),
      describe: (status) => {
        if (!top) return `memory of ${service}: fewer than ${MIN_PAIRED_WINDOWS} paired windows; not judged`
        const head = `the candidate's ${top.label} grew ${bytes(top.perHour)}/h faster than the control's`
        const rest = others.length ? ` (${others.join(', ')})` : ''
        if (status === 'not-judged') return `${head}${rest}; ${swingSentence(top)}; not judged`
        const within = status === 'pass' ? `; within the tolerance of ${bytes(tol)}/h` : ''
        return `${head}${rest}; ${pval(finding.pAdjusted ?? top.p)}${within}`
      },
    })
  }
  return checks
}

/** Failed and total requests of one side's step series in a phase (saturated windows left out). */
function failures(ctx: PairedContext, series: SeriesRecord[], phase: TrendPhase): { failed: number; total: number } {
  let failed = 0
  let total = 0
  for (const s of series) {
    for (const w of s.windows) {
      const start = w.i * ctx.windowMs
      if (start < phase.startMs || start >= phase.endMs || ctx.saturated.has(w.i)) continue
      // k6 keeps requests without an expected response in a series of their own; the embedded engine
      // counts them in the step's series with their error kind.
      if (isFailedResponses(s)) failed += w.count
      else for (const v of Object.values(w.errors ?? {})) failed += v
      total += w.count
    }
  }
  return { failed, total }
}

/** Requests each side needs in a phase before its failure rate is compared. */
const MIN_REQUESTS = 200

/** Failure rates per phase and source (probe, load): the conditional binomial test of the candidate's share. */
export function pairedFailureChecks(ctx: PairedContext): Check[] {
  const gate = ctx.candidate.gate
  const checks: Check[] = []
  for (const source of ['probe', 'load'] as const) {
    // Every request series of each side, paired or not: a step that fails every request on the candidate
    // may have no series of expected responses there at all.
    const requests = (s: SeriesRecord, side: Side) =>
      sideOf(s) === side &&
      s.source === source &&
      s.name === 'http_req_duration' &&
      (isStepSeries(s) || isFailedResponses(s))
    const candidate = ctx.record.series.filter((s) => requests(s, 'candidate'))
    const control = ctx.record.series.filter((s) => requests(s, 'control'))
    if (!candidate.length || !control.length) continue
    for (const phase of ctx.phases) {
      const c = failures(ctx, candidate, phase)
      const k = failures(ctx, control, phase)
      if (!c.total && !k.total) continue
      const rc = c.total ? c.failed / c.total : 0
      const rk = k.total ? k.failed / k.total : 0
      const share = c.total / Math.max(1, c.total + k.total)
      const p = binomialSf(c.failed, c.failed + k.failed, share)
      const finding: Finding = {
        id: `failure-rate:${source}@${phase.name}`,
        kind: 'failure-rate',
        question: 'stable',
        status: 'pass',
        primary: ctx.candidate.primaryPhases.has(phase.name),
        phase: phase.name,
        series: `${source}/http_req_duration`,
        stat: 'failure rate',
        baseline: r4(rk),
        current: r4(rc),
        change: r4(rc - rk),
        changeKind: 'absolute',
        tolerance: gate.tolerance.failureRate,
        method: 'conditional binomial (candidate share of all failures)',
        evidence: {
          candidateFailed: c.failed,
          candidateRequests: c.total,
          controlFailed: k.failed,
          controlRequests: k.total,
        },
        message: '',
      }
      const what = source === 'load' ? 'load requests' : 'probe requests'
      // Failures past what the control's rate predicts for the candidate's requests.
      const excess = c.failed - (k.failed * share) / Math.max(1e-9, 1 - share)
      const counts = `${c.failed} of ${c.total} against ${k.failed} of ${k.total}`
      checks.push({
        finding,
        p,
        beyondTolerance: rc - rk > gate.tolerance.failureRate && excess >= gate.tolerance.failureCount,
        severity: { change: rc - rk, tolerance: gate.tolerance.failureRate },
        thin: c.total < MIN_REQUESTS || k.total < MIN_REQUESTS,
        describe: (status) =>
          status === 'not-judged'
            ? `failure rate of ${what} in ${phase.name}: too few requests (${c.total} and ${k.total}, ` +
              `${MIN_REQUESTS} needed on each side); not judged`
            : `the candidate's ${what} failed at ${rate(rc)} against the control's ${rate(rk)} in ${phase.name} ` +
              `(${pp(rc - rk)}; ${counts}); ${pval(finding.pAdjusted ?? p)}`,
      })
    }
  }
  return checks
}
