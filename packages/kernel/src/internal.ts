/**
 * `@steady/kernel/internal`: what steady's own scripts need from kernel beyond its
 * public entry. Not for users: docs, scenarios and generated projects import
 * `@steady/kernel` only (test/architecture.test.ts checks who imports this).
 */
// The table of this package's error codes, for scripts/gen-errors.ts, which writes docs/errors.md.
export { kernelErrorCodes } from './errors.ts'
