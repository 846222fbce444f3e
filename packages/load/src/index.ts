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
export { realClock, VirtualClock } from './clock.ts'
export type { Clock } from './clock.ts'
export { arrivalSchedule, rampingVuSteps, vusAt, maxVusOf, activeDurationOf, maxDurationOf, shareOf } from './schedule.ts'
export type { ArrivalSchedule, Segment, VuStep } from './schedule.ts'
export { Runner } from './engine/runner.ts'
export type { RunnerOptions, RunnerResult, IterationFn, IterationContext, IterationMetrics, RequestSample, VuFactory } from './engine/runner.ts'
export { scenarioIterations, findScenario, requestSample } from './engine/scenario-iteration.ts'
export type { ScenarioVu, ScenarioSource, ScenarioIterationOptions } from './engine/scenario-iteration.ts'
export { WindowCollector, mergeWindows, saturationLimits } from './metrics/windows.ts'
export type { WindowSnapshot, GeneratorStats, SeriesId, SelfMonitor } from './metrics/windows.ts'
export { RunTotals } from './metrics/totals.ts'
export { builtinMetrics, seriesKey, parseSeriesKey } from './metrics/metrics.ts'
export type { MetricType, MetricInfo } from './metrics/metrics.ts'
export { eventLoopMonitor } from './metrics/self.ts'
export { parseThresholdKey, parseThresholdExpression, compileThresholds, evaluateThresholds } from './thresholds.ts'
export type { Threshold, ThresholdExpression, ThresholdResult, ThresholdKey } from './thresholds.ts'
export { runEmbedded } from './embedded.ts'
export type { EmbeddedOptions, LoadResult, LoadCounts, ScenarioOutcome } from './embedded.ts'
export { formatSummary, formatHeader, describeProfile, formatK6Time } from './summary.ts'
export type { SummaryInput } from './summary.ts'
export { toRunRecord, windowsToSeries } from './record.ts'
export type { LoadRecordOptions } from './record.ts'
