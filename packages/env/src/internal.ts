/**
 * `@steady/env/internal`: what sibling steady packages need from env beyond
 * its public entry. Not for users: docs, scenarios and generated projects import
 * `@steady/env` only (test/architecture.test.ts checks who imports this).
 */
export { withPairedEnvironments } from './environment.ts'
export { parseTags } from './identity.ts'
export { expandPairedId } from './identity.ts'
export { readStat, clockTicks } from './proc.ts'
export { prepareWorktree } from './worktree.ts'
// The table of this package's error codes, for scripts/gen-errors.ts, which writes docs/errors.md.
export { envErrorCodes } from './errors.ts'
