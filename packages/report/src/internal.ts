/**
 * `@steady/report/internal`: what sibling steady packages need from report beyond
 * its public entry. Not for users: docs, scenarios and generated projects import
 * `@steady/report` only (test/architecture.test.ts checks who imports this).
 */
export { defaultReportPath } from './inputs.ts'
// The table of this package's error codes, for scripts/gen-errors.ts, which writes docs/errors.md.
export { reportErrorCodes } from './errors.ts'
