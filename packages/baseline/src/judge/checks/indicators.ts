/**
 * Indicators other than memory growing within phases (open fds, handles,
 * event-loop lag); memory has its own family (memory.ts).
 */
import type { Finding } from '@steady/record'
import { namedPrimary, type Check, type JudgeContext } from '../context.ts'
import { failedOrExempt, pct, pval, r4 } from '../check.ts'
import { gaugeAgainstBaseline } from './gauge-growth.ts'
import { normalQuantile, tQuantile } from '@steady/kernel'
import { gaugeTrend, isIndicatorSeries, trendPhases } from '../../trends.ts'

/**
 * Other indicators growing within phases (open fds, handles, event-loop lag): the same slope test as
 * memory, secondary, as relative growth over the run.
 */
export function indicatorChecks(ctx: JudgeContext): Check[] {
  const checks: Check[] = []
  const tphases = trendPhases(ctx.record)
  const windowMs = ctx.current.windowMs
  for (const s of ctx.record.series) {
    if (!isIndicatorSeries(s)) continue
    const t = gaugeTrend(s, tphases, windowMs)
    if (!t || !Number.isFinite(t.perHour)) continue
    const { centre, scale: baseScale, df, upper } = gaugeAgainstBaseline(ctx, s.key, t)
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
      method: indicatorMethod(t.n, df),
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
      failedOrExempt(status)
        ? growsSentence(s.name, change, t.level, Boolean(df), finding.pAdjusted ?? t.p)
        : `${s.name}: ${pct(change)} over the run${df ? ' (baseline similar)' : ''}, no growth past ${pct(tol)}`
    checks.push(check)
  }
  return checks
}

function indicatorMethod(windows: number, df: number): string {
  const own =
    'Theil–Sen slope within phases after their warm-ups, seasonal Mann–Kendall with trend-free pre-whitening ' +
    `(${windows} windows)`
  if (!df) return own
  return (
    `${own}; against the baseline runs' slopes (t on ${df} df); ` +
    'growth must also pass their upper 95% prediction bound'
  )
}

function growsSentence(name: string, change: number, level: number, againstBaseline: boolean, p: number | undefined) {
  const than = againstBaseline ? ', more than the baseline runs' : ''
  return `${name} grows ${pct(change)} over the run (${r4(level)} typical)${than}; ${pval(p)}`
}
