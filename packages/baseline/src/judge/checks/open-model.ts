/** Closed-model (VU-based) executors, which hide a slower version by sending it less load. */
import type { Check, JudgeContext } from '../context.ts'

/** Loaded phases driven by VU-based executors: a slower version receives less load. */
export function openModelChecks(ctx: JudgeContext): Check[] {
  const closed = ctx.record.phases.filter((p) => p.load && !/arrival-rate/.test(p.load.executor))
  return closed.map((p) => ({
    finding: {
      id: `open-model:${p.name}`,
      kind: 'open-model' as const,
      question: 'stable' as const,
      status: 'info' as const,
      primary: false,
      phase: p.name,
      evidence: { executor: p.load!.executor },
      message: '',
    },
    decided: 'info' as const,
    describe: () => closedModelSentence(p.name, p.load!.executor),
  }))
}

function closedModelSentence(phase: string, executor: string): string {
  return (
    `phase ${phase} loads with ${executor}, a VU-based (closed-model) executor: a slower version simply ` +
    'receives less load, so load findings understate it; use constant-arrival-rate or ramping-arrival-rate'
  )
}
