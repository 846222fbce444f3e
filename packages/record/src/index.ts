/**
 * @steady/record: the run record and verdict types, their validation and
 * atomic I/O, histograms, and the one redaction step every output passes
 * through. The error class and durations come from `@steady/kernel` and are
 * re-exported here, so packages that import them from `@steady/record` need
 * not change.
 */
export { SteadyError, isSteadyError, ExitCode } from '@steady/kernel'
export type { SteadyErrorOptions, ExitCodeValue } from '@steady/kernel'
export { writeFileAtomic, writeFileAtomicSync, writeJsonAtomic } from './atomic.ts'
export { Redactor, redact } from './redact.ts'
export type { RedactionOptions } from './redact.ts'
export { LatencyHistogram } from './histogram.ts'
export type { HistogramSummary } from './histogram.ts'
export { RUN_SCHEMA } from './run-record.ts'
export type {
  RunRecord,
  RunKind,
  Subject,
  Side,
  PairedRun,
  ComparabilityKey,
  PhaseRecord,
  PhaseLoad,
  ScenarioRecord,
  SeriesRecord,
  SeriesSource,
  SeriesKind,
  SeriesWindow,
  PhaseAggregate,
  RunEvent,
  RunEventKind,
  FailureGroup,
  FailureSignature,
  FailureSample,
} from './run-record.ts'
export { SeriesAggregator } from './aggregator.ts'
export type { AggregatorOptions, WindowBatch } from './aggregator.ts'
export { RunRecordWriter, readRunRecord, parseRunRecord, aggregateWindows, EVENTS_FILE } from './io.ts'
export type { RunHeader, RunRecordWriterOptions } from './io.ts'
export { jsonProblem } from './json-file.ts'
export type { JsonProblem } from './json-file.ts'
export { runRecordSchema, describeSchemaError } from './schema.ts'
export { comparabilityKey } from './identity.ts'
export { VERDICT_SCHEMA, verdictSchema } from './verdict.ts'
export type {
  Verdict,
  GateResult,
  QuestionStatus,
  QuestionVerdict,
  Severity,
  Finding,
  FindingKind,
  FindingStatus,
  VerdictRunRef,
  VerdictBaselineRef,
  VerdictBaselineRun,
  VerdictGate,
} from './verdict.ts'
