/**
 * @steady/report: the HTML stability report. One self-contained file that
 * says at the top whether the version is working and stable (when a verdict is
 * given), and shows why: per-scenario and per-step tables, latency, load,
 * service indicators and the load generator over time, failures over time and
 * failure samples with their curl reproduction.
 */
// Its error codes become valid `SteadyError` codes wherever this entry is imported (also from the built d.ts).
import './errors.ts'
export { renderReport, writeReport } from './report.ts'
export type { ReportInput } from './report.ts'
export { readVerdict, readReportInput } from './inputs.ts'
/** @public */
export type { ReportFiles } from './inputs.ts'
