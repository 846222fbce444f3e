/**
 * @steady/record: the run record and verdict types, their validation and
 * atomic I/O, histograms, and the one redaction step every output passes
 * through. The error class comes from `@steady/kernel` and is re-exported
 * here, so a program that reads records needs one import. Helpers sibling
 * packages share (terminal and shell quoting, JSON file reading, schema
 * validators) are in `@steady/record/internal`.
 */
// Its error codes become valid `SteadyError` codes wherever this entry is imported (also from the built d.ts).
import './errors.ts'
export { SteadyError, isSteadyError, ExitCode } from '@steady/kernel'
/** @public */
export type { SteadyErrorOptions, ExitCodeValue } from '@steady/kernel'
export { writeFileAtomic, writeJsonAtomic } from './atomic.ts'
export { Redactor, redact } from './redact.ts'
export type { RedactionOptions } from './redact.ts'
export { LatencyHistogram } from './histogram.ts'
/** @public */
export type { HistogramSummary } from './histogram.ts'
export { RUN_SCHEMA } from './run-record.ts'
/** @public */
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
/** @public */
export type { AggregatorOptions, WindowBatch } from './aggregator.ts'
export { RunRecordWriter, readRunRecord, parseRunRecord } from './io.ts'
/** @public */
export type { RunHeader, RunRecordWriterOptions } from './io.ts'
export { runRecordSchema } from './schema.ts'
export { comparabilityKey, comparabilityDiff } from './identity.ts'
export { VERDICT_SCHEMA, verdictSchema } from './verdict.ts'
/** @public */
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
