/** Error kinds never seen in any baseline run, by name: a new way of failing is a finding even when rare. */
import type { Finding } from '@steady/record'
import { namedPrimary, type Check, type JudgeContext } from '../context.ts'

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
          ? `new error kind ${kind}: ${count}× (${places}), never seen in the baseline; ` +
            (enough ? `at most ${floor} do not fail the gate` : tooFewRuns(ctx.allRuns.length))
          : `new error kind ${kind}: ${count}× (${places}), never seen in the ${ctx.allRuns.length} baseline runs`,
    })
  }
  return checks
}

function tooFewRuns(runs: number): string {
  return `only ${runs} baseline run${runs === 1 ? '' : 's'}, too few for "never seen" to fail the gate`
}
