/**
 * `@steady/scenario/testing`: for tests and scripts, never imported by
 * production code (test/architecture.test.ts checks it). The seeded data a
 * scenario's `ctx.data` holds, rebuilt outside a run: a test that asserts on
 * what an iteration sent computes the same values from the run seed.
 */
export { seededFaker, iterationSeed } from './data.ts'
