/**
 * `@steady/scenario/internal`: what sibling steady packages need from scenario beyond
 * its public entry. Not for users: docs, scenarios and generated projects import
 * `@steady/scenario` only (test/architecture.test.ts checks who imports this).
 */
export type { Exchange } from './http/client.ts'
export { hashSeed } from './data.ts'
export { describeLoadError, importModule } from './loader.ts'
export { planReplay } from './replay.ts'
export type { ReplayPlan } from './replay.ts'
// The table of this package's error codes, for scripts/gen-errors.ts, which writes docs/errors.md.
export { scenarioErrorCodes } from './errors.ts'
