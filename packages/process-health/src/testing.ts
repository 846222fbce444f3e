/**
 * `@steady/process-health/testing`: knobs for tests and benchmarks, never
 * imported by production code (test/architecture.test.ts checks it). The
 * replay benchmark switches how weekly rhythms are judged to measure each
 * method on the same histories.
 */
export { setWeeklyRhythmMethod } from './judge/rhythm.ts'
export type { WeeklyRhythmMethod } from './judge/rhythm.ts'
