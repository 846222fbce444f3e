/**
 * Memory growth: one primary check per service over every memory indicator
 * the run has (heap used after GC, resident memory from /metrics and from
 * /proc, external and array-buffer memory), and each indicator on its own as a
 * secondary finding with its numbers.
 *
 * A leak does not choose where it shows: Buffers kept per request grow
 * resident and external memory while the V8 heap stays flat. Each indicator
 * is judged the same way (its slope within phases after their warm-ups, the
 * run's own trend test and the comparison with the slopes the baseline runs
 * had), and the service's check fails when any of them grows significantly
 * past the tolerance, Holm-corrected over the indicators within the check, so
 * that having four indicators does not make the check four times as eager.
 */
import type { Finding, SeriesRecord } from '@steady/record'
import { normalQuantile, tQuantile } from '@steady/kernel'
import { holmAdjust } from '../../stats/holm.ts'
import { gaugeTrend, isMemorySeries, memoryLabel, trendPhases } from '../../trends.ts'
import { gaugeAgainstBaseline } from './gauge-growth.ts'
import { namedPrimary, type Check, type JudgeContext } from '../context.ts'
import { bytes, failedOrExempt, pval, r4 } from '../check.ts'

/** What one indicator's trend says at a given per-check level. */
interface Assessment {
  /** The growth the check sees with 95% power. */
  seen: number
  /** The run cannot see a leak of the tolerance 19 times in 20. */
  notJudged: boolean
  /** Past the tolerance (and the baseline's upper bound; past `seen` when not judged). */
  beyond: boolean
}

/** One memory indicator's trend against the baseline runs' trends. */
interface Indicator {
  s: SeriesRecord
  label: string
  p: number
  growth: number
  perHour: number
  centre: number
  df: number
  finding: Finding
  projection: string
  assess: (alphaEach: number) => Assessment
}

/**
 * One indicator: the Theil–Sen slope of its per-window minimum within phases after their warm-ups. Both
 * tests must reject (intersection–union): the run's own seasonal Mann–Kendall test with the Hamed–Rao
 * correction, and the comparison with the baseline runs' slopes. The tolerance applies to the growth over
 * the baseline runs' mean slope, so an indicator that always grows in a short soak (resident memory that
 * never gives pages back, a cache filling up) is held to its own normal growth and spread, not to zero.
 */
