/** The generator's start lateness under load. */
import type { Finding } from '@steady/record'
import { baselineValues, namedPrimary, type Check, type JudgeContext } from '../context.ts'
import { ms, pct, r4 } from '../check.ts'
import { predict } from '../predict.ts'

/** The load generator starting iterations later than in the baseline runs. */
export function startLatenessChecks(ctx: JudgeContext): Check[] {
  if (ctx.bootstrap || ctx.rolling.length < ctx.gate.minBaselineRuns) return []
  const checks: Check[] = []
  const lateness = ctx.record.series.find((s) => s.key === 'generator/start_lateness')
  if (lateness) {
    for (const phase of ctx.loadedPhases) {
      const cur = ctx.current.series[lateness.key]?.phases[phase]?.p99
      if (!cur || !(cur > 0)) continue
      const base = baselineValues(ctx.rolling, (r) => {
        const v = r.summary?.series[lateness.key]?.phases[phase]?.p99
        return v && v > 0 ? Math.log(v) : undefined
      })
      if (base.length < ctx.gate.minBaselineRuns) continue
      const pr = predict(base, Math.log(cur), Number.NaN, 0.05)
      const tol = ctx.gate.tolerance.loadLatency
      const finding: Finding = {
        id: `start-lateness:${phase}`,
        kind: 'start-lateness',
        question: 'stable',
        status: 'pass',
        primary: namedPrimary(ctx.gate, 'start-lateness', 'p99', lateness.key),
        series: lateness.key,
        phase,
        stat: 'p99',
        unit: 'ms',
        baseline: r4(Math.exp(pr.centre)),
        current: cur,
        change: r4(pr.change),
        changeKind: 'relative',
        pValue: r4(pr.p),
        tolerance: tol,
        message: '',
      }
      const check: Check = {
        finding,
        p: pr.p,
        beyondTolerance: pr.change > tol && cur - Math.exp(pr.centre) > 1,
        severity: { change: pr.change, tolerance: tol },
      }
      check.describe = (status) =>
        status === 'fail'
          ? `iterations started later in ${phase}: start lateness p99 ${ms(Math.exp(pr.centre))} → ${ms(cur)} ` +
            `(${pct(pr.change)}); the generator or the service could not keep the schedule`
          : `start lateness p99 in ${phase}: ${ms(cur)} (baseline ${ms(Math.exp(pr.centre))})`
      checks.push(check)
    }
  }
  return checks
}
