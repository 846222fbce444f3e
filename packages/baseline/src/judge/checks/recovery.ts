/** How long the probes take to pass again after load. */
import { baselineValues, type Check, type JudgeContext } from '../context.ts'
import { at, pct, r4 } from '../check.ts'
import { mean } from '../../stats/robust.ts'

/** Recovery phases: how long until the probes pass again, against the baseline runs. */
export function recoveryChecks(ctx: JudgeContext): Check[] {
  const checks: Check[] = []
  for (const [phase, cur] of Object.entries(ctx.current.recovery ?? {})) {
    const base = baselineValues(ctx.rolling, (r) => r.summary?.recovery?.[phase])
    const windowMs = ctx.current.windowMs
    const usable = base.length >= ctx.gate.minBaselineRuns
    const expected = usable ? mean(base) : 0
    const limit = expected * (1 + ctx.gate.tolerance.recovery) + windowMs
    const fails = usable && cur > limit
    checks.push({
      finding: {
        id: `recovery:${phase}`,
        kind: 'recovery',
        question: 'stable',
        status: 'pass',
        primary: true,
        phase,
        stat: 'time to recover',
        unit: 'ms',
        current: cur,
        ...(usable ? { baseline: r4(expected), change: r4(cur - expected), changeKind: 'absolute' as const } : {}),
        tolerance: ctx.gate.tolerance.recovery,
        message: '',
      },
      decided: fails ? 'fail' : usable ? 'pass' : 'info',
      severity: cur > 4 * limit ? 'critical' : cur > 2 * limit ? 'major' : 'minor',
      describe: () => recoverySentence(phase, cur, usable ? expected : undefined, fails, ctx.gate.tolerance.recovery),
    })
  }
  return checks
}

function recoverySentence(phase: string, cur: number, expected: number | undefined, fails: boolean, tolerance: number) {
  if (cur === 0) return `probes passed throughout ${phase}`
  if (expected === undefined) return `probes passed again ${at(cur)} into ${phase}`
  const longer = fails ? `; more than ${pct(tolerance)} longer` : ''
  return `probes passed again ${at(cur)} into ${phase} (the baseline runs took ${at(expected)} on average${longer})`
}
