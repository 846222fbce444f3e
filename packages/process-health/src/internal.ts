/**
 * `@steady/process-health/internal`: what sibling steady packages need from process-health beyond
 * its public entry. Not for users: docs, scenarios and generated projects import
 * `@steady/process-health` only (test/architecture.test.ts checks who imports this).
 */
export { systemClock, parseInstant, formatDurationMs } from './time.ts'
export { findProcess } from './define.ts'
export { createRecord } from './import/batch.ts'
export { boundedLabels } from './export/labels.ts'
export { implicitProcessNames } from './config.ts'
// The table of this package's error codes, for scripts/gen-errors.ts, which writes docs/errors.md.
export { processHealthErrorCodes } from './errors.ts'
