/**
 * `@steady/baseline/internal`: what sibling steady packages need from baseline beyond
 * its public entry. Not for users: docs, scenarios and generated projects import
 * `@steady/baseline` only (test/architecture.test.ts checks who imports this).
 */
export {
  DEFAULT_KEEP,
  parseBaseline,
  updateBaseline,
  excludeRun,
  pinRun,
  acceptFinding,
  muteSeries,
  muteActive,
  acceptanceExpired,
} from './store.ts'
export { pairedLine } from './render/text.ts'
export { screenRun } from './screen-run.ts'
export { isAAPair } from './summary.ts'
export { isInconclusiveCause, notJudgedReason } from './render/describe.ts'
export { isPairedRecord, pairedMachine } from './paired/judge-paired.ts'
export { trendPhases } from './trends.ts'
// The table of this package's error codes, for scripts/gen-errors.ts, which writes docs/errors.md.
export { baselineErrorCodes } from './errors.ts'
