/**
 * @steady/record: the run record and verdict types, their validation and
 * atomic I/O, durations and units, histograms, the error base class, and the
 * one redaction step every output passes through.
 */
export { SteadyError, isSteadyError, formatError, ExitCode } from './errors.ts'
export type { SteadyErrorOptions, ExitCodeValue } from './errors.ts'
export { parseDuration, formatDuration } from './duration.ts'
export type { Duration } from './duration.ts'
export { writeFileAtomic, writeFileAtomicSync, writeJsonAtomic } from './atomic.ts'
export { Redactor, redact, REDACTED } from './redact.ts'
export type { RedactionOptions } from './redact.ts'
