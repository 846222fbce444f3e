/**
 * @steady/soak: repeat the E2E scenarios under load on a fresh environment,
 * phase by phase, while watching the service's own indicators; writes the run
 * record.
 */
// Its error codes become valid `SteadyError` codes wherever this entry is imported (also from the built d.ts).
import './errors.ts'
export { resolvePlan } from './plan.ts'
/** @public */
export type { SoakPlan, SoakPhase, ScrapePlan, ProbePlan, ResolvedPlan, ResolvedPhase, PlanControl } from './plan.ts'
/** @public */
export type { ProgressSnapshot } from './progress.ts'
export { soak } from './soak.ts'
/** @public */
export type { SoakOptions, SoakResult, SoakService, SoakControl, PreflightFailure } from './soak.ts'
