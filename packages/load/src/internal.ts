/**
 * `@steady/load/internal`: what sibling steady packages need from load beyond
 * its public entry. Not for users: docs, scenarios and generated projects import
 * `@steady/load` only (test/architecture.test.ts checks who imports this).
 */
export { scaleProfile } from './profile.ts'
export { ArrivalTandem } from './engine/tandem.ts'
export type { TandemSeat } from './engine/tandem.ts'
export { runSetup, runTeardown } from './engine/scenario-iteration.ts'
export type { WindowSnapshot } from './metrics/windows.ts'
export { formatSummary, formatHeader, formatK6Time } from './summary.ts'
export { toRunRecord, feedLoadWindow } from './record.ts'
export { validateManifest } from './export/k6-operator.ts'
// The table of this package's error codes, for scripts/gen-errors.ts, which writes docs/errors.md.
export { loadErrorCodes } from './errors.ts'
