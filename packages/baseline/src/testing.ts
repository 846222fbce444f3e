/**
 * `@steady/baseline/testing`: record builders for tests and benchmarks, never
 * imported by production code (test/architecture.test.ts checks it).
 */
export { syntheticRun, tempRunDir, SYNTHETIC_SERVICE, SYNTHETIC_NOISE_MODELS } from './testing/synthetic.ts'
export type { SyntheticRunOptions, SyntheticChange, SyntheticNoise } from './testing/synthetic.ts'
export { pairedRecord, STEPS as PAIRED_STEPS } from './testing/paired-builder.ts'
export type { PairedBuildOptions } from './testing/paired-builder.ts'
