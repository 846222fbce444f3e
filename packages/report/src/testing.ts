/**
 * `@steady/report/testing`: run records and verdicts built for tests and
 * benchmarks (a soak with every chart's series, hostile strings in every
 * field, a baseline a little slower than the run). Never imported by
 * production code (test/architecture.test.ts checks it).
 */
export { makeRecord } from './testing/make-record.ts'
export { makeBaseline } from './testing/make-verdict.ts'
