/**
 * `@steady/baseline/testing`: record builders for tests and benchmarks, never
 * imported by production code (test/architecture.test.ts checks it).
 */
export { pairedRecord, STEPS as PAIRED_STEPS } from './testing/paired-builder.ts'
export type { PairedBuildOptions, PairedFault } from './testing/paired-builder.ts'
