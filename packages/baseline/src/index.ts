/**
 * @steady/baseline: baselines (`baselines/*.json`), the statistics, gate
 * policies and the verdict. `judge()` and `compareRuns()` are pure: a run
 * record, a baseline and a gate in, a `steady.verdict/1` out.
 */
// Its error codes become valid `SteadyError` codes wherever this entry is imported (also from the built d.ts).
import './errors.ts'
export { judge, compareRuns } from './judge/judge.ts'
/** @public */
export type { JudgeOptions, CompareOptions } from './judge/judge.ts'
export { resolveGate, selectGate, DEFAULT_TOLERANCES } from './gate.ts'
/** @public */
export type { GateConfig, GateTolerances, Objective, ResolvedGate } from './gate.ts'
export { emptyBaseline, readBaseline, writeBaseline, serialiseBaseline, comparisonRuns, addRun } from './store.ts'
/** @public */
export type { BaselineFile, BaselineRun, BaselineEntry, Acceptance, Mute, AddRunOptions } from './store.ts'
export { summariseRun } from './summary.ts'
/** @public */
export type { RunSummary } from './summary.ts'
export { renderVerdict, VERDICT_FORMATS } from './render/render.ts'
export { checkBaseline } from './check-baseline.ts'
/** @public */
export type { BaselineCheck, CheckBaselineOptions } from './check-baseline.ts'
export { renderBaselineCheck, BASELINE_CHECK_FORMATS } from './check-baseline-render.ts'
export type { BaselineCheckFormat } from './check-baseline-render.ts'
/** @public */
export type { VerdictFormat, RenderOptions } from './render/render.ts'
export { judgePaired } from './paired/judge-paired.ts'
/** @public */
export type { PairedJudgeOptions } from './paired/judge-paired.ts'
