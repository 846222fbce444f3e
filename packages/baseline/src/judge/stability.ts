/**
 * Stability over time and under load: drift within constant-load
 * phases, leaks, other growing indicators, latency under load against the
 * quiet phase, dropped iterations and start lateness, a saturated load
 * generator, closed-model executors, restarts, crashes and recovery.
 *
 * Trends are fitted within each phase after its warm-up, never across phases
 * (a load step is not a drift): Theil–Sen slopes and a seasonal Mann–Kendall
 * test with trend-free pre-whitening. Against the baseline, the run's slope is
 * compared with the slopes its runs had, and both tests must reject
 * (intersection–union: the larger p-value counts).
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
