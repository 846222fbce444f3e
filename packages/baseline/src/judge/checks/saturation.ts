/** A saturated load generator: its latencies measure the generator, not the service. */
import type { Finding } from '@steady/record'
import type { Check, JudgeContext } from '../context.ts'
import { pct, r4 } from '../check.ts'
import { saturatedWindows } from '../../trends.ts'

const LOAD_KINDS = new Set(['load-latency', 'load-slope', 'dropped-iterations', 'start-lateness'])

/** Phases whose load generator was saturated in too many windows: their load findings are inconclusive. */
export function saturatedPhases(
  ctx: JudgeContext,
  sat: ReadonlySet<number> = saturatedWindows(ctx.record),
): Map<string, { saturated: number; windows: number }> {
  const out = new Map<string, { saturated: number; windows: number }>()
  for (const p of ctx.current.phases) {
    if (!p.loaded) continue
    const windows = Math.max(1, Math.round((p.endMs - p.startMs) / ctx.current.windowMs))
    let n = 0
    for (const i of sat) if (i * ctx.current.windowMs >= p.startMs && i * ctx.current.windowMs < p.endMs) n++
    if (n / windows > ctx.gate.tolerance.saturatedWindows) out.set(p.name, { saturated: n, windows })
  }
  return out
}

/** Each loaded phase whose generator was saturated too often: an inconclusive finding that says so. */
export function saturationChecks(ctx: JudgeContext): Check[] {
  return [...saturatedPhases(ctx)].map(([phase, s]) => ({
    finding: {
      id: `generator-saturated:${phase}`,
      kind: 'generator-saturated' as const,
      question: 'stable' as const,
      status: 'inconclusive' as const,
      primary: true,
      phase,
      current: r4(s.saturated / s.windows),
      tolerance: ctx.gate.tolerance.saturatedWindows,
      evidence: { saturatedWindows: s.saturated, windows: s.windows },
      message: '',
    },
    decided: 'inconclusive' as const,
    describe: () => saturatedSentence(phase, s, ctx.gate.tolerance.saturatedWindows),
  }))
}

function saturatedSentence(phase: string, s: { saturated: number; windows: number }, tolerance: number): string {
  return (
    `the load generator was saturated in ${s.saturated} of ${s.windows} windows of ${phase} ` +
    `(more than ${pct(tolerance).replace('+', '')}): latency and load findings of ${phase} are inconclusive ` +
    'rather than blamed on the service; give the generator more room (--workers, a bigger machine, k6)'
  )
}

/** Load-dependent findings of saturated phases are inconclusive, not the service's fault. */
export function markSaturated(
  findings: Finding[],
  saturated: Map<string, { saturated: number; windows: number }>,
): void {
  if (!saturated.size) return
  for (const f of findings) {
    // A finding over several phases (`nominal+peak`) rests on each of them: one saturated phase is enough.
    const hit = (f.phase ?? '').split('+').filter((ph) => saturated.has(ph))
    if (!hit.length) continue
    if (f.kind === 'generator-saturated') continue
    const loadSide =
      LOAD_KINDS.has(f.kind) ||
      f.series?.startsWith('load/') ||
      f.kind === 'level' ||
      f.kind === 'tail' ||
      f.kind === 'drift'
    if (!loadSide || f.status === 'info') continue
    f.status = 'inconclusive'
    f.message += ` — inconclusive: the load generator was saturated in ${hit.join(' and ')}`
  }
}