function indicator(ctx: JudgeContext, s: SeriesRecord): Indicator | undefined {
  const t = gaugeTrend(s, trendPhases(ctx.record), ctx.current.windowMs)
  if (!t || !Number.isFinite(t.perHour)) return undefined
  const tol = ctx.gate.tolerance.leakBytesPerHour
  const { centre, scale: baseScale, df, upper, p: baseP } = gaugeAgainstBaseline(ctx, s.key, t)
  const p = df ? Math.max(t.p, baseP) : t.p
  const growth = t.perHour - centre
  const label = memoryLabel(s)
  const finding: Finding = {
    id: `leak:${s.key}`,
    kind: 'leak',
    question: 'stable',
    status: 'pass',
    primary: namedPrimary(ctx.gate, 'leak', undefined, s.key),
    series: s.key,
    stat: 'growth per hour',
    unit: 'bytes/h',
    baseline: r4(centre),
    current: r4(t.perHour),
    change: r4(growth),
    changeKind: 'absolute',
    pValue: r4(p),
    tolerance: tol,
    method: memoryMethod(t.n, df),
    evidence: {
      indicator: label,
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
  let projection = ''
  if (ctx.gate.memoryLimitBytes && growth > 0) {
    const hours = Math.max(0, (ctx.gate.memoryLimitBytes - t.last) / t.perHour)
    finding.evidence!.limitBytes = ctx.gate.memoryLimitBytes
    finding.evidence!.hoursToLimit = r4(hours)
    projection = projectionSentence(ctx.gate.memoryLimitBytes, hours)
  }
  const floor = tol / 2
  const assess = (alphaEach: number): Assessment => {
    const spread = Math.max(t.sePerHour, baseScale)
    const q = (a: number) => (df ? tQuantile(1 - a, df) : normalQuantile(1 - a))
    // The growth seen with 95% power at this check's level: its growth must pass the largest of half the
    // tolerance, the baseline's upper 95% bound and the significance threshold, and an estimate falls 1.645
    // spreads short of the truth 5% of the time. The decision threshold sits below the tolerance on purpose:
    // a leak of exactly the tolerance must fail 19 times in 20.
    const threshold = Math.max(floor, Math.max(q(alphaEach), q(0.025)) * spread)
    const seen = threshold + q(0.05) * spread
    const past = growth >= floor && (!df || t.perHour > upper)
    // A run that cannot see a leak of the tolerance is not judged, but still fails on growth past what it
    // sees with 95% power (on short phases the slopes of a heap are heavy-tailed: GCs come at random times).
    const notJudged = seen > tol
    return { seen, notJudged, beyond: past && (!notJudged || growth >= seen) }
  }
  return { s, label, p, growth, perHour: t.perHour, centre, df, finding, projection, assess }
}

function memoryMethod(windows: number, df: number): string {
  const own =
    'Theil–Sen slope of the per-window minimum within phases after their warm-ups, ' +
    `seasonal Mann–Kendall with the Hamed–Rao correction (${windows} windows)`
  if (!df) return own
  return (
    `${own}; against the baseline runs' slopes (t on ${df} df), the current run's own standard error ` +
    '(Newey–West) a floor under their spread; growth must also pass their upper 95% prediction bound'
  )
}

function projectionSentence(limit: number, hours: number): string {
  if (hours === 0) return `; it is already over the ${bytes(limit)} limit`
  const when = hours < 48 ? `${hours.toFixed(1)} h` : `${(hours / 24).toFixed(0)} days`
  return `; at this rate the ${bytes(limit)} limit is reached in ${when}`
}

/** `heap grows 12.0 MiB/h within phases (after warm-ups); the baseline runs grew 1.0 MiB/h` */
function growsSentence(m: Indicator): string {
  const base = m.df ? `; the baseline runs grew ${bytes(m.centre)}/h` : ''
  return `${m.label} grows ${bytes(m.perHour)}/h within phases (after warm-ups)${base}`
}

/** `heap 1.0 MiB/h (baseline 0.9 MiB/h)` */
function rateSentence(m: Indicator): string {
  return `${m.label} ${bytes(m.perHour)}/h${m.df ? ` (baseline ${bytes(m.centre)}/h)` : ''}`
}

function describeIndicator(m: Indicator, status: Finding['status'], a: Assessment | undefined): string {
  const f = m.finding
  if (failedOrExempt(status)) return `${growsSentence(m)}${m.projection}; ${pval(f.pAdjusted ?? m.p)}`
  if (status === 'not-judged') return `${m.label}: not judged: ${tooShort(f.tolerance!, a?.seen ?? Number.NaN)}`
  const base = m.df ? ` (baseline ${bytes(m.centre)}/h)` : ''
  return `${m.label}: ${bytes(m.perHour)}/h${base}, no leak past ${bytes(f.tolerance! / 2)}/h`
}

function tooShort(tol: number, seen: number): string {
  return (
    `the run is too short to see a leak of ${bytes(tol)}/h (with 95% power it could see ${bytes(seen)}/h: ` +
    'soak longer, or judge at a larger tolerance.leakBytesPerHour)'
  )
}

/** Each indicator on its own: secondary unless the gate names it. */
function indicatorCheck(m: Indicator): Check {
  let last: Assessment | undefined
  const check: Check = { finding: m.finding, p: m.p, severity: { change: m.growth, tolerance: m.finding.tolerance! } }
  check.power = (alphaEach) => {
    last = m.assess(alphaEach)
    m.finding.detectable = r4(last.seen)
    check.beyondTolerance = last.beyond
    check.notJudged = last.notJudged ? tooShort(m.finding.tolerance!, last.seen) : undefined
  }
  check.describe = (status) => describeIndicator(m, status, last)
  return check
}

/**
 * The service's memory check: primary, over its indicators. Its p-value is the smallest Holm-adjusted one
 * (over the indicators) of those past the tolerance; it is not judged only when no indicator can see a leak
 * of the tolerance and none grew past what it can see.
 */
/**
 * The finding of a service's one primary memory check (history and paired judges alike): its id, series and
 * unit, so acceptances and mutes name the same thing whichever way the run was judged.
 */
export function serviceMemoryFinding(service: string, tolerance: number, fields: Partial<Finding> = {}): Finding {
  return {
    id: `leak:memory{service=${service}}`,
    kind: 'leak',
    question: 'stable',
    status: 'pass',
    primary: true,
    series: `service/memory{service=${service}}`,
    stat: 'growth per hour',
    unit: 'bytes/h',
    changeKind: 'absolute',
    tolerance,
    message: '',
    ...fields,
  }
}

function serviceCheck(ctx: JudgeContext, service: string, members: Indicator[]): Check {
  const tol = ctx.gate.tolerance.leakBytesPerHour
  const finding = serviceMemoryFinding(service, tol, {
    evidence: { indicators: members.map((m) => m.label).join(', ') },
  })
  const adjusted = holmAdjust(members.map((m) => m.p))
  let decisive = members[0]
  let assessments: Assessment[] = []
  const check: Check = { finding, p: 1 }
  const pick = (alphaEach: number) => {
    // The family sees one check, whose level is shared over its indicators (Bonferroni for what each can
    // see; Holm for the decision, which is never stricter).
    assessments = members.map((m) => m.assess(alphaEach / members.length))
    const order = members.map((_, i) => i)
    const past = order.filter((i) => assessments[i].beyond)
    const from = past.length ? past : order
    const best = from.reduce((a, b) =>
      adjusted[b] < adjusted[a] || (adjusted[b] === adjusted[a] && members[b].growth > members[a].growth) ? b : a,
    )
    decisive = members[best]
    check.p = adjusted[best]
    check.beyondTolerance = past.length > 0
    check.notJudged = assessments.every((a) => a.notJudged)
      ? tooShort(tol, Math.min(...assessments.map((a) => a.seen)))
      : undefined
    finding.detectable = r4(Math.min(...assessments.map((a) => a.seen)))
    Object.assign(finding, {
      baseline: decisive.finding.baseline,
      current: decisive.finding.current,
      change: decisive.finding.change,
      pValue: r4(check.p),
      method:
        `${decisive.label}: ${decisive.finding.method}; ` +
        `Holm over the ${members.length} memory indicator${members.length > 1 ? 's' : ''} of ${service}`,
    })
    finding.evidence = {
      ...finding.evidence,
      decidedBy: decisive.label,
      decidingSeries: decisive.s.key,
      ...pickEvidence(decisive.finding),
    }
    check.severity = { change: decisive.growth, tolerance: tol }
  }
  pick(ctx.gate.alpha)
  check.power = (alphaEach) => pick(alphaEach)
  check.describe = (status) => {
    const others = members.filter((m) => m !== decisive).map((m) => `${m.label} ${bytes(m.perHour)}/h`)
    const rest = others.length ? ` (${others.join(', ')})` : ''
    if (failedOrExempt(status)) {
      const more = `${bytes(decisive.growth)}/h more${decisive.projection}${rest}`
      return `memory of ${service} grows: ${growsSentence(decisive)}, ${more}; ${pval(finding.pAdjusted ?? check.p)}`
    }
    if (status === 'not-judged') {
      const seen = rest ? `; ${decisive.label} ${bytes(decisive.perHour)}/h${rest}` : ''
      return `memory of ${service}: not judged: ${check.notJudged}${seen}`
    }
    return `memory of ${service}: ${members.map(rateSentence).join(', ')}; no leak past ${bytes(tol / 2)}/h`
  }
  return check
}

function pickEvidence(f: Finding): Record<string, number | string> {
  const out: Record<string, number | string> = {}
  for (const k of [
    'slopePerHour',
    'standardError',
    'level',
    'last',
    'mannKendallP',
    'judgedMs',
    'baselineUpperBound',
    'limitBytes',
    'hoursToLimit',
  ]) {
    const v = f.evidence?.[k]
    if (typeof v === 'number' || typeof v === 'string') out[k] = v
  }
  return out
}

/**
 * Memory checks: per service, one primary check over its memory indicators and a secondary one per
 * indicator. A service whose heap series has too few windows to fit a trend is not judged, and says so.
 */
export function memoryChecks(ctx: JudgeContext): Check[] {
  const checks: Check[] = []
  const byService = new Map<string, SeriesRecord[]>()
  for (const s of ctx.record.series) {
    if (!isMemorySeries(s)) continue
    const service = s.tags.service ?? s.source
    let list = byService.get(service)
    if (!list) byService.set(service, (list = []))
    list.push(s)
  }
  for (const [service, series] of byService) {
    const members = series.map((s) => indicator(ctx, s)).filter((m): m is Indicator => m !== undefined)
    for (const m of members) checks.push(indicatorCheck(m))
    if (members.length) {
      checks.push(serviceCheck(ctx, service, members))
      continue
    }
    const n = Math.max(...series.map((s) => s.windows.length))
    checks.push({
      finding: {
        id: `leak:memory{service=${service}}`,
        kind: 'leak',
        question: 'stable',
        status: 'not-judged',
        primary: true,
        series: `service/memory{service=${service}}`,
        stat: 'growth per hour',
        unit: 'bytes/h',
        evidence: { windows: n },
        message: '',
      },
      decided: 'not-judged',
      describe: () =>
        `memory of ${service}: not judged: too few windows after the phases' warm-ups to fit a trend ` +
        `(${n} windows in the run); soak longer or use a shorter window`,
    })
  }
  return checks
}
