/** Iterations the load could not start, against the plan. */
import type { Finding } from '@steady/record'
import type { Check, JudgeContext } from '../context.ts'
import { failedOrExempt, pp, pval, r4 } from '../check.ts'
import { failureRateTest } from '../rate-test.ts'

/** Iterations dropped in each loaded phase, as a share of the planned ones, against the baseline runs. */
export function droppedIterationChecks(ctx: JudgeContext): Check[] {
  if (ctx.bootstrap || ctx.rolling.length < ctx.gate.minBaselineRuns) return []
  const checks: Check[] = []
  for (const p of ctx.current.phases) {
    if (!p.loaded || p.iterations === undefined) continue
    const planned = p.iterations + (p.droppedIterations ?? 0)
    if (!planned) continue
    const runs = ctx.rolling
      .map((r) => r.summary?.phases.find((x) => x.name === p.name))
      .filter((x): x is NonNullable<typeof x> => x?.iterations !== undefined)
      .map((x) => ({ n: x.iterations! + (x.droppedIterations ?? 0), f: x.droppedIterations ?? 0 }))
      .filter((x) => x.n > 0)
    if (runs.length < ctx.gate.minBaselineRuns) continue
    const cur = { n: planned, f: p.droppedIterations ?? 0 }
    const test = failureRateTest(runs, cur)
    const tol = ctx.gate.tolerance.droppedIterations
    const finding: Finding = {
      id: `dropped-iterations:${p.name}`,
      kind: 'dropped-iterations',
      question: 'stable',
      status: 'pass',
      primary: true,
      phase: p.name,
      stat: 'dropped share',
      unit: 'rate',
      baseline: r4(test.p0),
      current: r4(cur.f / cur.n),
      change: r4(test.change),
      changeKind: 'absolute',
      pValue: r4(test.p),
      tolerance: tol,
      method: `beta-binomial on ${runs.length} baseline runs`,
      evidence: { dropped: cur.f, planned: cur.n },
      message: '',
    }
    const check: Check = {
      finding,
      p: test.p,
      beyondTolerance: test.change >= tol && cur.f - test.expected >= 3,
      severity: { change: test.change, tolerance: tol },
    }
    check.describe = (status) =>
      failedOrExempt(status)
        ? droppedSentence(p.name, cur, test.p0, finding.pAdjusted ?? test.p)
        : `dropped iterations in ${p.name}: ${cur.f} of ${cur.n} (baseline ${share(test.p0)})`
    checks.push(check)
  }
  return checks
}

/** A share in percentage points without its sign: `1.20 pp`. */
function share(v: number): string {
  return pp(v).replace('+', '')
}

function droppedSentence(phase: string, cur: { n: number; f: number }, p0: number, p: number | undefined): string {
  return (
    `the load dropped ${cur.f} of ${cur.n} planned iterations in ${phase} (${share(cur.f / cur.n)}; ` +
    `the baseline ${share(p0)}): a version that cannot keep up drops work instead of showing latency; ${pval(p)}`
  )
}
