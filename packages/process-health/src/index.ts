/**
 * @steady/process-health: processes as first-class citizens. Declare a
 * process (an owner, indicators with units, a better direction, objectives),
 * record observations at their own time, judge each indicator against its own
 * history (median/MAD baseline, EWMA drift, objectives and SLO burn rates),
 * and export to Prometheus (prom-client, Pushgateway) and Grafana Faro.
 * Stands alone: imports no other steady package but `@steady/kernel`, which
 * has no dependencies.
 */
export { /** @public */ ProcessHealthError, isProcessHealthError } from './errors.ts'
/** @public */
export type { ProcessHealthErrorOptions } from './errors.ts'
/** @public */
export type {
  HealthState,
  JudgeOptions,
  ThresholdObjective,
  SloObjective,
  Objective,
  DurationIndicator,
  RateIndicator,
  CountIndicator,
  IndicatorDefinition,
  ProcessDefinition,
  Labels,
  Fields,
  Observation,
} from './types.ts'
export { fixedClock } from './time.ts'
export type { Clock } from './time.ts'
export { defineProcess } from './define.ts'
/** @public */
export type { ObservationInput } from './define.ts'
export { judgeProcess, judgeIndicator } from './judge/index.ts'
/** @public */
export type { IndicatorHealth, ProcessHealth } from './judge/index.ts'
export { recordObservation, checkHealth } from './health.ts'
/** @public */
export type { CheckHealthOptions, HealthReport } from './health.ts'
export { renderHealth } from './render.ts'
export type { HealthFormat } from './render.ts'
/** @public */
export type { HealthStore, HistoryQuery, RecordedObservation, AppendResult } from './store/types.ts'
export { FileStore } from './store/file-store.ts'
export { parseBatch, appendRecords } from './import/batch.ts'
/** @public */
export type { RecordInput, BatchOptions } from './import/batch.ts'
export { importGithubRuns, importGitlabPipelines } from './import/ci-runs.ts'
/** @public */
export type { ImportResult, CiImportOptions } from './import/ci-runs.ts'
export { importGit } from './import/git.ts'
/** @public */
export type { GitImportOptions } from './import/git.ts'
/** @public */
export type { FileStoreOptions } from './store/file-store.ts'
export { /** @public */ PrometheusStore, pushObservation } from './store/prometheus-store.ts'
/** @public */
export type { PrometheusStoreOptions, PushObservationOptions } from './store/prometheus-store.ts'
export { HealthMetrics, pushMetrics } from './export/prometheus.ts'
/** @public */
export type { HealthMetricsOptions, PushOptions } from './export/prometheus.ts'
export { createFaroExporter } from './export/faro.ts'
/** @public */
export type { FaroExporterOptions, FaroExporter } from './export/faro.ts'
export { ciProcess } from './processes/ci.ts'
export { doraProcess } from './processes/dora.ts'
export { e2eGateProcess, recordGateDecision, /** @public */ gateFlakiness } from './processes/e2e-gate.ts'
/** @public */
export type { GateDecision, RecordGateDecisionOptions } from './processes/e2e-gate.ts'
/** @public */
export type { ReadyMadeOptions } from './processes/options.ts'
export { resolveProcesses, openStore } from './config.ts'
/** @public */
export type { HealthConfig, HealthConfigSection, OpenStoreOptions } from './config.ts'
