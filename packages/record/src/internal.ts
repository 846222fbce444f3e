/**
 * `@steady/record/internal`: what sibling steady packages need from record beyond
 * its public entry. Not for users: docs, scenarios and generated projects import
 * `@steady/record` only (test/architecture.test.ts checks who imports this).
 */
// Durations are kernel's; siblings that already read them from record keep doing so.
export { parseDuration, formatDuration } from '@steady/kernel'
export type { Duration } from '@steady/kernel'
export { formatError } from './errors.ts'
export { REDACTED } from './redact.ts'
export { shellQuote, shellCommand } from './shell.ts'
export { terminalLine, terminalText, terminalSafe } from './terminal.ts'
export { HISTOGRAM_PARAMETERS } from './histogram.ts'
export { seriesKey, signatureKey } from './run-record.ts'
export { recoverRunRecord, writeRunRecordSync, RECORD_FILE } from './io.ts'
export { readRegularFile, parseJsonText } from './json-file.ts'
export type { JsonFileKind } from './json-file.ts'
export { validatorFor, assertValid } from './schema.ts'
export { newRunId } from './identity.ts'
// The table of this package's error codes, for scripts/gen-errors.ts, which writes docs/errors.md.
export { recordErrorCodes } from './errors.ts'
