/**
 * `@steady/soak/internal`: what sibling steady packages need from soak beyond
 * its public entry. Not for users: docs, scenarios and generated projects import
 * `@steady/soak` only (test/architecture.test.ts checks who imports this).
 */
export { ABBA_BLOCK } from './paired.ts'
// The table of this package's error codes, for scripts/gen-errors.ts, which writes docs/errors.md.
export { soakErrorCodes } from './errors.ts'
