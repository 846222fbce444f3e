/**
 * @steady/load: load profiles in k6's vocabulary (executors, thresholds,
 * metric names), the embedded engine that runs steady scenarios as
 * iterations, the k6 driver, and k6 script / k6-operator TestRun export.
 */
export { executors, resolveProfile, resolveLoadConfig, pickProfile } from './profile.ts'
export type {
  LoadProfile,
  LoadConfig,
  ProfileExtras,
  ExecutorName,
  EngineName,
  ResolvedProfile,
  ResolvedStage,
  ResolvedThresholdItem,
  K6Scenario,
  K6Threshold,
  K6Stage,
} from './profile.ts'
export {
  arrivalSchedule,
  rampingVuSteps,
  vusAt,
  maxVusOf,
  activeDurationOf,
  maxDurationOf,
  shareOf,
} from './schedule.ts'
export type { ArrivalSchedule, Segment, VuStep } from './schedule.ts'
export { Runner } from './engine/runner.ts'
export type { ArrivalTandemOptions, TandemMember, Arrivals } from './engine/tandem.ts'
export type {
  RunnerOptions,
  RunnerResult,
  IterationFn,
  IterationContext,
  IterationMetrics,
  RequestSample,
  VuFactory,
} from './engine/runner.ts'
export { scenarioIterations, findScenario, requestSample } from './engine/scenario-iteration.ts'
export type {
  ScenarioVu,
  ScenarioSource,
  ScenarioIterationOptions,
  ScenarioHooks,
} from './engine/scenario-iteration.ts'
export { WindowCollector, mergeWindows, saturationLimits } from './metrics/windows.ts'
export type { GeneratorStats, SeriesId, SelfMonitor } from './metrics/windows.ts'
export { RunTotals } from './metrics/totals.ts'
export { builtinMetrics, seriesKey, parseSeriesKey } from './metrics/metrics.ts'
export type { MetricType, MetricInfo } from './metrics/metrics.ts'
export { eventLoopMonitor } from './metrics/self.ts'
export {
  parseThresholdKey,
  parseThresholdExpression,
  compileThresholds,
  evaluateThresholds,
} from './thresholds.ts'
export type { Threshold, ThresholdExpression, ThresholdResult, ThresholdKey } from './thresholds.ts'
export { runEmbedded } from './embedded.ts'
export type { EmbeddedOptions, LoadResult, LoadCounts, ScenarioOutcome } from './embedded.ts'
export { describeProfile } from './summary.ts'
export type { SummaryInput } from './summary.ts'
export { windowsToSeries } from './record.ts'
export type { LoadRecordOptions } from './record.ts'
export { runLoad } from './run-load.ts'
export type { RunLoadOptions } from './run-load.ts'
export {
  /** @public */ runK6,
  findK6,
  K6PointFolder,
} from './k6/driver.ts'
export type { K6RunOptions } from './k6/driver.ts'
export { k6ExitCodes, mapK6ExitCode } from './k6/exit-codes.ts'
export type { K6ExitCode, K6Outcome } from './k6/exit-codes.ts'
export { parseK6Line, parseK6Time, isProblem as isK6ParseProblem, LineSplitter } from './k6/json-output.ts'
export type {
  K6OutputLine,
  K6MetricLine,
  K6PointLine,
  K6ParseProblem,
  K6MetricType,
} from './k6/json-output.ts'
export { toK6Options, toK6Scenario, k6Duration } from './k6/options.ts'
export { traceRequestSequence } from './export/trace.ts'
export type { TracedRequest } from './export/trace.ts'
export { generateK6Script, execFunctionName } from './export/k6-script.ts'
export type { K6Script, K6ScriptOptions } from './export/k6-script.ts'
export { buildTestRun, kubernetesName } from './export/k6-operator.ts'
export type { TestRunOptions, TestRunManifest } from './export/k6-operator.ts'
export { testRunSchema, configMapSchema, testRunCrdVersion } from './export/testrun-schema.ts'
export { exportK6Script, exportTestRun } from './export/export-profile.ts'
export type { ExportK6Options } from './export/export-profile.ts'
