/** Latency against the achieved load across windows. */
import type { Finding } from '@steady/record'
import { baselineValues, isStepSeries, namedPrimary, type Check, type JudgeContext } from '../context.ts'
import { failedOrExempt, pct, r4, seriesLabel } from '../check.ts'
import { predict } from '../predict.ts'
import { loadSlope, saturatedWindows } from '../../trends.ts'

/**
 * Latency against the achieved load across windows (load steps): the slope of
 * ln p95 per iteration/s and its rank correlation, against the baseline runs'
 * slopes; the change is read over the achieved range. Secondary: it explains
 * a load-latency or level finding (how steeply the step degrades), and it
 * matches rates window by window where whole phases may not.
 */
export function loadSlopeChecks(ctx: JudgeContext): Check[] {
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
    const rates = `${r4(cur.minRate)}–${r4(cur.maxRate)}`
    const rise = pct(Math.exp(cur.slope * range) - 1)
    const baseRise = pct(Math.exp(pr.centre) - 1)
    const rho = cur.rho.toFixed(2)
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
      method:
        `Theil–Sen slope of ln(window p95) against the achieved iterations/s of its scenario over ${cur.n} ` +
        `loaded windows (${rates}/s), against the baseline runs' slopes (t on ${pr.df} df)`,
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
      failedOrExempt(status)
        ? `${label} gets slower with load more steeply than before: across ${rates} iterations/s ` +
          `its p95 rises ${rise} (rank correlation ${rho}), the baseline runs' ${baseRise}`
        : `${label} against the achieved load: p95 ${rise} across ${rates}/s ` +
          `(rank correlation ${rho}; baseline ${baseRise})`
    checks.push(check)
  }
  return checks
}
