/**
 * @steady/baseline: baselines (`baselines/*.json`), the statistics, gate
 * policies and the verdict. `judge()` and `compareRuns()` are pure: a run
 * record, a baseline and a gate in, a `steady.verdict/1` out.
 */
export { judge, compareRuns } from './judge/judge.ts'
export type { JudgeOptions, CompareOptions } from './judge/judge.ts'
export {
  resolveGate,
  selectGate,
  parseObjective,
  gateForVerdict,
  severityOf,
  DEFAULT_TOLERANCES,
  DEFAULT_GATE_NAME,
} from './gate.ts'
export type {
  GateConfig,
  GateTolerances,
  Objective,
  ResolvedGate,
  ResolvedObjective,
  ResolvedTolerances,
  Question,
} from './gate.ts'
export {
  BASELINE_SCHEMA,
  baselineSchema,
  emptyBaseline,
  readBaseline,
  writeBaseline,
  serialiseBaseline,
  comparisonRuns,
  trimBaseline,
  addRun,
  findMute,
  FINDING_ID,
} from './store.ts'
export type { BaselineFile, BaselineRun, BaselineEntry, Acceptance, Mute, AddRunOptions } from './store.ts'
export { summariseRun, LEVEL_STATS, DIST_PROBABILITIES } from './summary.ts'
export type {
  RunSummary,
  SeriesSummary,
  SeriesPhaseSummary,
  ScenarioSummary,
  PhaseSummary,
} from './summary.ts'
export { SYNTHETIC_PHASES, SYNTHETIC_KEY, NOISE_MODEL, HELD_OUT_NOISE } from './synthetic.ts'
export type { SyntheticScenario, SyntheticStep, SyntheticPhase } from './synthetic.ts'
export { renderVerdict, VERDICT_FORMATS } from './render/render.ts'
export { checkBaseline } from './check-baseline.ts'
export type { BaselineCheck, CheckBaselineOptions, DetectableChange, LeaveOneOut } from './check-baseline.ts'
export { renderBaselineCheck, baselineCheckSummary, BASELINE_CHECK_FORMATS } from './check-baseline-render.ts'
export type { BaselineCheckFormat } from './check-baseline-render.ts'
export { screenSpread, saturatedPhasesOf, windowSpreads, SPREAD_RULE } from './screen-run.ts'
export type { RunScreen, SpreadScreen, SaturatedPhase } from './screen-run.ts'
export { headlines, type NotJudgedReason } from './render/describe.ts'
export type { VerdictFormat, RenderOptions } from './render/render.ts'
export { judgePaired } from './paired/judge-paired.ts'
export type { PairedJudgeOptions } from './paired/judge-paired.ts'
