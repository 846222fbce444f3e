/**
 * @steady/process-health: processes as first-class citizens. Declare a
 * process (an owner, indicators with units, a better direction, objectives),
 * record observations at their own time, judge each indicator against its own
 * history (median/MAD baseline, EWMA drift, objectives and SLO burn rates),
 * and export to Prometheus (prom-client, Pushgateway) and Grafana Faro.
 * Stands alone: imports no other steady package but `@steady/kernel`, which
 * has no dependencies.
 */
export {
  /** @public */ ProcessHealthError,
  isProcessHealthError,
  HealthExitCode,
} from './errors.ts'
export type { ProcessHealthErrorOptions } from './errors.ts'
export type {
  IndicatorKind,
  Better,
  DurationUnit,
  HealthState,
  JudgeOptions,
  ThresholdObjective,
  SloObjective,
  Objective,
  TierResult,
  DurationIndicator,
  RateIndicator,
  CountIndicator,
  IndicatorDefinition,
  ProcessDefinition,
  Labels,
  Fields,
  Observation,
} from './types.ts'
export { fixedClock, parseDurationMs } from './time.ts'
export type { Clock, DurationInput } from './time.ts'
export {
  defineProcess,
  validateProcess,
  createObservation,
  parseValue,
  validateLabels,
  highCardinalityReason,
  findIndicator,
  maxLabels,
} from './define.ts'
export type { ObservationInput } from './define.ts'
export { median, quantile, robust, robustZ, ewma, cusum } from './stats.ts'
export type { RobustSummary, EwmaResult, CusumResult } from './stats.ts'
export {
  judgeProcess,
  judgeIndicator,
  markIdle,
  resolveJudgeOptions,
  historyStart,
  worstState,
  exitCodeFor,
} from './judge/index.ts'
export type {
  HealthCheck,
  IndicatorHealth,
  ProcessActivity,
  ProcessHealth,
  JudgeContext,
  ResolvedJudgeOptions,
} from './judge/index.ts'
export { recordObservation, checkHealth } from './health.ts'
export type { CheckHealthOptions, HealthReport } from './health.ts'
export { renderHealth, healthToJson } from './render.ts'
export type { HealthFormat } from './render.ts'
export type { HealthStore, HistoryQuery, RecordedObservation, AppendResult } from './store/types.ts'
export { FileStore, defaultStoreDir, correctionsFile } from './store/file-store.ts'
export { parseBatch, appendRecords, contentId } from './import/batch.ts'
export type { RecordInput, BatchOptions } from './import/batch.ts'
export { importGithubRuns, importGitlabPipelines } from './import/ci-runs.ts'
export type { ImportResult, CiImportOptions } from './import/ci-runs.ts'
export { importGit, defaultTagPattern } from './import/git.ts'
export type { GitImportOptions } from './import/git.ts'
export type { FileStoreOptions } from './store/file-store.ts'
export {
  /** @public */ PrometheusStore,
  pushObservation,
} from './store/prometheus-store.ts'
export type { PrometheusStoreOptions, PushObservationOptions } from './store/prometheus-store.ts'
export {
  HealthMetrics,
  pushMetrics,
  durationBuckets,
  baseValue,
  fromBaseValue,
  levelValue,
  unitSuffix,
} from './export/prometheus.ts'
export { boundedBranch, groupingPath, defaultKeptBranches } from './export/labels.ts'
export type { HealthMetricsOptions, PushOptions } from './export/prometheus.ts'
export { FaroNodeTransport, createFaroExporter, parseRetryAfter } from './export/faro.ts'
export type {
  FaroTransportOptions,
  FaroTransportStats,
  FaroExporterOptions,
  FaroExporter,
} from './export/faro.ts'
export { ciProcess, ciLabels } from './processes/ci.ts'
export {
  doraProcess,
  doraLabels,
  deploymentFrequencyTier,
  durationTier,
  changeFailureTier,
} from './processes/dora.ts'
export { e2eGateProcess, e2eGateLabels, recordGateDecision, gateFlakiness } from './processes/e2e-gate.ts'
export type { GateDecision, RecordGateDecisionOptions } from './processes/e2e-gate.ts'
export type { ReadyMadeOptions } from './processes/options.ts'
export { resolveProcesses, openStore, readyMadeProcesses } from './config.ts'
export type { HealthConfig, HealthConfigSection, ReadyMadeProcess, OpenStoreOptions } from './config.ts'
