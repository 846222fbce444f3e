/**
 * @steady/record: the run record and verdict types, their validation and
 * atomic I/O, histograms, and the one redaction step every output passes
 * through. The error class and durations come from `@steady/kernel` and are
 * re-exported here, so packages that import them from `@steady/record` need
 * not change.
 */
export { SteadyError, isSteadyError, ExitCode, parseDuration, formatDuration } from '@steady/kernel'
export type { SteadyErrorOptions, ExitCodeValue, Duration } from '@steady/kernel'
export { formatError } from './errors.ts'
export { writeFileAtomic, writeFileAtomicSync, writeJsonAtomic } from './atomic.ts'
export { Redactor, redact, REDACTED } from './redact.ts'
export type { RedactionOptions } from './redact.ts'
export { shellQuote, shellCommand } from './shell.ts'
export { terminalLine, terminalText, terminalSafe } from './terminal.ts'
export { LatencyHistogram, HISTOGRAM_PARAMETERS } from './histogram.ts'
export type { HistogramSummary } from './histogram.ts'
export { RUN_SCHEMA, seriesKey, signatureKey } from './run-record.ts'
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
export {
  RunRecordWriter,
  readRunRecord,
  parseRunRecord,
  recoverRunRecord,
  writeRunRecordSync,
  aggregateWindows,
  EVENTS_FILE,
  RECORD_FILE,
} from './io.ts'
export type { RunHeader, RunRecordWriterOptions } from './io.ts'
export { readRegularFile, parseJsonText, jsonProblem } from './json-file.ts'
export type { JsonFileKind, JsonProblem } from './json-file.ts'
export { runRecordSchema, validatorFor, assertValid, describeSchemaError } from './schema.ts'
export { comparabilityKey, comparabilityDiff, newRunId } from './identity.ts'
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
