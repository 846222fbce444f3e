/**
 * Error kinds the candidate had and the control never had in the same run: a new way of failing, named even
 * when rare, as a history verdict names a kind no baseline run had. Given the n failures of that kind on both
 * sides, the candidate's count is binomial with its share of the requests when both sides fail that way
 * equally often, so all n on the candidate has probability share^n. The kind fails the gate when it happened
 * more often than the gate's `newErrorCount` and that probability is below α; otherwise it is listed.
 */
import type { Finding, Side } from '@steady/record'
import { pval, r4, type Check } from '../judge/check.ts'
import { isFailedResponses, isStepSeries, namedPrimary } from '../judge/context.ts'
import type { PairedContext } from './latency.ts'
import { sideOf } from './pairs.ts'

interface KindCount {
  candidate: number
  control: number
  /** Where the candidate's were, by series key (side left in: the reader is told it is the candidate's). */
  where: Map<string, number>
}

/** Requests and failures by error kind of each side, over the counting phases' windows that were not saturated. */
function errorKinds(ctx: PairedContext): { kinds: Map<string, KindCount>; requests: Record<Side, number> } {
  const kinds = new Map<string, KindCount>()
  const requests = { candidate: 0, control: 0 }
  const counted = (i: number) => {
    const start = i * ctx.windowMs
    return !ctx.saturated.has(i) && ctx.phases.some((p) => start >= p.startMs && start < p.endMs)
  }
  for (const s of ctx.record.series) {
    const side = sideOf(s)
    const timed = s.name === 'http_req_duration' && (isStepSeries(s) || isFailedResponses(s))
    if (!side || (s.source !== 'probe' && s.source !== 'load') || !timed) continue
    for (const w of s.windows) {
      if (!counted(w.i)) continue
      requests[side] += w.count
      for (const [kind, n] of Object.entries(w.errors ?? {})) {
        let k = kinds.get(kind)
        if (!k) kinds.set(kind, (k = { candidate: 0, control: 0, where: new Map() }))
        k[side] += n
        if (side === 'candidate') k.where.set(s.key, (k.where.get(s.key) ?? 0) + n)
      }
    }
  }
  return { kinds, requests }
}

/** One check per error kind seen on the candidate only. */
export function pairedNewErrorChecks(ctx: PairedContext): Check[] {
  const gate = ctx.candidate.gate
  const floor = gate.tolerance.newErrorCount
  const { kinds, requests } = errorKinds(ctx)
  const share = requests.candidate / Math.max(1, requests.candidate + requests.control)
  const checks: Check[] = []
  for (const [kind, k] of kinds) {
    if (k.control > 0 || k.candidate === 0) continue
    const p = share ** k.candidate
    const fails = k.candidate > floor && p < gate.alpha
    const places = [...k.where]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3)
      .map(([where, n]) => `${where} ${n}×`)
      .join(', ')
    const finding: Finding = {
      id: `new-error:${kind}`,
      kind: 'new-error',
      question: 'stable',
      status: fails ? 'fail' : 'info',
      primary: fails || namedPrimary(gate, 'new-error', undefined, undefined),
      stat: 'count',
      unit: 'count',
      baseline: 0,
      current: k.candidate,
      change: k.candidate,
      changeKind: 'absolute',
      tolerance: floor,
      pValue: r4(p),
      method: 'conditional binomial: every failure of the kind on the candidate',
      evidence: { where: places, candidateRequests: requests.candidate, controlRequests: requests.control },
      message: '',
    }
    const head = `new error kind ${kind}: ${k.candidate}× on the candidate (${places}), never on the control`
    checks.push({
      finding,
      decided: fails ? 'fail' : 'info',
      severity: k.candidate > 4 * floor ? 'critical' : k.candidate > 2 * floor ? 'major' : 'minor',
      describe: (status) =>
        status === 'info'
          ? `${head}; ${k.candidate > floor ? pval(p) : `at most ${floor} do not fail the gate`}`
          : `${head}; ${pval(p)}`,
    })
  }
  return checks
}
