/**
 * @steady/load: load profiles in k6's vocabulary (executors, thresholds,
 * metric names), the embedded engine that runs steady scenarios as
 * iterations, the k6 driver, and k6 script / k6-operator TestRun export.
 */
// Its error codes become valid `SteadyError` codes wherever this entry is imported (also from the built d.ts).
import './errors.ts'
export { resolveProfile, resolveLoadConfig, pickProfile } from './profile.ts'
/** @public */
export type { LoadProfile, LoadConfig, ExecutorName, EngineName, ResolvedProfile } from './profile.ts'
export { runEmbedded } from './embedded.ts'
/** @public */
export type { EmbeddedOptions, LoadResult } from './embedded.ts'
export { runLoad } from './run-load.ts'
/** @public */
export type { RunLoadOptions } from './run-load.ts'
export { /** @public */ runK6 } from './k6/driver.ts'
/** @public */
export type { K6RunOptions } from './k6/driver.ts'
/** @public */
export type { K6Script } from './export/k6-script.ts'
/** @public */
export type { TestRunOptions, TestRunManifest } from './export/k6-operator.ts'
export { exportK6Script, exportTestRun } from './export/export-profile.ts'
/** @public */
export type { ExportK6Options } from './export/export-profile.ts'
