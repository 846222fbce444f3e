/**
 * `@steady/cli/internal`: what steady's own scripts need from cli beyond its
 * public entry. Not for users: docs, scenarios and generated projects import
 * `@steady/cli` only (test/architecture.test.ts checks who imports this).
 */
// The table of this package's error codes, for scripts/gen-errors.ts, which writes docs/errors.md.
export { cliErrorCodes } from './errors.ts'
