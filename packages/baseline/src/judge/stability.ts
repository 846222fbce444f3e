/**
 * Stability over time and under load: the families of `checks/` that judge
 * how the run behaved as it went (restarts and crashes, closed-model
 * executors, a saturated generator, drift, memory and other indicators,
 * latency and dropped work under load, recovery), run in this order. Each
 * family is one module with its own sentences; this file only lists them.
 */
import type { Check, JudgeContext } from './context.ts'
import { memoryChecks } from './checks/memory.ts'
import { restartChecks } from './checks/restarts.ts'
import { openModelChecks } from './checks/open-model.ts'
import { saturationChecks } from './checks/saturation.ts'
import { driftChecks } from './checks/drift.ts'
import { indicatorChecks } from './checks/indicators.ts'
import { loadLatencyChecks } from './checks/load-latency.ts'
import { loadSlopeChecks } from './checks/load-slope.ts'
import { droppedIterationChecks } from './checks/dropped-iterations.ts'
import { startLatenessChecks } from './checks/start-lateness.ts'
import { recoveryChecks } from './checks/recovery.ts'

/** Findings about the run's stability that are not levels. */
export function stabilityChecks(ctx: JudgeContext): Check[] {
  return [
    ...restartChecks(ctx),
    ...openModelChecks(ctx),
    ...saturationChecks(ctx),
    ...driftChecks(ctx),
    ...memoryChecks(ctx),
    ...indicatorChecks(ctx),
    ...loadLatencyChecks(ctx),
    ...loadSlopeChecks(ctx),
    ...droppedIterationChecks(ctx),
    ...startLatenessChecks(ctx),
    ...recoveryChecks(ctx),
  ]
}
